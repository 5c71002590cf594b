import {UserError} from '../errors.js'

/**
 * Route keys as API Gateway defines them: `METHOD /path` or `$default`.
 * Path segments are literal, `{name}` parameters, or a greedy `{name+}` as the last segment.
 */

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const
export type RouteMethod = (typeof ROUTE_METHODS)[number]

export type RouteSegment =
  | {kind: 'literal'; value: string}
  | {kind: 'param'; name: string}
  | {kind: 'greedy'; name: string}

export interface RouteKey {
  /** Normalised key, e.g. `GET /orders/{id}` or `$default`. */
  key: string
  /** `$default` for the catch-all route. */
  method: RouteMethod | '$default'
  /** Normalised path (`/orders/{id}`), `undefined` for `$default`. */
  path?: string
  segments: RouteSegment[]
  isDefault: boolean
}

export const MAX_ROUTE_KEY_LENGTH = 512

// A literal segment: the characters API Gateway accepts in resource paths (RFC 3986 unreserved plus a few
// sub-delims). No braces, no whitespace, no percent-escapes.
const LITERAL_SEGMENT = /^[A-Za-z0-9._~:@!$&'()*,;=-]+$/
const PARAM_NAME = /^[A-Za-z0-9._-]+$/

function routeError(input: string, reason: string, suggestion: string): UserError {
  const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input
  return new UserError('ROUTE_INVALID', `Route "${shown}" is not a valid route key: ${reason}`, {
    suggestion,
    details: {route: shown, reason},
  })
}

function parseSegment(raw: string, input: string, isLast: boolean): RouteSegment {
  if (raw.startsWith('{') || raw.endsWith('}') || raw.includes('{') || raw.includes('}')) {
    const match = /^\{([^{}]*)\}$/.exec(raw)
    if (!match) {
      throw routeError(
        input,
        `segment "${raw}" mixes a parameter with other text`,
        'A parameter must be a whole segment, e.g. "/orders/{id}"',
      )
    }
    let name = match[1]
    const greedy = name.endsWith('+')
    if (greedy) name = name.slice(0, -1)
    if (!PARAM_NAME.test(name)) {
      throw routeError(input, `parameter "${raw}" has an invalid name`, 'Use letters, digits, "_", "-" or "." in parameter names, e.g. "{id}"')
    }
    if (greedy) {
      if (!isLast) {
        throw routeError(input, `greedy parameter "${raw}" must be the last segment`, 'Move the greedy parameter to the end, e.g. "ANY /files/{proxy+}"')
      }
      return {kind: 'greedy', name}
    }
    return {kind: 'param', name}
  }
  if (!LITERAL_SEGMENT.test(raw)) {
    throw routeError(input, `segment "${raw}" contains characters API Gateway does not accept`, 'Use ASCII letters, digits and - . _ ~ in path segments')
  }
  return {kind: 'literal', value: raw}
}

/** Parses and normalises a route key. Throws a UserError (ROUTE_INVALID) naming what is wrong. */
export function parseRouteKey(input: string): RouteKey {
  if (typeof input !== 'string' || input.trim() === '') {
    throw routeError(String(input ?? ''), 'it is empty', 'Write a route as "METHOD /path", e.g. "GET /orders/{id}"')
  }
  if (input.length > MAX_ROUTE_KEY_LENGTH) {
    throw routeError(input, `it is longer than ${MAX_ROUTE_KEY_LENGTH} characters`, 'Shorten the path')
  }
  const trimmed = input.trim()
  if (trimmed === '$default') return {key: '$default', method: '$default', segments: [], isDefault: true}

  const parts = trimmed.split(/\s+/)
  if (parts.length !== 2) {
    throw routeError(input, 'expected exactly one method and one path separated by a space', 'Write a route as "METHOD /path", e.g. "GET /orders/{id}"')
  }
  const method = parts[0].toUpperCase()
  if (!(ROUTE_METHODS as readonly string[]).includes(method)) {
    throw routeError(input, `"${parts[0]}" is not an HTTP method API Gateway routes on`, `Use one of ${ROUTE_METHODS.join(', ')}`)
  }
  const path = parts[1]
  if (!path.startsWith('/')) {
    throw routeError(input, 'the path must start with "/"', `Write "${method} /${path}"`)
  }
  if (path === '/') {
    return {key: `${method} /`, method: method as RouteMethod, path: '/', segments: [], isDefault: false}
  }
  const rawSegments = path.slice(1).split('/')
  // Allow one trailing slash ("/orders/" → "/orders"), reject empty segments elsewhere ("//").
  if (rawSegments.length > 1 && rawSegments[rawSegments.length - 1] === '') rawSegments.pop()
  if (rawSegments.some((s) => s === '')) {
    throw routeError(input, 'the path has an empty segment ("//")', 'Remove the doubled slash')
  }
  const segments = rawSegments.map((s, i) => parseSegment(s, input, i === rawSegments.length - 1))
  const names = segments.filter((s) => s.kind !== 'literal').map((s) => (s as {name: string}).name)
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup) throw routeError(input, `parameter "{${dup}}" appears twice`, 'Give each path parameter a distinct name')
  const normalisedPath = `/${segments.map(segmentText).join('/')}`
  return {key: `${method} ${normalisedPath}`, method: method as RouteMethod, path: normalisedPath, segments, isDefault: false}
}

export function segmentText(segment: RouteSegment): string {
  if (segment.kind === 'literal') return segment.value
  if (segment.kind === 'param') return `{${segment.name}}`
  return `{${segment.name}+}`
}

/** True when the string parses as a route key. */
export function isRouteKey(input: string): boolean {
  try {
    parseRouteKey(input)
    return true
  } catch {
    return false
  }
}

/**
 * A shape key used to find routes that collide: `GET /orders/{id}` and `GET /orders/{orderId}` are the
 * same route to API Gateway.
 */
export function routeShape(route: RouteKey): string {
  if (route.isDefault) return '$default'
  const path = route.segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? '{}' : '{+}')).join('/')
  return `${route.method} /${path}`
}
