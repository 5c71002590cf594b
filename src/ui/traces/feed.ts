/**
 * The state of a live `traces --follow` view, as plain data (tested without Ink, STYLE rule 4): every trace
 * event in arrival order, and one status line.
 */
import type {FollowEvent} from '../../traces/follow.js'
import type {Tone} from './format.js'

export interface FeedEntry extends FollowEvent {
  /** Unique per event (a trace may appear again when it is updated). */
  key: string
}

export class TraceFeed {
  private readonly items: FeedEntry[] = []
  private statusText: {text: string; tone: Tone}
  private stopped = false
  private readonly listeners = new Set<() => void>()
  private version = 0

  constructor(status: string) {
    this.statusText = {text: status, tone: 'dim'}
  }

  push(event: FollowEvent): void {
    this.items.push({...event, key: `${event.trace.id}#${this.items.length}`})
    this.changed()
  }

  setStatus(text: string, tone: Tone = 'dim'): void {
    this.statusText = {text, tone}
    this.changed()
  }

  /** Following ended (Ctrl-C): the status line stops spinning. */
  stop(text: string): void {
    this.stopped = true
    this.setStatus(text)
  }

  isStopped(): boolean {
    return this.stopped
  }

  entries(): readonly FeedEntry[] {
    return this.items
  }

  status(): {text: string; tone: Tone} {
    return this.statusText
  }

  snapshot(): number {
    return this.version
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private changed(): void {
    this.version++
    for (const listener of this.listeners) listener()
  }
}
