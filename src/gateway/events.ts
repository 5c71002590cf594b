import {isUtf8} from 'node:buffer'
import {collapseLeadingSlashes, decodeHttpApiPath, parseQueryString} from './path.js'

/**
 * Lambda proxy request events, format 2.0 (HTTP APIs) and 1.0 (REST proxy; HTTP APIs with
 * payloadFormatVersion 1.0). aws-semantics §4.1. Field names and nullability follow the Powertools parser
 * schemas (`APIGatewayProxyEventV2Schema`, `APIGatewayProxyEventSchema`), which reject e.g. a v2 event
 * with `cookies: null` or a v1 authorizer of `{claims: null}`; values follow live captures (hotsock/voker
 * `vokerhttp/testdata`) and LocalStack's AWS-validated REST snapshots.
 */

/** A request as it reached the gateway, before any API Gateway processing. */
export interface GatewayRequest {
  method: string
  /** Request path as received (percent-encoded), without the stage prefix; `''` for the bare stage URL. */
  path: string
  /** Query string as received, without `?`. */
  rawQueryString: string
  /** Header lines in order, names in the client's casing; a name may repeat. */
  headers: [string, string][]
  body: Buffer
  sourceIp: string
  protocol: string
}

export type StringMap = Record<string, string>

export interface HttpEventV2 {
  version: '2.0'
  routeKey: string
  rawPath: string
  rawQueryString: string
  cookies?: string[]
  headers: StringMap
  queryStringParameters?: StringMap
  requestContext: {
    accountId: string
    apiId: string
    domainName: string
    domainPrefix: string
    http: {method: string; path: string; protocol: string; sourceIp: string; userAgent: string}
    requestId: string
    routeKey: string
    stage: string
    time: string
    timeEpoch: number
  }
  body?: string
  pathParameters?: StringMap
  isBase64Encoded: boolean
  stageVariables?: StringMap
}

export interface HttpEventV2Context {
  accountId: string
  apiId: string
  /** Stage name; `$default` is served at the API root and adds no path prefix. */
  stage: string
  /** The matched route key (`GET /orders/{id}` or `$default`). */
  routeKey: string
  /** From `matchHttpRoute` (already decoded); empty or absent when the route has none. */
  pathParameters?: StringMap
  requestId: string
  /** e.g. `abc123.execute-api.us-east-1.amazonaws.com`; `domainPrefix` defaults to its first label. */
  domainName: string
  domainPrefix?: string
  now: Date
  stageVariables?: StringMap
}

export interface EventIdentityV1 {
  accessKey: null
  accountId: null
  caller: null
  cognitoAuthenticationProvider: null
  cognitoAuthenticationType: null
  cognitoIdentityId: null
  cognitoIdentityPoolId: null
  principalOrgId: null
  sourceIp: string
  user: null
  userAgent: string | null
  userArn: null
}

export interface ProxyEventV1 {
  version?: '1.0'
  resource: string
  path: string
  httpMethod: string
  headers: StringMap | null
  multiValueHeaders: Record<string, string[]> | null
  queryStringParameters: StringMap | null
  multiValueQueryStringParameters: Record<string, string[]> | null
  requestContext: {
    accountId: string
    apiId: string
    deploymentId?: string
    domainName: string
    domainPrefix: string
    extendedRequestId: string
    httpMethod: string
    identity: EventIdentityV1
    path: string
    protocol: string
    requestId: string
    requestTime: string
    requestTimeEpoch: number
    resourceId: string | null
    resourcePath: string
    stage: string
  }
  pathParameters: StringMap | null
  stageVariables: StringMap | null
  body: string | null
  isBase64Encoded: boolean
}

