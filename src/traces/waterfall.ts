/**
 * Span tree → waterfall rows: one row per span in display order, with everything a renderer needs (Ink or
 * plain text) already computed: depth, timing relative to the trace start, a status colour class, bar
 * geometry for a given bar width, and exceptions cut to their first frames.
 */
import type {AnnotationValue, StackFrame} from './segments.js'
import type {Span, TraceTree} from './tree.js'

/** Colour class of a span. A 429 sets error and throttle at once (§6.2); the more specific class wins. */
export type SpanStatus = 'ok' | 'error' | 'throttle' | 'fault'

export interface WaterfallException {
  type: string
  message: string
  remote: boolean
  /** First frames, formatted `label (path:line)`; in the project's files when a local source map placed them. */
  frames: string[]
  /** Parallel to `frames`: the frames as the deployed bundle recorded them, present only when `frames` were mapped. */
  deployedFrames?: string[]
  /** Frames not shown (cut here, or already truncated/skipped by the SDK). */
  moreFrames: number
}

export interface BarGeometry {
  /** Columns before the bar. */
  offset: number
  /** Columns of the bar, at least 1. */
  length: number
}

export interface WaterfallRow {
  spanId: string
  depth: number
  name: string
  /** Short kind shown next to the name: `Stage`, `Lambda`, `Function`, or the AWS operation (`GetItem`). */
  tag?: string
  kind: Span['kind']
  startOffsetMs: number
  /** Absent while in progress. */
  durationMs?: number
  inProgress: boolean
  status: SpanStatus
  httpStatus?: number
  orphan: boolean
  clockSkew: boolean
  exceptions: WaterfallException[]
  annotations: Record<string, AnnotationValue>
  metadata?: Record<string, unknown>
  bar: BarGeometry
}

export interface Waterfall {
  traceId?: string
  /** Epoch seconds of the earliest span. */
  startTime: number
  totalMs: number
  barWidth: number
  rows: WaterfallRow[]
}

export interface WaterfallOptions {
  /** Columns available for the bars. */
  barWidth: number
  /** Stack frames kept per exception (default 3). */
  maxFrames?: number
}

const ORIGIN_TAGS: Record<string, string> = {
  'AWS::ApiGateway::Stage': 'Stage',
  'AWS::Lambda': 'Lambda',
  'AWS::Lambda::Function': 'Function',
}

export function spanStatus(span: Pick<Span, 'fault' | 'throttle' | 'error'>): SpanStatus {
  if (span.fault) return 'fault'
  if (span.throttle) return 'throttle'
  if (span.error) return 'error'
  return 'ok'
}

function tagOf(span: Span): string | undefined {
  if (span.origin) return ORIGIN_TAGS[span.origin] ?? span.origin
  const operation = span.aws?.operation
  if (typeof operation === 'string') return operation
  if (span.namespace === 'remote') return 'remote'
  return undefined
}

export function formatFrame(frame: StackFrame): string {
  const line = typeof frame.line === 'number' && Number.isFinite(frame.line) ? frame.line : undefined
  // Lambda's runtime splits `file:///var/runtime/index.mjs:1173:29` at its first colon, so ESM frames arrive
  // as path "file" with no line: that says nothing, so show the label alone.
  const path = frame.path === 'file' && line === undefined ? undefined : frame.path
  const where = path ? `${path}${line === undefined ? '' : `:${line}`}` : ''
  if (frame.label && where) return `${frame.label} (${where})`
  return frame.label ?? (where || '<anonymous>')
}

function exceptionsOf(span: Span, maxFrames: number): WaterfallException[] {
  return span.exceptions.map((e) => ({
    type: e.type,
    message: e.message,
    remote: e.remote,
    frames: e.frames.slice(0, maxFrames).map(formatFrame),
    moreFrames: Math.max(0, e.frames.length - maxFrames) + (e.truncated ?? 0) + (e.skipped ?? 0),
  }))
}

/**
 * Where a bar sits in `width` columns. Every span gets at least one column, and a bar never runs past the
 * right edge (clock skew can put a child after its parent's end).
 */
