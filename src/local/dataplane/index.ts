/**
 * The emulator's data plane as one `EmulatorExtension`: it owns the Lambda host (runtime, X-Ray daemon,
 * segment sink) and answers, before the control plane sees them,
 * - execute-api requests (`/_aws/execute-api/{apiId}/…`, Host `{apiId}.execute-api.localhost`),
 * - Lambda `Invoke` (`POST /2015-03-31/functions/{name}/invocations`),
 * - the fault-injection endpoint (`/_tracegate/faults`).
 * Every other request falls through to the control plane; when one of them may have changed state (a write
 * to Lambda, API Gateway or IAM) the read cache is dropped once it has been answered, and a function that was
 * updated or deleted loses its warm workers.
 */
import type {ServerResponse} from 'node:http'
import {join} from 'node:path'
import {parseFunctionName} from '../control/lambda-validation.js'
import {XRAY_PATHS} from '../control/xray.js'
import type {EmulatorEnv, EmulatorExtension} from '../server.js'
import type {EmulatorRequest} from '../wire.js'
import {DataPlaneCache} from './cache.js'
import {type ExecuteApiDeps, handleExecuteApi} from './execute-api.js'
import {FAULTS_PATH, handleFaults} from './faults.js'
import {createLambdaHost, type LambdaHost} from './host.js'
import {createSampler, type Isolation, type Sampling} from '../runtime/index.js'
import {handleInvoke, type InvokeApiDeps} from './invoke-api.js'
import {handleRestExecuteApi, type RestDataPlaneDeps} from './rest.js'
import {ThrottleBuckets} from './throttle.js'

export {type ExecuteApiTarget, executeApiTarget} from './execute-api.js'
export {applyFault, FAULTS_PATH, type FaultRecord, type FaultRequest, listFaults, MAX_FAULT_DELAY_MS} from './faults.js'
export {functionSpecOf, type LambdaHost, withTraceRoot} from './host.js'

export interface DataPlaneOptions {
  /** UDP port of the X-Ray daemon handlers send to (`AWS_XRAY_DAEMON_ADDRESS`); 0 (default) picks a free one. */
  xrayDaemonPort?: number
  /** Keep one booted environment in reserve so cold starts skip Node's start-up (default true). */
  standby?: boolean
  /** What runs handlers: worker threads (default) or child processes. */
  isolation?: Isolation
  /**
   * Which requests without a sampling decision traced functions and stages record. Default here `all` (tests that
   * count segments); the emulator (`local start`, lifecycle.ts) passes the user's choice, `aws` by default.
   */
  sampling?: Sampling
  /** An idle execution environment is stopped after this long (default 10 minutes). */
  idleTimeoutMs?: number
  /** Problems with no caller to report to; default: a process warning. */
  onWarning?: (message: string) => void
}

export interface DataPlane extends EmulatorExtension {
  /** Starts the runtime and the X-Ray daemon; called once the emulator listens (its URL is known). */
  start(env: EmulatorEnv): Promise<void>
  /** `127.0.0.1:{port}` of the UDP X-Ray daemon, once started. */
  readonly xrayDaemonAddress: string | undefined
}

/** Paths whose writes never change what the data plane caches (segments, invocations). */
const XRAY_WRITE_PATHS = ['/TraceSegments', '/TelemetryRecords']
const FUNCTION_CHANGE = /^\/2015-03-31\/functions\/([^/]+)(?:\/code|\/configuration)?$/

export function createDataPlane(options: DataPlaneOptions = {}): DataPlane {
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(`tracegate emulator: ${message}`))
  let host: LambdaHost | undefined
  let cache: DataPlaneCache | undefined
  let starting: Promise<void> | undefined
  const throttles = new ThrottleBuckets()
  /** Shared by functions and REST stages; none for `all` (the runtime then samples every undecided request). */
  const sampler = options.sampling && options.sampling !== 'all' ? createSampler(options.sampling) : undefined
  let port = 0
  /** Built once by `start`: the hot path allocates no dependency objects per request. */
  let deps: {invoke: InvokeApiDeps; http: ExecuteApiDeps; rest: RestDataPlaneDeps} | undefined

  /** After a control-plane write has been answered: drop cached reads; drain an updated or deleted function. */
  function watchWrite(request: EmulatorRequest, response: ServerResponse): void {
    if (XRAY_WRITE_PATHS.includes(request.path)) return
    const change = (request.method === 'PUT' || request.method === 'DELETE') && FUNCTION_CHANGE.exec(request.path)
    // Now (the control plane's handlers run to completion before any other request is read) and again once answered.
    cache?.invalidate()
    response.once('finish', () => {
      cache?.invalidate()
      if (change && response.statusCode < 300) {
        try {
          const ref = parseFunctionName(decodeURIComponent(change[1]), request.region)
          host?.forget(ref.region, ref.name)
        } catch {
          // Not a valid function name: the control plane refused it, and nothing ran.
        }
      }
    })
  }

  const plane: DataPlane = {
    name: 'execute-api',
    get xrayDaemonAddress() {
      return host?.daemonAddress
    },
    start(env) {
      starting ??= (async () => {
        port = Number(new URL(env.baseUrl).port)
        cache = new DataPlaneCache(env.store)
        host = await createLambdaHost({
          store: env.store,
          accountId: env.accountId,
          defaultRegion: env.defaultRegion,
          tmpDir: join(env.dataDir, 'runtime'),
          baseUrl: env.baseUrl,
          xrayDaemonPort: options.xrayDaemonPort,
          standby: options.standby,
          isolation: options.isolation,
          sampler,
          idleTimeoutMs: options.idleTimeoutMs,
          onWarning: warn,
        })
        const invoke: InvokeApiDeps = {host, cache, accountId: env.accountId}
        const http: ExecuteApiDeps = {...invoke, throttles, port: () => port, onWarning: warn}
        deps = {invoke, http, rest: {...http, store: env.store, sampler}}
      })()
      return starting
    },
    async handle(request, response, env) {
      // A request that arrived between `listen` and the end of `start` waits for it.
      if (!deps) await plane.start(env)
      const {invoke, http, rest} = deps!
      invoke.cache.refresh()
      // HTTP APIs first (the hot path); an API id they do not know may be a REST API.
      if (await handleExecuteApi(request, response, http, () => handleRestExecuteApi(request, response, rest))) return true
      if (request.path === FAULTS_PATH) return handleFaults(request, response, env.store, () => cache?.invalidate())
      if (await handleInvoke(request, response, invoke)) return true
      // Queued segments are written before X-Ray answers anything about traces.
      if (XRAY_PATHS.includes(request.path)) invoke.host.segments.flush()
      if (request.method !== 'GET' && request.method !== 'HEAD') watchWrite(request, response)
      return false
    },
    async close() {
      await starting?.catch(() => {})
      await host?.close()
    },
  }
  return plane
}
