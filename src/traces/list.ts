/**
 * `tracegate traces`: the app's traces in a time window, newest first, one list line each.
 */
import type {XRayReader} from '../aws/xray.js'
import {type Progress, silentProgress, step} from '../progress.js'
import type {ApiKind} from './classify.js'
import type {TraceScope, TimeWindow} from './scope.js'
import {type TraceListLine, traceListLineWith} from './summary.js'

export interface TraceListResult {
  /** The filter expression X-Ray evaluated. */
  filter: string
  window: {start: string; end: string}
  traces: TraceListLine[]
  /** Traces X-Ray scanned to find these (TracesProcessedCount). */
  tracesProcessed: number
  /** More traces matched than `limit`. */
  truncated: boolean
}

export interface ListTracesInput {
  xray: XRayReader
  scope: TraceScope
  window: TimeWindow
  /** Most recent traces to keep. */
  limit: number
  /** The project's API type, for the status a failed request got when the trace has no REST stage (§5). */
  apiType?: ApiKind
  progress?: Progress
  signal?: AbortSignal
}

export function startMsOf(line: Pick<TraceListLine, 'time'>): number {
  return line.time ? Date.parse(line.time) : 0
}

export async function listTraces(input: ListTracesInput): Promise<TraceListResult> {
  const progress = input.progress ?? silentProgress
  const result = await step(
    progress,
    'traces:summaries',
    `Search X-Ray traces of ${input.scope.functions.length === 1 ? input.scope.functions[0] : `${input.scope.functions.length} functions`}`,
    () =>
      // Drained completely and sorted here: X-Ray does not promise an order, and `limit` keeps the newest.
      input.xray.traceSummaries({start: input.window.start, end: input.window.end, filterExpression: input.scope.expression, signal: input.signal}),
    (r) => `${r.summaries.length} found, ${r.tracesProcessed} scanned`,
  )
  const lines = result.summaries
    .map((summary) => traceListLineWith(summary, {apiType: input.apiType}))
    .filter((line) => input.scope.status === undefined || line.status === input.scope.status)
    .sort((a, b) => startMsOf(b) - startMsOf(a) || b.id.localeCompare(a.id))
  return {
    filter: input.scope.expression,
    window: {start: input.window.start.toISOString(), end: input.window.end.toISOString()},
    traces: lines.slice(0, input.limit),
    tracesProcessed: result.tracesProcessed,
    truncated: lines.length > input.limit || result.truncated,
  }
}
