/**
 * Services never print (DESIGN.md "Output"). They emit typed progress events; the command picks a renderer
 * (Ink, plain lines, or nothing for --json).
 */

export type StepStatus = 'start' | 'done' | 'skip' | 'fail' | 'info' | 'warn'

export interface ProgressEvent {
  /** Stable id of the step, e.g. `function:getOrder`; `start` and its `done`/`fail` share it. */
  step: string
  status: StepStatus
  /** What the step does, in a few words: `Create function orders-getOrder`. */
  label: string
  /** A short detail shown after the label: `12.3 KB`, `no changes`. */
  detail?: string
  durationMs?: number
  error?: {code?: string; message: string; suggestion?: string}
}

export interface Progress {
  emit(event: ProgressEvent): void
}

export const silentProgress: Progress = {emit() {}}

/** A Progress that records events (for tests and for JSON summaries). */
export function recordingProgress(): Progress & {events: ProgressEvent[]} {
  const events: ProgressEvent[] = []
  return {events, emit: (event) => events.push(event)}
}

/**
 * Runs `work` as one step: emits `start`, then `done` (with the detail `work` returns) or `fail`.
 * The error is rethrown unchanged.
 */
export async function step<T>(
  progress: Progress,
  id: string,
  label: string,
  work: () => Promise<T>,
  detail?: (result: T) => string | undefined,
): Promise<T> {
  const started = performance.now()
  progress.emit({step: id, status: 'start', label})
  try {
    const result = await work()
    progress.emit({
      step: id,
      status: 'done',
      label,
      detail: detail?.(result),
      durationMs: Math.round(performance.now() - started),
    })
    return result
  } catch (error) {
    const e = error as {code?: string; message?: string; suggestion?: string}
    progress.emit({
      step: id,
      status: 'fail',
      label,
      durationMs: Math.round(performance.now() - started),
      error: {code: e.code, message: e.message ?? String(error), suggestion: e.suggestion},
    })
    throw error
  }
}
