/**
 * Wire-level building blocks shared by the emulator's services: the parsed request, the response value
 * handlers return, and the one error type they throw. Each protocol (restJson1 for Lambda, ApiGatewayV2 and
 * X-Ray; awsQuery/XML for IAM) renders `ServiceError` its own way in `server.ts`.
 */
import type {IncomingHttpHeaders} from 'node:http'

export interface EmulatorRequest {
  method: string
  /** The raw (still percent-encoded) path, without the query string. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
  /** Region from the SigV4 credential scope, else the emulator's default region. */
  region: string
  /** Signing name from the SigV4 credential scope (`lambda`, `apigateway`, `xray`, `iam`), if signed. */
  signingService?: string
  accountId: string
  requestId: string
  /** `http://127.0.0.1:{port}`: where this emulator is reachable (for apiEndpoint, code download URLs). */
  baseUrl: string
}

export interface WireResponse {
  status: number
  headers?: Record<string, string>
  body?: string | Buffer
}

export type WireProtocol = 'json' | 'query-xml'

/**
 * An AWS error as the wire carries it. `code` goes into `x-amzn-ErrorType` (restJson1) or `<Code>` (awsQuery);
 * `body` holds the members exactly as AWS spells them, because casing differs per service and per error
 * (aws-semantics §1.2: Lambda's ResourceNotFoundException uses `Message`, the others `message`).
 */
export class ServiceError extends Error {
  readonly status: number
  readonly code: string
  readonly body: Record<string, unknown>
  readonly headers: Record<string, string>

  constructor(
    status: number,
    code: string,
    message: string,
    body: Record<string, unknown> = {message},
    headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ServiceError'
    this.status = status
    this.code = code
    this.body = body
    this.headers = headers
  }
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: {'content-type': 'application/json', ...headers},
    body: value === undefined ? '' : JSON.stringify(value),
  }
}

export function empty(status: number): WireResponse {
  return {status, headers: {}, body: ''}
}

/** Parses a restJson1 request body. An empty body is `{}`, as the SDK omits it when no member is set. */
export function parseJsonBody(request: EmulatorRequest, onError: (reason: string) => ServiceError): Record<string, unknown> {
  if (request.body.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(request.body.toString('utf8'))
  } catch (error) {
    throw onError((error as Error).message)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw onError('the body must be a JSON object')
  }
  return parsed as Record<string, unknown>
}

/** Region and signing name from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request`. */
export function credentialScope(authorization: string | undefined): {region?: string; service?: string} {
  if (!authorization) return {}
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(authorization)
  if (!match) return {}
  return {region: match[1], service: match[2]}
}

/**
 * A path pattern such as `/2015-03-31/functions/{FunctionName}/policy/{StatementId}`. Labels match exactly one
 * segment and are percent-decoded (aws-semantics §1.1: the SDK encodes `:` and `/` inside labels).
 */
export interface RouteMatch {
  params: Record<string, string>
}

export function matchPath(pattern: string, rawPath: string): RouteMatch | undefined {
  const want = pattern.split('/')
  const got = rawPath.split('/')
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const part = want[i]
    if (part.startsWith('{') && part.endsWith('}')) {
      if (got[i] === '') return undefined
      try {
        params[part.slice(1, -1)] = decodeURIComponent(got[i])
      } catch {
        return undefined
      }
    } else if (part !== got[i]) {
      return undefined
    }
  }
  return {params}
}

export interface Route<Ctx> {
  method: string
  pattern: string
  /** The AWS operation name, for logs and the unknown-operation message. */
  operation: string
  handle: (request: EmulatorRequest, params: Record<string, string>, ctx: Ctx) => WireResponse | Promise<WireResponse>
}

export function findRoute<Ctx>(
  routes: readonly Route<Ctx>[],
  method: string,
  rawPath: string,
): {route: Route<Ctx>; params: Record<string, string>} | undefined {
  for (const route of routes) {
    if (route.method !== method) continue
    const match = matchPath(route.pattern, rawPath)
    if (match) return {route, params: match.params}
  }
  return undefined
}

/** True when some route matches the path with another method (so the answer is "method not allowed"). */
export function pathKnown<Ctx>(routes: readonly Route<Ctx>[], rawPath: string): boolean {
  return routes.some((route) => matchPath(route.pattern, rawPath) !== undefined)
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
