/**
 * The evidence model: what each collector saw about one failing request. Collectors (in `src/invoke/`) talk to
 * AWS; this file is plain data so the rules in `diagnose.ts` are tested without the SDK (STYLE rule 4).
 *
 * Every collector reports `seen` (it looked and has facts), `not-seen` (it looked and there was nothing to see,
 * or it was skipped, e.g. no trace in the window, replay not allowed for POST) or `error` (it could not look:
 * AccessDenied, its time budget ran out). `note` says, in words, what could not be seen and why.
 */

import type {GatewayErrorCondition} from '../gateway/errors.js'

export type ApiType = 'http' | 'rest'
export type EvidenceStatus = 'seen' | 'not-seen' | 'error'

export type Evidence<S extends string, F> =
  | {source: S; status: 'seen'; facts: F; note?: string; durationMs?: number}
  | {source: S; status: 'not-seen' | 'error'; facts?: Partial<F>; note: string; durationMs?: number}

export interface GatewayFacts {
  apiType: ApiType
  status: number
  /** Who wrote the body: API Gateway (one of its fixed error answers), the function, or we cannot tell. */
  origin: 'gateway' | 'function' | 'unknown'
  /** The failure conditions whose gateway answer this is (`classifyAnswer`); empty for the function's own. */
  conditions: GatewayErrorCondition[]
  /** The answer has a mark only API Gateway leaves (`x-amzn-ErrorType`), so a function cannot have written it. */
  distinctive: boolean
  /** `x-amzn-ErrorType` (REST gateway errors carry it). */
  errorType?: string
  requestId?: string
  /** The `X-Amzn-Trace-Id` the response carried, if any. */
  traceId?: string
  durationMs: number
  requestBytes: number
  method: string
  path: string
}

export interface MatchedRoute {
  routeKey: string
  functionName?: string
  functionArn?: string
  integrationId?: string
  payloadFormatVersion?: '1.0' | '2.0'
  /** The integration's `timeoutInMillis` (HTTP APIs) or the REST default. */
  integrationTimeoutMs?: number
}

export interface RouteFacts {
  stage: string
  /** False when the API has no such stage: every request to it is a miss (HTTP 404, REST 403). */
  stageExists?: boolean
  /** The API's stages, for the fix. */
  stages?: string[]
  /** The deployed route the request matches, if any. */
  matched?: MatchedRoute
  /** Deployed routes closest to the request, best first (for "did you mean"). */
  nearest: string[]
  /** A route in tracegate.json that would match but is not deployed (then the fix is `tracegate deploy`). */
  undeployedConfigRoute?: string
  apiId?: string
}

export interface PermissionFacts {
  functionName: string
  /** The alias or version the integration invokes: its own policy is the one that decides (and `grant` is for it). */
  qualifier?: string
  /** The execute-api ARN API Gateway presents when it invokes the function for this route (aws-semantics §3). */
  sourceArn: string
  policyExists: boolean
  allowed: boolean
  /** The statement that allows it, when one does. */
  statementId?: string
  /** The statement that would fix a miss, as tracegate deploy would add it. */
  grant?: {statementId: string; sourceArn: string; functionName: string; region?: string}
}

export interface ThrottlingFacts {
  functionName: string
  /** `undefined`: no reserved concurrency (the function shares the account's unreserved pool). */
  reservedConcurrency?: number
}

export interface FunctionFacts {
  functionName: string
  exists: boolean
  /** The function's configured timeout (seconds). */
  timeoutSeconds?: number
  memoryMb?: number
  state?: string
  lastUpdateStatus?: string
  tracingMode?: 'Active' | 'PassThrough'
  /** The function's key in tracegate.json, when the project names it. */
  configKey?: string
}

export interface ExceptionFacts {
  type: string
  message: string
  /**
   * First stack frames, already formatted (`at handler (/var/task/src/get-order.js:12:9)`); in the project's own
   * files (`at handler (src/get-order.ts:8:9)`) when they were mapped with a local source map of the deployed code.
   */
  frames: string[]
  /** Parallel to `frames`, the frames as the deployed bundle reported them; present only when `frames` were mapped. */
  deployedFrames?: string[]
}

export interface TraceFacts {
  traceId: string
  /** `trace-header`: the response's own trace id (this request); `time-window`: the function's trace nearest in time. */
  foundBy: 'trace-header' | 'time-window'
  /** A Lambda segment (`AWS::Lambda` / `AWS::Lambda::Function`) is in the trace: the function was invoked. */
  functionInvoked: boolean
  functionFault: boolean
  functionError: boolean
  throttle: boolean
  exception?: ExceptionFacts
  functionDurationMs?: number
  /** REST stage tracing: the status on the stage's `Lambda` subsegment (429 throttled, 403 denied, aws-semantics §6.4). */
  lambdaCallStatus?: number
}

export interface FunctionErrorFacts extends ExceptionFacts {
  /** Lambda ended the run at the function's timeout ("Task timed out after …", `Sandbox.Timedout`). */
  timedOut: boolean
  /** Lambda replaced a response over 6 MB with an error (aws-semantics §1.2). */
  responseTooLarge: boolean
}

export interface ReplayFacts {
  functionName: string
  durationMs: number
  /**
   * `ok`: the API type's response rules accept the output; `function-error`: `X-Amz-Function-Error` was set;
   * `malformed`: the output breaks a response rule; `rejected`: Lambda refused the invocation (429, 413, ...);
   * `unfinished`: no answer within `durationMs`, when the replay stopped waiting (past the integration timeout).
   */
  outcome: 'ok' | 'function-error' | 'malformed' | 'rejected' | 'unfinished'
  /** The status API Gateway would answer with for this output (outcome `ok`). */
  statusCode?: number
  functionError?: FunctionErrorFacts
  /** The response rule the output breaks (outcome `malformed`), as worded by `src/gateway/response.ts`. */
  malformedRule?: string
  /** The field the rule is about (`body`, `statusCode`, `headers.x-count`), when there is one. */
  malformedField?: string
  rejection?: {code: string; httpStatus?: number; reason?: string; message: string}
  responseBytes?: number
}

export type GatewayEvidence = Evidence<'gateway', GatewayFacts>
export type RouteEvidence = Evidence<'route', RouteFacts>
export type PermissionEvidence = Evidence<'permission', PermissionFacts>
export type ThrottlingEvidence = Evidence<'throttling', ThrottlingFacts>
export type FunctionEvidence = Evidence<'function', FunctionFacts>
export type TraceEvidence = Evidence<'trace', TraceFacts>
export type ReplayEvidence = Evidence<'replay', ReplayFacts>

export type AnyEvidence =
  | GatewayEvidence
  | RouteEvidence
  | PermissionEvidence
  | ThrottlingEvidence
  | FunctionEvidence
  | TraceEvidence
  | ReplayEvidence

export type EvidenceSource = AnyEvidence['source']

/** Everything known about one request. Only the gateway answer is always there; every other source may be absent. */
export interface EvidenceSet {
  gateway: GatewayEvidence & {status: 'seen'}
  route?: RouteEvidence
  permission?: PermissionEvidence
  throttling?: ThrottlingEvidence
  function?: FunctionEvidence
  trace?: TraceEvidence
  replay?: ReplayEvidence
}

/** The facts of a collector that saw something, else undefined. */
export function seen<F>(evidence: Evidence<string, F> | undefined): F | undefined {
  return evidence?.status === 'seen' ? evidence.facts : undefined
}
