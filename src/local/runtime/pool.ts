/**
 * The Lambda runtime of the emulator: execution environments (worker threads or child processes, `sandbox.ts`) per function, warm
 * between invocations, cold after a code or configuration change, throttled beyond reserved concurrency.
 * It knows nothing of HTTP or the store: the control and data planes hand it a `FunctionSpec` and map the
 * `InvokeResult` to their wire format.
 */

import {randomUUID} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {UserError} from '../../errors.js'
import {type CodeCache, createCodeCache} from './code-cache.js'
import {newLogStreamName, lambdaEnvironment} from './environment.js'
import {
  checkInvokePayload,
  exitErrorBody,
  exitReason,
  type FunctionErrorBody,
  MAX_RESPONSE_PAYLOAD_BYTES,
  responseTooLargeBody,
  secondsText,
  timeoutBody,
  type XrayCause,
} from './errors.js'
import {endLine, initReportLine, logTail, reportLine, startLine} from './logs.js'
import type {InvokeMessage, WorkerMessage} from './protocol.js'
import {bootSandbox, type Sandbox} from './sandbox.js'
import {decideTrace, handlerTraceHeader, type LambdaTraceInput, lambdaSegments, NO_SEGMENT_IDS, newSegmentIds, nowMs, type SegmentIds, type TraceDecision, withExceptionIds} from './tracing.js'
import type {FunctionSpec, InvokeOptions, InvokeResult, Runtime, RuntimeOptions, ThrottleReason} from './types.js'

export type {FunctionSpec, InvokeOptions, InvokeResult, Runtime, RuntimeOptions} from './types.js'

/** Lambda gives the init phase 10 s; past that it re-runs init inside the invoke phase under the function timeout. */
const INIT_PHASE_LIMIT_MS = 10_000
const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000
const DEFAULT_DAEMON_ADDRESS = '127.0.0.1:2000'
/** Lambda's default memory size: the heap cap of the first standby thread. */
const DEFAULT_HEAP_MB = 128

type Outcome =
  | {type: 'result'; payload: string}
  | {type: 'error'; error: FunctionErrorBody; cause: XrayCause}
  | {type: 'exit'; code: number | null; signal: NodeJS.Signals | null}
  | {type: 'timeout'; elapsedMs: number}

type InitOutcome = {type: 'ready'} | Exclude<Outcome, {type: 'result'}>

interface Environment {
  sandbox: Sandbox
  taskRoot: string
  configKey: string
  state: 'init' | 'idle' | 'busy' | 'dead'
  retired: boolean
  /** Log text received since it was last taken. */
  logs: string[]
  rssBytes: number
  initStart: number
  initEnd?: number
  ready: Promise<InitOutcome>
  settleInit?: (outcome: InitOutcome) => void
  pending?: {requestId: string; settle: (outcome: Outcome) => void}
  /** `nowMs()` when it last became idle. */
  idleSince: number
  closed: Promise<void>
}

interface FunctionState {
  configKey: string
  environments: Set<Environment>
  /** Idle environments, most recently used last (reused first). */
  idle: Environment[]
  /** Invocations running, shared by the function's versions: reserved concurrency is the function's, as on Lambda. */
  concurrency: {inFlight: number}
}

/**
 * Everything whose change gives the function new execution environments (not concurrency, not faults). The
 * material itself is the key: it is compared on every invocation, and hashing it cost more than comparing it.
 */
export function configKeyOf(fn: FunctionSpec): string {
  const environment = Object.keys(fn.environment)
    .sort()
    .map((key) => [key, fn.environment[key]])
  return JSON.stringify([fn.functionArn, fn.codeSha256, fn.runtime, fn.handler, fn.memoryMb, fn.timeoutSec, fn.tracingMode, fn.region, environment])
}

const workerScripts = new Map<string, Promise<string>>()

/**
 * The worker entry: `worker.js` next to this module once built. Running from TypeScript sources (vitest,
 * tsx) there is only `worker.ts`; it is bundled once with esbuild so workers still run on plain Node —
 * loading them through tsx would also transform the user's handler code and change what a syntax error
 * or an ES module looks like.
 */
