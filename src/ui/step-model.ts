import type {ProgressEvent, StepStatus} from '../progress.js'

/** The state a live step list shows, kept as plain data so it is tested without Ink (STYLE rule 4). */
export interface StepRow {
  id: string
  label: string
  status: StepStatus
  detail?: string
  durationMs?: number
  error?: ProgressEvent['error']
}

export class StepTracker {
  private readonly rows = new Map<string, StepRow>()
  private listeners = new Set<() => void>()
  private version = 0
  private counter = 0

  apply(event: ProgressEvent): void {
    // Info and warning lines are one-offs: give each its own row.
    const id = event.status === 'info' || event.status === 'warn' ? `${event.step}#${this.counter++}` : event.step
    const previous = this.rows.get(id)
    this.rows.set(id, {
      id,
      label: event.label,
      status: event.status,
      detail: event.detail ?? previous?.detail,
      durationMs: event.durationMs,
      error: event.error,
    })
    this.version++
    for (const listener of this.listeners) listener()
  }

  list(): StepRow[] {
    return [...this.rows.values()]
  }

  snapshot(): number {
    return this.version
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
