/**
 * `tracegate traces show`: one trace (by id, or the app's latest / latest failed) fetched with
 * BatchGetTraces, parsed into a span tree, classified, and laid out as a waterfall.
 */
import type {XRayReader} from '../aws/xray.js'
import type {ProjectConfig} from '../config/schema.js'
import type {LocalSources} from '../package/local-sources.js'
import {UserError} from '../errors.js'
import {type Progress, silentProgress, step} from '../progress.js'
import {type ApiKind, classifyTrace, type TraceClassification} from './classify.js'
import type {TimeWindow, TraceScope} from './scope.js'
import type {DocumentProblem, RawSegment} from './segments.js'
import {startMsOf} from './list.js'
import {traceListLine} from './summary.js'
import {withTraceSourceFrames} from './source-frames.js'
import {buildSpanTree, type TraceTree} from './tree.js'
import {buildWaterfall, type Waterfall} from './waterfall.js'

export const TRACE_ID_PATTERN = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/

export interface TraceView {
  id: string
  classification: TraceClassification
  /** Rows in display order; bars for `barWidth` (renderers re-lay them out for their own width). */
  waterfall: Waterfall
  durationMs: number
  spanCount: number
  orphanCount: number
  inProgressCount: number
  /** Documents that could not be parsed, and why. */
  problems: DocumentProblem[]
  /** X-Ray cut the trace: it is over the document-size quota (§6.9). */
  limitExceeded: boolean
  /** Why some exception frames still name the deployed bundle, not the project's files (run in a project only). */
  notes?: string[]
}

export interface TraceViewOptions {
  apiType?: ApiKind
  barWidth?: number
  maxFrames?: number
  limitExceeded?: boolean
}

/** Pure: documents → the view (also what bench/traces.js measures). */
export function traceViewFromDocuments(id: string, documents: readonly RawSegment[], options: TraceViewOptions = {}): TraceView {
  return traceViewFromTree(id, buildSpanTree(documents), options)
}

function traceViewFromTree(id: string, tree: TraceTree, options: TraceViewOptions, waterfall?: Waterfall): TraceView {
  waterfall ??= buildWaterfall(tree, {barWidth: options.barWidth ?? 0, maxFrames: options.maxFrames})
  return {
    id,
    classification: classifyTrace(tree, {apiType: options.apiType}),
    waterfall,
    durationMs: waterfall.totalMs,
    spanCount: tree.spans.length,
    orphanCount: tree.orphanCount,
    inProgressCount: tree.inProgressCount,
    problems: tree.problems,
    limitExceeded: options.limitExceeded === true,
  }
}

export type TraceSelector = {traceId: string} | {latest: 'any' | 'failed'; scope: TraceScope; window: TimeWindow}

export interface ShowTraceInput {
  xray: XRayReader
  selector: TraceSelector
  apiType?: ApiKind
  barWidth?: number
  progress?: Progress
  /**
   * In a project: map the frames of its functions to the project's files with local source maps, when the local
   * source is the deployed code (src/traces/source-frames.ts). `budgetMs` defaults to 3 s.
   */
  sources?: {project: ProjectConfig; sources: LocalSources; budgetMs?: number}
}

/** How long `traces show` waits for local source maps by default. */
export const SOURCE_MAP_BUDGET_MS = 3000

export function assertTraceId(id: string): string {
  const trimmed = id.trim()
  if (!TRACE_ID_PATTERN.test(trimmed)) {
    throw new UserError('TRACE_ID_INVALID', `"${id}" is not an X-Ray trace id`, {
      suggestion: 'Trace ids look like 1-5759e988-bd862e3fe1be46a994272793 (tracegate traces lists them), or use --last',
    })
  }
  return trimmed
}

async function latestTraceId(input: ShowTraceInput, selector: Extract<TraceSelector, {latest: unknown}>, progress: Progress): Promise<string> {
  const result = await step(progress, 'traces:latest', `Find the ${selector.latest === 'failed' ? 'latest failed' : 'latest'} trace`, () =>
    input.xray.traceSummaries({start: selector.window.start, end: selector.window.end, filterExpression: selector.scope.expression}),
  )
  const newest = result.summaries.map(traceListLine).sort((a, b) => startMsOf(b) - startMsOf(a))[0]
  if (!newest) {
    throw new UserError(
      'TRACE_NONE',
      `No ${selector.latest === 'failed' ? 'failed ' : ''}trace of ${selector.scope.functions.join(', ')} since ${selector.window.start.toISOString()}`,
      {
        suggestion: 'Widen the window (--since 24h), or call an endpoint first: tracegate invoke "GET /path" (functions need "tracing": "Active")',
        exit: 'failure',
      },
    )
  }
  return newest.id
}

export async function showTrace(input: ShowTraceInput): Promise<TraceView> {
  const progress = input.progress ?? silentProgress
  const id = 'traceId' in input.selector ? assertTraceId(input.selector.traceId) : await latestTraceId(input, input.selector, progress)
  const batch = await step(progress, 'traces:get', `Fetch trace ${id}`, () => input.xray.traces([id]), (b) => `${b.traces[0]?.documents.length ?? 0} segments`)
  const trace = batch.traces[0]
  if (!trace || trace.documents.length === 0) {
    throw new UserError('TRACE_NOT_FOUND', `X-Ray has no trace ${id} in this region`, {
      suggestion: 'Traces appear a few seconds after the request and are kept 30 days; check --region, or list them with: tracegate traces',
      exit: 'failure',
    })
  }
  const options: TraceViewOptions = {apiType: input.apiType, barWidth: input.barWidth, limitExceeded: trace.limitExceeded}
  const tree = buildSpanTree(trace.documents)
  if (!input.sources) return traceViewFromTree(id, tree, options)
  const built = buildWaterfall(tree, {barWidth: options.barWidth ?? 0})
  const {waterfall, notes} = await withTraceSourceFrames(tree, built, {...input.sources, budgetMs: input.sources.budgetMs ?? SOURCE_MAP_BUDGET_MS})
  const view = traceViewFromTree(id, tree, options, waterfall)
  return notes.length > 0 ? {...view, notes} : view
}
