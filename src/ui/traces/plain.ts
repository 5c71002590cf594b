/**
 * Plain-text trace output for pipes and CI (and NO_COLOR): the same columns as the Ink components.
 */
import type {TraceListResult} from '../../traces/list.js'
import type {TraceView} from '../../traces/show.js'
import type {TraceListLine} from '../../traces/summary.js'
import {formatDuration} from '../../traces/waterfall.js'
import type {Palette} from '../colors.js'
import {
  clip,
  detailLines,
  exceptionLines,
  INFERRED_STATUS_NOTE,
  layoutFor,
  type Tone,
  traceLineCells,
  waterfallRowCells,
} from './format.js'

export function tone(c: Palette, t: Tone): (s: string) => string {
  switch (t) {
    case 'ok':
      return c.green
    case 'error':
      return c.yellow
    case 'throttle':
      return c.magenta
    case 'fault':
      return c.red
    case 'partial':
      return c.cyan
    case 'dim':
      return c.dim
  }
}

export function plainTraceLine(line: TraceListLine, c: Palette, width: number): string {
  const cells = traceLineCells(line, width)
  const paint = tone(c, cells.tone)
  const parts = [c.dim(cells.time), cells.method, cells.path, paint(cells.status), cells.duration, paint(cells.badge)]
  if (cells.cause) parts.push(c.red(cells.cause))
  return parts.join(' ').trimEnd()
}

export function plainTraceList(result: TraceListResult, c: Palette, width: number): string {
  const lines = result.traces.map((line) => plainTraceLine(line, c, width))
  if (result.traces.length === 0) {
    lines.push(c.dim(`No traces between ${result.window.start} and ${result.window.end}.`))
  } else {
    const more = result.truncated ? ' (more matched: raise --limit or narrow --since)' : ''
    lines.push(c.dim(`${result.traces.length} trace${result.traces.length === 1 ? '' : 's'}${more}. Show one: tracegate traces show ${result.traces[0].id}`))
    if (result.traces.some((line) => line.statusInferred)) lines.push(c.dim(clip(INFERRED_STATUS_NOTE, width, false)))
  }
  return `${lines.join('\n')}\n`
}

export function traceHeader(view: TraceView): string {
  const spans = `${view.spanCount} span${view.spanCount === 1 ? '' : 's'}`
  return `Trace ${view.id} · ${view.classification.headline} · ${formatDuration(view.durationMs)} · ${spans}`
}

/** Lines that explain what the waterfall cannot show: orphans, in-progress spans, bad documents. */
export function traceNotes(view: TraceView): string[] {
  const notes: string[] = []
  if (view.classification.statusInferred) notes.push(INFERRED_STATUS_NOTE)
  if (view.orphanCount > 0) notes.push(`${view.orphanCount} span(s) name a parent that is not in the trace (shown as [orphan])`)
  if (view.inProgressCount > 0) notes.push(`${view.inProgressCount} span(s) still in progress (▒)`)
  for (const p of view.problems) notes.push(`document ${p.index + 1}${p.id ? ` (${p.id})` : ''} skipped: ${p.reason}`)
  if (view.limitExceeded) notes.push('X-Ray truncated this trace: it is over the segment-document size quota')
  return notes
}

export function plainWaterfall(view: TraceView, c: Palette, width: number, details = false): string {
  const {layout, waterfall} = layoutFor(view.waterfall, width)
  const headline = tone(c, view.classification.verdict === 'ok' ? 'ok' : 'fault')
  const lines = [headline(clip(traceHeader(view), width, false))]
  for (const row of waterfall.rows) {
    const cells = waterfallRowCells(row, layout)
    const paint = tone(c, cells.tone)
    lines.push(`${cells.name} ${c.dim(cells.timing)} ${paint(cells.status)} ${c.dim(cells.before)}${paint(cells.bar)}${cells.after}`.trimEnd())
    for (const line of exceptionLines(row, width)) lines.push(c.red(line))
    if (details) for (const line of detailLines(row, width)) lines.push(c.dim(line))
  }
  for (const note of traceNotes(view)) lines.push(c.dim(clip(note, width, false)))
  return `${lines.join('\n')}\n`
}
