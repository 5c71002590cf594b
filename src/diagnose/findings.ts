import {integrationTimeoutMs, LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES} from '../gateway/errors.js'
import {type EvidenceSet, type EvidenceSource, seen} from './evidence.js'
import type {Cause} from './verdicts.js'

/**
 * One thing a piece of evidence says about one cause. Weights: +3 direct evidence for the cause, +2 strong,
 * +1 weak; negative weights count against it the same way (-3: rules it out).
 */
export interface Finding {
  cause: Cause
  weight: number
  source: EvidenceSource
  reason: string
}

/** A run this close to a limit counts as having hit it (clocks, start-up and network add a little). */
const AT_LIMIT = 0.97

const THROTTLE_CODES = new Set(['TooManyRequestsException', 'ThrottlingException', 'ThrottledException'])

export interface Limits {
  integrationTimeoutMs: number
  /** The function's timeout, when known. */
  functionTimeoutMs?: number
}

export function limitsOf(evidence: EvidenceSet): Limits {
  const answer = evidence.gateway.facts
  const route = seen(evidence.route)
  const fn = seen(evidence.function)
  return {
    integrationTimeoutMs: integrationTimeoutMs(answer.apiType, route?.matched?.integrationTimeoutMs),
    functionTimeoutMs: fn?.timeoutSeconds === undefined ? undefined : fn.timeoutSeconds * 1000,
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

/** Everything the evidence says about each cause, source by source. */
export function findingsFor(evidence: EvidenceSet): Finding[] {
  const out: Finding[] = []
  const add = (source: EvidenceSource, cause: Cause, weight: number, reason: string) => out.push({source, cause, weight, reason})
  const answer = evidence.gateway.facts
  const limits = limitsOf(evidence)

  // The request itself: Lambda takes at most 6 MB synchronously, whatever API Gateway accepts (aws-semantics §5).
  if (answer.requestBytes > LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES) {
    add('gateway', 'payload-too-large', 3, `the request body is ${answer.requestBytes} bytes, over Lambda's 6 MB payload limit`)
  }
  // How long the gateway took to answer: an integration timeout answers at the timeout, not before.
  if (answer.durationMs >= limits.integrationTimeoutMs * AT_LIMIT) {
    add('gateway', 'integration-timeout', 2, `API Gateway answered after ${seconds(answer.durationMs)}, at its ${seconds(limits.integrationTimeoutMs)} integration timeout`)
  } else if (answer.durationMs < limits.integrationTimeoutMs * 0.5) {
    add('gateway', 'integration-timeout', -2, `API Gateway answered after ${seconds(answer.durationMs)}, well before its ${seconds(limits.integrationTimeoutMs)} integration timeout`)
  }
  if (limits.functionTimeoutMs !== undefined && answer.durationMs >= limits.functionTimeoutMs * AT_LIMIT && answer.durationMs < limits.integrationTimeoutMs * AT_LIMIT) {
    add('gateway', 'function-timeout', 1, `API Gateway answered after ${seconds(answer.durationMs)}, about the function's ${seconds(limits.functionTimeoutMs)} timeout`)
  }

  const route = evidence.route
  if (route?.status === 'seen') {
    if (route.facts.matched) {
      add('route', 'route-not-found', -3, `the request matches the deployed route "${route.facts.matched.routeKey}"`)
    } else {
      add('route', 'route-not-found', 3, `no deployed route matches ${answer.method} ${answer.path}`)
    }
  }

  const permission = evidence.permission
  if (permission?.status === 'seen') {
    const f = permission.facts
    if (f.allowed) {
      add('permission', 'invocation-rejected/permission', -3, `statement ${f.statementId ?? '(unnamed)'} lets API Gateway invoke ${f.functionName} from ${f.sourceArn}`)
    } else {
      add(
        'permission',
        'invocation-rejected/permission',
        3,
        f.policyExists
          ? `no statement in ${f.functionName}'s resource policy allows ${f.sourceArn}`
          : `${f.functionName} has no resource policy at all, so API Gateway may not invoke it`,
      )
    }
  }

  const throttling = evidence.throttling
  if (throttling?.status === 'seen') {
    const reserved = throttling.facts.reservedConcurrency
    if (reserved === 0) {
      add('throttling', 'invocation-rejected/throttled', 3, `${throttling.facts.functionName} has reserved concurrency 0: Lambda throttles every invocation`)
    } else {
      // Reserved concurrency above 0 can still be exhausted, and the account's pool can run out; neither is
      // visible without metrics, so this only weakens the throttling cause.
      add(
        'throttling',
        'invocation-rejected/throttled',
        -1,
        reserved === undefined ? 'no reserved concurrency limits the function' : `reserved concurrency is ${reserved}`,
      )
    }
  }

  traceFindings(evidence, limits, add)
  replayFindings(evidence, limits, add)

  const fn = seen(evidence.function)
  if (fn && limits.functionTimeoutMs !== undefined && limits.functionTimeoutMs >= limits.integrationTimeoutMs) {
    add(
      'function',
      'integration-timeout',
      1,
      `the function may run ${seconds(limits.functionTimeoutMs)}, longer than API Gateway waits (${seconds(limits.integrationTimeoutMs)})`,
    )
  }
  return out
}

type Add = (source: EvidenceSource, cause: Cause, weight: number, reason: string) => void

/** The causes that happen once the function runs; a run shows which one of them (at most) happened. */
const FUNCTION_SIDE = ['function-error', 'function-timeout', 'malformed-response', 'payload-too-large'] as const
type FunctionSide = (typeof FUNCTION_SIDE)[number]

/** One run's outcome names one function-side cause (or none) and counts against the others. */
function runOutcome(source: EvidenceSource, add: Add, which: FunctionSide | undefined, w: number, against: number, reason: string, againstReason: string): void {
  for (const cause of FUNCTION_SIDE) {
    if (cause === which) add(source, cause, w, reason)
    else add(source, cause, against, againstReason)
  }
}

function traceFindings(evidence: EvidenceSet, limits: Limits, add: Add): void {
  const trace = evidence.trace
  if (trace?.status !== 'seen') return
  const f = trace.facts
  const thisRequest = f.foundBy === 'trace-header'
  // A trace found only by time window may belong to another request to the same function.
  const w = thisRequest ? 3 : 2
  const against = thisRequest ? -2 : -1
  const which = thisRequest ? `trace ${f.traceId} (this request)` : `trace ${f.traceId} (nearest in time)`

  if (f.lambdaCallStatus === 429 || f.throttle) {
    add('trace', 'invocation-rejected/throttled', w, `${which} records a throttled Lambda call`)
    // Lambda received the call (so API Gateway was allowed to make it) and refused to run the function.
    add('trace', 'invocation-rejected/permission', thisRequest ? -2 : -1, `${which}: Lambda received the call and throttled it`)
    if (!f.functionInvoked) {
      runOutcome('trace', add, undefined, 0, against, '', `${which}: the function did not run, Lambda throttled the call`)
      return
    }
  } else if (f.lambdaCallStatus === 403) {
    // The status REST stage tracing records on its Lambda subsegment when Invoke is denied is unconfirmed;
    // 403 is what Lambda answers an unauthorised Invoke with.
    add('trace', 'invocation-rejected/permission', 2, `${which} records a 403 from the Lambda call`)
    // Lambda answers a throttled Invoke 429 (TooManyRequestsException, aws-semantics §5); a 403 means it
    // refused the call before any concurrency check, so throttling is not what happened to this call.
    add('trace', 'invocation-rejected/throttled', thisRequest ? -3 : -1, `${which}: Lambda answered the call 403, not the 429 of a throttle`)
  }

  if (f.functionInvoked) {
    const ran = thisRequest ? -3 : -1
    if (!(f.lambdaCallStatus === 429 || f.throttle)) {
      add('trace', 'invocation-rejected/permission', ran, `${which} shows the function ran`)
      add('trace', 'invocation-rejected/throttled', ran, `${which} shows the function ran`)
    }
    const e = f.exception
    if (e && isTimeoutMessage(e.type, e.message)) {
      runOutcome('trace', add, 'function-timeout', w, against, `${which}: ${e.message}`, `${which}: the function timed out`)
    } else if (e && isResponseTooLargeMessage(e.type, e.message)) {
      runOutcome('trace', add, 'payload-too-large', w, against, `${which}: ${e.message}`, `${which}: the response was over the limit`)
    } else if (e || f.functionFault || f.functionError) {
      const what = e ? `${e.type}: ${e.message}` : 'a fault on the function segment'
      runOutcome('trace', add, 'function-error', w, against, `${which} records ${what}`, `${which}: the function failed with an error`)
    } else {
      add('trace', 'function-error', against, `${which} shows the function ran without a fault`)
      add('trace', 'function-timeout', against, `${which} shows the function ran without a fault`)
      // It ran cleanly and the gateway still failed: what it returned is the suspect. Not certain: whether an
      // oversized response leaves a fault on the function segment is unconfirmed.
      add('trace', 'malformed-response', thisRequest ? 2 : 1, `${which} shows the function ran without a fault, yet API Gateway failed`)
    }
    if (f.functionDurationMs !== undefined) durationFindings('trace', f.functionDurationMs, thisRequest ? 2 : 1, limits, add)
  } else if (thisRequest) {
    runOutcome('trace', add, undefined, 0, -2, '', `${which} has no Lambda segment: the function did not run`)
    add('trace', 'invocation-rejected/permission', 1, `${which} has no Lambda segment: the function did not run`)
    // A 403 already explains why it did not run (and ruled throttling out above).
    if (f.lambdaCallStatus !== 403) add('trace', 'invocation-rejected/throttled', 1, `${which} has no Lambda segment: the function did not run`)
  }
}

function replayFindings(evidence: EvidenceSet, limits: Limits, add: Add): void {
  const replay = evidence.replay
  if (replay?.status !== 'seen') return
  const f = replay.facts
  const answer = evidence.gateway.facts
  if (f.outcome === 'rejected') {
    const r = f.rejection
    if (r && (THROTTLE_CODES.has(r.code) || r.httpStatus === 429)) {
      add('replay', 'invocation-rejected/throttled', 3, `replay: Lambda throttled the invocation (${r.code}${r.reason ? `, ${r.reason}` : ''})`)
    } else if (r && (r.code === 'RequestTooLargeException' || r.httpStatus === 413)) {
      add('replay', 'payload-too-large', 3, `replay: Lambda refused the event as too large (${r.code})`)
    }
    return
  }
  // The replay got past Lambda's concurrency check, so a reserved concurrency of 0 is not the cause now.
  add('replay', 'invocation-rejected/throttled', -2, 'replay: Lambda ran the function without throttling it')
  // A replay is a new run: it shows what the function does with this event, which is strong but not direct
  // evidence about the original request (the function may depend on state or time).
  if (f.outcome === 'function-error' && f.functionError) {
    const e = f.functionError
    if (e.responseTooLarge) {
      runOutcome('replay', add, 'payload-too-large', 3, -2, `replay: ${e.message}`, 'replay: Lambda rejected an oversized response')
    } else if (e.timedOut) {
      runOutcome('replay', add, 'function-timeout', 3, -2, `replay: ${e.message}`, 'replay: the function timed out')
    } else {
      runOutcome('replay', add, 'function-error', 3, -2, `replay: the function threw ${e.type}: ${e.message}`, `replay: the function failed with ${e.type}`)
    }
  } else if (f.outcome === 'malformed') {
    runOutcome(
      'replay',
      add,
      'malformed-response',
      3,
      -2,
      `replay: ${f.malformedRule ?? 'the response breaks the proxy response rules'}`,
      'replay: the function returned a response in time, without an error',
    )
  } else if (f.outcome === 'unfinished') {
    // Still running: not an error, not a response yet. Only the duration speaks (below).
    add('replay', 'malformed-response', -1, `replay: no response after ${seconds(f.durationMs)}`)
  } else if (f.outcome === 'ok') {
    runOutcome('replay', add, undefined, 0, -2, '', `replay: the function answered ${f.statusCode ?? ''} in time and API Gateway would accept it`)
    if (f.statusCode === answer.status) {
      add('replay', 'ok', 2, `replay: the function itself answers ${f.statusCode}`)
    } else {
      add('replay', 'ok', -1, `replay: the function answers ${f.statusCode ?? 'a different status'}, not ${answer.status}`)
    }
  }
  durationFindings('replay', f.durationMs, 3, limits, add, f.functionError?.timedOut)
}

/** A run's duration against the function timeout and the integration timeout. */
function durationFindings(source: EvidenceSource, durationMs: number, w: number, limits: Limits, add: Add, timedOut = false): void {
  const where = source === 'replay' ? 'replay' : 'trace'
  if (durationMs >= limits.integrationTimeoutMs * AT_LIMIT) {
    add(source, 'integration-timeout', w, `${where}: the function ran ${seconds(durationMs)}, past API Gateway's ${seconds(limits.integrationTimeoutMs)} integration timeout`)
    return
  }
  if (limits.functionTimeoutMs !== undefined && durationMs >= limits.functionTimeoutMs * AT_LIMIT) {
    // The explicit "Task timed out" error already counts; the duration only corroborates a bare fault.
    if (!timedOut) add(source, 'function-timeout', w - 1, `${where}: the function ran ${seconds(durationMs)}, its whole ${seconds(limits.functionTimeoutMs)} timeout`)
  }
  if (durationMs < limits.integrationTimeoutMs * 0.5) {
    add(source, 'integration-timeout', -1, `${where}: the function ran ${seconds(durationMs)}, well within the ${seconds(limits.integrationTimeoutMs)} integration timeout`)
  }
}

/**
 * Lambda ends a run at the function's timeout with a function error. Older runtimes say "Task timed out after
 * 3.00 seconds" in `errorMessage`; newer ones add `errorType: "Sandbox.Timedout"`.
 */
export function isTimeoutMessage(type: string | undefined, message: string | undefined): boolean {
  return type === 'Sandbox.Timedout' || /Task timed out after [\d.]+ seconds/.test(message ?? '')
}

/** Lambda replaces a response over 6 MB with this error (aws-semantics §1.2). */
export function isResponseTooLargeMessage(type: string | undefined, message: string | undefined): boolean {
  return type === 'Function.ResponseSizeTooLarge' || /Response payload size exceeded/i.test(message ?? '')
}