export interface EventV1Context {
  /** `rest` for REST proxy integrations; `http` for HTTP APIs with payloadFormatVersion 1.0. */
  apiType: 'rest' | 'http'
  accountId: string
  apiId: string
  stage: string
  /**
   * The matched template: REST `matchRestRoute().resourcePath` (`/orders/{id}`); for an HTTP API the
   * route's path, or `$default` for the `$default` route (AWS does not document the latter: our choice).
   */
  resourcePath: string
  /** REST resource id (e.g. `al6gqb`); HTTP APIs send `null`. */
  resourceId?: string | null
  /** From the matcher: raw for REST, decoded for HTTP APIs. */
  pathParameters?: StringMap
  requestId: string
  extendedRequestId: string
  domainName: string
  domainPrefix?: string
  now: Date
  stageVariables?: StringMap
  /** REST only: present in real REST events, omitted when not given. */
  deploymentId?: string
  /** REST only: request bodies whose Content-Type matches are sent base64-encoded. */
  binaryMediaTypes?: readonly string[]
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `12/Mar/2020:19:03:58 +0000`: the CLF time of `requestContext.time` / `requestTime`, always UTC. */
export function formatRequestTime(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`
}

/**
 * Node reports IPv4 clients of a dual-stack socket as `::ffff:1.2.3.4`; API Gateway reports `1.2.3.4`
 * (and the Powertools v2 schema requires an IPv4 address in `http.sourceIp`).
 */
export function normaliseSourceIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)
  return mapped ? mapped[1] : ip
}

function headerValues(req: GatewayRequest, name: string): string[] {
  const lower = name.toLowerCase()
  return req.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v)
}

function lastHeader(req: GatewayRequest, name: string): string | undefined {
  const values = headerValues(req, name)
  return values.length > 0 ? values[values.length - 1] : undefined
}

function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined
  const type = contentType.split(';')[0].trim().toLowerCase()
  return type === '' ? undefined : type
}

/**
 * HTTP APIs send a request body as text when its Content-Type is text-like, base64 otherwise (aws-semantics
 * §4.1; HTTP APIs have no binaryMediaTypes). No Content-Type counts as text.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = mediaType(contentType)
  if (type === undefined) return true
  if (type.startsWith('text/')) return true
  if (type.endsWith('+json') || type.endsWith('+xml')) return true
  return ['application/json', 'application/xml', 'application/javascript', 'application/x-www-form-urlencoded'].includes(type)
}

/** True when a Content-Type (or Accept) value matches one of a REST API's binaryMediaTypes (`image/*`, `*\/*`). */
export function matchesBinaryMediaType(contentType: string | undefined, binaryMediaTypes: readonly string[] | undefined): boolean {
  if (!binaryMediaTypes || binaryMediaTypes.length === 0) return false
  const candidates = (contentType ?? '').split(',').map((c) => mediaType(c)).filter((c): c is string => c !== undefined)
  if (candidates.length === 0) return false
  return binaryMediaTypes.some((pattern) => {
    const [pType, pSub] = pattern.trim().toLowerCase().split('/')
    return candidates.some((c) => {
      const [type, sub] = c.split('/')
      return (pType === '*' || pType === type) && (pSub === '*' || pSub === sub)
    })
  })
}

function encodeBody(body: Buffer, asText: boolean): {body: string; isBase64Encoded: boolean} | undefined {
  if (body.length === 0) return undefined
  // Bytes that are not UTF-8 would be mangled as text; send them base64 even under a text-like type
  // (AWS's handling of such bodies is unconfirmed; LocalStack does the same).
  if (asText && isUtf8(body)) return {body: body.toString('utf8'), isBase64Encoded: false}
  return {body: body.toString('base64'), isBase64Encoded: true}
}

function stagePrefixed(stage: string, decodedPath: string): string {
  if (stage === '$default') return decodedPath === '' ? '/' : decodedPath
  return `/${stage}${decodedPath}`
}

function httpApiPath(req: GatewayRequest, stage: string): string {
  return stagePrefixed(stage, req.path === '' ? '' : decodeHttpApiPath(req.path))
}

// Hop-by-hop headers never reach an integration. REST drops these too, plus Content-Length, which REST
// events lack (LocalStack's `DROPPED_FROM_REQUEST_COMMON`, matching the AWS-validated snapshots) while
// HTTP API events keep it (`content-length` in the live v2 capture).
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']
const REST_DROPPED = [...HOP_BY_HOP, 'content-length', 'content-md5', 'max-forwards', 'proxy-authenticate', 'server', 'www-authenticate']

/**
 * Sets an own, enumerable data property. Plain assignment would do for every name but `__proto__`, which would
 * set the prototype instead (a header or query key may be called that: it must stay data).
 */
function setData(target: StringMap, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(target, name, {value, writable: true, enumerable: true, configurable: true})
  else target[name] = value
}

/** Adds `value` to a joined entry: repeats are joined with a bare comma (`"first,second"` in the live capture). */
function joinInto(target: StringMap, name: string, value: string): void {
  setData(target, name, Object.hasOwn(target, name) ? `${target[name]},${value}` : value)
}

/** `abc123` of `abc123.execute-api.us-east-1.amazonaws.com`: the first label. */
function firstLabel(domainName: string): string {
  const dot = domainName.indexOf('.')
  return dot < 0 ? domainName : domainName.slice(0, dot)
}

function hasKeys(map: StringMap | undefined): map is StringMap {
  return map !== undefined && Object.keys(map).length > 0
}

/**
 * Format 2.0 event for an HTTP API Lambda proxy integration.
 *
 * Built field by field (no spreads of optional parts, no intermediate Maps): this runs for every request the
 * emulator serves. Key order is the documented one, with the optional fields left out when empty.
 */
export function buildHttpEventV2(req: GatewayRequest, ctx: HttpEventV2Context): HttpEventV2 {
  const headers: StringMap = {}
  const cookies: string[] = []
  let contentType: string | undefined
  for (const [rawName, value] of req.headers) {
    const name = rawName.toLowerCase()
    if (HOP_BY_HOP.includes(name)) continue
    if (name === 'cookie') {
      // Cookie headers move to `cookies`, one entry per cookie (split on `;`), and leave `headers`.
      for (const c of value.split(';')) if (c.trim() !== '') cookies.push(c.trim())
      continue
    }
    if (name === 'content-type') contentType = value
    joinInto(headers, name, value)
  }

  let query: StringMap | undefined
  if (req.rawQueryString !== '') {
    for (const {name, value} of parseQueryString(req.rawQueryString)) {
      query ??= {}
      joinInto(query, name, value)
    }
  }

  const path = httpApiPath(req, ctx.stage)
  const method = req.method.toUpperCase()
  const encoded = encodeBody(req.body, isTextContentType(contentType))

  const event = {version: '2.0', routeKey: ctx.routeKey, rawPath: path, rawQueryString: req.rawQueryString} as HttpEventV2
  if (cookies.length > 0) event.cookies = cookies
  event.headers = headers
  if (query) event.queryStringParameters = query
  event.requestContext = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
    domainName: ctx.domainName,
    domainPrefix: ctx.domainPrefix ?? firstLabel(ctx.domainName),
    http: {
      method,
      path,
      protocol: req.protocol,
      sourceIp: normaliseSourceIp(req.sourceIp),
      userAgent: Object.hasOwn(headers, 'user-agent') ? headers['user-agent'] : '',
    },
    requestId: ctx.requestId,
    routeKey: ctx.routeKey,
    stage: ctx.stage,
    time: formatRequestTime(ctx.now),
    timeEpoch: ctx.now.getTime(),
  }
  if (encoded) event.body = encoded.body
  if (hasKeys(ctx.pathParameters)) event.pathParameters = {...ctx.pathParameters}
  event.isBase64Encoded = encoded?.isBase64Encoded ?? false
  if (hasKeys(ctx.stageVariables)) event.stageVariables = {...ctx.stageVariables}
  return event
}

// REST APIs sit behind CloudFront-style front ends that canonicalise these names whatever the client
// sent (`authorization` → `Authorization` in LocalStack's AWS-validated snapshot; `Host`/`User-Agent`
// over HTTP/2 in the live REST capture).
const REST_CANONICAL: Record<string, string> = {authorization: 'Authorization', host: 'Host', 'user-agent': 'User-Agent'}

function v1Headers(req: GatewayRequest, apiType: 'rest' | 'http'): {single: Map<string, string>; multi: Map<string, string[]>} {
  const single = new Map<string, string>()
  const multi = new Map<string, string[]>()
  const nameFor = new Map<string, string>()
  for (const [rawName, value] of req.headers) {
    const lower = rawName.toLowerCase()
    if ((apiType === 'rest' ? REST_DROPPED : HOP_BY_HOP).includes(lower)) continue
    // HTTP APIs lower-case every header name in both payload formats (HTTP API Lambda integration docs);
    // REST keeps the client's casing. Repeats of one name are grouped under its first spelling.
    const name = nameFor.get(lower) ?? (apiType === 'http' ? lower : (REST_CANONICAL[lower] ?? rawName))
    nameFor.set(lower, name)
    // `headers` keeps the last value, `multiValueHeaders` all of them (live REST capture: "second" vs
    // ["first","second"]); a value is never split on commas.
    single.set(name, value)
    multi.set(name, [...(multi.get(name) ?? []), value])
  }
  return {single, multi}
}

/** Format 1.0 event: REST proxy integrations, and HTTP API integrations with payloadFormatVersion 1.0. */
export function buildEventV1(req: GatewayRequest, ctx: EventV1Context): ProxyEventV1 {
  const {single, multi} = v1Headers(req, ctx.apiType)
  const query = new Map<string, string>()
  const multiQuery = new Map<string, string[]>()
  for (const {name, value} of parseQueryString(req.rawQueryString)) {
    // The single-value map keeps the last value (LocalStack AWS-validated: price=10&price=20&price=30 → "30").
    query.set(name, value)
    multiQuery.set(name, [...(multiQuery.get(name) ?? []), value])
  }

  const method = req.method.toUpperCase()
  const contentType = lastHeader(req, 'content-type')
  const encoded =
    ctx.apiType === 'rest'
      ? encodeBody(req.body, !matchesBinaryMediaType(contentType, ctx.binaryMediaTypes))
      : encodeBody(req.body, isTextContentType(contentType))

  // REST: `path` is the raw request path with leading slashes collapsed, `requestContext.path` the raw
  // path under the stage (`/stage//proxy-value`). HTTP APIs: both are the decoded path with the stage
  // prefix for a named stage (aws-powertools-lambda-python#621, serverless-http#143).
  const path = ctx.apiType === 'rest' ? collapseLeadingSlashes(req.path) : httpApiPath(req, ctx.stage)
  const contextPath = ctx.apiType === 'rest' ? `/${ctx.stage}${req.path === '' ? '/' : req.path}` : path
  const userAgent = lastHeader(req, 'user-agent')
  const hasHeaders = single.size > 0
  const hasQuery = query.size > 0

  return {
    ...(ctx.apiType === 'http' ? {version: '1.0' as const} : {}),
    resource: ctx.resourcePath,
    path,
    httpMethod: method,
    headers: hasHeaders ? Object.fromEntries(single) : null,
    multiValueHeaders: hasHeaders ? Object.fromEntries(multi) : null,
    queryStringParameters: hasQuery ? Object.fromEntries(query) : null,
    multiValueQueryStringParameters: hasQuery ? Object.fromEntries(multiQuery) : null,
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.apiId,
      ...(ctx.apiType === 'rest' && ctx.deploymentId ? {deploymentId: ctx.deploymentId} : {}),
      domainName: ctx.domainName,
      domainPrefix: ctx.domainPrefix ?? ctx.domainName.split('.')[0],
      extendedRequestId: ctx.extendedRequestId,
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: normaliseSourceIp(req.sourceIp),
        user: null,
        userAgent: userAgent ?? null,
        userArn: null,
      },
      path: contextPath,
      protocol: req.protocol,
      requestId: ctx.requestId,
      requestTime: formatRequestTime(ctx.now),
      requestTimeEpoch: ctx.now.getTime(),
      resourceId: ctx.resourceId ?? null,
      resourcePath: ctx.resourcePath,
      stage: ctx.stage,
    },
    pathParameters: ctx.pathParameters && Object.keys(ctx.pathParameters).length > 0 ? {...ctx.pathParameters} : null,
    stageVariables: ctx.stageVariables && Object.keys(ctx.stageVariables).length > 0 ? {...ctx.stageVariables} : null,
    body: encoded ? encoded.body : null,
    isBase64Encoded: encoded?.isBase64Encoded ?? false,
  }
}

