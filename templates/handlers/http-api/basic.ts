/**
 * __ROUTE__ → __FUNCTION__ (HTTP API, Lambda payload format 2.0)
 * Event format: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type {APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2} from 'aws-lambda'

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const body = readJsonBody(event)
  if (!body.ok) return json(400, {message: 'The request body is not valid JSON'})
  return json(200, {
    message: 'Hello from __FUNCTION__',
    route: event.routeKey,
    // Payload 2.0 leaves pathParameters and queryStringParameters out when there are none.
    pathParameters: event.pathParameters ?? {},
    query: event.queryStringParameters ?? {},
    body: body.value,
  })
}

type JsonBody = {ok: true; value: unknown} | {ok: false}

/** The parsed JSON body, or null when there is none. In payload 2.0 `body` is absent when the request has none. */
function readJsonBody(event: APIGatewayProxyEventV2): JsonBody {
  if (event.body === undefined || event.body === null || event.body === '') return {ok: true, value: null}
  // API Gateway base64-encodes bodies it does not consider text and then sets isBase64Encoded.
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch {
    return {ok: false}
  }
}

/** A proxy response: statusCode, headers and a string body (API Gateway rejects a non-string body). */
function json(statusCode: number, value: unknown): APIGatewayProxyStructuredResultV2 {
  return {statusCode, headers: {'content-type': 'application/json'}, body: JSON.stringify(value)}
}
