import {decodeHttpApiPath, pathSegments} from './path.js'
import {parseRouteKey, type RouteKey} from './routes.js'

/**
 * Route selection as API Gateway does it (HTTP API docs "Routing API requests"; aws-semantics §5 for what
 * a miss answers). Priority, best first:
 *   1. a full literal match of the path (`GET /pets/dog/1`),
 *   2. a match with path variables (`GET /pets/dog/{id}`), more literal segments first,
 *   3. a match with a greedy variable (`GET /pets/{proxy+}`), more literal segments, then longer, first,
 *   4. (HTTP APIs only) the `$default` route.
 * Ties between path shapes are broken left to right (a literal segment beats a variable at the first
 * position where two routes differ), then a concrete method beats `ANY` on the same path shape.
 *
 * Encoding differs by API type (see path.ts): HTTP APIs decode the path before routing, so `%2F` acts as
 * a separator and path parameters arrive decoded; REST APIs match and deliver the raw, still-encoded path.
 * Whether HTTP APIs route on the decoded path (rather than only decoding what they deliver) is not stated
 * by AWS; it is the choice consistent with the decoded `rawPath` seen in live captures.
 */

/** The methods `ANY` stands for (REST and HTTP APIs accept no others on a route). */
export const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const

export interface RouteMatch {
  /** The route key as configured, normalised (`GET /orders/{id}`, `$default`). */
  routeKey: string
  pathParameters: Record<string, string>
}

export interface RestRouteMatch extends RouteMatch {
  /** The resource path template, e.g. `/orders/{id}` (the event's `resource` / `resourcePath`). */
  resourcePath: string
}

interface Candidate {
  route: RouteKey
  params: Record<string, string>
}

function parseAll(routeKeys: readonly string[]): RouteKey[] {
  const routes: RouteKey[] = []
  for (const key of routeKeys) {
    // Keys come from stored, already validated routes (CreateRoute rejects bad keys); one that does not
    // parse can never match a request, so it is skipped rather than failing every request to the API.
    try {
      routes.push(parseRouteKey(key))
    } catch {
      /* unroutable key */
    }
  }
  return routes
}

function methodMatches(route: RouteKey, method: string): boolean {
  if (route.method === 'ANY') return (ANY_METHODS as readonly string[]).includes(method)
  return route.method === method
}

/** Matches one route's path against request segments; `undefined` when it does not match. */
function matchSegments(route: RouteKey, segments: readonly string[]): Record<string, string> | undefined {
  // A Map, not an object literal: a parameter may legally be named `{__proto__}`.
  const params = new Map<string, string>()
  const routeSegments = route.segments
  for (let i = 0; i < routeSegments.length; i++) {
    const seg = routeSegments[i]
    if (seg.kind === 'greedy') {
      const rest = segments.slice(i)
      // A greedy variable needs at least one non-empty segment: `/files/{proxy+}` does not match `/files`.
      if (rest.length === 0 || rest.every((s) => s === '')) return undefined
      params.set(seg.name, rest.join('/'))
      return Object.fromEntries(params)
    }
    const value = segments[i]
    if (value === undefined || value === '') return undefined
    if (seg.kind === 'literal') {
      if (seg.value !== value) return undefined
    } else {
      params.set(seg.name, value)
    }
  }
  return segments.length === routeSegments.length ? Object.fromEntries(params) : undefined
}

const KIND_RANK = {literal: 2, param: 1, greedy: 0} as const

/** Positive when `a` is the better (more specific) route for the same request. */
function compareSpecificity(a: RouteKey, b: RouteKey): number {
  const aGreedy = a.segments.some((s) => s.kind === 'greedy')
  const bGreedy = b.segments.some((s) => s.kind === 'greedy')
  if (aGreedy !== bGreedy) return aGreedy ? -1 : 1
  const literals = (r: RouteKey) => r.segments.filter((s) => s.kind === 'literal').length
  if (literals(a) !== literals(b)) return literals(a) - literals(b)
  if (a.segments.length !== b.segments.length) return a.segments.length - b.segments.length
  for (let i = 0; i < a.segments.length; i++) {
    const diff = KIND_RANK[a.segments[i].kind] - KIND_RANK[b.segments[i].kind]
    if (diff !== 0) return diff
  }
  const aAny = a.method === 'ANY'
  const bAny = b.method === 'ANY'
  if (aAny !== bAny) return aAny ? -1 : 1
  return 0
}

function bestCandidate(routes: RouteKey[], method: string, segments: readonly string[]): Candidate | undefined {
  let best: Candidate | undefined
  for (const route of routes) {
    if (route.isDefault || !methodMatches(route, method)) continue
    const params = matchSegments(route, segments)
    if (!params) continue
    if (!best || compareSpecificity(route, best.route) > 0) best = {route, params}
  }
  return best
}

/**
 * Selects the HTTP API route for a request. `path` is the request path without the stage prefix, as
 * received (still percent-encoded); it is decoded here, and so are the returned path parameters.
 * Falls back to `$default` when configured; `undefined` means API Gateway answers 404 Not Found.
 */
export function matchHttpRoute(routeKeys: readonly string[], method: string, path: string): RouteMatch | undefined {
  const routes = parseAll(routeKeys)
  const segments = pathSegments(decodeHttpApiPath(path))
  const best = bestCandidate(routes, method.toUpperCase(), segments)
  if (best) return {routeKey: best.route.key, pathParameters: best.params}
  if (routes.some((r) => r.isDefault)) return {routeKey: '$default', pathParameters: {}}
  return undefined
}

