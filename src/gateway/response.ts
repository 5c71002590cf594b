import {matchesBinaryMediaType} from './events.js'

/**
 * How API Gateway reads a Lambda proxy integration's output, per API type and payload format
 * (aws-semantics §4.2). Evidence: AWS docs "Lambda function response for format 1.0 / 2.0"; LocalStack's
 * AWS-validated `test_aws_proxy_response_payload_format_validation` (REST) and
 * `TestHttpApiAwsProxyIntegration.test_aws_proxy_response_payload_format_validation_v1/_v2` (HTTP API),
 * and LocalStack's REST implementation (`RestApiAwsProxyIntegration`).
 *
 * The `rule` strings of a `malformed` result are shown to users by `tracegate invoke`: each names the one
 * rule the output broke.
 */

export type ApiType = 'rest' | 'http'
export type PayloadVersion = '1.0' | '2.0'

export interface LambdaOutput {
  /** The Invoke response payload, as text; `undefined` when Lambda returned no payload. */
  payload: string | undefined
  /** The `X-Amz-Function-Error` header (`Unhandled`, `Handled`), when present. */
  functionError?: string
}

export interface InterpretOptions {
  /** REST only: the API's binaryMediaTypes, which decide whether `isBase64Encoded` bodies are decoded. */
  binaryMediaTypes?: readonly string[]
  /** REST only: the request's Accept header, matched against binaryMediaTypes. */
  accept?: string
}

export type ProxyResponseResult =
  | {kind: 'ok'; statusCode: number; headers: [string, string][]; body: Buffer}
  | {kind: 'function-error'; errorType?: string; errorMessage?: string; trace?: string[]}
  | {kind: 'malformed'; rule: string; field?: string}

type Malformed = Extract<ProxyResponseResult, {kind: 'malformed'}>

const REST_KEYS = ['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']

