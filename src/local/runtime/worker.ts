/**
 * One Lambda execution environment: a Node process forked by the pool. It plays the Node.js runtime
 * interface client (`src/index.mjs`, `Runtime.js`, `CallbackContext.js`, `LogPatch.js`): loads the handler
 * named by `_HANDLER` from `LAMBDA_TASK_ROOT`, then runs one invocation at a time as the parent asks.
 *
 * Semantics kept from the runtime client:
 * - a promise result completes the invocation at once; `callback(null, result)` waits for the event loop to
 *   empty unless `context.callbackWaitsForEmptyEventLoop = false`; only the first completion counts;
 * - an event loop that empties before the handler settles answers `null` (callback handlers) or
 *   `Runtime.NodeJsExit` (async handlers);
 * - an uncaught exception or unhandled rejection fails the invocation and ends the process (exit 129/128);
 * - console output becomes `time\trequestId\tLEVEL\tmessage` lines.
 *
 * The channel to the pool (a worker thread's `parentPort`, or a child process's IPC channel: `sandbox.ts`)
 * replaces the runtime API. It is unref'd while an invocation runs so `beforeExit` fires exactly when the
 * user's work is done, as it does on Lambda, and ref'd again while waiting for the next one.
 *
 * The environment boots as a neutral standby and waits for an `init` message naming the function: the pool
 * keeps one booted in advance so a cold start pays for the handler's init, not for Node's own start-up
 * (about 100 ms for a process, 45 ms for a thread here). This file is an entry point (of a thread or a process):
 * `main()` below is its only side effect.
 */

import Module from 'node:module'
import {setPriority} from 'node:os'
import {format} from 'node:util'
import {getHeapStatistics} from 'node:v8'
import {fileURLToPath} from 'node:url'
import {isMainThread, parentPort} from 'node:worker_threads'
import {formatErrorForLog, LAMBDA_TASK_ROOT, NODEJS_EXIT_MESSAGE, pathsAsOnLambda, runtimeError, stackAsOnLambda, toFunctionErrorBody, toXrayCause} from './errors.js'
import {type Handler, isAsyncFunction, loadHandler} from './handler-loader.js'
import {consoleLine} from './logs.js'
import type {InitMessage, InvokeMessage, ParentMessage, WorkerMessage} from './protocol.js'

let taskRoot = process.cwd()
const runtimeFile = fileURLToPath(import.meta.url)

/** The error with its stack and message in Lambda's paths (in place: it is about to be reported and dropped). */
function asOnLambda<T>(error: T): T {
  const e = error as {stack?: unknown; message?: unknown} | null
  if (e && typeof e === 'object' && typeof e.stack === 'string') {
    try {
      e.stack = stackAsOnLambda(e.stack, taskRoot, runtimeFile)
      if (typeof e.message === 'string') e.message = pathsAsOnLambda(e.message, taskRoot, runtimeFile)
    } catch {
      // A frozen or accessor-only stack stays as it is.
    }
  }
  return error
}
let currentRequestId: string | undefined
let beforeExitListener: () => void = () => {}

/** The way to the pool: the thread's port, or the process's IPC channel. */
interface Channel {
  send(message: WorkerMessage, then?: () => void): void
  onMessage(listener: (message: ParentMessage) => void): void
  onceMessage(listener: (message: ParentMessage) => void): void
  /** Whether waiting for the next message keeps this environment alive. */
  hold(hold: boolean): void
}

function threadChannel(port: NonNullable<typeof parentPort>): Channel {
  return {
    // Messages posted before the thread exits are delivered before the pool hears of the exit.
    send: (message, then) => {
      port.postMessage(message)
      if (then) setImmediate(then)
    },
    onMessage: (listener) => port.on('message', listener),
    onceMessage: (listener) => port.once('message', listener),
    hold: (hold) => (hold ? port.ref() : port.unref()),
  }
}

function processChannel(): Channel {
  return {
    send: (message, then) => {
      if (!process.connected) process.exit(1)
      process.send!(message, undefined, undefined, then)
    },
    onMessage: (listener) => process.on('message', listener),
    onceMessage: (listener) => process.once('message', listener),
    hold: (hold) => (hold ? process.channel?.ref() : process.channel?.unref()),
  }
}