/**
 * Selects the REST API resource + method for a request (route keys are `METHOD /resource/path`, with
 * `ANY` for an ANY method; `$default` does not exist in REST and is ignored). `path` is the raw request
 * path without the stage; path parameters are returned still percent-encoded, as REST delivers them.
 * `undefined` means API Gateway answers 403 Missing Authentication Token.
 */
export function matchRestRoute(routeKeys: readonly string[], method: string, path: string): RestRouteMatch | undefined {
  const routes = parseAll(routeKeys).filter((r) => !r.isDefault)
  const best = bestCandidate(routes, method.toUpperCase(), pathSegments(path))
  if (!best) return undefined
  return {routeKey: best.route.key, pathParameters: best.params, resourcePath: best.route.path ?? '/'}
}

export type NearRouteReason =
  /** The path matches this route, the method does not. */
  | 'other-method'
  /** The path matches only when letter case is ignored (API Gateway paths are case-sensitive). */
  | 'letter-case'
  /** Only a trailing or doubled slash, or a similar spelling, separates them. */
  | 'similar-path'

export interface NearRoute {
  routeKey: string
  reason: NearRouteReason
  /** Edit distance between the request path and the route's path filled with the request's values. */
  distance: number
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    }
    prev = cur
  }
  return prev[b.length]
}

/** The route's path with each variable replaced by what the request has at that position. */
function fillRoute(route: RouteKey, segments: readonly string[]): string {
  const parts: string[] = []
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i]
    if (seg.kind === 'literal') parts.push(seg.value)
    else if (seg.kind === 'param') parts.push(segments[i] || `{${seg.name}}`)
    else {
      const rest = segments.slice(i).join('/')
      parts.push(rest || `{${seg.name}+}`)
      break
    }
  }
  return `/${parts.join('/')}`
}

/**
 * The routes closest to a request that matched none, for "route not found" diagnosis: same path with
 * another method first, then a case-only difference, then by edit distance of the path (at most `n`).
 * `$default` is never suggested. `path` is raw, without the stage prefix.
 */
export function nearestRoutes(routeKeys: readonly string[], method: string, path: string, n = 3): NearRoute[] {
  const routes = parseAll(routeKeys).filter((r) => !r.isDefault)
  const decoded = decodeHttpApiPath(path)
  const segments = pathSegments(decoded)
  const requestPath = `/${segments.join('/')}`
  const lowerSegments = segments.map((s) => s.toLowerCase())
  const upperMethod = method.toUpperCase()
  const scored: NearRoute[] = []
  for (const route of routes) {
    const pathMatches = matchSegments(route, segments) !== undefined
    if (pathMatches && methodMatches(route, upperMethod)) continue // it matches: not a "near" route
    if (pathMatches) {
      scored.push({routeKey: route.key, reason: 'other-method', distance: 0})
      continue
    }
    const lowered: RouteKey = {
      ...route,
      segments: route.segments.map((s) => (s.kind === 'literal' ? {kind: 'literal', value: s.value.toLowerCase()} : s)),
    }
    if (matchSegments(lowered, lowerSegments) !== undefined) {
      scored.push({routeKey: route.key, reason: 'letter-case', distance: levenshtein(requestPath, fillRoute(route, segments))})
      continue
    }
    const distance = levenshtein(requestPath, fillRoute(route, segments)) + (methodMatches(route, upperMethod) ? 0 : 1)
    scored.push({routeKey: route.key, reason: 'similar-path', distance})
  }
  const reasonRank: Record<NearRouteReason, number> = {'other-method': 0, 'letter-case': 1, 'similar-path': 2}
  scored.sort((a, b) => reasonRank[a.reason] - reasonRank[b.reason] || a.distance - b.distance || a.routeKey.localeCompare(b.routeKey))
  // A suggestion further away than the path is long is noise, not a near miss.
  const limit = Math.max(3, Math.ceil(requestPath.length / 2))
  return scored.filter((r) => r.reason !== 'similar-path' || r.distance <= limit).slice(0, Math.max(0, n))
}

export interface StageSelection {
  stage: string
  /** The rest of the path, still raw; `''` when the URL ends at the stage name. */
  path: string
}

/**
 * Picks the stage for a request path (everything after the API's host or `/_aws/execute-api/{apiId}`).
 * HTTP APIs: a first segment naming a stage selects it, otherwise the `$default` stage serves the whole
 * path; with neither, API Gateway answers 404 Not Found (HTTP API routes docs, "Routing API requests").
 * REST APIs: the first segment must name a stage, else 403 Missing Authentication Token; leading slashes
 * are collapsed first (`//stage/x` works: LocalStack AWS-validated snapshot).
 */
export function resolveStage(apiType: 'rest' | 'http', rawPath: string, stageNames: readonly string[]): StageSelection | undefined {
  const path = rawPath.startsWith('//') ? `/${rawPath.replace(/^\/+/, '')}` : rawPath
  const match = /^\/([^/]+)(.*)$/s.exec(path)
  if (match && match[1] !== '$default' && stageNames.includes(match[1])) return {stage: match[1], path: match[2]}
  if (apiType === 'http' && stageNames.includes('$default')) return {stage: '$default', path: rawPath === '' ? '/' : rawPath}
  return undefined
}
