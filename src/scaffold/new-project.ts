import {mkdirSync, readdirSync, rmdirSync, statSync} from 'node:fs'
import {relative, resolve} from 'node:path'
import {UserError} from '../errors.js'
import {parseRouteKey} from '../gateway/routes.js'
import type {Progress} from '../progress.js'
import {assertFunctionKey, assertProjectName, functionKeyForRoute, projectNameFromDir} from './names.js'
import {planProject} from './plan.js'
import {packagedTemplates, type TemplateSource} from './templates.js'
import {API_TYPE_OF, type ApiTemplate, type ApiType, type Lang} from './types.js'
import {writeNewFiles} from './writer.js'

/** The first endpoint of every new project. */
export const FIRST_ROUTE = 'GET /hello'
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/
/** Entries that do not make a directory "non-empty" for `new` (a fresh `git init` is a fine place to start). */
const IGNORED_ENTRIES = new Set(['.git'])

export interface NewProjectOptions {
  /** Target directory (absolute, or relative to the working directory). */
  dir: string
  name?: string
  template: ApiTemplate
  lang: Lang
  region?: string
  /** Scaffold into a non-empty directory (existing files are still never overwritten). */
  force?: boolean
  progress: Progress
  templates?: TemplateSource
}

export interface NewProjectResult {
  /** Absolute project directory. */
  dir: string
  name: string
  template: ApiTemplate
  apiType: ApiType
  lang: Lang
  region?: string
  function: string
  route: string
  handler: string
  /** Created files, relative to `dir`, in creation order. */
  files: string[]
}

/** Creates a project that works at once: config, the GET /hello endpoint, its test and event, package.json. */
export async function createProject(options: NewProjectOptions): Promise<NewProjectResult> {
  const dir = resolve(options.dir)
  const name = options.name ?? projectNameFromDir(dir)
  assertProjectName(name, options.name === undefined ? `The directory name gives` : '--name')
  if (options.region !== undefined && !REGION.test(options.region)) {
    throw new UserError('REGION_INVALID', `"${options.region}" is not an AWS region`, {suggestion: 'Pass a region such as --region us-east-2'})
  }
  const route = parseRouteKey(FIRST_ROUTE)
  const functionKey = functionKeyForRoute(route)
  assertFunctionKey(name, functionKey)

  const createdDir = prepareDirectory(dir, options.force === true)
  const files = planProject(options.templates ?? packagedTemplates, {name, template: options.template, lang: options.lang, region: options.region, route, functionKey})
  let written: string[]
  try {
    written = await writeNewFiles(dir, files, options.progress)
  } catch (error) {
    if (createdDir) {
      try {
        rmdirSync(dir)
      } catch {}
    }
    throw error
  }
  return {
    dir,
    name,
    template: options.template,
    apiType: API_TYPE_OF[options.template],
    lang: options.lang,
    ...(options.region ? {region: options.region} : {}),
    function: functionKey,
    route: route.key,
    handler: files.find((f) => f.kind === 'handler')!.path,
    files: written,
  }
}

/** Creates the directory, or checks that it may be used. Returns true when this call created it. */
function prepareDirectory(dir: string, force: boolean): boolean {
  const shown = relative(process.cwd(), dir) || '.'
  let stat: ReturnType<typeof statSync> | undefined
  try {
    stat = statSync(dir)
  } catch {}
  if (!stat) {
    mkdirSync(dir, {recursive: true})
    return true
  }
  if (!stat.isDirectory()) {
    throw new UserError('DIR_NOT_A_DIRECTORY', `${shown} exists and is not a directory`, {suggestion: 'Pick another directory name'})
  }
  const entries = readdirSync(dir).filter((e) => !IGNORED_ENTRIES.has(e))
  if (entries.length > 0 && !force) {
    throw new UserError('DIR_NOT_EMPTY', `${shown} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`, {
      suggestion: `Pick a new directory, or pass --force to add the project next to what is there (existing files are never overwritten)`,
      details: {dir, entries: entries.length},
    })
  }
  return false
}
