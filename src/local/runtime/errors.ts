/**
 * Lambda's error shapes, as the Node.js runtime interface client (aws-lambda-nodejs-runtime-interface-client,
 * `src/Errors.js`, `src/XRayError.js`) and the Lambda service produce them. Shared by the worker (handler
 * errors) and the pool (timeouts, crashes, payload limits). Pure: no process state.
 */

/** The body of a function error: what Invoke returns with `X-Amz-Function-Error: Unhandled`. */
export interface FunctionErrorBody {
  errorType: string
  errorMessage: string
  trace?: string[]
}

export interface XrayStackFrame {
  path: string
  line: number
  label: string
}

export interface XrayException {
  id?: string
  type?: string
  message?: string
  stack: XrayStackFrame[]
}

/** The `cause` object of a segment document (aws-semantics §6.2). */
export interface XrayCause {
  working_directory: string
  paths: string[]
  exceptions: XrayException[]
}

/**
 * The runtime's own error types. The runtime client names them `Runtime.<Class>` by assigning
 * `prototype.name`, so the stack header reads `Runtime.ImportModuleError: Error: Cannot find module …`.
 */
export type RuntimeErrorKind =
  | 'ImportModuleError'
  | 'HandlerNotFound'
  | 'MalformedHandlerName'
  | 'UserCodeSyntaxError'
  | 'UnhandledPromiseRejection'
  | 'NodeJsExit'

export class RuntimeError extends Error {}

const runtimeErrorClasses = new Map<RuntimeErrorKind, typeof RuntimeError>()

function runtimeErrorClass(kind: RuntimeErrorKind): typeof RuntimeError {
  let cls = runtimeErrorClasses.get(kind)
  if (!cls) {
    cls = class extends RuntimeError {}
    // Set on the prototype before any instance exists so V8 writes it into the stack header.
    cls.prototype.name = `Runtime.${kind}`
    runtimeErrorClasses.set(kind, cls)
  }
  return cls
}

/**
 * `new Runtime.X(messageOrCause)`: like the runtime client, wrapping errors pass the original error as the
 * message, which becomes `String(error)` (`"SyntaxError: Unexpected token '}'"`).
 */
export function runtimeError(kind: RuntimeErrorKind, message: unknown): RuntimeError {
  const Cls = runtimeErrorClass(kind)
  return new Cls(message as string)
}

/** The message of `Runtime.NodeJsExit` (a promise that never settled emptied the event loop). */
export const NODEJS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes'

function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true
  const v = value as {name?: unknown; message?: unknown; stack?: unknown} | null
  return Boolean(
    v && typeof v.name === 'string' && v.name && typeof v.message === 'string' && v.message && typeof v.stack === 'string' && v.stack,
  )
}

/** Where Lambda puts the function's code and its Node.js runtime client: the paths users see in stacks. */
export const LAMBDA_TASK_ROOT = '/var/task'
export const LAMBDA_RUNTIME_ENTRY = '/var/runtime/index.mjs'

/**
 * Paths as a deployed function shows them: the unpacked package's directory becomes /var/task, and the runtime's
 * own modules (the files next to the worker script: worker.js, handler-loader.js, errors.js, ...; one bundled
 * file when run from source) become /var/runtime/index.mjs, the one file Lambda's runtime client is. No emulator
 * directory is left, in stacks or in messages such as an ImportModuleError's "Require stack".
 */
export function pathsAsOnLambda(text: string, taskRoot: string, runtimeFile: string): string {
  const root = taskRoot.replace(/\/+$/, '')
  const runtimeDir = runtimeFile.slice(0, runtimeFile.lastIndexOf('/'))
  // Only files directly in the runtime's directory: the unpacked packages may live below it (when run from source).
  const runtimeModules = new RegExp(`(file://)?${escapeRegExp(runtimeDir)}/[^/\\s:()]+\\.m?js`, 'g')
  return text
    .replaceAll(`file://${root}/`, `file://${LAMBDA_TASK_ROOT}/`)
    .replaceAll(`${root}/`, `${LAMBDA_TASK_ROOT}/`)
    .replace(runtimeModules, (_match, scheme: string | undefined) => `${scheme ?? ''}${LAMBDA_RUNTIME_ENTRY}`)
}

/**
 * A stack as it reads on Lambda: its paths (`pathsAsOnLambda`), and nothing below the first runtime frame. The
 * frames below it are the emulator's own dispatch (its message port and Node's event target); Lambda's runtime
 * client reaches the handler from its own loop, so its stacks end at that frame
 * (`at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:…)`), and these end there too.
 */
export function stackAsOnLambda(stack: string, taskRoot: string, runtimeFile: string): string {
  const rewritten = pathsAsOnLambda(stack, taskRoot, runtimeFile)
  const lines = rewritten.split('\n')
  const firstRuntimeFrame = lines.findIndex((line) => FRAME_LINE.test(line) && line.includes(LAMBDA_RUNTIME_ENTRY))
  if (firstRuntimeFrame < 0) return rewritten
  let end = firstRuntimeFrame + 1
  while (end < lines.length && FRAME_LINE.test(lines[end])) end++
  return [...lines.slice(0, firstRuntimeFrame + 1), ...lines.slice(end)].join('\n')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A V8 stack frame line (`    at f (file:line:column)`), as opposed to the message lines above the frames. */
const FRAME_LINE = /^ {4}at /

/** `Errors.toRapidResponse`: the body Lambda returns for a function error. */
export function toFunctionErrorBody(error: unknown): FunctionErrorBody {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name.replaceAll('\x7F', '%7F'),
        errorMessage: error.message.replaceAll('\x7F', '%7F'),
        trace: (error.stack ?? '').replaceAll('\x7F', '%7F').split('\n'),
      }
    }
    return {errorType: typeof error, errorMessage: String(error), trace: []}
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    }
  }
}

