/**
 * The emulator's Lambda service behind both entry points (the Invoke API and the execute-api data plane):
 * one runtime per emulator (workers unzip into `{dataDir}/runtime`), the UDP X-Ray daemon whose address
 * handlers get as `AWS_XRAY_DAEMON_ADDRESS`, and the segment sink both feed.
 *
 * Warm workers never outlive the function version they were started for: the runtime already starts cold when
 * code or configuration differ (its config key), and the host also drains a function's workers when it is
 * updated, deleted or re-created (same name, new `createdAt`), so a re-created function never inherits an
 * environment of its predecessor.
 */
import {UserError} from '../../errors.js'
import {functionArn} from '../control/lambda-validation.js'
import {
  createRuntime,
  type FunctionSpec,
  type Isolation,
  type InvokeOptions,
  type InvokeResult,
  parseTraceHeader,
  type Runtime,
  type Sampler,
  startXrayDaemon,
  type XrayDaemon,
} from '../runtime/index.js'
import type {FunctionRecord, Store} from '../store.js'
import {pooledTraceId} from '../random.js'
import {createSegmentSink, type SegmentSink} from './segments.js'

export interface LambdaHostOptions {
  store: Store
  accountId: string
  defaultRegion: string
  /** Scratch space for unzipped code and the worker script (inside the data directory). */
  tmpDir: string
  /** `http://127.0.0.1:{port}`: handlers get it as `AWS_ENDPOINT_URL`, so their SDK calls reach the emulator. */
  baseUrl: string
  /** UDP port of the X-Ray daemon; 0 (default) picks a free one. */
  xrayDaemonPort?: number
  /** Keep a booted environment in reserve for cold starts (default true). */
  standby?: boolean
  /** What runs handlers: worker threads (default) or child processes. */
  isolation?: Isolation
  /** Which undecided requests an Active function traces (runtime/sampling.ts); default: every one. */
  sampler?: Sampler
  idleTimeoutMs?: number
  /** Problems that have no caller to report to (background invocations, dropped segments). */
  onWarning?: (message: string) => void
}

export interface LambdaHost {
  readonly daemonAddress: string
  readonly segments: SegmentSink
  /**
   * Runs one invocation of `$LATEST`. The trace header is completed with a Root when it has none. `payload` as
   * text is JSON the caller serialised itself (an event): it is not parsed again (see Runtime.invoke).
   */
  invoke(fn: FunctionRecord, payload: Buffer | string, options?: InvokeOptions): Promise<InvokeResult>
  /** An `Event` invocation: queued, run in the background, retried as Lambda retries async events. */
  invokeAsync(fn: FunctionRecord, payload: Buffer, options?: InvokeOptions): void
  /** Drains the function's warm workers (after an update or delete). */
  forget(region: string, name: string): void
  close(): Promise<void>
}

/** Lambda retries a failed async event twice, about 1 and 2 minutes later ("Error handling and automatic retries"). */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000]
/** Throttled async events go back to the queue; Lambda keeps them up to 6 hours, the emulator for this many tries. */
const ASYNC_THROTTLE_RETRIES = 10
const ASYNC_THROTTLE_DELAY_MS = 1000

/** A function's ARN, qualified for a version or alias (the control plane's, shared). */
export const functionArnOf = functionArn

export function functionSpecOf(fn: FunctionRecord, accountId: string, store: Store): FunctionSpec {
  return {
    functionName: fn.name,
    // A version's environments are its own: they run its code and configuration, never $LATEST's.
    functionArn: functionArnOf(fn.region, accountId, fn.name, fn.version),
    ...(fn.version ? {version: fn.version} : {}),
    runtime: fn.config.runtime,
    handler: fn.config.handler,
    memoryMb: fn.config.memorySize,
    timeoutSec: fn.config.timeout,
    environment: fn.config.environment ?? {},
    codeSha256: fn.codeSha256,
    codeZip: () => {
      const zip = store.getCode(fn.codeSha256)
      if (!zip) throw new Error(`The code of ${fn.name} (${fn.codeSha256}) is missing from the store`)
      return zip
    },
    tracingMode: fn.config.tracingMode,
    region: fn.region,
    reservedConcurrency: fn.reservedConcurrency,
    fault: fn.fault,
  }
}

/** The trace header with a Root: the one the caller sent when it has a valid Root, else a new trace. */
export function withTraceRoot(header: string | undefined): {header: string; traceId: string} {
  const parsed = parseTraceHeader(header)
  if (header && parsed.root && /^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(parsed.root)) return {header, traceId: parsed.root}
  const traceId = pooledTraceId()
  return {header: `Root=${traceId}`, traceId}
}