export interface GatewayHeaderOptions {
  /** Port the client connected to (`443` on AWS). */
  port: number
  proto: 'http' | 'https'
  /** `X-Amzn-Trace-Id` value (`Root=1-…`), when tracing assigned one. */
  traceHeader?: string
}

/**
 * The request as the integration sees it: API Gateway appends the client address to `X-Forwarded-For`
 * and sets `X-Forwarded-Port`, `X-Forwarded-Proto` and `X-Amzn-Trace-Id` (present in every live event of
 * both API types). Apply before building the event.
 */
export function withGatewayHeaders(req: GatewayRequest, options: GatewayHeaderOptions): GatewayRequest {
  const forwardedFor: string[] = []
  const headers: [string, string][] = []
  for (const pair of req.headers) {
    const lower = pair[0].toLowerCase()
    if (lower === 'x-forwarded-for') forwardedFor.push(pair[1])
    else if (lower !== 'x-forwarded-port' && lower !== 'x-forwarded-proto' && !(options.traceHeader && lower === 'x-amzn-trace-id')) headers.push(pair)
  }
  forwardedFor.push(normaliseSourceIp(req.sourceIp))
  if (options.traceHeader) headers.push(['X-Amzn-Trace-Id', options.traceHeader])
  headers.push(['X-Forwarded-For', forwardedFor.join(', ')], ['X-Forwarded-Port', String(options.port)], ['X-Forwarded-Proto', options.proto])
  const out = {...req}
  out.headers = headers
  return out
}
