/**
 * App scoping for `tracegate traces`: a filter expression that keeps only traces through *this project's*
 * functions (`service("{project}-{fn}")` terms, aws-semantics §6.8), combined with the user's flags.
 * X-Ray evaluates it server-side, so other apps' traces never leave the region.
 */
import {UserError} from '../errors.js'
import {parseRouteKey} from '../gateway/routes.js'
import {type FilterExpressionError, isFilterExpressionError, parseFilterExpression} from './filter.js'

/** The part of the project config scoping needs. */
export interface ScopeProject {
  name: string
  api: {type: 'http' | 'rest'}
  functions: ReadonlyArray<{key: string; name: string; routes: readonly string[]}>
}

export interface ScopeOptions {
  /** Failed requests: fault, error or throttle on the trace or on one of the app's functions. */
  errors?: boolean
  /** Faults (5xx) only. */
  faults?: boolean
  /** `http.status = N` (the status the REST stage recorded; HTTP APIs record none, §6.5). */
  status?: number
  /** A route key from tracegate.json: only its function, and for REST its method and path prefix. */
  route?: string
  /** The user's own X-Ray filter expression, ANDed with the rest. */
  filter?: string
}

export interface TraceScope {
  /** The complete filter expression sent to GetTraceSummaries. */
  expression: string
  /** Deployed names of the functions in scope. */
  functions: string[]
  /**
   * Keep only traces whose shown status is this one. Set for HTTP APIs, where X-Ray has no gateway status to
   * filter on (§6.5): the query asks for failed functions and the status is checked after inference.
   */
  status?: number
}

function quote(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
}

function serviceTerms(functions: readonly string[], block?: string): string[] {
  return functions.map((fn) => `service(${quote(fn)})${block ? ` { ${block} }` : ''}`)
}

/** `(a OR b OR …)`, without parentheses around a single term. */
function anyOf(terms: readonly string[]): string {
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`
}

/** Checks a user filter before any AWS call, with a caret under the offending position. */
export function validateUserFilter(filter: string): void {
  try {
    parseFilterExpression(filter)
  } catch (error) {
    if (!isFilterExpressionError(error)) throw error
    const e = error as FilterExpressionError
    throw new UserError('FILTER_INVALID', `--filter is not a valid X-Ray filter expression: ${e.message}\n  ${filter}\n  ${' '.repeat(e.position)}^`, {
      suggestion: 'e.g. --filter \'http.status = 502 AND responsetime > 1\' (strings in double quotes: http.method = "POST")',
      details: {filter, position: e.position},
    })
  }
}

function routeFunctions(project: ScopeProject, route: string): {functions: string[]; restTerms: string[]} {
  const key = parseRouteKey(route)
  const owners = project.functions.filter((fn) => fn.routes.some((r) => parseRouteKey(r).key === key.key))
  if (owners.length === 0) {
    const known = project.functions.flatMap((fn) => fn.routes.map((r) => parseRouteKey(r).key))
    throw new UserError('ROUTE_UNKNOWN', `No function of ${project.name} serves the route "${key.key}"`, {
      suggestion: known.length > 0 ? `Use one of: ${known.map((k) => `"${k}"`).join(', ')}` : 'Add a route with: tracegate endpoint add "GET /path"',
    })
  }
  const restTerms: string[] = []
  if (project.api.type === 'rest' && !key.isDefault) {
    if (key.method !== 'ANY') restTerms.push(`http.method = ${quote(key.method)}`)
    // X-Ray has no pattern match: narrow by the literal prefix before the first path parameter.
    const literal: string[] = []
    for (const segment of key.segments) {
      if (segment.kind !== 'literal') break
      literal.push(segment.value)
    }
    if (literal.length > 0) {
      const prefix = `/${literal.join('/')}${literal.length < key.segments.length ? '/' : ''}`
      restTerms.push(`http.url CONTAINS ${quote(prefix)}`)
    }
  }
  return {functions: owners.map((fn) => fn.name), restTerms}
}

export function traceScope(project: ScopeProject, options: ScopeOptions = {}): TraceScope {
  if (project.functions.length === 0) {
    throw new UserError('NO_FUNCTIONS', `${project.name} has no functions, so it has no traces`, {
      suggestion: 'Add one with: tracegate endpoint add "GET /hello"',
    })
  }
  let functions = project.functions.map((fn) => fn.name)
  const terms: string[] = []
  if (options.route) {
    const scoped = routeFunctions(project, options.route)
    functions = scoped.functions
    terms.push(anyOf(serviceTerms(functions)), ...scoped.restTerms)
  } else {
    terms.push(anyOf(serviceTerms(functions)))
  }
  // Trace-level flags describe only the root segment (X-Ray TraceSummary docs); for HTTP APIs the root is
  // Lambda's service segment, so the app's own function nodes are asked too.
  if (options.faults) terms.push(anyOf(['fault', ...serviceTerms(functions, 'fault')]))
  else if (options.errors) terms.push(anyOf(['fault', 'error', 'throttle', ...serviceTerms(functions, 'fault OR error OR throttle')]))
  if (options.status !== undefined) {
    if (!Number.isInteger(options.status) || options.status < 100 || options.status > 599) {
      throw new UserError('STATUS_INVALID', `--status ${options.status} is not an HTTP status code`, {suggestion: 'e.g. --status 502'})
    }
    if (project.api.type === 'http' && options.status >= 500) {
      // HTTP APIs record no status of their own: the root is Lambda's segment (200 when the function threw).
      // Ask for failed functions too; the list keeps the lines whose inferred status matches.
      terms.push(anyOf([`http.status = ${options.status}`, ...serviceTerms(functions, 'fault OR error OR throttle')]))
    } else {
      terms.push(`http.status = ${options.status}`)
    }
  }
  if (options.filter?.trim()) {
    validateUserFilter(options.filter)
    terms.push(`(${options.filter.trim()})`)
  }
  const expression = terms.join(' AND ')
  // Our own terms must always parse; if not, it is a bug, not a user error.
  parseFilterExpression(expression)
  return project.api.type === 'http' && options.status !== undefined && options.status >= 500
    ? {expression, functions, status: options.status}
    : {expression, functions}
}

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/**
 * `15m`, `2h`, `1h30m`, `45s`, `1d` (that long before `now`), or an ISO-8601 time. `flag` names the flag in
 * the error.
 */
export function parseTimeBound(text: string, now: Date, flag: string): Date {
  const trimmed = text.trim()
  if (/^(\d+(\.\d+)?[smhd])+$/i.test(trimmed)) {
    let ms = 0
    for (const [, amount, unit] of trimmed.toLowerCase().matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) ms += Number(amount) * UNIT_MS[unit]
    return new Date(now.getTime() - ms)
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const date = new Date(trimmed)
    if (!Number.isNaN(date.getTime())) return date
  }
  throw new UserError('TIME_INVALID', `${flag} "${text}" is neither a duration nor an ISO-8601 time`, {
    suggestion: `e.g. ${flag} 15m, ${flag} 2h, ${flag} 1h30m or ${flag} 2024-05-01T10:00:00Z`,
  })
}

export interface TimeWindow {
  start: Date
  end: Date
}

export function timeWindow(since: string, until: string | undefined, now: Date): TimeWindow {
  const start = parseTimeBound(since, now, '--since')
  const end = until ? parseTimeBound(until, now, '--until') : now
  if (start.getTime() >= end.getTime()) {
    throw new UserError('TIME_RANGE_EMPTY', `--since (${start.toISOString()}) is not before --until (${end.toISOString()})`, {
      suggestion: 'Pass an earlier --since or a later --until',
    })
  }
  return {start, end}
}