function workerScript(tmpDir: string): Promise<string> {
  let script = workerScripts.get(tmpDir)
  if (script) return script
  script = (async () => {
    const built = fileURLToPath(new URL('./worker.js', import.meta.url))
    if (existsSync(built)) return built
    const source = fileURLToPath(new URL('./worker.ts', import.meta.url))
    const outfile = join(tmpDir, 'runtime', `worker-${process.pid}.mjs`)
    await mkdir(join(tmpDir, 'runtime'), {recursive: true})
    const {build} = await import('esbuild')
    await build({entryPoints: [source], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent'})
    return outfile
  })()
  workerScripts.set(tmpDir, script)
  script.catch(() => workerScripts.delete(tmpDir))
  return script
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024))
}

function assertNodeRuntime(fn: FunctionSpec): void {
  if (!/^nodejs\d+\.x$/.test(fn.runtime)) {
    throw new UserError('RUNTIME_UNSUPPORTED', `Function ${fn.functionName} uses ${fn.runtime}; the local emulator runs Node.js handlers only.`, {
      suggestion: 'Use a nodejs*.x runtime, or run this function against AWS.',
    })
  }
}

/**
 * An invocation that ran, with its execution log put together only when somebody reads it (LogType: Tail, tests;
 * the data plane never does). The getters live on the prototype: an object literal with getters of its own gets
 * fresh accessor closures, and so a hidden class of its own, on every invocation, which cost ~5 % of a hello
 * invocation's CPU (the runtime alone, 10 concurrent hello invocations).
 */
class ExecutedInvocation implements InvokeResult {
  readonly kind: InvokeResult['kind']
  readonly payload: Buffer
  readonly functionError?: 'Unhandled'
  readonly durationMs: number
  readonly billedMs: number
  readonly initDurationMs?: number
  readonly requestId: string
  readonly coldStart: boolean
  readonly traceId: string
  readonly sampled: boolean
  readonly #executionLog: () => string

  constructor(result: Omit<InvokeResult, 'logTail' | 'log' | 'throttleReason'>, executionLog: () => string) {
    this.kind = result.kind
    this.payload = result.payload
    if (result.functionError) this.functionError = result.functionError
    this.durationMs = result.durationMs
    this.billedMs = result.billedMs
    if (result.initDurationMs !== undefined) this.initDurationMs = result.initDurationMs
    this.requestId = result.requestId
    this.coldStart = result.coldStart
    this.traceId = result.traceId
    this.sampled = result.sampled
    this.#executionLog = executionLog
  }