/** `Errors.toFormatted`: the tab-prefixed JSON the runtime logs after "Invoke Error" / "Uncaught Exception". */
export function formatErrorForLog(error: unknown): string {
  const withEnumerable = (_key: string, value: unknown): unknown => {
    if (value instanceof Error) {
      const copy: Record<string, unknown> = {errorType: value.name, errorMessage: value.message, code: (value as {code?: unknown}).code}
      Object.assign(copy, value)
      if (typeof value.stack === 'string') copy.stack = value.stack.split('\n')
      return copy
    }
    return value
  }
  try {
    return '\t' + JSON.stringify(error, withEnumerable)
  } catch {
    return '\t' + JSON.stringify(toFunctionErrorBody(error))
  }
}

/** `XRayError.formatted`: the cause the runtime reports to X-Ray for a function error. */
export function toXrayCause(error: unknown, workingDirectory: string): XrayCause {
  const err = (error ?? {}) as {name?: unknown; message?: unknown; stack?: unknown}
  const stack: XrayStackFrame[] = []
  if (typeof err.stack === 'string') {
    const lines = err.stack.replace(/\x7F/g, '%7F').split('\n')
    lines.shift()
    for (const stackLine of lines) {
      let line = stackLine.trim().replace(/\(|\)/g, '')
      line = line.substring(line.indexOf(' ') + 1)
      const label = line.lastIndexOf(' ') >= 0 ? line.slice(0, line.lastIndexOf(' ')) : null
      const location = (label ? line.slice(line.lastIndexOf(' ') + 1) : line).split(':')
      stack.push({path: location[0], line: Number.parseInt(location[1], 10), label: label || 'anonymous'})
    }
  }
  return {
    working_directory: workingDirectory,
    exceptions: [
      {
        type: typeof err.name === 'string' ? err.name.replace(/\x7F/g, '%7F') : undefined,
        message: typeof err.message === 'string' ? err.message.replace(/\x7F/g, '%7F') : undefined,
        stack,
      },
    ],
    paths: [...new Set(stack.map((frame) => frame.path))],
  }
}

// ---- Errors the Lambda service itself produces (no runtime involved) ----

/** Lambda's synchronous response limit: a larger response becomes a function error (aws-semantics §1.2). */
export const MAX_RESPONSE_PAYLOAD_BYTES = 6_291_556
/** Lambda's synchronous request limit: a larger request is rejected with 413 RequestTooLargeException. */
export const MAX_REQUEST_PAYLOAD_BYTES = 6_291_456

export function responseTooLargeBody(): FunctionErrorBody {
  // Key order as Lambda sends it (errorMessage first), checked against moto's test of the real service.
  return {
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD_BYTES} bytes).`,
    errorType: 'Function.ResponseSizeTooLarge',
  }
}

/** "3.00": Lambda prints timeouts with two decimals ("Task timed out after 3.00 seconds"). */
export function secondsText(ms: number): string {
  return (ms / 1000).toFixed(2)
}

/** The Invoke body of a timed-out invocation: `Sandbox.Timedout`, no `trace`. */
export function timeoutBody(requestId: string, elapsedMs: number): FunctionErrorBody {
  return {errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${secondsText(elapsedMs)} seconds`}
}

/** Go's `exec.ExitError` text, which Lambda's runtime API (written in Go) reports. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) {
    const names: Partial<Record<NodeJS.Signals, string>> = {
      SIGKILL: 'killed',
      SIGABRT: 'aborted',
      SIGSEGV: 'segmentation fault',
      SIGTERM: 'terminated',
      SIGINT: 'interrupt',
      SIGBUS: 'bus error',
    }
    return `signal: ${names[signal] ?? signal.toLowerCase()}`
  }
  return `exit status ${code ?? 0}`
}

/** The Invoke body when the runtime process ends mid-invocation (`process.exit`, a crash). */
export function exitErrorBody(requestId: string, code: number | null, signal: NodeJS.Signals | null): FunctionErrorBody {
  const detail =
    code === 0 && !signal ? 'Runtime exited without providing a reason' : `Runtime exited with error: ${exitReason(code, signal)}`
  return {errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${detail}`}
}

/** An Invoke request Lambda rejects before any environment sees it (an HTTP error, not a function error). */
export class InvokeRequestError extends Error {
  constructor(
    readonly code: 'InvalidRequestContentException' | 'RequestTooLargeException',
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message)
    this.name = code
  }
}

/** Lambda's checks on a RequestResponse payload: at most 6 MB, and JSON (an empty body is the event `{}`). */
export function checkInvokePayload(payload: Buffer | string): string {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
  if (size > MAX_REQUEST_PAYLOAD_BYTES) {
    throw new InvokeRequestError(
      'RequestTooLargeException',
      413,
      `${size} byte payload is too large for the RequestResponse invocation type (limit ${MAX_REQUEST_PAYLOAD_BYTES} bytes)`,
    )
  }
  // Text is JSON the caller serialised itself (the data plane's events): parsing it again proves nothing.
  if (typeof payload === 'string') return payload
  const text = payload.length === 0 ? '{}' : payload.toString('utf8')
  try {
    JSON.parse(text)
  } catch (error) {
    throw new InvokeRequestError(
      'InvalidRequestContentException',
      400,
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
    )
  }
  return text
}
