import {readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {findHandlerFile} from '../config/handlers.js'
import {CONFIG_FILE, findConfigFile, loadProject} from '../config/loader.js'
import type {ProjectConfig} from '../config/schema.js'
import {UserError} from '../errors.js'
import {parseRouteKey, routeShape} from '../gateway/routes.js'
import {type Progress, step} from '../progress.js'
import {addFunction, addRouteToFunction} from './config-edit.js'
import {assertFunctionKey, functionKeyForRoute} from './names.js'
import {planFunctionFiles, planRouteFiles} from './plan.js'
import {packagedTemplates, type TemplateSource} from './templates.js'
import type {HandlerVariant, Lang, PlannedFile} from './types.js'
import {existingFiles, fileExistsError, rollback, writeNewFiles} from './writer.js'

export interface AddEndpointOptions {
  /** Route key, e.g. `POST /orders`. */
  route: string
  /** Function key; derived from the route when absent. An existing key adds the route to that function. */
  functionKey?: string
  /** Language of a new handler; by default the language the project's handlers are written in. */
  lang?: Lang
  variant?: HandlerVariant
  /** Where to look for tracegate.json (it or a parent directory). */
  cwd: string
  progress: Progress
  templates?: TemplateSource
}

export interface AddEndpointResult {
  route: string
  function: string
  /** The deployed Lambda name, `{project}-{function}`. */
  functionName: string
  /** False when the route was added to a function that already existed. */
  newFunction: boolean
  /** The handler as tracegate.json names it, e.g. `src/post-orders.handler`. */
  handler: string
  lang: Lang
  /** Absolute project directory. */
  dir: string
  /** Created files, relative to the project directory. */
  files: string[]
  /** The edited config file, relative to the project directory. */
  config: string
}

/** Adds a route (and, for a new function, its handler) to the project: files first, tracegate.json last. */
export async function addEndpoint(options: AddEndpointOptions): Promise<AddEndpointResult> {
  const templates = options.templates ?? packagedTemplates
  const route = parseRouteKey(options.route)
  const file = findConfigFile(options.cwd)
  // The config must be valid before we add to it; handlers are not checked, a missing one is not our concern here.
  const project = loadProject(file ?? options.cwd, {checkHandlers: false})
  if (project.api.type === 'rest' && route.isDefault) {
    throw new UserError('ROUTE_INVALID', 'REST APIs have no "$default" route', {suggestion: 'Use "ANY /{proxy+}" to catch every path'})
  }
  assertRouteIsFree(project, route)

  const derived = options.functionKey === undefined
  const functionKey = options.functionKey ?? functionKeyForRoute(route)
  assertFunctionKey(project.name, functionKey)
  const existing = project.functions.find((f) => f.key === functionKey)
  if (existing && derived) {
    throw new UserError('FUNCTION_EXISTS', `Function "${functionKey}" (the name derived from "${route.key}") already exists`, {
      suggestion: `Add the route to it with --function ${functionKey}, or name a new function with --function`,
      details: {function: functionKey},
    })
  }
  const lookalike = project.functions.find((f) => f.key !== functionKey && f.key.toLowerCase() === functionKey.toLowerCase())
  if (lookalike) {
    // Names that differ only in case collide in file names on macOS and Windows, and are easy to mix up.
    throw new UserError('FUNCTION_NAME_CLASH', `Function "${functionKey}" differs from the existing "${lookalike.key}" only in letter case`, {
      suggestion: `Use --function ${lookalike.key} to add the route to it, or choose a distinct name`,
    })
  }

  const text = readFileSync(project.file, 'utf8')
  let files: PlannedFile[]
  let handler: string
  let lang: Lang
  let edited: string
  if (existing) {
    handler = existing.handler
    const dot = handler.lastIndexOf('.')
    const handlerFile = findHandlerFile(project.dir, handler.slice(0, dot))
    lang = handlerFile && /\.[mc]?ts$/.test(handlerFile) ? 'ts' : 'js'
    // Without the handler's source there is nothing to test; the sample event is still written.
    files = planRouteFiles(templates, {
      apiType: project.api.type,
      stage: project.api.stage,
      route,
      functionKey,
      handlerFile: handlerFile && relative(project.dir, handlerFile),
      exportName: handler.slice(dot + 1),
    })
    edited = addRouteToFunction(text, functionKey, route.key)
  } else {
    lang = options.lang ?? projectLang(project)
    const planned = planFunctionFiles(templates, {
      apiType: project.api.type,
      stage: project.api.stage,
      route,
      functionKey,
      lang,
      variant: options.variant ?? 'basic',
    })
    files = planned.files
    handler = planned.handler
    edited = addFunction(text, functionKey, {handler, routes: [route.key]})
  }

  const conflicts = existingFiles(project.dir, files)
  if (conflicts.length > 0) throw fileExistsError(conflicts, project.dir)
  const written = await writeNewFiles(project.dir, files, options.progress)
  const configName = relative(project.dir, project.file) || CONFIG_FILE
  try {
    await step(
      options.progress,
      'config',
      `Update ${configName}`,
      async () => {
        // Someone (an editor, another run) changed the file since we read it: do not clobber their change.
        if (readFileSync(project.file, 'utf8') !== text) {
          throw new UserError('CONFIG_CHANGED', `${configName} changed while the endpoint was being added`, {suggestion: 'Run the command again'})
        }
        writeFileSync(project.file, edited)
      },
      () => `${route.key} → ${functionKey}`,
    )
  } catch (error) {
    rollback(
      written.map((f) => join(project.dir, f)),
      [],
    )
    throw error
  }
  return {
    route: route.key,
    function: functionKey,
    functionName: `${project.name}-${functionKey}`,
    newFunction: !existing,
    handler,
    lang,
    dir: project.dir,
    files: written,
    config: configName,
  }
}

/** Refuses a route that any function already serves (same method and path shape, whatever the parameter names). */
function assertRouteIsFree(project: ProjectConfig, route: ReturnType<typeof parseRouteKey>): void {
  const shape = routeShape(route)
  for (const fn of project.functions) {
    const taken = fn.routes.find((r) => routeShape(parseRouteKey(r)) === shape)
    if (taken) {
      throw new UserError('ROUTE_EXISTS', `Route "${route.key}" is already served by function "${fn.key}" ("${taken}")`, {
        suggestion: 'Each route goes to one function: pick another method or path, or remove it from that function first',
        details: {route: route.key, function: fn.key},
      })
    }
  }
}

/** The language the project's handlers are written in: TypeScript if any handler is, else JavaScript. */
function projectLang(project: ProjectConfig): Lang {
  for (const fn of project.functions) {
    const file = findHandlerFile(project.dir, fn.handler.slice(0, fn.handler.lastIndexOf('.')))
    if (file && /\.[mc]?ts$/.test(file)) return 'ts'
  }
  return 'js'
}