export function barGeometry(startOffsetMs: number, durationMs: number | undefined, totalMs: number, width: number): BarGeometry {
  if (width <= 0) return {offset: 0, length: 0}
  if (totalMs <= 0) return {offset: 0, length: width}
  const scale = width / totalMs
  const offset = Math.min(width - 1, Math.max(0, Math.floor(startOffsetMs * scale)))
  // In-progress spans run to the end of what is known.
  const ms = durationMs ?? Math.max(0, totalMs - startOffsetMs)
  const length = Math.max(1, Math.min(width - offset, Math.round(ms * scale)))
  return {offset, length}
}

function ms(seconds: number): number {
  return Math.round(seconds * 1_000_000) / 1000
}

export function buildWaterfall(tree: TraceTree, options: WaterfallOptions): Waterfall {
  const maxFrames = options.maxFrames ?? 3
  const totalMs = ms(tree.endTime - tree.startTime)
  const rows = tree.spans.map((span): WaterfallRow => {
    const startOffsetMs = ms(span.startTime - tree.startTime)
    const durationMs = span.endTime === undefined ? undefined : ms(Math.max(0, span.endTime - span.startTime))
    return {
      spanId: span.id,
      depth: span.depth,
      name: span.name,
      tag: tagOf(span),
      kind: span.kind,
      startOffsetMs,
      durationMs,
      inProgress: span.inProgress,
      status: spanStatus(span),
      httpStatus: span.http?.response?.status,
      orphan: span.orphan,
      clockSkew: span.clockSkew,
      exceptions: exceptionsOf(span, maxFrames),
      annotations: span.annotations,
      metadata: span.metadata,
      bar: barGeometry(startOffsetMs, durationMs, totalMs, options.barWidth),
    }
  })
  return {traceId: tree.traceId, startTime: tree.startTime, totalMs, barWidth: options.barWidth, rows}
}

/** The same waterfall with bars recomputed for another width (a terminal resize). */
export function withBarWidth(waterfall: Waterfall, barWidth: number): Waterfall {
  if (barWidth === waterfall.barWidth) return waterfall
  return {
    ...waterfall,
    barWidth,
    rows: waterfall.rows.map((row) => ({...row, bar: barGeometry(row.startOffsetMs, row.durationMs, waterfall.totalMs, barWidth)})),
  }
}

export interface WaterfallLayout {
  /** Columns for indentation + name + tag. */
  nameWidth: number
  /** Columns for the start offset and duration (`+12.3ms  45.6ms`). */
  timingWidth: number
  /** Columns for the HTTP status. */
  statusWidth: number
  barWidth: number
}

/** Splits a terminal width between the columns; the bars take what is left, never less than 10. */
export function waterfallLayout(totalWidth: number, waterfall?: Pick<Waterfall, 'rows'>): WaterfallLayout {
  const width = Math.max(40, Math.floor(totalWidth))
  const timingWidth = 20
  const statusWidth = 4
  const longest = waterfall
    ? Math.max(0, ...waterfall.rows.map((r) => r.depth * 2 + r.name.length + (r.tag ? r.tag.length + 1 : 0) + 2))
    : 0
  const maxName = Math.floor(width * 0.4)
  const nameWidth = Math.max(16, Math.min(maxName, longest || maxName))
  const barWidth = Math.max(10, width - nameWidth - timingWidth - statusWidth - 3)
  return {nameWidth, timingWidth, statusWidth, barWidth}
}

/** `12.3ms`, `1.24s`, `2m03s`: compact durations for narrow columns. */
export function formatDuration(milliseconds: number | undefined): string {
  if (milliseconds === undefined) return '…'
  if (milliseconds < 1) return `${milliseconds.toFixed(2)}ms`
  if (milliseconds < 100) return `${milliseconds.toFixed(1)}ms`
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(2)}s`
  const minutes = Math.floor(milliseconds / 60_000)
  const seconds = Math.round((milliseconds % 60_000) / 1000)
  return `${minutes}m${String(seconds).padStart(2, '0')}s`
}
