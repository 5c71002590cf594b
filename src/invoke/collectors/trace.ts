import type {FunctionConfigurationInfo} from '../../aws/invoke.js'
import type {XRayReader} from '../../aws/xray.js'
import type {ExceptionFacts, TraceEvidence, TraceFacts} from '../../diagnose/evidence.js'
import {buildSpanTree, subtreeOf, type TraceTree} from '../../traces/tree.js'
import {NotSeen} from './budget.js'
import type {CollectContext} from './context.js'

const LAMBDA_ORIGINS = new Set(['AWS::Lambda', 'AWS::Lambda::Function'])
const POLL_MS = 1500
/** How far around the request the time-window search looks, seconds. */
const WINDOW_BEFORE_S = 2
const WINDOW_AFTER_S = 5

function frameText(frame: {path?: string; line?: number; label?: string}): string {
  const where = `${frame.path ?? '?'}${frame.line === undefined ? '' : `:${frame.line}`}`
  return frame.label ? `at ${frame.label} (${where})` : `at ${where}`
}

/**
 * What a trace says about the function: was it invoked (a Lambda segment, aws-semantics §6.3), did it fault,
 * with which exception, how long it ran; for REST stage traces, what the stage's `Lambda` subsegment recorded
 * (§6.4). Only the segments of `functionName` count, so a downstream function in the same trace is not
 * mistaken for it.
 */
export function traceFactsFor(tree: TraceTree, functionName: string, traceId: string, foundBy: TraceFacts['foundBy']): TraceFacts {
  const lambdaSegments = tree.spans.filter((s) => s.kind === 'segment' && s.origin !== undefined && LAMBDA_ORIGINS.has(s.origin) && s.name === functionName)
  const functionSegment = lambdaSegments.find((s) => s.origin === 'AWS::Lambda::Function')
  const serviceSegment = lambdaSegments.find((s) => s.origin === 'AWS::Lambda')
  let exception: ExceptionFacts | undefined
  for (const root of lambdaSegments) {
    const withException = subtreeOf(root).find((s) => s.exceptions.length > 0)
    if (withException) {
      const e = withException.exceptions[0]
      exception = {type: e.type, message: e.message, frames: e.frames.slice(0, 3).map(frameText)}
      break
    }
  }
  const timed = functionSegment ?? serviceSegment
  const stage = tree.spans.find((s) => s.kind === 'segment' && s.origin === 'AWS::ApiGateway::Stage')
  const lambdaCall = stage ? subtreeOf(stage).find((s) => s.kind === 'subsegment' && s.name === 'Lambda') : undefined
  const throttle =
    lambdaSegments.some((s) => s.throttle || s.http?.response?.status === 429) || Boolean(lambdaCall?.throttle) || lambdaCall?.http?.response?.status === 429
  // A throttled call leaves the service segment only, flagged fault + error + throttle as a 429 that caused a
  // failure does (aws-semantics §6.2); the function itself never ran, so those flags are not its own.
  const ownSegments = throttle ? (functionSegment ? [functionSegment] : []) : lambdaSegments
  return {
    traceId,
    foundBy,
    functionInvoked: functionSegment !== undefined || (serviceSegment !== undefined && !throttle),
    functionFault: ownSegments.some((s) => s.fault),
    functionError: ownSegments.some((s) => s.error),
    throttle,
    exception: throttle && !functionSegment ? undefined : exception,
    functionDurationMs: timed?.endTime === undefined ? undefined : Math.round((timed.endTime - timed.startTime) * 1000),
    lambdaCallStatus: lambdaCall?.http?.response?.status,
  }
}

async function readTrace(xray: XRayReader, id: string, signal: AbortSignal): Promise<TraceTree | undefined> {
  const batch = await xray.traces([id], {signal})
  const trace = batch.traces.find((t) => t.id === id)
  if (!trace || trace.documents.length === 0) return undefined
  return buildSpanTree(trace.documents)
}

/**
 * The request's trace: first by id (the one the response carries, or the one we sent, polled while X-Ray
 * ingests it), else the function's trace nearest in time. HTTP APIs record no segment of their own (§6.5), so
 * there is only something to find when the function traces (`TracingConfig` Active, or PassThrough with our
 * sampled header).
 */
export async function collectTrace(
  ctx: CollectContext,
  functionName: string | undefined,
  lookup: Promise<FunctionConfigurationInfo | undefined>,
  signal: AbortSignal,
): Promise<TraceEvidence> {
  if (!ctx.xray) throw new NotSeen('X-Ray is not available here')
  if (!functionName) throw new NotSeen('no route matched, so there is no function trace to look for')
  const xray = await ctx.xray()
  const deadline = ctx.clock.now() + ctx.budgets.trace
  const ids = [...new Set(ctx.traceIds)]
  for (;;) {
    const last = ctx.clock.now() + POLL_MS > deadline
    for (const id of ids) {
      const tree = await readTrace(xray, id, signal)
      if (tree && tree.spans.length > 0) {
        const facts = traceFactsFor(tree, functionName, id, 'trace-header')
        // A trace with our id but none of the function's segments yet may still be arriving.
        if (facts.functionInvoked || last || tree.spans.some((s) => s.origin === 'AWS::ApiGateway::Stage')) {
          return {source: 'trace', status: 'seen', facts}
        }
      }
    }
    if (last || signal.aborted) break
    await ctx.clock.sleep(POLL_MS, signal)
  }

  // By time window: the function's traces around the request, nearest start first.
  const started = ctx.response.startedAt.getTime()
  const result = await xray.traceSummaries({
    start: new Date(started - WINDOW_BEFORE_S * 1000),
    end: new Date(Math.max(started + ctx.response.durationMs, ctx.clock.now()) + WINDOW_AFTER_S * 1000),
    filterExpression: `service("${functionName.replaceAll('"', '\\"')}")`,
    limit: 50,
    signal,
  })
  const startOf = (t: {StartTime?: Date | number}) => (t.StartTime instanceof Date ? t.StartTime.getTime() : (t.StartTime ?? 0) * 1000)
  const nearest = result.summaries.filter((t) => t.Id).sort((a, b) => Math.abs(startOf(a) - started) - Math.abs(startOf(b) - started))[0]
  if (nearest?.Id) {
    const tree = await readTrace(xray, nearest.Id, signal)
    if (tree && tree.spans.length > 0) return {source: 'trace', status: 'seen', facts: traceFactsFor(tree, functionName, nearest.Id, 'time-window')}
  }
  const info = await lookup.catch(() => undefined)
  const why =
    info?.tracingMode === 'PassThrough'
      ? `${functionName} has tracing PassThrough, and HTTP APIs record no segments of their own`
      : ctx.apiType === 'http'
        ? `X-Ray had no trace of ${functionName} yet (HTTP APIs record no segments of their own; traces can take a while to appear)`
        : `X-Ray had no trace of this request yet (stage tracing may be off; traces can take a while to appear)`
  throw new NotSeen(`no trace found: ${why}`)
}
