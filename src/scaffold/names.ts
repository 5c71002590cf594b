import {basename} from 'node:path'
import {UserError} from '../errors.js'
import type {RouteKey} from '../gateway/routes.js'

/** Lambda function names: 1-64 characters of [A-Za-z0-9_-] (the deployed name is `{project}-{key}`). */
export const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/
const FUNCTION_KEY = /^[A-Za-z0-9_-]+$/
export const MAX_PROJECT_NAME = 40

const capitalise = (word: string) => (word ? word[0].toUpperCase() + word.slice(1) : word)

/** Words of a path segment or parameter name: `user-profiles` → [user, profiles], `orderId` stays one word. */
function words(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean)
}

/**
 * The function key `endpoint add` derives from a route: the HTTP method, then the path's words, parameters as
 * `By{Name}`: `POST /orders` → `postOrders`, `GET /orders/{id}` → `getOrdersById`, `ANY /{proxy+}` → `anyProxy`.
 * The method (not a guessed verb such as "create") keeps the name predictable and different for each method on a
 * path; `--function` picks any other name.
 */
export function functionKeyForRoute(route: RouteKey): string {
  if (route.isDefault) return 'defaultRoute'
  const parts: string[] = []
  for (const segment of route.segments) {
    if (segment.kind === 'literal') parts.push(...words(segment.value).map(capitalise))
    else if (segment.kind === 'param') parts.push('By', ...words(segment.name).map(capitalise))
    else parts.push(...words(segment.name).map(capitalise))
  }
  return `${route.method.toLowerCase()}${parts.length ? parts.join('') : 'Root'}`
}

/** A file name for a function key: `getOrdersById` → `get-orders-by-id`. */
export function moduleNameFor(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
}

/** A file name for a route (sample events, route tests): `GET /orders/{id}` → `get-orders-by-id`. */
export function routeFileName(route: RouteKey): string {
  if (route.isDefault) return 'default-route'
  return moduleNameFor(functionKeyForRoute(route))
}

/** A project name from a directory name: letters, digits, "-" and "_", at most 40 characters. */
export function projectNameFromDir(dir: string): string {
  return basename(dir)
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_PROJECT_NAME)
}

/** Throws PROJECT_NAME_INVALID unless `name` can prefix Lambda function names. */
export function assertProjectName(name: string, source: string): void {
  if (!name || name.length > MAX_PROJECT_NAME || !FUNCTION_KEY.test(name)) {
    throw new UserError(
      'PROJECT_NAME_INVALID',
      `${source} "${name}" is not a valid project name: it prefixes Lambda function names, so it must be 1-${MAX_PROJECT_NAME} characters of A-Z a-z 0-9 _ -`,
      {suggestion: 'Pass --name with a name such as "orders-api"'},
    )
  }
}

/** Throws FUNCTION_NAME_INVALID unless `{project}-{key}` is a valid Lambda function name. */
export function assertFunctionKey(project: string, key: string): void {
  if (!FUNCTION_KEY.test(key)) {
    throw new UserError('FUNCTION_NAME_INVALID', `Function name "${key}" may contain only letters, digits, "-" and "_"`, {
      suggestion: 'Pass --function with a name such as "getOrder"',
      details: {function: key},
    })
  }
  const full = `${project}-${key}`
  if (!LAMBDA_NAME.test(full)) {
    throw new UserError(
      'FUNCTION_NAME_INVALID',
      `Function name "${key}" is too long: the Lambda function would be "${full}" (${full.length} characters, at most 64)`,
      {suggestion: `Pass a shorter --function (at most ${64 - project.length - 1} characters)`, details: {function: key}},
    )
  }
}
