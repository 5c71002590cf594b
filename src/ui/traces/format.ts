/**
 * Text cells for trace lists and waterfalls, shared by the plain renderer and the Ink components so both
 * show exactly the same columns. No colour here: each renderer colours the cells its own way.
 */
import type {TraceBadge, TraceListLine} from '../../traces/summary.js'
import {
  formatDuration,
  type SpanStatus,
  type Waterfall,
  type WaterfallException,
  type WaterfallLayout,
  type WaterfallRow,
  waterfallLayout,
  withBarWidth,
} from '../../traces/waterfall.js'

export type Tone = 'ok' | 'error' | 'throttle' | 'fault' | 'partial' | 'dim'

export const BADGE_TEXT: Record<TraceBadge, string> = {
  fault: 'FAULT',
  throttle: 'THROTTLE',
  error: 'ERROR',
  partial: 'partial',
  ok: 'ok',
}

/** Cuts to `width` columns with an ellipsis; pads to exactly `width` when `pad`. */
export function clip(text: string, width: number, pad = true): string {
  if (width <= 0) return ''
  // Fast path: UTF-16 length bounds the number of characters.
  if (text.length <= width) return pad ? text.padEnd(width) : text
  const chars = [...text]
  const cut = chars.length > width ? `${chars.slice(0, Math.max(0, width - 1)).join('')}…` : text
  return pad ? cut.padEnd(width) : cut
}

export function clipLeft(text: string, width: number): string {
  return text.length > width ? clip(text, width) : text.padStart(width)
}

function clock(time: string | undefined): string {
  if (!time) return '--:--:--'
  const date = new Date(time)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
}

export interface TraceLineCells {
  time: string
  method: string
  path: string
  status: string
  duration: string
  badge: string
  tone: Tone
  cause: string
  id: string
}

/** `500*`: a status inferred from Lambda's segments carries a star, as in `traces show`. */
export function statusText(line: Pick<TraceListLine, 'status' | 'statusInferred'>): string {
  if (line.status === undefined) return '-'
  return line.statusInferred ? `${line.status}*` : String(line.status)
}

/** Explains the star under a list that has one. */
export const INFERRED_STATUS_NOTE = '* status inferred from Lambda segments (HTTP APIs emit no X-Ray segment)'

/** Fixed columns, then the path and the root cause sharing what is left of `width`. */
export function traceLineCells(line: TraceListLine, width: number): TraceLineCells {
  const time = clock(line.time)
  const method = clip(line.method ?? (line.functions[0] ? 'λ' : '-'), 7)
  // Four columns: room for the star of an inferred status.
  const status = clipLeft(statusText(line), 4)
  const duration = clipLeft(formatDuration(line.durationMs), 8)
  const badge = clip(BADGE_TEXT[line.badge], 8)
  const fixed = time.length + method.length + status.length + duration.length + badge.length + 5
  const rest = Math.max(10, width - fixed - 1)
  const pathWidth = Math.max(8, Math.min(40, Math.floor(rest * 0.45)))
  const target = line.path ?? line.functions.join(',') ?? ''
  const cause = line.rootCause
  const what = cause?.type
    ? `${cause.type}${cause.message ? `: ${cause.message}` : ''}`
    : cause?.kind === 'throttle'
      ? 'throttled'
      : cause?.kind
  const causeText = cause ? `${what} (${cause.service})` : ''
  return {
    time,
    method,
    path: clip(target || '-', pathWidth),
    status,
    duration,
    badge,
    tone: line.badge,
    cause: clip(causeText, Math.max(0, rest - pathWidth - 1), false),
    id: line.id,
  }
}

export interface WaterfallRowCells {
  name: string
  timing: string
  status: string
  before: string
  bar: string
  after: string
  tone: Tone
  /** Markers after the name (orphan, clock skew), already inside `name`. */
  flags: string[]
}

const BAR_CHAR = '█'
const IN_PROGRESS_CHAR = '▒'
const GAP_CHAR = '·'

export function toneOf(status: SpanStatus): Tone {
  return status
}

export function waterfallRowCells(row: WaterfallRow, layout: WaterfallLayout): WaterfallRowCells {
  const flags: string[] = []
  if (row.orphan) flags.push('orphan')
  if (row.clockSkew) flags.push('skew')
  const indent = '  '.repeat(Math.min(row.depth, Math.floor(layout.nameWidth / 4)))
  const label = `${indent}${row.name}${row.tag ? ` ${row.tag}` : ''}${flags.length ? ` [${flags.join(',')}]` : ''}`
  const timing = `${clipLeft(`+${formatDuration(row.startOffsetMs)}`, 9)} ${clipLeft(formatDuration(row.durationMs), 10)}`
  const bar = row.bar
  return {
    name: clip(label, layout.nameWidth),
    timing: clipLeft(timing, layout.timingWidth),
    status: clipLeft(row.httpStatus === undefined ? '' : String(row.httpStatus), layout.statusWidth),
    before: GAP_CHAR.repeat(bar.offset),
    bar: (row.inProgress ? IN_PROGRESS_CHAR : BAR_CHAR).repeat(bar.length),
    after: ' '.repeat(Math.max(0, layout.barWidth - bar.offset - bar.length)),
    tone: row.inProgress ? 'partial' : toneOf(row.status),
    flags,
  }
}

/** The lines printed under a span: its exceptions with their first frames. */
export function exceptionLines(row: WaterfallRow, width: number): string[] {
  const indent = '  '.repeat(Math.min(row.depth, 10) + 1)
  const lines: string[] = []
  for (const e of row.exceptions) lines.push(...oneException(e, indent, width))
  return lines
}

function oneException(e: WaterfallException, indent: string, width: number): string[] {
  const head = `${indent}✗ ${e.type}${e.message ? `: ${e.message}` : ''}${e.remote ? ' (remote)' : ''}`
  const lines = [clip(head, width, false)]
  for (const frame of e.frames) lines.push(clip(`${indent}    at ${frame}`, width, false))
  if (e.moreFrames > 0) lines.push(clip(`${indent}    … ${e.moreFrames} more frame${e.moreFrames === 1 ? '' : 's'}`, width, false))
  return lines
}

/** `--details`: annotations and metadata under a span. */
export function detailLines(row: WaterfallRow, width: number): string[] {
  const indent = '  '.repeat(Math.min(row.depth, 10) + 1)
  const lines: string[] = []
  for (const [key, value] of Object.entries(row.annotations)) lines.push(clip(`${indent}annotation ${key} = ${JSON.stringify(value)}`, width, false))
  for (const [namespace, value] of Object.entries(row.metadata ?? {})) {
    lines.push(clip(`${indent}metadata ${namespace} ${JSON.stringify(value)}`, width, false))
  }
  return lines
}

/** The waterfall laid out for a terminal `width`: bars rescaled to the columns left after the labels. */
export function layoutFor(waterfall: Waterfall, width: number): {layout: WaterfallLayout; waterfall: Waterfall} {
  const layout = waterfallLayout(width, waterfall)
  return {layout, waterfall: withBarWidth(waterfall, layout.barWidth)}
}
