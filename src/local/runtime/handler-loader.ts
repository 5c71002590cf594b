/**
 * Loads the user's handler the way the Node.js runtime client does (`src/UserFunction.js`): the same
 * module-type decision (extensionless / `.js` via require unless the nearest package.json says
 * `"type": "module"`, then `.mjs`, then `.cjs`, then Node resolution), the same error types and messages.
 * Runs inside the worker process.
 */

import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, dirname, join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {runtimeError} from './errors.js'

export type Handler = (event: unknown, context: object, callback: (error?: unknown, result?: unknown) => void) => unknown

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/

/** `'./src/get-order.handler'` → `['./src/', 'get-order.handler']`. */
function moduleRootAndHandler(fullHandlerString: string): [string, string] {
  const handlerString = basename(fullHandlerString)
  return [fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString)), handlerString]
}

function splitHandlerString(handler: string): [string, string] {
  const match = handler.match(FUNCTION_EXPR)
  if (match?.length !== 3) throw runtimeError('MalformedHandlerName', 'Bad handler')
  return [match[1], match[2]]
}

function resolveHandler(object: unknown, nestedProperty: string): unknown {
  return nestedProperty.split('.').reduce<unknown>((nested, key) => (nested ? (nested as Record<string, unknown>)[key] : nested), object)
}

function hasFolderPackageJsonTypeModule(folder: string): boolean {
  if (folder.endsWith('/node_modules')) return false
  const pj = join(folder, 'package.json')
  if (existsSync(pj)) {
    try {
      const pkg = JSON.parse(readFileSync(pj, 'utf8')) as {type?: unknown} | null
      if (pkg) return pkg.type === 'module'
    } catch (error) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, error)
      return false
    }
  }
  if (folder === '/') return false
  return hasFolderPackageJsonTypeModule(resolve(folder, '..'))
}

function hasPackageJsonTypeModule(file: string): boolean {
  const jsPath = file + '.js'
  return existsSync(jsPath) ? hasFolderPackageJsonTypeModule(resolve(dirname(jsPath))) : false
}

async function tryRequire(appRoot: string, moduleRoot: string, module: string): Promise<unknown> {
  // Created from the runtime's own file, so "Require stack" names the runtime as it does on Lambda.
  const require = createRequire(import.meta.url)
  const tryRequireFile = (file: string, extension = '') => (existsSync(file + extension) ? require(file + extension) : undefined)
  const tryImport = async (file: string, extension: string) =>
    existsSync(file + extension) ? await import(pathToFileURL(file + extension).href) : undefined

  const lambdaStylePath = resolve(appRoot, moduleRoot, module)
  const extensionless = tryRequireFile(lambdaStylePath)
  if (extensionless) return extensionless

  const pjHasModule = hasPackageJsonTypeModule(lambdaStylePath)
  if (!pjHasModule) {
    const loaded = tryRequireFile(lambdaStylePath, '.js')
    if (loaded) return loaded
  }

  const loaded =
    (pjHasModule && (await tryImport(lambdaStylePath, '.js'))) ||
    (await tryImport(lambdaStylePath, '.mjs')) ||
    tryRequireFile(lambdaStylePath, '.cjs')
  if (loaded) return loaded

  // Node-style resolution relative to the task root, as the runtime client falls back to.
  return require(require.resolve(module, {paths: [appRoot, moduleRoot]}))
}

async function loadUserApp(appRoot: string, moduleRoot: string, module: string): Promise<unknown> {
  try {
    return await tryRequire(appRoot, moduleRoot, module)
  } catch (error) {
    if (error instanceof SyntaxError) throw runtimeError('UserCodeSyntaxError', error)
    if ((error as {code?: unknown}).code === 'MODULE_NOT_FOUND') throw runtimeError('ImportModuleError', error)
    throw error
  }
}

/** Loads `fullHandlerString` (e.g. `src/get-order.handler`) relative to `appRoot` (LAMBDA_TASK_ROOT). */
export async function loadHandler(appRoot: string, fullHandlerString: string): Promise<Handler> {
  if (fullHandlerString.includes('..')) {
    throw runtimeError(
      'MalformedHandlerName',
      `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    )
  }
  const [moduleRoot, moduleAndHandler] = moduleRootAndHandler(fullHandlerString)
  const [module, handlerPath] = splitHandlerString(moduleAndHandler)
  const userApp = await loadUserApp(appRoot, moduleRoot, module)
  const handler = resolveHandler(userApp, handlerPath)
  if (!handler) throw runtimeError('HandlerNotFound', `${fullHandlerString} is undefined or not exported`)
  if (typeof handler !== 'function') throw runtimeError('HandlerNotFound', `${fullHandlerString} is not a function`)
  return handler as Handler
}

/** The runtime client treats `AsyncFunction`s specially when the event loop empties before they settle. */
export function isAsyncFunction(fn: unknown): boolean {
  try {
    return typeof fn === 'function' && fn.constructor?.name === 'AsyncFunction'
  } catch {
    return false
  }
}