const channel: Channel = !isMainThread && parentPort ? threadChannel(parentPort) : processChannel()

function send(message: WorkerMessage, then?: () => void): void {
  channel.send(message, then)
}

function log(level: string, message: unknown, ...params: unknown[]): void {
  send({type: 'log', text: consoleLine(new Date(), currentRequestId, level, format(message, ...params))})
}

/** `structuredConsole.logError` in text mode: `console.error(label, '\t{json}')`. */
function logError(label: string, error: unknown): void {
  log('ERROR', label, formatErrorForLog(asOnLambda(error instanceof Error ? error : new Error(String(error)))))
}

function patchConsole(): void {
  const levels: [keyof Console, string][] = [
    ['trace', 'TRACE'],
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['log', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
  ]
  const target = console as unknown as Record<string, unknown>
  for (const [method, level] of levels) target[method] = (message: unknown, ...params: unknown[]) => log(level, message, ...params)
  target.fatal = (message: unknown, ...params: unknown[]) => log('FATAL', message, ...params)
  // Raw writes (process.stdout.write, libraries that bypass console) land in the same log, unformatted.
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
      send({type: 'log', text})
      const done = typeof encoding === 'function' ? encoding : callback
      if (typeof done === 'function') process.nextTick(done as () => void)
      return true
    }) as typeof stream.write
  }
}

/**
 * "Max Memory Used": a process's resident set. A thread shares the emulator's, so it reports what is its own:
 * its JS heap plus the memory its objects hold outside it.
 */
function currentMemoryBytes(): number {
  if (isMainThread) return process.memoryUsage.rss()
  // Not process.memoryUsage(): it reads /proc for the process's RSS on every call, ten times the cost.
  const heap = getHeapStatistics()
  return heap.total_heap_size + heap.external_memory
}

/** Lambda reports the sandbox's peak; measuring costs more than a small invocation, so it is sampled. */
const MEMORY_SAMPLE_MS = 20
let peakMemoryBytes = 0
let memorySampledAt = Number.NEGATIVE_INFINITY

function rssBytes(): number {
  const now = performance.now()
  if (now - memorySampledAt >= MEMORY_SAMPLE_MS) {
    memorySampledAt = now
    peakMemoryBytes = Math.max(peakMemoryBytes, currentMemoryBytes())
  }
  return peakMemoryBytes
}

const errorCallbacks = {
  uncaughtException: (error: unknown) => {
    send({type: 'init-error', error: toFunctionErrorBody(asOnLambda(error)), cause: toXrayCause(error, LAMBDA_TASK_ROOT), rssBytes: rssBytes()}, () => process.exit(129))
  },
  unhandledRejection: (error: unknown) => {
    send({type: 'init-error', error: toFunctionErrorBody(asOnLambda(error)), cause: toXrayCause(error, LAMBDA_TASK_ROOT), rssBytes: rssBytes()}, () => process.exit(128))
  },
}

/**
 * The context object of one invocation, shaped as the runtime client builds it: `callbackWaitsForEmptyEventLoop` an
 * own, enumerable accessor first, then the callback methods, then the invocation's data, in that order (what
 * `console.log(context)` and `JSON.stringify(context)` show on Lambda). The class is anonymous, so the context
 * prints as a plain object.
 *
 * Why a class: every context gets the same hidden class, and the accessor keeps its value in a private field
 * with one getter and setter shared by every context. An object literal with getters of its own per invocation
 * got a hidden class of its own, allocated outside the young generation (~1.5 KB per invocation left for the
 * major collector); keeping the value in a WeakMap instead made every context an ephemeron the collector
 * tracks, which cost ~7 % of a hello invocation's CPU (the runtime alone, 10 concurrent hello invocations).
 */
