/**
 * __ROUTE__ → __FUNCTION__ (REST API, Lambda proxy integration, payload format 1.0)
 * Event format: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
import type {APIGatewayProxyEvent, APIGatewayProxyResult} from 'aws-lambda'

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const body = readJsonBody(event)
  if (!body.ok) return json(400, {message: 'The request body is not valid JSON'})
  return json(200, {
    message: 'Hello from __FUNCTION__',
    // `resource` is the route's path template (/orders/{id}); `path` is the path that was requested.
    route: `${event.httpMethod} ${event.resource}`,
    // Payload 1.0 sets pathParameters and queryStringParameters to null when there are none.
    pathParameters: event.pathParameters ?? {},
    query: event.queryStringParameters ?? {},
    body: body.value,
  })
}

type JsonBody = {ok: true; value: unknown} | {ok: false}

/** The parsed JSON body, or null when there is none. In payload 1.0 `body` is null when the request has none. */
function readJsonBody(event: APIGatewayProxyEvent): JsonBody {
  if (event.body === undefined || event.body === null || event.body === '') return {ok: true, value: null}
  // With binary media types configured, API Gateway base64-encodes the body and sets isBase64Encoded.
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch {
    return {ok: false}
  }
}

/**
 * A proxy response. REST APIs are strict: only statusCode, headers, multiValueHeaders, body and isBase64Encoded
 * are allowed, and body must be a string; anything else makes API Gateway answer 502.
 */
function json(statusCode: number, value: unknown): APIGatewayProxyResult {
  return {statusCode, headers: {'content-type': 'application/json'}, body: JSON.stringify(value)}
}
