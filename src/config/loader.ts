import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import type {z} from 'zod'
import {UserError} from '../errors.js'
import {parseRouteKey, routeShape} from '../gateway/routes.js'
import {findHandlerFile, handlerExports} from './handlers.js'
import {JsonSyntaxError, lineColumn, parseJsonTree} from './json-syntax.js'
import {configSchema, DEFAULT_HTTP_STAGE, functionSchema, DEFAULT_REST_STAGE, type FunctionConfig, type ProjectConfig} from './schema.js'

export const CONFIG_FILE = 'tracegate.json'
/** Lambda function names: 1-64 characters of [A-Za-z0-9_-]. */
const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/

export interface LoadOptions {
  /** Check that each handler file exists and exports the named function (default true). */
  checkHandlers?: boolean
}

/** Finds tracegate.json in `start` or its parents (like git finds .git). */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start)
  for (;;) {
    const candidate = join(dir, CONFIG_FILE)
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** Loads and validates tracegate.json; every problem is a UserError naming the file, the JSON path and the fix. */
export function loadProject(start: string = process.cwd(), options: LoadOptions = {}): ProjectConfig {
  const file = start.endsWith('.json') ? resolve(start) : findConfigFile(start)
  if (!file || !existsSync(file)) {
    throw new UserError('CONFIG_NOT_FOUND', `No ${CONFIG_FILE} found in ${resolve(start.endsWith('.json') ? dirname(start) : start)} or its parents`, {
      suggestion: 'Create a project with "tracegate new my-app", or run the command inside a project directory',
    })
  }
  const text = readFileSync(file, 'utf8')
  return parseProject(text, file, options)
}

export function parseProject(text: string, file: string, options: LoadOptions = {}): ProjectConfig {
  const shown = relative(process.cwd(), file) || file
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const {line, column, problem} = describeJsonError(text, error as Error)
    throw new UserError('CONFIG_INVALID_JSON', `${shown}:${line}:${column}: invalid JSON: ${problem}`, {
      suggestion: 'Fix the JSON syntax at that line and column (a trailing comma or a missing quote is the usual cause)',
      details: {file, line, column},
    })
  }
  const parsed = configSchema.safeParse(json)
  if (!parsed.success) throw schemaError(shown, file, parsed.error, json)
  const raw = parsed.data
  const dir = dirname(file)
  const apiType = raw.api.type
  const stage = raw.api.stage ?? (apiType === 'rest' ? DEFAULT_REST_STAGE : DEFAULT_HTTP_STAGE)
  if (apiType === 'rest' && stage === '$default') {
    throw configError(shown, '$.api.stage', 'REST APIs have no "$default" stage', 'Name the stage, e.g. "stage": "prod"')
  }

  const functions: FunctionConfig[] = []
  const routeOwners = new Map<string, {fn: string; route: string}>()
  for (const [key, fn] of Object.entries(raw.functions)) {
    const path = `$.functions.${key}`
    const name = `${raw.name}-${key}`
    if (!LAMBDA_NAME.test(name)) {
      throw configError(
        shown,
        path,
        `the function name "${name}" ("{name}-{function}") is not a valid Lambda function name (1-64 characters of A-Z a-z 0-9 _ -)`,
        'Rename the function key (or shorten "name") so the combined name fits',
      )
    }
    const routes = fn.routes.map((route, i) => {
      let parsedRoute: ReturnType<typeof parseRouteKey>
      try {
        parsedRoute = parseRouteKey(route)
      } catch (error) {
        const e = error as UserError
        throw configError(shown, `${path}.routes[${i}]`, e.message, e.suggestion ?? 'Write routes as "METHOD /path"')
      }
      if (apiType === 'rest' && parsedRoute.isDefault) {
        throw configError(shown, `${path}.routes[${i}]`, 'REST APIs have no "$default" route', 'Use "ANY /{proxy+}" to catch every path')
      }
      const shape = routeShape(parsedRoute)
      const owner = routeOwners.get(shape)
      if (owner) {
        throw configError(
          shown,
          `${path}.routes[${i}]`,
          `route "${parsedRoute.key}" is already served by function "${owner.fn}" ("${owner.route}")`,
          'Each route can go to one function only: remove it from one of them',
        )
      }
      routeOwners.set(shape, {fn: key, route: parsedRoute.key})
      return parsedRoute.key
    })
    if (options.checkHandlers !== false) checkHandler(shown, dir, `${path}.handler`, fn.handler)
    functions.push({
      key,
      name,
      handler: fn.handler,
      routes,
      runtime: fn.runtime ?? raw.defaults.runtime,
      memory: fn.memory ?? raw.defaults.memory,
      timeout: fn.timeout ?? raw.defaults.timeout,
      tracing: fn.tracing ?? raw.defaults.tracing,
      environment: fn.environment ?? {},
      description: fn.description,
    })
  }
  if (functions.length === 0) {
    throw configError(shown, '$.functions', 'the project has no functions', 'Add one with "tracegate endpoint add \\"GET /hello\\""')
  }
  return {
    name: raw.name,
    region: raw.region,
    role: raw.role,
    api: {type: apiType, stage, permissions: raw.api.permissions},
    functions,
    dir,
    file,
  }
}