  get logTail(): string {
    return logTail(this.#executionLog())
  }

  get log(): string {
    return this.#executionLog()
  }
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const codeCache: CodeCache = createCodeCache(join(options.tmpDir, 'code'))
  const functions = new Map<string, FunctionState>()
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  let closed = false

  /**
   * Idle environments past `idleTimeoutMs` are stopped by one sweep every half of it (so within 1.5 times the
   * limit), rather than by a timer armed and cleared around every invocation.
   */
  const sweeper = setInterval(() => {
    const now = nowMs()
    for (const state of functions.values()) {
      for (const env of [...state.idle]) if (now - env.idleSince >= idleTimeoutMs) retire(state, env)
    }
  }, Math.max(5, Math.min(idleTimeoutMs / 2, 60_000)))
  sweeper.unref()

  function retire(state: FunctionState | undefined, env: Environment): void {
    env.retired = true
    // Busy and initialising environments finish the invocation they serve, then `release` stops them.
    if (env.state === 'idle') kill(env)
    if (state) state.idle = state.idle.filter((candidate) => candidate !== env)
  }

  function kill(env: Environment): void {
    env.state = 'dead'
    env.sandbox.kill()
  }

  /** The host hands out one spec per function version, so the key is worked out once per version. */
  const configKeys = new WeakMap<FunctionSpec, string>()

  /** In-flight counters by function (region and name): one for `$LATEST` and all its versions. */
  const concurrency = new Map<string, {inFlight: number}>()

  function stateFor(fn: FunctionSpec): FunctionState {
    let configKey = configKeys.get(fn)
    if (configKey === undefined) {
      configKey = configKeyOf(fn)
      configKeys.set(fn, configKey)
    }
    let state = functions.get(fn.functionArn)
    if (!state) {
      const functionKey = `${fn.region}\u0000${fn.functionName}`
      let shared = concurrency.get(functionKey)
      if (!shared) concurrency.set(functionKey, (shared = {inFlight: 0}))
      state = {configKey, environments: new Set(), idle: [], concurrency: shared}
      functions.set(fn.functionArn, state)
    } else if (state.configKey !== configKey) {
      // An update: the next invocation is cold. Idle environments go now, busy ones when they finish.
      state.configKey = configKey
      for (const env of state.environments) retire(state, env)
    }
    return state
  }

  const isolation = options.isolation ?? 'thread'
  const sampler = options.sampler
  /** A booted environment with no function yet: Lambda's "pre-provisioned sandbox". */
  let standby: Sandbox | undefined
  let standbyBooting = false
  /** The standby boot in flight: `close` waits for it, so nothing is left writing or running after close. */
  let standbyBoot: Promise<void> | undefined
  /** Threads are booted with their function's heap cap: the standby gets the last cold-started function's. */
  let standbyHeapMb: number | undefined = isolation === 'thread' ? DEFAULT_HEAP_MB : undefined

  async function boot(heapLimitMb: number | undefined): Promise<Sandbox> {
    const [script] = await Promise.all([workerScript(options.tmpDir), mkdir(options.tmpDir, {recursive: true})])
    return bootSandbox(isolation, {script, cwd: options.tmpDir, heapLimitMb})
  }

  function heapLimitOf(fn: FunctionSpec): number | undefined {
    return isolation === 'thread' ? fn.memoryMb : undefined
  }

  function prepareStandby(): void {
    if (closed || options.standby === false || standby || standbyBooting) return
    standbyBooting = true
    standbyBoot = boot(standbyHeapMb)
      .then((sandbox) => {
        standbyBooting = false
        if (closed) {
          sandbox.kill()
          return
        }
        standby = sandbox
        sandbox.hold(false)
        sandbox.listen({
          message: () => {},
          output: () => {},
          close: () => {
            if (standby === sandbox) standby = undefined
          },
        })
      })
      .catch(() => {
        standbyBooting = false
      })
  }

  function takeSandbox(fn: FunctionSpec): Promise<Sandbox> {
    const heapLimitMb = heapLimitOf(fn)
    standbyHeapMb = heapLimitMb
    const sandbox = standby
    if (sandbox?.alive && sandbox.heapLimitMb === heapLimitMb) {
      standby = undefined
      sandbox.hold(true)
      return Promise.resolve(sandbox)
    }
    return boot(heapLimitMb)
  }

  async function spawn(fn: FunctionSpec, state: FunctionState): Promise<Environment> {
    const initStart = nowMs()
    // Code first: a package that cannot be unzipped must not consume (and leak) a worker process.
    const taskRoot = await codeCache.taskRoot(fn.codeSha256, fn.codeZip)
    const sandbox = await takeSandbox(fn)
    let settleInit!: (outcome: InitOutcome) => void
    const ready = new Promise<InitOutcome>((resolve) => {
      settleInit = resolve
    })
    let markClosed!: () => void
    const env: Environment = {
      sandbox,
      taskRoot,
      configKey: state.configKey,
      state: 'init',
      retired: false,
      logs: [],
      rssBytes: 0,
      idleSince: 0,
      initStart,
      ready,
      settleInit,
      closed: new Promise((resolve) => {
        markClosed = resolve
      }),
    }
    state.environments.add(env)
    sandbox.listen({
      // Output that bypassed the patched console (native writes, fatal errors) still belongs to the log.
      output: (text) => env.logs.push(text),
      message: (message) => onMessage(env, message),
      // Every message and log line of the environment has been delivered by now.
      close: (code, signal) => {
        env.state = 'dead'
        state.environments.delete(env)
        state.idle = state.idle.filter((candidate) => candidate !== env)
        const exit: Outcome = {type: 'exit', code, signal}
        env.settleInit?.(exit as InitOutcome)
        env.settleInit = undefined
        env.pending?.settle(exit)
        env.pending = undefined
        markClosed()
      },
    })
    sandbox.send({
      type: 'init',
      taskRoot,
      env: lambdaEnvironment(fn, {
        taskRoot,
        logStreamName: newLogStreamName(undefined, fn.version),
        daemonAddress: options.daemonAddress ?? DEFAULT_DAEMON_ADDRESS,
        awsEndpointUrl: options.awsEndpointUrl,
      }),
    })
    return env
  }

  function onMessage(env: Environment, message: WorkerMessage): void {
    switch (message.type) {
      case 'log':
        env.logs.push(message.text)
        return
      case 'ready':
        env.rssBytes = message.rssBytes
        env.initEnd = nowMs()
        env.settleInit?.({type: 'ready'})
        env.settleInit = undefined
        return
      case 'init-error':
        env.rssBytes = message.rssBytes
        env.initEnd = nowMs()
        env.settleInit?.({type: 'error', error: message.error, cause: message.cause})
        env.settleInit = undefined
        // The worker exits; whatever it does, this environment never serves an invocation.
        env.state = 'dead'
        return
      case 'result':
      case 'error': {
        env.rssBytes = message.rssBytes
        if (message.type === 'error' && message.fatal) env.state = 'dead'
        const pending = env.pending
        if (!pending || pending.requestId !== message.requestId) return
        env.pending = undefined
        pending.settle(message.type === 'result' ? {type: 'result', payload: message.payload} : {type: 'error', error: message.error, cause: message.cause})
        return
      }
    }
  }

  function waitForInit(env: Environment, fn: FunctionSpec): Promise<InitOutcome> {
    const limit = INIT_PHASE_LIMIT_MS + fn.timeoutSec * 1000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<InitOutcome>((resolve) => {
      timer = setTimeout(() => {
        kill(env)
        resolve({type: 'timeout', elapsedMs: fn.timeoutSec * 1000})
      }, limit)
    })
    return Promise.race([env.ready, timeout]).finally(() => clearTimeout(timer))
  }

  function runOnEnvironment(env: Environment, fn: FunctionSpec, message: InvokeMessage): Promise<Outcome> {
    const timeoutMs = fn.timeoutSec * 1000
    const started = nowMs()
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        env.pending = undefined
        kill(env)
        // libuv's timer clock is whole milliseconds, so a timer can fire a fraction of a millisecond
        // before performance.now() says timeoutMs has passed; the budget is spent, so report at least it.
        resolve({type: 'timeout', elapsedMs: Math.max(timeoutMs, nowMs() - started)})
      }, timeoutMs)
      env.pending = {
        requestId: message.requestId,
        settle: (outcome) => {
          clearTimeout(timer)
          resolve(outcome)
        },
      }
      env.sandbox.send(message)
    })
  }

  function release(state: FunctionState, env: Environment): void {
    if (env.state === 'dead') return
    if (env.retired || env.configKey !== state.configKey || closed) {
      kill(env)
      return
    }
    env.state = 'idle'
    env.idleSince = nowMs()
    state.idle.push(env)
    env.sandbox.hold(false)
  }

  function throttleReasonFor(fn: FunctionSpec, state: FunctionState): ThrottleReason | undefined {
    // An injected throttle stands for the account-wide limit, the one users hit without reserving anything.
    if (fn.fault?.throttle) return 'ConcurrentInvocationLimitExceeded'
    const reserved = fn.reservedConcurrency
    if (reserved !== undefined && reserved !== null && state.concurrency.inFlight >= reserved) return 'ReservedFunctionConcurrentInvocationLimitExceeded'
    return undefined
  }

  /** Hands a traced invocation to `onLambdaTrace`, or its documents to `onSegments`. */
  function emitTrace(trace: LambdaTraceInput): void {
    if (!options.onLambdaTrace && !options.onSegments) return
    try {
      const withIds = withExceptionIds(trace)
      if (options.onLambdaTrace) options.onLambdaTrace(withIds)
      else options.onSegments?.(lambdaSegments(withIds))
    } catch {
      // A failing consumer must not fail the invocation it observes.
    }
  }

  async function invoke(fn: FunctionSpec, payload: Buffer | string, invokeOptions: InvokeOptions = {}): Promise<InvokeResult> {
    if (closed) throw new Error('The Lambda runtime is closed')
    const received = nowMs()
    const requestId = invokeOptions.requestId ?? randomUUID()
    assertNodeRuntime(fn)
    const event = checkInvokePayload(payload)
    const decision = decideTrace(fn.tracingMode, invokeOptions.traceHeader, received, sampler && (() => sampler(fn.functionArn, received)))
    const ids = decision.sampled ? newSegmentIds() : NO_SEGMENT_IDS
    if (decision.sampled) options.onSampled?.(decision.traceId, fn)
    const state = stateFor(fn)

    const throttle = throttleReasonFor(fn, state)
    if (throttle) {
      if (decision.sampled) {
        emitTrace({decision, ids, functionName: fn.functionName, functionArn: fn.functionArn, requestId, status: 429, times: {received, responded: nowMs()}})
      }
      return {
        kind: 'throttled',
        payload: Buffer.from(JSON.stringify({Reason: throttle, Type: 'User', message: 'Rate Exceeded.'})),
        throttleReason: throttle,
        logTail: '',
        log: '',
        durationMs: 0,
        billedMs: 0,
        requestId,
        coldStart: false,
        traceId: decision.traceId,
        sampled: decision.sampled,
      }
    }

    state.concurrency.inFlight++
    try {
      return await execute(fn, state, event, requestId, decision, ids, received, invokeOptions)
    } finally {
      state.concurrency.inFlight--
    }
  }

  async function execute(
    fn: FunctionSpec,
    state: FunctionState,
    event: string,
    requestId: string,
    decision: TraceDecision,
    ids: SegmentIds,
    received: number,
    invokeOptions: InvokeOptions,
  ): Promise<InvokeResult> {
    let env = state.idle.pop()
    // A worker that died while idle (its 'close' not yet seen) is not an environment any more.
    while (env && (env.state === 'dead' || !env.sandbox.alive)) env = state.idle.pop()
    const coldStart = env === undefined
    let initLog = ''
    let initDurationMs: number | undefined
    if (!env) {
      env = await spawn(fn, state)
      const init = await waitForInit(env, fn)
      // Boot the next standby only now, so it never competes with this init for the CPU.
      prepareStandby()
      initDurationMs = (env.initEnd ?? nowMs()) - env.initStart
      initLog = env.logs.splice(0).join('')
      if (init.type !== 'ready') {
        kill(env)
        return initFailure(fn, env, init, {requestId, decision, ids, received, initLog, initDurationMs})
      }
    }
    env.state = 'busy'
    env.sandbox.hold(true)

    const invokeStart = nowMs()
    const message: InvokeMessage = {
      type: 'invoke',
      requestId,
      event,
      deadlineMs: Date.now() + fn.timeoutSec * 1000,
      invokedFunctionArn: invokeOptions.invokedFunctionArn ?? fn.functionArn,
      traceId: handlerTraceHeader(decision, decision.sampled ? ids.invocation : undefined),
      ...(invokeOptions.clientContext ? {clientContext: Buffer.from(invokeOptions.clientContext, 'base64').toString('utf8')} : {}),
      ...(fn.fault?.delayMs ? {delayMs: fn.fault.delayMs} : {}),
    }
    const outcome = await runOnEnvironment(env, fn, message)
    const invokeEnd = nowMs()
    const durationMs = outcome.type === 'timeout' ? outcome.elapsedMs : invokeEnd - invokeStart

    let body: Buffer
    let functionError: FunctionErrorBody | undefined
    let cause: XrayCause | undefined
    let platformLines = ''
    let status: 'timeout' | 'error' | undefined
    switch (outcome.type) {
      case 'result':
        body = Buffer.from(outcome.payload, 'utf8')
        if (body.length > MAX_RESPONSE_PAYLOAD_BYTES) {
          functionError = responseTooLargeBody()
          body = Buffer.from(JSON.stringify(functionError))
          cause = platformCause(env, functionError)
        }
        break
      case 'error':
        functionError = outcome.error
        body = Buffer.from(JSON.stringify(functionError))
        cause = outcome.cause
        break
      case 'exit':
        functionError = exitErrorBody(requestId, outcome.code, outcome.signal)
        body = Buffer.from(JSON.stringify(functionError))
        cause = platformCause(env, functionError)
        platformLines = `RequestId: ${requestId} Error: Runtime exited with error: ${exitReason(outcome.code, outcome.signal)}\nRuntime.ExitError\n`
        status = 'error'
        break
      case 'timeout':
        functionError = timeoutBody(requestId, outcome.elapsedMs)
        body = Buffer.from(JSON.stringify(functionError))
        cause = platformCause(env, functionError)
        platformLines = `${new Date().toISOString()} ${requestId} Task timed out after ${secondsText(outcome.elapsedMs)} seconds\n`
        status = 'timeout'
        break
    }
    if (outcome.type === 'exit' || outcome.type === 'timeout') await Promise.race([env.closed, delay(200)])
    const userLogs = env.logs.splice(0)
    const maxMemoryUsedMb = mb(env.rssBytes)
    release(state, env)
    const billedMs = Math.max(1, Math.ceil(durationMs))
    // The execution log is put together when somebody reads it (LogType: Tail, tests): the data plane never does.
    let log: string | undefined
    const executionLog = () =>
      (log ??=
        initLog +
        startLine(requestId, fn.version) +
        userLogs.join('') +
        platformLines +
        endLine(requestId) +
        reportLine({
          requestId,
          durationMs,
          billedMs,
          memoryMb: fn.memoryMb,
          maxMemoryUsedMb,
          initDurationMs,
          status,
          errorType: status === 'error' ? functionError?.errorType : undefined,
          xray: decision.sampled ? {traceId: decision.traceId, segmentId: ids.function, sampled: true} : undefined,
        }))
    const overheadEnd = nowMs()
    if (decision.sampled) {
      emitTrace({
          decision,
          ids,
          functionName: fn.functionName,
          functionArn: fn.functionArn,
          requestId,
          status: 200,
          cause,
          times: {
            received,
            responded: nowMs(),
            ...(coldStart ? {initStart: env.initStart, initEnd: env.initEnd ?? invokeStart} : {}),
            invokeStart,
            invokeEnd,
            overheadEnd,
          },
      })
    }
    return new ExecutedInvocation(
      {
        kind: functionError ? 'function-error' : 'ok',
        payload: body,
        functionError: functionError ? 'Unhandled' : undefined,
        durationMs,
        billedMs,
        initDurationMs,
        requestId,
        coldStart,
        traceId: decision.traceId,
        sampled: decision.sampled,
      },
      executionLog,
    )
  }

  function platformCause(env: Environment, error: FunctionErrorBody): XrayCause {
    return {working_directory: env.taskRoot, paths: [], exceptions: [{type: error.errorType, message: error.errorMessage, stack: []}]}
  }

  function initFailure(
    fn: FunctionSpec,
    env: Environment,
    init: Exclude<InitOutcome, {type: 'ready'}>,
    context: {requestId: string; decision: TraceDecision; ids: SegmentIds; received: number; initLog: string; initDurationMs: number},
  ): InvokeResult {
    const {requestId, decision, ids, received, initDurationMs} = context
    let error: FunctionErrorBody
    let cause: XrayCause
    let platformLines = ''
    if (init.type === 'error') {
      error = init.error
      cause = init.cause
    } else if (init.type === 'exit') {
      error = exitErrorBody(requestId, init.code, init.signal)
      cause = platformCause(env, error)
      platformLines = `RequestId: ${requestId} Error: Runtime exited with error: ${exitReason(init.code, init.signal)}\nRuntime.ExitError\n`
    } else {
      error = timeoutBody(requestId, init.elapsedMs)
      cause = platformCause(env, error)
      platformLines = `${new Date().toISOString()} ${requestId} Task timed out after ${secondsText(init.elapsedMs)} seconds\n`
    }
    const initEnd = env.initEnd ?? nowMs()
    const billedMs = Math.max(1, Math.ceil(initDurationMs))
    const log =
      context.initLog +
      initReportLine(initDurationMs, error.errorType) +
      startLine(requestId, fn.version) +
      platformLines +
      endLine(requestId) +
      reportLine({
        requestId,
        durationMs: initDurationMs,
        billedMs,
        memoryMb: fn.memoryMb,
        maxMemoryUsedMb: mb(env.rssBytes),
        status: init.type === 'timeout' ? 'timeout' : 'error',
        errorType: init.type === 'timeout' ? undefined : error.errorType,
        xray: decision.sampled ? {traceId: decision.traceId, segmentId: ids.function, sampled: true} : undefined,
      })
    if (decision.sampled) {
      emitTrace({
          decision,
          ids,
          functionName: fn.functionName,
          functionArn: fn.functionArn,
          requestId,
          status: 200,
          cause,
          times: {received, responded: nowMs(), initStart: env.initStart, initEnd, invokeStart: initEnd, invokeEnd: initEnd, overheadEnd: initEnd},
      })
    }
    return {
      kind: 'function-error',
      payload: Buffer.from(JSON.stringify(error)),
      functionError: 'Unhandled',
      logTail: logTail(log),
      log,
      durationMs: initDurationMs,
      billedMs,
      initDurationMs,
      requestId,
      coldStart: true,
      traceId: decision.traceId,
      sampled: decision.sampled,
    }
  }

  prepareStandby()
  return {
    invoke,
    invalidate(functionArn) {
      const state = functions.get(functionArn)
      if (!state) return
      for (const env of state.environments) retire(state, env)
    },
    async close() {
      closed = true
      clearInterval(sweeper)
      standby?.kill()
      standby = undefined
      const all = [...functions.values()].flatMap((state) => [...state.environments])
      for (const env of all) {
        // Waiting for the exits must keep this process alive even for idle (unref'd) workers.
        env.sandbox.hold(true)
        kill(env)
      }
      await Promise.all(all.map((env) => Promise.race([env.closed, delay(2000)])))
      // A boot that finishes now sees `closed` and kills what it booted.
      if (standbyBoot) await Promise.race([standbyBoot, delay(10_000)])
      functions.clear()
    },
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
