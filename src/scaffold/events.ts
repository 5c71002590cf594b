import type {RouteKey} from '../gateway/routes.js'
import type {ApiType} from './types.js'

/**
 * Sample API Gateway events for a route, adapted from the `GET /hello` events in templates/events/ (real events
 * of each payload format, aws-semantics §4.1). They must look exactly like what API Gateway sends, because users
 * replay them against deployed code.
 */

type Json = Record<string, unknown>

/** A sample value for a path parameter: `{id}` → "42", `{name}` → "example-name", `{proxy+}` → "example/proxy". */
function sampleParam(name: string, greedy: boolean): string {
  if (greedy) return `example/${name}`
  return /id$/i.test(name) ? '42' : `example-${name}`
}

/** A JSON body for methods that usually carry one. */
function sampleBody(method: string): string | undefined {
  return ['POST', 'PUT', 'PATCH'].includes(method) ? JSON.stringify({example: true}) : undefined
}

/** The concrete request a route receives: ANY and $default routes are sampled with GET. */
function sampleRequest(route: RouteKey) {
  const method = route.method === 'ANY' || route.method === '$default' ? 'GET' : route.method
  const pathParameters: Record<string, string> = {}
  const concrete: string[] = []
  for (const segment of route.segments) {
    if (segment.kind === 'literal') {
      concrete.push(segment.value)
    } else {
      const value = sampleParam(segment.name, segment.kind === 'greedy')
      pathParameters[segment.name] = value
      concrete.push(value)
    }
  }
  const path = route.isDefault ? '/' : `/${concrete.join('/')}`
  return {method, path, pathParameters, body: sampleBody(method)}
}

/** Payload format 2.0 (HTTP APIs). Absent values are left out, never null. */
export function httpApiEvent(base: Json, route: RouteKey, stage: string): Json {
  const event = structuredClone(base)
  const request = sampleRequest(route)
  // A named stage is part of the request path on HTTP APIs (only "$default" is served at the root), so rawPath
  // and requestContext.http.path carry it.
  const rawPath = stage === '$default' ? request.path : `/${stage}${request.path === '/' ? '' : request.path}`
  const context = event.requestContext as Json & {http: Json}
  event.routeKey = route.key
  event.rawPath = rawPath
  context.routeKey = route.key
  context.stage = stage
  context.http.method = request.method
  context.http.path = rawPath
  const headers = event.headers as Record<string, string>
  if (Object.keys(request.pathParameters).length > 0) event.pathParameters = request.pathParameters
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = String(Buffer.byteLength(request.body))
    event.body = request.body
  }
  return sortedLike(event, ['version', 'routeKey', 'rawPath', 'rawQueryString', 'headers', 'requestContext', 'pathParameters', 'body', 'isBase64Encoded'])
}

/** Payload format 1.0 (REST APIs). Absent values are null, and every header also appears in multiValueHeaders. */
export function restApiEvent(base: Json, route: RouteKey, stage: string): Json {
  const event = structuredClone(base)
  const request = sampleRequest(route)
  const resource = route.path ?? '/'
  const context = event.requestContext as Json
  event.resource = resource
  event.path = request.path
  event.httpMethod = request.method
  context.resourcePath = resource
  context.httpMethod = request.method
  context.stage = stage
  // requestContext.path is the path as requested on the execute-api domain, stage included.
  context.path = `/${stage}${request.path === '/' ? '/' : request.path}`
  event.pathParameters = Object.keys(request.pathParameters).length > 0 ? request.pathParameters : null
  const headers = event.headers as Record<string, string>
  if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    event.body = request.body
  }
  event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]))
  return event
}

/** The sample event of a route for the API type. */
export function sampleEvent(apiType: ApiType, base: Json, route: RouteKey, stage: string): Json {
  return apiType === 'http' ? httpApiEvent(base, route, stage) : restApiEvent(base, route, stage)
}

/** The object with `order` keys first (in that order), the rest after: keeps files in the order AWS documents. */
function sortedLike(value: Json, order: string[]): Json {
  const out: Json = {}
  for (const key of order) if (key in value) out[key] = value[key]
  for (const [key, v] of Object.entries(value)) if (!(key in out)) out[key] = v
  return out
}