function checkHandler(shown: string, dir: string, path: string, handler: string): void {
  const dot = handler.lastIndexOf('.')
  const modulePath = handler.slice(0, dot)
  const exportName = handler.slice(dot + 1)
  const file = findHandlerFile(dir, modulePath)
  if (!file) {
    throw configError(
      shown,
      path,
      `handler file "${modulePath}.{ts,js,mjs,cjs,mts,cts}" does not exist`,
      `Create it, or fix "handler" (it is "path/to/file.exportName", relative to ${CONFIG_FILE})`,
    )
  }
  const exported = handlerExports(readFileSync(file, 'utf8'))
  if (!exported.has(exportName)) {
    throw configError(
      shown,
      path,
      `${relative(dir, file)} does not export "${exportName}"${exported.size ? ` (it exports ${[...exported].join(', ')})` : ''}`,
      `Export it (export const ${exportName} = async (event) => {...}) or fix "handler"`,
    )
  }
}

function configError(shown: string, jsonPath: string, problem: string, suggestion: string): UserError {
  return new UserError('CONFIG_INVALID', `${shown}: ${jsonPath}: ${problem}`, {suggestion, details: {path: jsonPath, problem}})
}

function schemaError(shown: string, file: string, error: z.ZodError, json: unknown): UserError {
  const issue = error.issues[0]
  let jsonPath = toJsonPath(issue.path)
  let problem = issue.message
  let suggestion = 'Fix the value (your editor completes tracegate.json when it has "$schema": "./node_modules/tracegate/schema.json")'
  if (issue.code === 'unrecognized_keys') {
    // Name the key itself in the path: "$.functions.getOrder.timout", not its parent object.
    if (issue.keys.length === 1) jsonPath = toJsonPath([...issue.path, issue.keys[0]])
    problem = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    const known = knownKeysAt(issue.path)
    const near = issue.keys.length === 1 ? closest(issue.keys[0], known) : undefined
    suggestion = near ? `Did you mean "${near}"? Known keys here: ${known.join(', ')}` : `Remove it or fix its spelling (known keys here: ${known.join(', ')})`
  } else if (issue.code === 'invalid_type' && !hasPath(json, issue.path)) {
    // zod reports a missing key as a wrong type ("must be a string"); say what actually happened.
    problem = 'is required'
    suggestion = `Add "${String(issue.path[issue.path.length - 1])}" (see the example in "tracegate new")`
  }
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : ''
  return new UserError('CONFIG_INVALID', `${shown}: ${jsonPath}: ${problem}${more}`, {
    suggestion,
    details: {file, path: jsonPath, issues: error.issues.map((i) => ({path: toJsonPath(i.path), message: i.message}))},
  })
}

/** True when `path` leads to a present value in `json` (false when a key along it is missing). */
function hasPath(json: unknown, path: readonly PropertyKey[]): boolean {
  let value: unknown = json
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key as string)) return false
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return true
}

/** The keys the schema allows in the object at `path` (for "did you mean" on an unknown key). */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const shapeOf = (schema: unknown): Record<string, unknown> => {
    let s = schema as {shape?: Record<string, unknown>; unwrap?: () => unknown}
    while (!s.shape && typeof s.unwrap === 'function') s = s.unwrap() as typeof s
    return s.shape ?? {}
  }
  if (path.length === 0) return Object.keys(configSchema.shape)
  if (path.length === 1 && (path[0] === 'api' || path[0] === 'defaults')) return Object.keys(shapeOf(configSchema.shape[path[0]]))
  if (path.length === 2 && path[0] === 'functions') return Object.keys(functionSchema.shape)
  return []
}

/** The candidate within edit distance 2 of `word` (case-insensitive), if exactly one is nearest. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}

function toJsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`
}

/**
 * Line, column (1-based) and a short description of a JSON.parse error. Node 20's V8 omits the position from
 * "Unexpected token" messages and quotes the whole input instead, so the position comes from our own parser
 * (which accepts exactly what JSON.parse accepts); the V8 "position N" is only a fallback.
 */
export function describeJsonError(text: string, error: Error): {line: number; column: number; problem: string} {
  try {
    parseJsonTree(text)
  } catch (syntax) {
    if (syntax instanceof JsonSyntaxError) {
      return {line: syntax.line, column: syntax.column, problem: syntax.message.replace(/ at line \d+, column \d+$/, '')}
    }
  }
  const {line, column} = jsonErrorPosition(text, error)
  return {line, column, problem: error.message.length > 200 ? `${error.message.slice(0, 200)}...` : error.message}
}

/** Line and column (1-based) of a JSON.parse error, from its "position N" or "(line L column C)" message. */
export function jsonErrorPosition(text: string, error: Error): {line: number; column: number} {
  const lc = /line (\d+) column (\d+)/.exec(error.message)
  if (lc) return {line: Number(lc[1]), column: Number(lc[2])}
  const pos = /position (\d+)/.exec(error.message)
  return lineColumn(text, pos ? Number(pos[1]) : text.length)
}
