import type {Progress} from '../progress.js'
import {silentProgress} from '../progress.js'
import type {OutputMode} from './mode.js'
import {plainProgress} from './plain.js'
import {StepTracker} from './step-model.js'

export interface ProgressRenderer {
  progress: Progress
  /** True while an Ink frame is on screen (result lines must wait for finish()). */
  live: boolean
  /** Waits for the last frame to be written and releases the terminal. */
  finish(): Promise<void>
}

/**
 * Picks the progress renderer for the output mode. Ink (and React) are imported only here, only when an Ink
 * render really happens: importing them costs ~0.7 s (STACK.md §4).
 */
export async function createProgressRenderer(mode: OutputMode): Promise<ProgressRenderer> {
  if (mode === 'json') return {progress: silentProgress, live: false, finish: async () => {}}
  if (mode === 'plain') return {progress: plainProgress(process.stderr), live: false, finish: async () => {}}
  const [{render}, {createElement}, {StepList}] = await Promise.all([
    import('ink'),
    import('react'),
    import('./ink/steps.js'),
  ])
  const tracker = new StepTracker()
  const instance = render(createElement(StepList, {tracker}), {
    stdout: process.stderr,
    patchConsole: false,
    exitOnCtrlC: true,
  })
  return {
    progress: {emit: (event) => tracker.apply(event)},
    live: true,
    async finish() {
      instance.unmount()
      await instance.waitUntilExit().catch(() => {})
    },
  }
}
