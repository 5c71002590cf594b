import {describe, expect, test} from 'vitest'
import {
  API_PAYLOAD_LIMIT_BYTES,
  GATEWAY_ERROR_CONDITIONS,
  GATEWAY_ERROR_TABLE,
  type GatewayErrorCondition,
  gatewayErrorResponse,
  integrationTimeoutMs,
  LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES,
  LAMBDA_RESPONSE_PAYLOAD_LIMIT_BYTES,
} from '../../src/gateway/errors.js'

const REST_500 = '{"message": "Internal server error"}'
const HTTP_500 = '{"message":"Internal Server Error"}'

// aws-semantics §5, one row per line: [condition, REST status, REST body, REST x-amzn-ErrorType, HTTP status, HTTP body]
const TABLE: [GatewayErrorCondition, number, string, string | undefined, number, string][] = [
  ['permission-denied', 500, REST_500, 'InternalServerErrorException', 500, HTTP_500],
  ['function-error', 502, REST_500, 'InternalServerErrorException', 500, HTTP_500],
  ['malformed-response', 502, REST_500, 'InternalServerErrorException', 500, HTTP_500],
  ['throttled', 500, REST_500, 'InternalServerErrorException', 500, HTTP_500],
  ['integration-timeout', 504, '{"message": "Endpoint request timed out"}', 'InternalServerErrorException', 503, '{"message":"Service Unavailable"}'],
  ['response-too-large', 502, REST_500, 'InternalServerErrorException', 500, HTTP_500],
  ['request-too-large', 413, '{"message": "Request Too Long"}', 'BadRequestException', 413, '{"message":"Request Entity Too Large"}'],
  ['api-payload-too-large', 413, 'HTTP content length exceeded 10485760 bytes.', undefined, 413, '{"message":"Request Entity Too Large"}'],
  ['lambda-service-error', 500, REST_500, 'InternalServerErrorException', 500, HTTP_500],
  ['stage-throttled', 429, '{"message":"Too Many Requests"}', 'TooManyRequestsException', 429, '{"message":"Too Many Requests"}'],
  ['route-not-found', 403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException', 404, '{"message":"Not Found"}'],
]

describe('gatewayErrorResponse (§5)', () => {
  test('the table covers every condition', () => {
    expect(TABLE.map(([c]) => c).sort()).toEqual([...GATEWAY_ERROR_CONDITIONS].sort())
  })

  test.each(TABLE)('%s: REST %i %s, HTTP %i', (condition, restStatus, restBody, errorType, httpStatus, httpBody) => {
    const rest = gatewayErrorResponse('rest', condition)
    expect(rest.statusCode).toBe(restStatus)
    expect(rest.body).toBe(restBody)
    expect(rest.headers['x-amzn-ErrorType']).toBe(errorType)
    const http = gatewayErrorResponse('http', condition)
    expect(http.statusCode).toBe(httpStatus)
    expect(http.body).toBe(httpBody)
    expect(http.headers).not.toHaveProperty('x-amzn-ErrorType')
  })

  test('JSON bodies are sent as application/json, the 10 MB REST answer as plain text', () => {
    expect(gatewayErrorResponse('rest', 'function-error').headers['Content-Type']).toBe('application/json')
    expect(gatewayErrorResponse('http', 'route-not-found').headers['Content-Type']).toBe('application/json')
    expect(gatewayErrorResponse('rest', 'api-payload-too-large').headers['Content-Type']).toBe('text/plain')
  })

  test('request ids become the headers each API type sends', () => {
    expect(gatewayErrorResponse('http', 'function-error', {requestId: 'JEvJkhfEoAMEVLw='}).headers).toEqual({
      'Content-Type': 'application/json',
      'apigw-requestid': 'JEvJkhfEoAMEVLw=',
    })
    expect(gatewayErrorResponse('rest', 'function-error', {requestId: 'uuid', extendedRequestId: 'ATfSdF7nPHcErRA='}).headers).toEqual({
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': 'InternalServerErrorException',
      'x-amzn-RequestId': 'uuid',
      'x-amz-apigw-id': 'ATfSdF7nPHcErRA=',
    })
  })

  test('rows the reference leaves unconfirmed are flagged as choices', () => {
    const choices = (['rest', 'http'] as const).flatMap((api) =>
      GATEWAY_ERROR_CONDITIONS.filter((c) => !GATEWAY_ERROR_TABLE[api][c].confirmed).map((c) => `${api}:${c}`),
    )
    expect(choices.sort()).toEqual(
      [
        'rest:lambda-service-error',
        'rest:stage-throttled',
        'http:throttled',
        'http:request-too-large',
        'http:api-payload-too-large',
        'http:response-too-large',
        'http:lambda-service-error',
      ].sort(),
    )
  })
})

describe('integrationTimeoutMs', () => {
  test.each([
    ['rest', undefined, 29_000],
    ['rest', 10_000, 10_000],
    ['rest', 60_000, 29_000],
    ['rest', 10, 50],
    ['http', undefined, 30_000],
    ['http', 30_000, 30_000],
    ['http', 45_000, 30_000],
    ['http', 50, 50],
    ['http', 1, 50],
    ['http', 1234.9, 1234],
    ['http', Number.NaN, 30_000],
  ] as const)('%s with timeoutInMillis %s → %i ms', (apiType, timeout, expected) => {
    expect(integrationTimeoutMs(apiType, timeout)).toBe(expected)
  })
})

test('payload limits match the reference', () => {
  expect(LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES).toBe(6 * 1024 * 1024)
  expect(LAMBDA_RESPONSE_PAYLOAD_LIMIT_BYTES).toBe(6_291_556)
  expect(API_PAYLOAD_LIMIT_BYTES).toBe(10 * 1024 * 1024)
})
