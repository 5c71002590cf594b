/**
 * X-Ray for the runtime: the trace header, the sampling decision, and the segment documents Lambda sends
 * for a traced invocation (aws-semantics §6.1-6.3).
 *
 * Shapes follow real documents returned by BatchGetTraces (captured in aws-sam-cli's tests and the X-Ray
 * developer guide):
 * - `AWS::Lambda` (service) segment: `{id, name, start_time, end_time, trace_id, parent_id?,
 *   http.response.status, aws.request_id, origin, resource_arn}`;
 * - `AWS::Lambda::Function` segment: parent is the service segment; `aws{account_id, function_arn,
 *   resource_names}`; subsegments `Initialization` (cold start), `Invocation`, `Overhead`, each with
 *   `aws.function_arn`. Its `start_time` is the start of the invoke phase, so `Initialization` starts
 *   before its parent, exactly as on AWS.
 * - The SDK's subsegments are nested in `Invocation` in those documents: the X-Ray SDK sends them with
 *   `parent_id` = the `Parent` of `_X_AMZN_TRACE_ID`, so that `Parent` is the `Invocation` subsegment id
 *   (the Lambda guide: "use the X-Ray SDK to extend the Invocation subsegment").
 */

import {pooledRandom, pooledTraceId} from '../random.js'
import type {XrayCause} from './errors.js'

export interface TraceHeader {
  root?: string
  parent?: string
  sampled?: string
}

/** Parses `Root=1-…;Parent=…;Sampled=1` (keys case-insensitive, unknown fields such as `Lineage` ignored). */
export function parseTraceHeader(header: string | undefined): TraceHeader {
  const result: TraceHeader = {}
  if (!header) return result
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq).trim().toLowerCase()
    const value = part.slice(eq + 1).trim()
    if (key === 'root') result.root = value
    else if (key === 'parent') result.parent = value
    else if (key === 'sampled') result.sampled = value
  }
  return result
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/
const SEGMENT_ID = /^[0-9a-f]{16}$/

/** `1-{8 hex epoch seconds}-{24 hex random}`. */
export function newTraceId(nowMs = Date.now()): string {
  return pooledTraceId(nowMs)
}

/** A 64-bit segment, subsegment or exception id: 16 hex digits. */
export function newSegmentId(): string {
  return pooledRandom(8).toString('hex')
}

export interface TraceDecision {
  traceId: string
  /** The caller's segment, when the request arrived with one: the parent of the `AWS::Lambda` segment. */
  upstreamParent?: string
  sampled: boolean
  /** Lambda made the decision (an `Active` function, no upstream decision), not the caller. Absent: false. */
  decidedByLambda?: boolean
}

/**
 * Lambda's sampling decision (§6.3): an upstream decision (`Sampled=1` / `Sampled=0`) is followed in both
 * modes; without one, `PassThrough` does not sample and `Active` asks `sample` (the emulator's `--sampling`
 * rule, see sampling.ts). Without `sample`, every undecided request in `Active` mode is sampled.
 */
export function decideTrace(mode: 'Active' | 'PassThrough', header: string | undefined, nowMs = Date.now(), sample?: () => boolean): TraceDecision {
  const parsed = parseTraceHeader(header)
  const traceId = parsed.root && TRACE_ID.test(parsed.root) ? parsed.root : newTraceId(nowMs)
  const upstreamParent = parsed.root === traceId && parsed.parent && SEGMENT_ID.test(parsed.parent) ? parsed.parent : undefined
  if (parsed.root === traceId && parsed.sampled === '1') return {traceId, upstreamParent, sampled: true}
  if (parsed.root === traceId && parsed.sampled === '0') return {traceId, upstreamParent, sampled: false}
  if (mode !== 'Active') return {traceId, upstreamParent, sampled: false}
  return {traceId, upstreamParent, sampled: sample === undefined || sample(), decidedByLambda: true}
}

/**
 * `_X_AMZN_TRACE_ID` for the handler. Traced: `Parent` is the `Invocation` subsegment (see the header
 * comment). Not traced:
 * - the upstream context is passed on with `Sampled=0`;
 * - an `Active` function that sampled the request out itself gets a Parent of its own and `Sampled=0`, as Lambda
 *   gives it (aws-xray-sdk-node issue 570 shows `Root=…;Parent=…;Sampled=0` from such a function); an X-Ray SDK of
 *   any version then records nothing, quietly;
 * - otherwise (`PassThrough`, no upstream context) only the root, as Lambda's PassThrough mode gives it
 *   (aws-xray-sdk-java PR 409), which current X-Ray SDKs treat as a no-op segment.
 */
export function handlerTraceHeader(decision: TraceDecision, invocationId: string | undefined): string {
  if (decision.sampled && invocationId) return `Root=${decision.traceId};Parent=${invocationId};Sampled=1`
  if (decision.upstreamParent) return `Root=${decision.traceId};Parent=${decision.upstreamParent};Sampled=0`
  if (decision.decidedByLambda) return `Root=${decision.traceId};Parent=${newSegmentId()};Sampled=0`
  return `Root=${decision.traceId}`
}

