/**
 * Messages between the pool (parent) and a worker (one execution environment), over the fork IPC channel.
 * They play the part of Lambda's runtime API (`/runtime/invocation/next`, `…/response`, `…/error`,
 * `/runtime/init/error`). Logs travel on the same channel so they stay ordered with the result.
 */

import type {FunctionErrorBody, XrayCause} from './errors.js'

/**
 * Turns a booted standby process into one function's environment: the worker replaces its whole
 * environment with `env`, moves to `taskRoot` and loads `env._HANDLER` (the init phase).
 */
export interface InitMessage {
  type: 'init'
  env: Record<string, string>
  taskRoot: string
}

export interface InvokeMessage {
  type: 'invoke'
  requestId: string
  /** The raw JSON event. */
  event: string
  /** Epoch milliseconds at which the invocation times out (context.getRemainingTimeInMillis). */
  deadlineMs: number
  invokedFunctionArn: string
  /** Value for `_X_AMZN_TRACE_ID` during this invocation. */
  traceId: string
  /** Decoded `X-Amz-Client-Context` JSON, if the caller sent one. */
  clientContext?: string
  /** Fault injection: wait this long before calling the handler (counts toward the timeout). */
  delayMs?: number
}

export type ParentMessage = InitMessage | InvokeMessage

export interface ReadyMessage {
  type: 'ready'
  rssBytes: number
}

export interface InitErrorMessage {
  type: 'init-error'
  error: FunctionErrorBody
  cause: XrayCause
  rssBytes: number
}

export interface LogMessage {
  type: 'log'
  text: string
}

export interface ResultMessage {
  type: 'result'
  requestId: string
  /** The JSON-serialised response (`"null"` for `undefined`). */
  payload: string
  rssBytes: number
}

export interface ErrorMessage {
  type: 'error'
  requestId: string
  error: FunctionErrorBody
  cause: XrayCause
  rssBytes: number
  /** An uncaught exception or unhandled rejection: the process exits right after this message. */
  fatal?: boolean
}

export type WorkerMessage = ReadyMessage | InitErrorMessage | LogMessage | ResultMessage | ErrorMessage
