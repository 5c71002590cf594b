import type {ApiType} from './response.js'

/**
 * What API Gateway answers when a Lambda proxy request fails, per API type (aws-semantics §5). Bodies are
 * byte-exact: REST's integration failures say `{"message": "Internal server error"}` (space after the
 * colon, lower-case "server error") with `x-amzn-ErrorType`; HTTP APIs say
 * `{"message":"Internal Server Error"}` (no space, title case).
 *
 * Rows the reference marks unconfirmed are decided here; each carries `confirmed: false` in
 * GATEWAY_ERROR_TABLE and a comment saying why we chose it.
 */

export type GatewayErrorCondition =
  /** API Gateway may not invoke the function (no matching resource-policy statement). */
  | 'permission-denied'
  /** Unhandled function error, crash or function timeout (Lambda 200 + X-Amz-Function-Error). */
  | 'function-error'
  /** The function's output broke a proxy response rule (see response.ts). */
  | 'malformed-response'
  /** Lambda answered 429 TooManyRequests (concurrency / rate limits). */
  | 'throttled'
  /** The integration did not answer within the integration timeout. */
  | 'integration-timeout'
  /** No route (HTTP) / no resource+method (REST) matched. */
  | 'route-not-found'
  /** The request (as a Lambda event) is over Lambda's 6 MB invoke payload limit. */
  | 'request-too-large'
  /** The request body is over API Gateway's own 10 MB payload quota. */
  | 'api-payload-too-large'
  /** The function's response is over Lambda's 6 MB response limit. */
  | 'response-too-large'
  /** Lambda itself failed (ServiceException, 5xx). */
  | 'lambda-service-error'
  /** Stage, route or account throttling in API Gateway (before Lambda is called). */
  | 'stage-throttled'

export const GATEWAY_ERROR_CONDITIONS: readonly GatewayErrorCondition[] = [
  'permission-denied',
  'function-error',
  'malformed-response',
  'throttled',
  'integration-timeout',
  'route-not-found',
  'request-too-large',
  'api-payload-too-large',
  'response-too-large',
  'lambda-service-error',
  'stage-throttled',
]

export interface GatewayErrorResponse {
  statusCode: number
  headers: Record<string, string>
  body: string
}

export interface GatewayErrorRow {
  statusCode: number
  body: string
  /** REST only: the `x-amzn-ErrorType` header. */
  errorType?: string
  contentType: string
  /** false where aws-semantics §5 marks the row unconfirmed and the value is our choice. */
  confirmed: boolean
}

const JSON_TYPE = 'application/json'
const REST_INTERNAL = '{"message": "Internal server error"}'
const HTTP_INTERNAL = '{"message":"Internal Server Error"}'

const REST_ROWS: Record<GatewayErrorCondition, GatewayErrorRow> = {
  // Log: "Invalid permissions on Lambda function" [S17].
  'permission-denied': {statusCode: 500, body: REST_INTERNAL, errorType: 'InternalServerErrorException', contentType: JSON_TYPE, confirmed: true},
  // Log: "Lambda execution failed with status 200 due to customer function error" [S18].
  'function-error': {statusCode: 502, body: REST_INTERNAL, errorType: 'InternalServerErrorException', contentType: JSON_TYPE, confirmed: true},
  // Log: "Execution failed due to configuration error: Malformed Lambda proxy response" [S18].
  'malformed-response': {statusCode: 502, body: REST_INTERNAL, errorType: 'InternalServerErrorException', contentType: JSON_TYPE, confirmed: true},
  // INTEGRATION_FAILURE path; no proxy mapping can change it (StackOverflow 36363280).
  throttled: {statusCode: 500, body: REST_INTERNAL, errorType: 'InternalServerErrorException', contentType: JSON_TYPE, confirmed: true},
  // Default and maximum 29 s [S21].
  'integration-timeout': {statusCode: 504, body: '{"message": "Endpoint request timed out"}', errorType: 'InternalServerErrorException', contentType: JSON_TYPE, confirmed: true},
  // MISSING_AUTHENTICATION_TOKEN gateway response [S24]: a bad path looks like an unsigned request.
  'route-not-found': {statusCode: 403, body: '{"message":"Missing Authentication Token"}', errorType: 'MissingAuthenticationTokenException', contentType: JSON_TYPE, confirmed: true},
  // [S25].
  'request-too-large': {statusCode: 413, body: '{"message": "Request Too Long"}', errorType: 'BadRequestException', contentType: JSON_TYPE, confirmed: true},
  // [S25]: plain text, no JSON envelope.
  'api-payload-too-large': {statusCode: 413, body: 'HTTP content length exceeded 10485760 bytes.', contentType: 'text/plain', confirmed: true},
  // INTEGRATION_FAILURE answered 502 in [S12] (the gateway-response docs list 504 as that type's default).
  'response-too-large': {statusCode: 502, body: REST_INTERNAL, errorType: 'InternalServerErrorException', contentType: JSON_TYPE, confirmed: true},
  // Unconfirmed: the reference says "likely 500"; we answer like the other Lambda-side invoke failures
  // (permission, throttling), which surface as 500 Internal server error.
  'lambda-service-error': {statusCode: 500, body: REST_INTERNAL, errorType: 'InternalServerErrorException', contentType: JSON_TYPE, confirmed: false},
  // THROTTLED gateway response, 429 [S24]. Body and error type are our choice: the default gateway-response
  // template `{"message":$context.error.messageString}` (no space) and LocalStack's TooManyRequestsException.
  'stage-throttled': {statusCode: 429, body: '{"message":"Too Many Requests"}', errorType: 'TooManyRequestsException', contentType: JSON_TYPE, confirmed: false},
}

