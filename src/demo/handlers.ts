/**
 * Handlers of the demo project. Each one is a realistic way an endpoint breaks, chosen so that the status
 * alone (an HTTP API answers 500 for all of them, aws-semantics §5) does not say why.
 */

/** Fails the way real code fails: a TypeError deep in a helper, with a real stack. */
export const THROWING_HANDLER = `// Reads an order that is not there: a TypeError, as real code throws it.
const orders = new Map([['42', {id: '42', total: 19.99}]])

function totalOf(order) {
  return order.total
}

export const handler = async (event) => {
  const order = orders.get(event.pathParameters?.id ?? 'missing')
  return {statusCode: 200, body: JSON.stringify({total: totalOf(order)})}
}
`

/** Answers, but with a proxy response API Gateway rejects: cookies must be an array (payload 2.0, §4.2). */
export const MALFORMED_HANDLER = `// Sets a cookie the wrong way: payload format 2.0 wants "cookies" to be an array of strings.
export const handler = async () => {
  return {
    statusCode: 200,
    cookies: 'session=3f9a; Path=/; HttpOnly',
    body: JSON.stringify({ok: true}),
  }
}
`

/** A healthy handler (the one whose invoke permission the demo removes). */
export const HEALTHY_HANDLER = `export const handler = async () => {
  return {
    statusCode: 200,
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({report: 'quarterly', rows: 3}),
  }
}
`
