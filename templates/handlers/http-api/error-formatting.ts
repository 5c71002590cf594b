/**
 * __ROUTE__ → __FUNCTION__ (HTTP API, Lambda payload format 2.0), answering its own errors.
 * Event format: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 *
 * A handler that throws makes the invocation fail: API Gateway then hides the error behind its own
 * 500 {"message":"Internal Server Error"} and Lambda counts an error. This one catches errors and returns a
 * response with its own status, an x-amzn-ErrorType header and a plain-text body, as the AWS guide "Handle
 * Lambda errors in API Gateway" shows, so the client learns what went wrong and the function is not marked failed.
 */
import type {APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2} from 'aws-lambda'

/** An error the client caused or should see: its status, error type and message are sent as they are. */
export class HttpError extends Error {
  readonly statusCode: number
  readonly errorType: string

  constructor(statusCode: number, errorType: string, message: string) {
    super(message)
    this.statusCode = statusCode
    this.errorType = errorType
  }
}

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    return await handle(event)
  } catch (error) {
    return errorResponse(error)
  }
}

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = readJsonBody(event)
  return {
    statusCode: 200,
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({
      message: 'Hello from __FUNCTION__',
      route: event.routeKey,
      // Payload 2.0 leaves pathParameters and queryStringParameters out when there are none.
      pathParameters: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      body,
    }),
  }
}

/** The parsed JSON body, or null when there is none. In payload 2.0 `body` is absent when the request has none. */
function readJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return null
  // API Gateway base64-encodes bodies it does not consider text and then sets isBase64Encoded.
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'BadRequestException', 'The request body is not valid JSON')
  }
}

function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const known = error instanceof HttpError ? error : undefined
  // Unexpected errors go to the function's log (CloudWatch) with their stack; the client gets a generic message.
  if (!known) console.error(error)
  return {
    statusCode: known ? known.statusCode : 500,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'x-amzn-ErrorType': known ? known.errorType : 'InternalServerErrorException',
    },
    body: known ? known.message : 'Internal server error',
  }
}
