import type {Progress, ProgressEvent} from '../progress.js'
import {type Palette, paletteFor} from './colors.js'

/** Plain progress lines for pipes and CI: one line per finished step, never a spinner frame. */
export function plainProgress(stream: NodeJS.WritableStream & {isTTY?: boolean} = process.stderr): Progress {
  const c = paletteFor(stream)
  return {
    emit(event) {
      const line = formatProgressLine(event, c)
      if (line !== undefined) stream.write(`${line}\n`)
    },
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

export function formatProgressLine(event: ProgressEvent, c: Palette): string | undefined {
  const detail = event.detail ? ` ${c.dim(`(${event.detail})`)}` : ''
  const took = event.durationMs === undefined ? '' : c.dim(` ${formatDuration(event.durationMs)}`)
  switch (event.status) {
    case 'start':
      return undefined
    case 'done':
      return `${c.green('✓')} ${event.label}${detail}${took}`
    case 'skip':
      return `${c.dim('-')} ${event.label}${detail}`
    case 'info':
      return `${c.cyan('›')} ${event.label}${detail}`
    case 'warn':
      return `${c.yellow('!')} ${event.label}${detail}`
    case 'fail': {
      const lines = [`${c.red('✗')} ${event.label}${took}`]
      if (event.error) lines.push(`  ${c.red(event.error.message)}`)
      if (event.error?.suggestion) lines.push(`  ${c.dim('Try:')} ${event.error.suggestion}`)
      return lines.join('\n')
    }
  }
}