const InvocationContext = (() =>
  class {
    #waitsForEmptyEventLoop = true

    static readonly waits: PropertyDescriptor = {
      get(this: InstanceType<typeof InvocationContext>) {
        return this.#waitsForEmptyEventLoop
      },
      set(this: InstanceType<typeof InvocationContext>, value: boolean) {
        this.#waitsForEmptyEventLoop = value
      },
      enumerable: true,
      configurable: true,
    }

    constructor() {
      Object.defineProperty(this, 'callbackWaitsForEmptyEventLoop', InvocationContext.waits)
    }
  })()

interface CallbackContext {
  callbackWaitsForEmptyEventLoop: boolean
  succeed: (result?: unknown) => void
  fail: (error?: unknown) => void
  done: (error?: unknown, result?: unknown) => void
}

/**
 * Calls the handler from a method named as in Lambda's runtime client, so a stack reads
 * `at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:…)` below the handler's frames, as on Lambda
 * (`stackAsOnLambda` ends stacks there).
 */
class Runtime {
  handleOnceNonStreaming(handler: Handler, event: unknown, context: object, callback: Parameters<Handler>[2]): unknown {
    return handler(event, context, callback)
  }
}
const runtimeClient = new Runtime()

/**
 * The context's environment data (InvokeContext._environmentalData), read once the environment is the function's.
 * The runtime client reads these variables on every invocation; in a worker thread each read of `process.env`
 * crosses into C++, and only a handler that rewrites them between its own invocations could tell the difference.
 */
let environmentData: {functionVersion?: string; functionName?: string; memoryLimitInMB?: string; logGroupName?: string; logStreamName?: string} = {}

function readEnvironmentData(): typeof environmentData {
  const env = process.env
  return {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  }
}

function runInvocation(handler: Handler, isAsync: boolean, message: InvokeMessage): void {
  const requestId = message.requestId
  currentRequestId = requestId
  process.env._X_AMZN_TRACE_ID = message.traceId
  channel.hold(false)

  const postErrorMessage = (error: unknown, exitCode?: number) =>
    send(
      {type: 'error', requestId, error: toFunctionErrorBody(asOnLambda(error)), cause: toXrayCause(error, LAMBDA_TASK_ROOT), rssBytes: rssBytes(), fatal: exitCode !== undefined},
      exitCode === undefined ? undefined : () => process.exit(exitCode),
    )

  errorCallbacks.uncaughtException = (error) => postErrorMessage(error, 129)
  errorCallbacks.unhandledRejection = (error) => postErrorMessage(error, 128)

  const scheduleNext = () => {
    beforeExitListener = () => {}
    channel.hold(true)
  }

  // CallbackContext._rawCallbackContext
  let isCompleteInvoked = false
  const postError = (error: unknown) => {
    logError('Invoke Error', error)
    postErrorMessage(error)
    scheduleNext()
  }
  const complete = (result: unknown) => {
    if (isCompleteInvoked) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.')
      return
    }
    isCompleteInvoked = true
    let payload: string
    try {
      payload = JSON.stringify(result === undefined ? null : result)
    } catch {
      throw new Error('Unable to stringify response body')
    }
    send({type: 'result', requestId, payload, rssBytes: rssBytes()})
    scheduleNext()
  }
  const rawCallback = (error?: unknown, result?: unknown) => {
    beforeExitListener = () => {}
    if (error !== undefined && error !== null) {
      postError(error)
    } else if (callbackContext.callbackWaitsForEmptyEventLoop === false) {
      complete(result)
    } else {
      beforeExitListener = () => setImmediate(() => complete(result))
    }
  }
  const done = (error?: unknown, result?: unknown) => {
    beforeExitListener = () => {}
    if (error !== undefined && error !== null) postError(error)
    else complete(result)
  }

  // CallbackContext._wrappedCallbackContext: only the first call to any of them counts.
  let finished = false
  const onlyFirst =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      if (!finished) {
        fn(...args)
        finished = true
      }
    }
  const callback = onlyFirst(rawCallback)
  const callbackContext = new InvocationContext() as unknown as CallbackContext
  callbackContext.succeed = onlyFirst((result?: unknown) => done(null, result))
  callbackContext.fail = onlyFirst((error?: unknown) => (error === undefined || error === null ? done('handled') : done(error, null)))
  callbackContext.done = onlyFirst(done)

  // Runtime._setDefaultExitListener: the event loop emptied and nobody completed the invocation.
  beforeExitListener = () => {
    isCompleteInvoked = true
    if (isAsync) {
      const error = runtimeError('NodeJsExit', NODEJS_EXIT_MESSAGE)
      logError('Invoke Error', error)
      postErrorMessage(error)
    } else {
      send({type: 'result', requestId, payload: 'null', rssBytes: rssBytes()})
    }
    scheduleNext()
  }

  // InvokeContext: environment data plus the per-invocation header data.
  const context = Object.assign(callbackContext, environmentData, {
    clientContext: undefined as unknown,
    identity: undefined,
    invokedFunctionArn: message.invokedFunctionArn,
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => message.deadlineMs - Date.now(),
  })

  const start = () => {
    try {
      if (message.clientContext !== undefined) context.clientContext = JSON.parse(message.clientContext)
      const result = runtimeClient.handleOnceNonStreaming(handler, JSON.parse(message.event), context, callback) as {then?: unknown} | undefined
      if (result && typeof result.then === 'function') {
        ;(result as Promise<unknown>).then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail)
      }
    } catch (error) {
      callback(error)
    }
  }
  if (message.delayMs && message.delayMs > 0) setTimeout(start, message.delayMs)
  else start()
}