/** Epoch milliseconds with sub-millisecond precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

export interface SegmentIds {
  service: string
  function: string
  initialization: string
  invocation: string
  overhead: string
}

/** The five ids of a traced invocation, from the pooled randomness (a `randomBytes` call costs more than its bytes). */
export function newSegmentIds(): SegmentIds {
  const hex = pooledRandom(40).toString('hex')
  return {
    service: hex.slice(0, 16),
    function: hex.slice(16, 32),
    initialization: hex.slice(32, 48),
    invocation: hex.slice(48, 64),
    overhead: hex.slice(64, 80),
  }
}

/** For an invocation that is not traced: no document, header or log line uses its ids. */
export const NO_SEGMENT_IDS: SegmentIds = Object.freeze({service: '', function: '', initialization: '', invocation: '', overhead: ''})

export interface LambdaTraceInput {
  decision: TraceDecision
  ids: SegmentIds
  functionName: string
  functionArn: string
  requestId: string
  /** Epoch milliseconds. */
  times: {
    received: number
    responded: number
    /** Cold starts only. */
    initStart?: number
    initEnd?: number
    invokeStart?: number
    invokeEnd?: number
    overheadEnd?: number
  }
  /** HTTP status of the Invoke call as the caller saw it: 200, or 429 when throttled. */
  status: number
  /** The invocation failed (function error, timeout, crash): the function segment is a fault with this cause. */
  cause?: XrayCause
}

/**
 * The trace with an id on each exception of its cause (X-Ray wants one; the runtime's causes may lack them). Done
 * where ids can be drawn, before the documents are built (possibly on another thread: `lambdaSegments`).
 */
export function withExceptionIds(input: LambdaTraceInput): LambdaTraceInput {
  if (!input.cause || input.cause.exceptions.every((exception) => exception.id !== undefined)) return input
  return {...input, cause: {...input.cause, exceptions: input.cause.exceptions.map((exception) => ({...exception, id: exception.id ?? newSegmentId()}))}}
}

/**
 * The documents Lambda sends for one traced invocation: the `AWS::Lambda` segment, and unless the request
 * was throttled before reaching an environment, the `AWS::Lambda::Function` segment.
 *
 * Flags: a throttle sets `throttle` and `error` on the service segment (429, §6.2). A failed invocation is
 * still HTTP 200 for Lambda, so the service segment stays clean and the function segment carries `fault`
 * and the `cause` (exceptions with ids); whether AWS uses `fault` or `error` there is unconfirmed (§6.3) —
 * `fault` is chosen because the failure is the function's, and it is what API Gateway turns into a 5xx.
 *
 * Self-contained (it uses only its argument and JavaScript built-ins): the segment writer thread runs it from its
 * source text, so the serving thread hands over the trace rather than the documents. Give it `withExceptionIds(input)`.
 */
export function lambdaSegments(input: LambdaTraceInput): Record<string, unknown>[] {
  const {decision, ids, times} = input
  const seconds = (ms: number) => ms / 1000
  const service: Record<string, unknown> = {
    id: ids.service,
    name: input.functionName,
    start_time: seconds(times.received),
    end_time: seconds(times.responded),
    trace_id: decision.traceId,
    ...(decision.upstreamParent ? {parent_id: decision.upstreamParent} : {}),
    http: {response: {status: input.status}},
    aws: {request_id: input.requestId},
    origin: 'AWS::Lambda',
    resource_arn: input.functionArn,
  }
  if (input.status === 429) Object.assign(service, {error: true, throttle: true})
  else if (input.status >= 500) service.fault = true
  else if (input.status >= 400) service.error = true
  const documents: Record<string, unknown>[] = [service]
  if (times.invokeStart === undefined || times.invokeEnd === undefined) return documents

  const functionArnAws = {function_arn: input.functionArn}
  const subsegments: Record<string, unknown>[] = []
  if (times.initStart !== undefined && times.initEnd !== undefined) {
    subsegments.push({id: ids.initialization, name: 'Initialization', start_time: seconds(times.initStart), end_time: seconds(times.initEnd), aws: functionArnAws})
  }
  const invocation: Record<string, unknown> = {
    id: ids.invocation,
    name: 'Invocation',
    start_time: seconds(times.invokeStart),
    end_time: seconds(times.invokeEnd),
    aws: functionArnAws,
  }
  const overheadEnd = times.overheadEnd ?? times.invokeEnd
  subsegments.push(invocation, {id: ids.overhead, name: 'Overhead', start_time: seconds(times.invokeEnd), end_time: seconds(overheadEnd), aws: functionArnAws})
  const fn: Record<string, unknown> = {
    id: ids.function,
    name: input.functionName,
    start_time: seconds(times.invokeStart),
    end_time: seconds(overheadEnd),
    trace_id: decision.traceId,
    parent_id: ids.service,
    aws: {account_id: input.functionArn.split(':')[4] ?? '', function_arn: input.functionArn, resource_names: [input.functionName]},
    origin: 'AWS::Lambda::Function',
    subsegments,
  }
  if (input.cause) {
    fn.fault = true
    fn.cause = input.cause
    invocation.fault = true
  }
  documents.push(fn)
  return documents
}
