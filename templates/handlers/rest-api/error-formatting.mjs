/**
 * __ROUTE__ → __FUNCTION__ (REST API, Lambda proxy integration, payload format 1.0), answering its own errors.
 * Event format: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 *
 * A handler that throws makes the invocation fail: API Gateway then hides the error behind its own
 * 502 {"message": "Internal server error"} and Lambda counts an error. This one catches errors and returns a
 * response with its own status, an x-amzn-ErrorType header and a plain-text body, as the AWS guide "Handle
 * Lambda errors in API Gateway" shows, so the client learns what went wrong and the function is not marked failed.
 */

/** An error the client caused or should see: its status, error type and message are sent as they are. */
export class HttpError extends Error {
  constructor(statusCode, errorType, message) {
    super(message)
    this.statusCode = statusCode
    this.errorType = errorType
  }
}

/**
 * @param {import('aws-lambda').APIGatewayProxyEvent} event
 * @returns {Promise<import('aws-lambda').APIGatewayProxyResult>}
 */
export const handler = async (event) => {
  try {
    return await handle(event)
  } catch (error) {
    return errorResponse(error)
  }
}

async function handle(event) {
  const body = readJsonBody(event)
  return {
    statusCode: 200,
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({
      message: 'Hello from __FUNCTION__',
      // `resource` is the route's path template (/orders/{id}); `path` is the path that was requested.
      route: `${event.httpMethod} ${event.resource}`,
      // Payload 1.0 sets pathParameters and queryStringParameters to null when there are none.
      pathParameters: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      body,
    }),
  }
}

/** The parsed JSON body, or null when there is none. In payload 1.0 `body` is null when the request has none. */
function readJsonBody(event) {
  if (event.body === undefined || event.body === null || event.body === '') return null
  // With binary media types configured, API Gateway base64-encodes the body and sets isBase64Encoded.
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'BadRequestException', 'The request body is not valid JSON')
  }
}

function errorResponse(error) {
  const known = error instanceof HttpError
  // Unexpected errors go to the function's log (CloudWatch) with their stack; the client gets a generic message.
  if (!known) console.error(error)
  return {
    statusCode: known ? error.statusCode : 500,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'x-amzn-ErrorType': known ? error.errorType : 'InternalServerErrorException',
    },
    body: known ? error.message : 'Internal server error',
  }
}