/** The UDP daemon on `port`, or a UserError saying why it cannot listen there. */
async function startDaemon(port: number, onSegments: (documents: Record<string, unknown>[]) => void): Promise<XrayDaemon> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError('LOCAL_XRAY_PORT_INVALID', `X-Ray daemon port "${port}" is not a port number`, {
      exit: 'emulator',
      suggestion: 'Set TRACEGATE_LOCAL_XRAY_PORT to a port from 1 to 65535, or unset it to pick a free one',
    })
  }
  try {
    return await startXrayDaemon({port, onSegments})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error
    throw new UserError('LOCAL_XRAY_PORT_IN_USE', `The X-Ray daemon cannot listen on UDP port ${port} (${code}): an X-Ray daemon may already run there`, {
      exit: 'emulator',
      suggestion: 'Stop the other daemon, or set TRACEGATE_LOCAL_XRAY_PORT to another port (unset: a free one)',
      cause: error,
    })
  }
}

export async function createLambdaHost(options: LambdaHostOptions): Promise<LambdaHost> {
  const warn = options.onWarning ?? (() => {})
  let rejectedWarned = false
  const segments = createSegmentSink(options.store, options.defaultRegion, (reason) => {
    if (rejectedWarned) return
    rejectedWarned = true
    warn(`a segment document was dropped (${reason}); further ones are dropped silently`)
  })
  const daemon = await startDaemon(options.xrayDaemonPort ?? 0, (documents) => segments.add(documents))
  const runtime: Runtime = createRuntime({
    tmpDir: options.tmpDir,
    daemonAddress: daemon.address,
    awsEndpointUrl: options.baseUrl,
    onLambdaTrace: (trace) => segments.addLambdaTrace(trace),
    // Only a traced invocation's handler sends documents to the daemon.
    onSampled: (traceId, fn) => segments.traceRegion(traceId, fn.region),
    standby: options.standby,
    isolation: options.isolation,
    sampler: options.sampler,
    idleTimeoutMs: options.idleTimeoutMs,
  })
  /** The function version each function's workers were started for, by ARN (names repeat across regions). */
  const versions = new Map<string, string>()
  const timers = new Set<NodeJS.Timeout>()
  let closed = false

  function versionOf(fn: FunctionRecord): string {
    return `${fn.createdAt}\u0000${fn.generation}`
  }

  /** Specs by record: the cache hands out the same record until the store changes, so this is built once. */
  const specs = new WeakMap<FunctionRecord, FunctionSpec>()

  function invoke(fn: FunctionRecord, payload: Buffer | string, invokeOptions: InvokeOptions = {}): Promise<InvokeResult> {
    let spec = specs.get(fn)
    if (!spec) {
      spec = functionSpecOf(fn, options.accountId, options.store)
      specs.set(fn, spec)
    }
    const version = versionOf(fn)
    const known = versions.get(spec.functionArn)
    if (known !== version) {
      if (known !== undefined) runtime.invalidate(spec.functionArn)
      versions.set(spec.functionArn, version)
    }
    return runtime.invoke(spec, payload, invokeOptions)
  }

  function later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!closed) run()
    }, ms)
    timer.unref()
    timers.add(timer)
  }

  function invokeAsync(fn: FunctionRecord, payload: Buffer, invokeOptions: InvokeOptions = {}): void {
    const attempt = (retry: number, throttles: number) => {
      if (closed) return
      // Each attempt reads the function again: an update between retries runs the new code, as on AWS.
      // A published version never changes: its view is run again as it is.
      const current = fn.version !== undefined ? fn : options.store.db.open ? options.store.getFunction(fn.region, fn.name) : undefined
      if (!current) return
      invoke(current, payload, invokeOptions).then(
        (result) => {
          if (result.kind === 'throttled') {
            if (throttles < ASYNC_THROTTLE_RETRIES) later(ASYNC_THROTTLE_DELAY_MS * (throttles + 1), () => attempt(retry, throttles + 1))
            else warn(`async event for ${fn.name} dropped after ${throttles} throttled attempts`)
          } else if (result.kind === 'function-error' && retry < ASYNC_RETRY_DELAYS_MS.length) {
            later(ASYNC_RETRY_DELAYS_MS[retry], () => attempt(retry + 1, throttles))
          }
        },
        (error: Error) => warn(`async invocation of ${fn.name} failed: ${error.message}`),
      )
    }
    setImmediate(() => attempt(0, 0))
  }

  return {
    daemonAddress: daemon.address,
    segments,
    invoke,
    invokeAsync,
    forget(region, name) {
      const arn = functionArnOf(region, options.accountId, name)
      // The function's own environments and those of each of its versions that ran (`…:name:3`).
      for (const known of [...versions.keys()]) {
        if (known !== arn && !known.startsWith(`${arn}:`)) continue
        versions.delete(known)
        runtime.invalidate(known)
      }
      runtime.invalidate(arn)
    },
    async close() {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await runtime.close()
      await daemon.close()
      segments.flush()
    },
  }
}