/** Becomes the function's environment: exactly Lambda's variables, nothing inherited. */
function assume(init: InitMessage): void {
  for (const key of Object.keys(process.env)) delete process.env[key]
  Object.assign(process.env, init.env)
  taskRoot = init.taskRoot
  environmentData = readEnvironmentData()
  if (isMainThread) {
    process.chdir(init.taskRoot)
  } else {
    // A thread cannot change the process's directory; code asking for it gets the task root, as on Lambda.
    process.cwd = () => taskRoot
  }
  // NODE_PATH is read once at start-up; re-read it now that the environment is the function's.
  ;(Module as unknown as {_initPaths?: () => void})._initPaths?.()
}

/**
 * Handlers run at a lower scheduling priority than the emulator's own thread. Handing a request to a sleeping
 * environment wakes it, and at equal priority Linux lets the woken thread preempt the one that woke it: the
 * emulator's request-serving thread then waits for the handler on every request instead of reading the next one.
 * With nice 10 (threads: this thread only, as Linux applies it per thread; processes: the process) the emulator
 * served about 30 % more requests per second on 2 cores (bench/emulator.js). Semantics are unchanged.
 */
function lowerPriority(): void {
  try {
    setPriority(HANDLER_NICE)
  } catch {
    // Not permitted here (some containers): the environment runs at the emulator's priority.
  }
}
const HANDLER_NICE = 10

function main(): void {
  lowerPriority()
  channel.onceMessage((message) => {
    if (message.type !== 'init') process.exit(1)
    assume(message)
    void initialise()
  })
  // The pool is gone: an orphaned process must not linger (a thread ends with its process anyway).
  if (isMainThread) process.on('disconnect', () => process.exit(0))
}

async function initialise(): Promise<void> {
  patchConsole()
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error)
    errorCallbacks.uncaughtException(error)
  })
  process.on('unhandledRejection', (reason, promise) => {
    const error = Object.assign(runtimeError('UnhandledPromiseRejection', reason), {reason, promise})
    logError('Unhandled Promise Rejection', error)
    errorCallbacks.unhandledRejection(error)
  })
  process.on('beforeExit', () => beforeExitListener())

  let handler: Handler
  try {
    handler = await loadHandler(taskRoot, process.env._HANDLER ?? '')
  } catch (error) {
    logError('Uncaught Exception', error)
    send({type: 'init-error', error: toFunctionErrorBody(asOnLambda(error)), cause: toXrayCause(error, LAMBDA_TASK_ROOT), rssBytes: rssBytes()}, () => process.exit(129))
    return
  }
  const isAsync = isAsyncFunction(handler)
  channel.onMessage((message) => {
    if (message.type === 'invoke') runInvocation(handler, isAsync, message)
  })
  send({type: 'ready', rssBytes: rssBytes()})
}

main()