function malformed(rule: string, field?: string): Malformed {
  return field === undefined ? {kind: 'malformed', rule} : {kind: 'malformed', rule, field}
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`
  if (typeof value === 'object') return 'an object'
  return `the ${typeof value} ${JSON.stringify(value)}`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseJson(text: string): {ok: true; value: unknown} | {ok: false} {
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch {
    return {ok: false}
  }
}

/**
 * `statusCode` may be a number or a numeric string (`"201"` → 201, validated for all three columns).
 * A fraction or a value outside 100–599 is rejected: AWS's handling of those is unconfirmed; no HTTP
 * response can carry them, so we treat them as malformed.
 */
function readStatusCode(value: unknown): number | Malformed {
  let code: number | undefined
  if (typeof value === 'number' && Number.isInteger(value)) code = value
  else if (typeof value === 'string' && /^\d+$/.test(value.trim())) code = Number(value.trim())
  if (code === undefined) {
    return malformed(`statusCode must be a number or numeric string, but the function returned ${describe(value)}`, 'statusCode')
  }
  if (code < 100 || code > 599) return malformed(`statusCode must be between 100 and 599, but the function returned ${code}`, 'statusCode')
  return code
}

/**
 * Header values: strings; booleans become `"true"`/`"false"` (validated: `"header-bool": true`); `null`
 * drops the header (works on AWS per aws/aws-sam-cli#1218). REST rejects anything else (LocalStack's
 * validator); for HTTP APIs numbers are stringified (unconfirmed; our choice), objects rejected.
 */
function headerValue(apiType: ApiType, name: string, value: unknown, field: string): string | null | Malformed {
  if (value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (apiType === 'http' && typeof value === 'number' && Number.isFinite(value)) return String(value)
  const allowed = apiType === 'rest' ? 'a string or boolean' : 'a string, number or boolean'
  return malformed(`header "${name}" must be ${allowed}, but the function returned ${describe(value)}`, field)
}

function readHeaders(apiType: ApiType, value: unknown): [string, string][] | Malformed {
  if (value === undefined || value === null) return []
  if (!isPlainObject(value)) return malformed(`headers must be an object of header names to values, but the function returned ${describe(value)}`, 'headers')
  const out: [string, string][] = []
  for (const [name, raw] of Object.entries(value)) {
    const v = headerValue(apiType, name, raw, `headers.${name}`)
    if (v !== null && typeof v === 'object') return v
    if (v !== null) out.push([name, v])
  }
  return out
}

function readMultiValueHeaders(apiType: ApiType, value: unknown): [string, string[]][] | Malformed {
  if (value === undefined || value === null) return []
  if (!isPlainObject(value)) {
    return malformed(`multiValueHeaders must be an object of header names to arrays, but the function returned ${describe(value)}`, 'multiValueHeaders')
  }
  const out: [string, string[]][] = []
  for (const [name, raw] of Object.entries(value)) {
    // Validated: `{"test-multi-invalid": "value1"}` is rejected (REST 502, HTTP API 1.0 500).
    if (!Array.isArray(raw)) {
      return malformed(`multiValueHeaders."${name}" must be an array of values, but the function returned ${describe(raw)}`, `multiValueHeaders.${name}`)
    }
    const values: string[] = []
    for (const item of raw) {
      const v = headerValue(apiType, name, item, `multiValueHeaders.${name}`)
      if (v !== null && typeof v === 'object') return v
      if (v !== null) values.push(v)
    }
    out.push([name, values])
  }
  return out
}

/**
 * Format 1.0 merge, REST and HTTP APIs alike: each multiValueHeaders name is sent with its values, then
 * the `headers` value of the same name (any casing) after them, under the multiValueHeaders spelling
 * (validated REST: `tesT-Multi: value-multi, value-solo`).
 */
function mergeV1Headers(single: [string, string][], multi: [string, string[]][]): [string, string][] {
  const out: [string, string][] = []
  const singleByLower = new Map(single.map(([n, v]) => [n.toLowerCase(), v]))
  const usedLower = new Set<string>()
  for (const [name, values] of multi) {
    for (const v of values) out.push([name, v])
    const extra = singleByLower.get(name.toLowerCase())
    if (extra !== undefined && !usedLower.has(name.toLowerCase())) out.push([name, extra])
    usedLower.add(name.toLowerCase())
  }
  for (const [name, v] of single) if (!usedLower.has(name.toLowerCase())) out.push([name, v])
  return out
}

function readBody(value: unknown): string | Malformed {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  // A body that is not a string is the classic cause of REST's "Malformed Lambda proxy response"; for
  // HTTP APIs AWS's handling is unconfirmed, and we reject it the same way.
  return malformed(`body must be a string (serialise it with JSON.stringify), but the function returned ${describe(value)}`, 'body')
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function decodeBase64Body(body: string): Buffer | Malformed {
  const compact = body.replace(/\s+/g, '')
  if (compact.length % 4 === 1 || !BASE64.test(compact)) {
    return malformed('isBase64Encoded is true but body is not valid base64', 'body')
  }
  return Buffer.from(compact, 'base64')
}

function hasHeader(headers: [string, string][], name: string): boolean {
  const lower = name.toLowerCase()
  return headers.some(([n]) => n.toLowerCase() === lower)
}

function functionErrorResult(payload: string | undefined): ProxyResponseResult {
  const parsed = payload === undefined ? {ok: false as const} : parseJson(payload)
  if (!parsed.ok || !isPlainObject(parsed.value)) {
    return payload ? {kind: 'function-error', errorMessage: payload} : {kind: 'function-error'}
  }
  const {errorType, errorMessage, trace, stackTrace} = parsed.value
  const lines = Array.isArray(trace) ? trace : Array.isArray(stackTrace) ? stackTrace : undefined
  return {
    kind: 'function-error',
    ...(typeof errorType === 'string' ? {errorType} : {}),
    ...(typeof errorMessage === 'string' ? {errorMessage} : {}),
    ...(lines ? {trace: lines.map(String)} : {}),
  }
}

const ERROR_OBJECT_HINT = 'the handler returned an error object instead of throwing it'

function interpretRest(output: Record<string, unknown>, options: InterpretOptions): ProxyResponseResult {
  // REST is strict: no key outside the five documented ones (validated: {"statusCode":200,"wrongValue":…} → 502).
  const unknown = Object.keys(output).filter((k) => !REST_KEYS.includes(k))
  if (unknown.length > 0) {
    if ('errorMessage' in output) {
      return malformed(`a REST proxy response may only have the keys ${REST_KEYS.join(', ')}; it has "errorMessage": ${ERROR_OBJECT_HINT}`, 'errorMessage')
    }
    return malformed(
      `a REST proxy response may only have the keys ${REST_KEYS.join(', ')}; it has ${unknown.map((k) => `"${k}"`).join(', ')}`,
      unknown[0],
    )
  }
  // No key is mandatory: a missing statusCode means 200 (validated: {"headers":{…}} → 200, headers applied).
  const statusCode = output.statusCode === undefined || output.statusCode === null ? 200 : readStatusCode(output.statusCode)
  if (typeof statusCode === 'object') return statusCode
  const single = readHeaders('rest', output.headers)
  if (!Array.isArray(single)) return single
  const multi = readMultiValueHeaders('rest', output.multiValueHeaders)
  if (!Array.isArray(multi)) return multi
  const body = readBody(output.body)
  if (typeof body !== 'string') return body
  const headers = mergeV1Headers(single, multi)
  // REST answers Content-Type: application/json when the function set none (validated snapshot).
  if (!hasHeader(headers, 'content-type')) headers.unshift(['Content-Type', 'application/json'])
  // isBase64Encoded is honoured only when the request's Accept matches the API's binaryMediaTypes;
  // otherwise the base64 text itself is the body (validated: "dGVzdC1kYXRh" returned as-is).
  if (output.isBase64Encoded === true && matchesBinaryMediaType(options.accept, options.binaryMediaTypes)) {
    const decoded = decodeBase64Body(body)
    if (!Buffer.isBuffer(decoded)) return decoded
    return {kind: 'ok', statusCode, headers, body: decoded}
  }
  return {kind: 'ok', statusCode, headers, body: Buffer.from(body, 'utf8')}
}

// HTTP APIs default the Content-Type of a response that sets none to text/plain (reported in
// aws-powertools-lambda-python#2464 and quarkusio/quarkus#15909; the exact charset suffix is our choice).
const HTTP_DEFAULT_CONTENT_TYPE = 'text/plain; charset=utf-8'

function httpBody(output: Record<string, unknown>, body: string): Buffer | Malformed {
  if (output.isBase64Encoded === true) return decodeBase64Body(body)
  return Buffer.from(body, 'utf8')
}

function interpretHttpV1(output: unknown): ProxyResponseResult {
  // Format 1.0 on an HTTP API: statusCode is the one mandatory field (validated: {} and {"headers":…} → 500);
  // unknown keys are ignored (validated: {"statusCode":200,"wrongValue":…} → 200).
  if (!isPlainObject(output)) {
    return malformed(`an HTTP API payload 1.0 response must be a JSON object with a statusCode, but the function returned ${describe(output)}`)
  }
  if (output.statusCode === undefined || output.statusCode === null) {
    const hint = 'errorMessage' in output ? `; it has "errorMessage": ${ERROR_OBJECT_HINT}` : ''
    return malformed(`an HTTP API payload 1.0 response must have a statusCode${hint}`, 'statusCode')
  }
  const statusCode = readStatusCode(output.statusCode)
  if (typeof statusCode === 'object') return statusCode
  const single = readHeaders('http', output.headers)
  if (!Array.isArray(single)) return single
  const multi = readMultiValueHeaders('http', output.multiValueHeaders)
  if (!Array.isArray(multi)) return multi
  const body = readBody(output.body)
  if (typeof body !== 'string') return body
  const headers = mergeV1Headers(single, multi)
  if (!hasHeader(headers, 'content-type')) headers.push(['content-type', HTTP_DEFAULT_CONTENT_TYPE])
  const decoded = httpBody(output, body)
  if (!Buffer.isBuffer(decoded)) return decoded
  return {kind: 'ok', statusCode, headers, body: decoded}
}

function interpretHttpV2(payload: string): ProxyResponseResult {
  const parsed = parseJson(payload)
  // The 2.0 inference rule applies to "valid JSON" only (AWS docs); output that is not JSON is left to
  // API Gateway's parser, which fails: 500 (unconfirmed; our choice).
  if (!parsed.ok) return malformed('the function output is not valid JSON, so API Gateway cannot read it as a payload 2.0 response')
  const output = parsed.value
  if (!isPlainObject(output) || output.statusCode === undefined || output.statusCode === null) {
    // Validated: an error-shaped object without statusCode answers 500, as if the function had failed.
    if (isPlainObject(output) && 'errorMessage' in output) {
      return malformed(`a payload 2.0 response without statusCode must not have "errorMessage": ${ERROR_OBJECT_HINT}`, 'errorMessage')
    }
    // Inference rule: status 200, content-type application/json, the output is the body. A JSON string
    // is unwrapped ("Hello from Lambda!" → Hello from Lambda!; validated "null" string → body null);
    // anything else is sent as the function wrote it ({} → {}).
    const body = typeof output === 'string' ? output : payload
    return {kind: 'ok', statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body, 'utf8')}
  }
  const statusCode = readStatusCode(output.statusCode)
  if (typeof statusCode === 'object') return statusCode
  // multiValueHeaders does not exist in 2.0 and is ignored (aws-powertools-lambda-python#2464).
  const headers = readHeaders('http', output.headers)
  if (!Array.isArray(headers)) return headers
  if (output.cookies !== undefined && output.cookies !== null) {
    // Validated: cookies that is not an array → 500.
    if (!Array.isArray(output.cookies)) {
      return malformed(`cookies must be an array of strings, but the function returned ${describe(output.cookies)}`, 'cookies')
    }
    for (const cookie of output.cookies) {
      if (typeof cookie !== 'string') return malformed(`cookies must be an array of strings, but it contains ${describe(cookie)}`, 'cookies')
      // Each cookie becomes its own set-cookie header (aws-semantics §4.2).
      headers.push(['set-cookie', cookie])
    }
  }
  const body = readBody(output.body)
  if (typeof body !== 'string') return body
  if (!hasHeader(headers, 'content-type')) headers.push(['content-type', HTTP_DEFAULT_CONTENT_TYPE])
  const decoded = httpBody(output, body)
  if (!Buffer.isBuffer(decoded)) return decoded
  return {kind: 'ok', statusCode, headers, body: decoded}
}

/**
 * Reads a Lambda proxy integration's output as API Gateway would. `function-error` and `malformed` map to
 * statuses through `gatewayErrorResponse` (REST 502, HTTP API 500). REST only has payload format 1.0;
 * asking for REST 2.0 is a programming error.
 */
export function interpretProxyResponse(
  apiType: ApiType,
  payloadVersion: PayloadVersion,
  output: LambdaOutput,
  options: InterpretOptions = {},
): ProxyResponseResult {
  if (apiType === 'rest' && payloadVersion !== '1.0') throw new Error('REST APIs only use payload format 1.0')
  if (output.functionError) return functionErrorResult(output.payload)

  if (apiType === 'http' && payloadVersion === '2.0') {
    // No payload at all (possible from custom runtimes): an empty 200 (aws-semantics §4.2 "null / empty").
    if (output.payload === undefined || output.payload.trim() === '') {
      return {kind: 'ok', statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.alloc(0)}
    }
    return interpretHttpV2(output.payload)
  }

  const parsed = output.payload === undefined ? {ok: false as const} : parseJson(output.payload)
  if (!parsed.ok) {
    return malformed(
      output.payload === undefined || output.payload.trim() === ''
        ? 'the function returned no output; a proxy integration needs a JSON object such as {"statusCode":200}'
        : 'the function output is not valid JSON; a proxy integration needs a JSON object such as {"statusCode":200}',
    )
  }
  if (apiType === 'http') return interpretHttpV1(parsed.value)
  if (!isPlainObject(parsed.value)) {
    return malformed(`a REST proxy response must be a JSON object such as {"statusCode":200}, but the function returned ${describe(parsed.value)}`)
  }
  return interpretRest(parsed.value, options)
}
