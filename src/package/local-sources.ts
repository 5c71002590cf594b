/**
 * Source maps made on demand, for the frames of one command run: a function's handler is bundled again
 * locally with its map (the same esbuild build deploy makes, plus the map), and the map is used only when that
 * local build *is* the deployed code: the zip it gives has the CodeSha256 Lambda reports. Otherwise the lines of
 * the user's files would be guesses, so the frames stay the bundle's and a note says why.
 *
 * Nothing here throws: a failed bundle, an unreadable CodeSha256 or a missing function becomes a note, and the
 * caller keeps the deployed frames.
 */
import type {AwsClients} from '../aws/clients.js'
import type {LambdaApi} from '../aws/lambda.js'
import type {FunctionConfig, ProjectConfig} from '../config/schema.js'
import type {FunctionPackage} from './package.js'
import {createFrameMapper, type FrameMapper} from './source-frames.js'

export type FunctionSources =
  | {status: 'mapped'; functionName: string; mapper: FrameMapper}
  /** `differs`: the local source is not what is deployed; `unavailable`: it could not be checked or built. */
  | {status: 'differs' | 'unavailable'; functionName: string; bundlePath?: string; note: string}

export interface LocalSources {
  /**
   * The mapping for one of the project's functions (by deployed name), built at most once per run, so
   * calling it early (to start the work) and again later costs nothing. `undefined`: not a function of the
   * project.
   */
  forFunction(functionName: string): Promise<FunctionSources | undefined>
}

export interface LocalSourcesOptions {
  project: ProjectConfig
  /** The CodeSha256 Lambda reports for a function (GetFunction / GetFunctionConfiguration); `undefined` when it does not exist. */
  deployedCodeSha256(functionName: string): Promise<string | undefined>
  /** Builds the function's package with its source map (default: `packageFunction(project.dir, fn, {sourceMap: true})`). */
  build?: (fn: FunctionConfig) => Promise<FunctionPackage>
}

const DEPLOYED_LINES = 'lines refer to the deployed bundle'

function messageOf(error: unknown): string {
  return String((error as {message?: unknown})?.message ?? error)
}

async function defaultBuild(project: ProjectConfig, fn: FunctionConfig): Promise<FunctionPackage> {
  const {packageFunction} = await import('./package.js')
  return packageFunction(project.dir, fn, {sourceMap: true})
}

export function localSources(options: LocalSourcesOptions): LocalSources {
  const cache = new Map<string, Promise<FunctionSources | undefined>>()
  const build = options.build ?? ((fn: FunctionConfig) => defaultBuild(options.project, fn))

  async function resolve(fn: FunctionConfig): Promise<FunctionSources> {
    const functionName = fn.name
    // Both at once: the local bundle (~100 ms of esbuild) and the deployed code's hash (one read).
    const [built, deployed] = await Promise.allSettled([build(fn), options.deployedCodeSha256(functionName)])
    if (built.status === 'rejected') {
      return {status: 'unavailable', functionName, note: `${functionName}: the local source could not be bundled (${messageOf(built.reason)}); ${DEPLOYED_LINES}`}
    }
    const sources = built.value.sources
    if (!sources) return {status: 'unavailable', functionName, note: `${functionName}: no source map was made; ${DEPLOYED_LINES}`}
    const bundlePath = sources.bundlePath
    if (deployed.status === 'rejected') {
      return {
        status: 'unavailable',
        functionName,
        bundlePath,
        note: `${functionName}: the deployed code's CodeSha256 could not be read (${messageOf(deployed.reason)}); ${DEPLOYED_LINES}`,
      }
    }
    if (deployed.value === undefined) return {status: 'unavailable', functionName, bundlePath, note: `${functionName} is not deployed; ${DEPLOYED_LINES}`}
    if (deployed.value !== built.value.codeSha256) {
      return {status: 'differs', functionName, bundlePath, note: `${functionName}: local source differs from the deployed code; ${DEPLOYED_LINES} (${bundlePath})`}
    }
    try {
      return {status: 'mapped', functionName, mapper: createFrameMapper(sources)}
    } catch (error) {
      return {status: 'unavailable', functionName, bundlePath, note: `${functionName}: the source map could not be read (${messageOf(error)}); ${DEPLOYED_LINES}`}
    }
  }

  return {
    forFunction(functionName) {
      let pending = cache.get(functionName)
      if (!pending) {
        const fn = options.project.functions.find((f) => f.name === functionName)
        pending = fn ? resolve(fn).catch((error) => ({status: 'unavailable' as const, functionName, note: `${functionName}: ${messageOf(error)}; ${DEPLOYED_LINES}`})) : Promise.resolve(undefined)
        cache.set(functionName, pending)
      }
      return pending
    },
  }
}

/** The path of a handler's bundle in the zip, from the config's `handler` (`src/get-order.handler` → `src/get-order.js`). */
export function bundlePathOfHandler(handler: string): string {
  const modulePath = handler.slice(0, handler.lastIndexOf('.')).replace(/^\.\//, '')
  return `${modulePath.replace(/\.(m|c)?(t|j)s$/, '')}.js`
}

/**
 * CodeSha256 as Lambda reports it, read with GetFunction through the deploy's Lambda interface (src/aws/lambda.ts).
 * Invoke's narrow interface (src/aws/invoke.ts) reads GetFunctionConfiguration but does not expose the hash.
 */
export function deployedCodeSha256Reader(clients: AwsClients): (functionName: string) => Promise<string | undefined> {
  let api: Promise<LambdaApi> | undefined
  return async (functionName) => {
    api ??= import('../aws/lambda.js').then((m) => m.createLambdaApi(clients))
    return (await (await api).getFunction(functionName))?.codeSha256
  }
}
