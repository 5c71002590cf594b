/**
 * Chooses how trace results reach stdout: Ink on a TTY, plain lines otherwise, NDJSON for `--follow --json`
 * (plain `--json` results are returned by the command and printed by oclif). Ink and React are imported
 * only when an Ink render really happens (STACK.md §4, §7).
 */
import type {Progress} from '../../progress.js'
import type {FollowEvent} from '../../traces/follow.js'
import type {TraceListResult} from '../../traces/list.js'
import type {TraceView} from '../../traces/show.js'
import {paletteFor} from '../colors.js'
import type {OutputMode} from '../mode.js'
import {formatProgressLine} from '../plain.js'
import {TraceFeed} from './feed.js'
import {plainTraceLine, plainTraceList, plainWaterfall} from './plain.js'

type Out = NodeJS.WriteStream

/**
 * Above this many rows a one-shot list or waterfall is written as coloured text instead of through Ink: Ink
 * lays out and re-tokenises every cell (seconds for a 5,000-span trace, bench/traces.js), while the output,
 * printed once through <Static>, would be the same characters and colours as the plain renderer's.
 */
export const INK_MAX_ROWS = 200

function columns(out: Out): number {
  // Pipes have no width: use a wide line so nothing useful is cut.
  return out.isTTY && out.columns ? out.columns : 160
}

async function renderOnce(element: unknown, out: Out): Promise<void> {
  const {render} = await import('ink')
  const instance = render(element as Parameters<typeof render>[0], {stdout: out, patchConsole: false, exitOnCtrlC: false})
  instance.unmount()
  await instance.waitUntilExit().catch(() => {})
}

export async function renderTraceList(result: TraceListResult, mode: OutputMode, out: Out = process.stdout): Promise<void> {
  if (mode === 'json') return
  if (mode === 'plain' || result.traces.length > INK_MAX_ROWS) {
    out.write(plainTraceList(result, paletteFor(out), columns(out)))
    return
  }
  const [{createElement}, {TraceListView}] = await Promise.all([import('react'), import('./TraceList.js')])
  await renderOnce(createElement(TraceListView, {result, width: columns(out)}), out)
}

export async function renderTraceView(view: TraceView, mode: OutputMode, details: boolean, out: Out = process.stdout): Promise<void> {
  if (mode === 'json') return
  if (mode === 'plain' || view.waterfall.rows.length > INK_MAX_ROWS) {
    out.write(plainWaterfall(view, paletteFor(out), columns(out), details))
    return
  }
  const [{createElement}, {WaterfallView}] = await Promise.all([import('react'), import('./Waterfall.js')])
  await renderOnce(createElement(WaterfallView, {view, width: columns(out), details}), out)
}

export interface FollowRenderer {
  onTrace(event: FollowEvent): void
  /**
   * Ctrl-C: show the final status now, synchronously. Ink unmounts itself on SIGINT (signal-exit), so a
   * SIGINT listener registered before the renderer must call this for the last frame to say "Stopped".
   */
  stop(): void
  /** Where follow's own warnings (throttling) go. */
  progress: Progress
  finish(): Promise<void>
}

export async function createFollowRenderer(
  mode: OutputMode,
  options: {functions: readonly string[]; out?: Out; err?: Out},
): Promise<FollowRenderer> {
  const out = options.out ?? process.stdout
  const err = options.err ?? process.stderr
  const what = options.functions.length === 1 ? options.functions[0] : `${options.functions.length} functions`
  if (mode === 'json') {
    // NDJSON: one object per trace as it arrives; warnings stay off stdout.
    return {
      onTrace: (event) => out.write(`${JSON.stringify({kind: event.kind, ...event.trace})}\n`),
      stop() {},
      progress: {emit() {}},
      finish: async () => {},
    }
  }
  if (mode === 'plain') {
    const c = paletteFor(out)
    const ce = paletteFor(err)
    err.write(`${ce.dim(`Following traces of ${what} (Ctrl-C to stop)`)}\n`)
    return {
      onTrace: (event) => out.write(`${event.kind === 'updated' ? '↻ ' : ''}${plainTraceLine(event.trace, c, columns(out))}\n`),
      stop() {},
      progress: {
        emit(event) {
          const line = formatProgressLine(event, ce)
          if (line !== undefined) err.write(`${line}\n`)
        },
      },
      finish: async () => {},
    }
  }
  const [{render}, {createElement}, {FollowView}] = await Promise.all([import('ink'), import('react'), import('./FollowView.js')])
  const base = `Following traces of ${what} (Ctrl-C to stop)`
  const feed = new TraceFeed(base)
  let count = 0
  const view = () => createElement(FollowView, {feed, width: columns(out)})
  const instance = render(view(), {stdout: out, patchConsole: false, exitOnCtrlC: false})
  const stop = () => {
    if (feed.isStopped()) return
    feed.stop(`Stopped after ${count} trace${count === 1 ? '' : 's'}`)
    // Ink renders in legacy (synchronous) mode: this commits the final status before any unmount.
    instance.rerender(view())
  }
  return {
    stop,
    onTrace(event) {
      if (event.kind === 'new') count++
      feed.push(event)
      feed.setStatus(`${base} · ${count} trace${count === 1 ? '' : 's'}`)
    },
    progress: {
      emit(event) {
        if (event.status === 'warn') feed.setStatus(`${event.label}${event.detail ? ` (${event.detail})` : ''}`, 'throttle')
        else if (event.status === 'info') feed.setStatus(`${base} · ${count} trace${count === 1 ? '' : 's'}`)
      },
    },
    async finish() {
      stop()
      instance.unmount()
      await instance.waitUntilExit().catch(() => {})
    },
  }
}
