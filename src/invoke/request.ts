import {readFileSync} from 'node:fs'
import {UserError} from '../errors.js'

/**
 * The request `tracegate invoke` sends, from its argument and flags. The target is one of:
 * - a route key with concrete values: `"GET /orders/42"` (`"POST /orders?dry=1"`),
 * - a path: `/orders/42` (method from -X, else GET, or POST when a body is given, as curl does),
 * - a full URL: `https://abc123.execute-api.us-east-1.amazonaws.com/orders/42`.
 */

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

export interface RequestSpec {
  method: HttpMethod
  /** Path (percent-encoded as given), starting with `/`, relative to the stage; undefined when `url` is given. */
  path?: string
  /** Query string without `?` ('' for none). */
  query: string
  /** A full URL given as the target. */
  url?: string
  headers: [string, string][]
  body?: Buffer
}

export interface RequestFlags {
  method?: string
  data?: string
  dataFile?: string
  headers?: string[]
}

function methodOf(raw: string, flag: string): HttpMethod {
  const method = raw.toUpperCase()
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    throw new UserError('METHOD_INVALID', `${flag} "${raw}" is not an HTTP method API Gateway routes`, {
      suggestion: `Use one of ${HTTP_METHODS.join(', ')}`,
    })
  }
  return method as HttpMethod
}

/** `Name: value` (curl's -H). Header names are RFC 9110 tokens. */
export function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':')
  const name = colon < 0 ? '' : raw.slice(0, colon).trim()
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UserError('HEADER_INVALID', `-H "${raw}" is not a header`, {suggestion: 'Write headers as -H "Name: value", e.g. -H "Content-Type: application/json"'})
  }
  const value = raw.slice(colon + 1).trim()
  if (/[\r\n\0]/.test(value)) {
    throw new UserError('HEADER_INVALID', `-H "${name}" has a line break or NUL in its value`, {suggestion: 'Header values are one line of text'})
  }
  return [name, value]
}

function splitQuery(pathAndQuery: string): {path: string; query: string} {
  const q = pathAndQuery.indexOf('?')
  return q < 0 ? {path: pathAndQuery, query: ''} : {path: pathAndQuery.slice(0, q), query: pathAndQuery.slice(q + 1)}
}

function checkPath(path: string, target: string): void {
  if (!path.startsWith('/')) {
    throw new UserError('TARGET_INVALID', `"${target}": the path must start with "/"`, {suggestion: `Write e.g. tracegate invoke "GET /${path}"`})
  }
  if (/\s/.test(path)) {
    throw new UserError('TARGET_INVALID', `"${target}": the path contains whitespace`, {suggestion: 'Percent-encode spaces in paths (%20)'})
  }
  // A route template is not a request: API Gateway would look for a literal "{id}" segment.
  if (/[{}]/.test(path)) {
    throw new UserError('TARGET_INVALID', `"${target}" is a route template, not a request path`, {
      suggestion: `Put a concrete value in place of each {parameter}, e.g. tracegate invoke "${target.replace(/\{[^}]*\}/g, '42')}"`,
    })
  }
}

export function parseRequest(target: string, flags: RequestFlags = {}, readFile: (file: string) => Buffer = (f) => readFileSync(f)): RequestSpec {
  const trimmed = target.trim()
  if (flags.data !== undefined && flags.dataFile !== undefined) {
    throw new UserError('FLAGS_CONFLICT', '-d/--data and --data-file cannot be used together', {suggestion: 'Pass the body one way: -d \'{"a":1}\' or --data-file body.json'})
  }
  let body: Buffer | undefined
  if (flags.data !== undefined) body = Buffer.from(flags.data, 'utf8')
  if (flags.dataFile !== undefined) {
    try {
      body = readFile(flags.dataFile)
    } catch (error) {
      throw new UserError('DATA_FILE_UNREADABLE', `--data-file ${flags.dataFile}: ${(error as Error).message}`, {suggestion: 'Check the path of the body file'})
    }
  }
  const headers = (flags.headers ?? []).map(parseHeader)
  const flagMethod = flags.method === undefined ? undefined : methodOf(flags.method, '-X')

  let method: HttpMethod | undefined
  let rest = trimmed
  const routeLike = /^([A-Za-z]+)\s+(\S+)$/.exec(trimmed)
  if (routeLike) {
    method = methodOf(routeLike[1], `"${trimmed}":`)
    rest = routeLike[2]
    if (flagMethod && flagMethod !== method) {
      throw new UserError('FLAGS_CONFLICT', `The target says ${method} but -X says ${flagMethod}`, {suggestion: 'Give the method once: in the target or with -X'})
    }
  }
  method ??= flagMethod ?? (body === undefined ? 'GET' : 'POST')
  if ((method === 'GET' || method === 'HEAD') && body !== undefined) {
    // fetch (undici) refuses to send a body with GET or HEAD.
    throw new UserError('FLAGS_CONFLICT', `A ${method} request cannot carry a body here`, {suggestion: 'Use -X POST (or PUT/PATCH) to send -d/--data-file'})
  }
  if (/^https?:\/\//i.test(rest)) {
    let url: URL
    try {
      url = new URL(rest)
    } catch {
      throw new UserError('TARGET_INVALID', `"${rest}" is not a valid URL`, {suggestion: 'e.g. https://abc123.execute-api.us-east-1.amazonaws.com/orders/42'})
    }
    return {method, url: url.toString(), query: url.search.replace(/^\?/, ''), headers, body}
  }
  if (rest === '' || !rest.startsWith('/')) {
    throw new UserError('TARGET_INVALID', `"${trimmed}" is not a route, a path or a URL`, {
      suggestion: 'e.g. tracegate invoke "GET /orders/42", tracegate invoke /orders/42, or a full https:// URL',
    })
  }
  const {path, query} = splitQuery(rest)
  checkPath(path, trimmed)
  return {method, path, query, headers, body}
}

/** Headers whose values are secrets: never printed, never in --json (DESIGN.md quality bar). */
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'x-amz-security-token'])

export function redactHeaders(headers: readonly [string, string][]): [string, string][] {
  return headers.map(([name, value]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? '(redacted)' : value])
}