const HTTP_ROWS: Record<GatewayErrorCondition, GatewayErrorRow> = {
  'permission-denied': {statusCode: 500, body: HTTP_INTERNAL, contentType: JSON_TYPE, confirmed: true},
  // Validated: access log status 500, integrationStatus 200 [S16][S19].
  'function-error': {statusCode: 500, body: HTTP_INTERNAL, contentType: JSON_TYPE, confirmed: true},
  'malformed-response': {statusCode: 500, body: HTTP_INTERNAL, contentType: JSON_TYPE, confirmed: true},
  // Unconfirmed: assumed to take the same integration-failure path as REST, which HTTP APIs answer 500.
  throttled: {statusCode: 500, body: HTTP_INTERNAL, contentType: JSON_TYPE, confirmed: false},
  // Maximum 30 s [S22][S23].
  'integration-timeout': {statusCode: 503, body: '{"message":"Service Unavailable"}', contentType: JSON_TYPE, confirmed: true},
  'route-not-found': {statusCode: 404, body: '{"message":"Not Found"}', contentType: JSON_TYPE, confirmed: true},
  // Unconfirmed: HTTP APIs document a 10 MB payload quota but not the answer; we use 413 with the
  // standard reason phrase in HTTP API's `{"message":…}` envelope, for both size limits.
  'request-too-large': {statusCode: 413, body: '{"message":"Request Entity Too Large"}', contentType: JSON_TYPE, confirmed: false},
  'api-payload-too-large': {statusCode: 413, body: '{"message":"Request Entity Too Large"}', contentType: JSON_TYPE, confirmed: false},
  // Unconfirmed: Lambda turns an oversized response into a function error (aws-semantics §1.2), which
  // HTTP APIs answer 500.
  'response-too-large': {statusCode: 500, body: HTTP_INTERNAL, contentType: JSON_TYPE, confirmed: false},
  // Unconfirmed: HTTP APIs answer every integration failure we know of with 500.
  'lambda-service-error': {statusCode: 500, body: HTTP_INTERNAL, contentType: JSON_TYPE, confirmed: false},
  'stage-throttled': {statusCode: 429, body: '{"message":"Too Many Requests"}', contentType: JSON_TYPE, confirmed: true},
}

/** The whole table, for docs, diagnosis and tests. */
export const GATEWAY_ERROR_TABLE: Readonly<Record<ApiType, Readonly<Record<GatewayErrorCondition, Readonly<GatewayErrorRow>>>>> = {
  rest: REST_ROWS,
  http: HTTP_ROWS,
}

export interface GatewayErrorIds {
  /** REST: `x-amzn-RequestId`; HTTP API: `apigw-requestid`. */
  requestId?: string
  /** REST: `x-amz-apigw-id`. */
  extendedRequestId?: string
}

/** The response API Gateway sends for a failure condition. Pass ids to get the request-id headers. */
export function gatewayErrorResponse(apiType: ApiType, condition: GatewayErrorCondition, ids: GatewayErrorIds = {}): GatewayErrorResponse {
  const row = GATEWAY_ERROR_TABLE[apiType][condition]
  const headers: Record<string, string> = {'Content-Type': row.contentType}
  if (apiType === 'rest') {
    if (row.errorType) headers['x-amzn-ErrorType'] = row.errorType
    if (ids.requestId) headers['x-amzn-RequestId'] = ids.requestId
    if (ids.extendedRequestId) headers['x-amz-apigw-id'] = ids.extendedRequestId
  } else if (ids.requestId) {
    headers['apigw-requestid'] = ids.requestId
  }
  return {statusCode: row.statusCode, headers, body: row.body}
}

/** Integration timeout limits in milliseconds (aws-semantics §5). */
export const INTEGRATION_TIMEOUT_LIMITS = {
  // REST: default and maximum 29 s; Regional/private APIs can raise the maximum by quota request, which
  // an emulator cannot model, so 29 s is the cap here.
  rest: {min: 50, max: 29_000, default: 29_000},
  // HTTP APIs: timeoutInMillis 50–30000, default 30000.
  http: {min: 50, max: 30_000, default: 30_000},
} as const

/** The effective integration timeout: the configured value clamped to the API type's limits, or the default. */
export function integrationTimeoutMs(apiType: ApiType, timeoutInMillis?: number): number {
  const limits = INTEGRATION_TIMEOUT_LIMITS[apiType]
  if (timeoutInMillis === undefined || !Number.isFinite(timeoutInMillis)) return limits.default
  return Math.min(limits.max, Math.max(limits.min, Math.trunc(timeoutInMillis)))
}

/** Lambda's synchronous invoke request limit: 6 MB (aws-semantics §1.2, §5). */
export const LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES = 6_291_456
/** Lambda's synchronous response limit, as its error message states it ("… (6291556 bytes)") [S12]. */
export const LAMBDA_RESPONSE_PAYLOAD_LIMIT_BYTES = 6_291_556
/** API Gateway's payload quota: 10 MB ("HTTP content length exceeded 10485760 bytes.") [S25]. */
export const API_PAYLOAD_LIMIT_BYTES = 10_485_760
