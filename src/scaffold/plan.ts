import {posix} from 'node:path'
import {DEFAULT_HTTP_STAGE, DEFAULT_MEMORY, DEFAULT_REST_STAGE, DEFAULT_RUNTIME, DEFAULT_TIMEOUT} from '../config/schema.js'
import type {RouteKey} from '../gateway/routes.js'
import {sampleEvent} from './events.js'
import {moduleNameFor, routeFileName} from './names.js'
import {fillTemplate, type TemplateSource} from './templates.js'
import {
  API_TYPE_OF,
  type ApiTemplate,
  type ApiType,
  HANDLER_EXT,
  type HandlerVariant,
  type Lang,
  type PlannedFile,
  TEMPLATE_OF,
} from './types.js'

/**
 * Where editors find the schema. The package ships schema.json at its root, so once tracegate is installed in the
 * project (npm i -D tracegate, which also pins the CLI version per project) editors resolve it offline and it
 * always matches the installed CLI, the convention Biome uses. A hosted URL would need a published site and can
 * disagree with the installed version; a copy in the project goes stale on upgrade.
 */
export const SCHEMA_REF = './node_modules/tracegate/schema.json'

/** Versions the generated TypeScript project needs (checked together with this tracegate release). */
export const TS_DEV_DEPENDENCIES = {
  '@types/aws-lambda': '^8.10.164',
  '@types/node': '^20.19.43',
  tsx: '^4.23.14',
  typescript: '^6.0.3',
}

export interface EndpointFilesOptions {
  apiType: ApiType
  stage: string
  route: RouteKey
  functionKey: string
  lang: Lang
  variant: HandlerVariant
}

/** The handler, its test and the route's sample event for a new function. */
export function planFunctionFiles(templates: TemplateSource, options: EndpointFilesOptions): {files: PlannedFile[]; handler: string} {
  const {apiType, route, functionKey, lang, variant} = options
  const module = moduleNameFor(functionKey)
  const event = routeFileName(route)
  const ext = HANDLER_EXT[lang]
  const tokens = {route: route.key, function: functionKey, module, event}
  const handlerPath = `src/${module}${ext}`
  return {
    handler: `src/${module}.handler`,
    files: [
      {path: handlerPath, kind: 'handler', content: fillTemplate(templates(`handlers/${TEMPLATE_OF[apiType]}/${variant}${ext}`), tokens)},
      {path: `test/${module}.test${ext}`, kind: 'test', content: fillTemplate(templates(`tests/${variant}.test${ext}`), tokens)},
      planEventFile(templates, options),
    ],
  }
}

export interface RouteFilesOptions {
  apiType: ApiType
  stage: string
  route: RouteKey
  functionKey: string
  /** The existing handler's source file, relative to the project (e.g. `src/get-order.ts`); no test without it. */
  handlerFile: string | undefined
  /** The export the config names (`handler` in `src/get-order.handler`). */
  exportName: string
}

/** The sample event and a shape test for a route added to an existing function. */
export function planRouteFiles(templates: TemplateSource, options: RouteFilesOptions): PlannedFile[] {
  const {route, functionKey, handlerFile, exportName} = options
  if (handlerFile === undefined) return [planEventFile(templates, options)]
  const event = routeFileName(route)
  const lang: Lang = /\.[mc]?ts$/.test(handlerFile) ? 'ts' : 'js'
  const ext = HANDLER_EXT[lang]
  // Import the handler as it is on disk; TypeScript imports name the compiled extension (.ts → .js, .mts → .mjs).
  let specifier = posix.relative('test', handlerFile.split('\\').join('/'))
  if (!specifier.startsWith('.')) specifier = `./${specifier}`
  if (lang === 'ts') specifier = specifier.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs')
  const binding = exportName === 'default' ? 'handler' : exportName === 'handler' ? '{handler}' : `{${exportName} as handler}`
  const test = fillTemplate(templates(`tests/route.test${ext}`), {route: route.key, function: functionKey, module: 'MODULE', event}).replace(
    /import \{handler\} from '[^']*'/,
    `import ${binding} from '${specifier}'`,
  )
  return [{path: `test/${event}.test${ext}`, kind: 'test', content: test}, planEventFile(templates, options)]
}

function planEventFile(templates: TemplateSource, options: {apiType: ApiType; stage: string; route: RouteKey}): PlannedFile {
  const base = JSON.parse(templates(`events/${TEMPLATE_OF[options.apiType]}.json`))
  const event = sampleEvent(options.apiType, base, options.route, options.stage)
  return {path: `events/${routeFileName(options.route)}.json`, kind: 'event', content: `${JSON.stringify(event, null, 2)}\n`}
}

export interface ProjectPlanOptions {
  name: string
  template: ApiTemplate
  lang: Lang
  region?: string
  route: RouteKey
  functionKey: string
}

/** Every file of a new project: tracegate.json, package.json, .gitignore, the first endpoint (and tsconfig for TS). */
export function planProject(templates: TemplateSource, options: ProjectPlanOptions): PlannedFile[] {
  const apiType = API_TYPE_OF[options.template]
  const stage = apiType === 'http' ? DEFAULT_HTTP_STAGE : DEFAULT_REST_STAGE
  const endpoint = planFunctionFiles(templates, {apiType, stage, route: options.route, functionKey: options.functionKey, lang: options.lang, variant: 'basic'})
  const config = {
    $schema: SCHEMA_REF,
    name: options.name,
    ...(options.region ? {region: options.region} : {}),
    api: {type: apiType, stage},
    defaults: {runtime: DEFAULT_RUNTIME, memory: DEFAULT_MEMORY, timeout: DEFAULT_TIMEOUT, tracing: 'Active'},
    functions: {[options.functionKey]: {handler: endpoint.handler, routes: [options.route.key]}},
  }
  const files: PlannedFile[] = [
    {path: 'tracegate.json', kind: 'config', content: `${JSON.stringify(config, null, 2)}\n`},
    {path: 'package.json', kind: 'package', content: `${JSON.stringify(packageJson(options.name, options.lang), null, 2)}\n`},
    {path: '.gitignore', kind: 'gitignore', content: templates('project/gitignore')},
  ]
  if (options.lang === 'ts') files.push({path: 'tsconfig.json', kind: 'tsconfig', content: templates('project/tsconfig.json')})
  return [...files, ...endpoint.files]
}

function packageJson(name: string, lang: Lang): Record<string, unknown> {
  const base = {
    // npm package names are lowercase.
    name: name.toLowerCase(),
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: {node: '>=20'},
  }
  if (lang === 'js') return {...base, scripts: {test: 'node --test'}}
  return {
    ...base,
    scripts: {
      // Node 20's test runner finds only .js/.mjs/.cjs files by itself, so the TypeScript tests are named.
      test: 'node --import tsx --test test/*.test.ts',
      typecheck: 'tsc',
    },
    devDependencies: TS_DEV_DEPENDENCIES,
  }
}
