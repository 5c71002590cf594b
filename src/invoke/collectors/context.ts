import type {FunctionConfigurationInfo, InvokeApi} from '../../aws/invoke.js'
import type {XRayReader} from '../../aws/xray.js'
import type {ProjectConfig} from '../../config/schema.js'
import type {AnyEvidence, ApiType} from '../../diagnose/evidence.js'
import type {LocalSources} from '../../package/local-sources.js'
import type {DeployedApi} from '../api.js'
import type {ReceivedResponse, SentRequest} from '../http.js'

/** Time budgets per collector, milliseconds. A collector that runs out reports what it could not see. */
export interface Budgets {
  route: number
  function: number
  throttling: number
  permission: number
  /**
   * How long to keep asking X-Ray for the request's trace: X-Ray needs a few seconds before a trace can be
   * read. The trace collector's own budget is this plus `traceSearch`.
   */
  trace: number
  /** The time-window search and the reads after the wait. */
  traceSearch: number
  /** Added to the function's run time (capped at the integration timeout) for the replay. */
  replaySlack: number
  /**
   * How long, after the collectors, to wait for the local source map of the failing function (a local esbuild
   * run, started as soon as a collector saw frames in its bundle). Past it the frames stay the bundle's.
   */
  sourceMap: number
}

export const DEFAULT_BUDGETS: Budgets = {
  route: 4000,
  function: 4000,
  throttling: 4000,
  permission: 5000,
  trace: 10_000,
  traceSearch: 4000,
  replaySlack: 5000,
  sourceMap: 3000,
}

export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve()
      })
    }),
}

/** Everything the collectors know about the request that failed. */
export interface CollectContext {
  apiType: ApiType
  region: string
  stage: string
  /** The project's deployed API, when it was found and read. */
  api?: DeployedApi
  /** Why `api` is missing (not tagged, access denied, the URL is another API's), for the route check. */
  apiProblem?: string
  /** API id, from the deployed API or the URL. */
  apiId?: string
  request: SentRequest & {
    /** Path relative to the stage (raw, percent-encoded), what API Gateway routes on. */
    path: string
    query: string
  }
  response: ReceivedResponse
  /** Trace ids that identify this request: the one the response carries, then the one we sent. */
  traceIds: string[]
  /** The `X-Amzn-Trace-Id` header we sent, for the replay event. */
  traceHeader?: string
  project?: ProjectConfig
  /** Local source maps of the project's functions; a collector that sees frames in a bundle starts building its map. */
  sources?: LocalSources
  /** Whether the replay may run the function again, and why (for the note when it may not). */
  replay: {allowed: boolean; reason: string}
  aws: InvokeApi
  xray?: () => Promise<XRayReader>
  budgets: Budgets
  clock: Clock
}

/** What the route check resolved, for the collectors that need a function. */
export interface RouteTarget {
  routeKey?: string
  functionName?: string
  /** The integration's function ARN, when its URI is one. */
  functionArn?: string
  integrationId?: string
  payloadFormatVersion: '1.0' | '2.0'
  /** Configured `timeoutInMillis` of the integration (HTTP APIs), if read. */
  integrationTimeoutMs?: number
  pathParameters?: Record<string, string>
  /** REST resource path / HTTP route path, for v1 events. */
  resourcePath?: string
}

export type FunctionLookup = Promise<FunctionConfigurationInfo | undefined>

export type {AnyEvidence}
