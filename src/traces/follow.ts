/**
 * `tracegate traces --follow`: polls GetTraceSummaries with overlapping windows so that no trace falls
 * between two polls (X-Ray indexes a trace some seconds after its segments arrive), de-duplicates by trace
 * id, re-emits a trace whose summary changed (an in-progress trace that completed), backs off while X-Ray
 * throttles, and stops cleanly when the signal aborts (Ctrl-C). Time is injected so tests never sleep.
 */
import type {XRayReader, XRayTraceSummary} from '../aws/xray.js'
import {errorName, isThrottling} from '../aws/errors.js'
import {type Progress, silentProgress} from '../progress.js'
import {type TraceListLine, traceIdTime, traceListLineWith} from './summary.js'

export interface FollowClock {
  now(): number
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemFollowClock: FollowClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      signal?.addEventListener('abort', done, {once: true})
    }),
}

export interface FollowEvent {
  /** `new` the first time a trace is seen; `updated` when its summary changed since. */
  kind: 'new' | 'updated'
  trace: TraceListLine
}

export interface FollowOptions {
  xray: XRayReader
  filterExpression: string
  /** Earliest trace start to report (the --since bound). */
  since: Date
  signal: AbortSignal
  /** The project's API type, for the status API Gateway answered when X-Ray only saw Lambda (see summary.ts). */
  apiType?: 'http' | 'rest'
  onTrace(event: FollowEvent): void
  clock?: FollowClock
  /** Pause between polls (default 2 s). */
  intervalMs?: number
  /** How far each window reaches back over the previous one (default 60 s; X-Ray's indexing delay). */
  overlapMs?: number
  /** Longest pause while throttled (default 30 s). */
  maxBackoffMs?: number
  /** In-progress traces older than this are no longer watched for completion (default 15 min). */
  pendingHorizonMs?: number
  progress?: Progress
}

export interface FollowStats {
  polls: number
  /** Traces emitted as `new`. */
  traces: number
  /** Traces re-emitted as `updated`. */
  updates: number
  /** Polls X-Ray throttled. */
  throttled: number
}

function fingerprint(summary: XRayTraceSummary): string {
  const cause = summary.FaultRootCauses?.[0]?.Services?.[0]?.EntityPath?.at(-1)?.Exceptions?.[0]?.Message ?? ''
  return JSON.stringify([
    summary.IsPartial === true,
    summary.HasFault === true,
    summary.HasError === true,
    summary.HasThrottle === true,
    summary.Http?.HttpStatus,
    summary.Duration,
    summary.ResponseTime,
    cause,
  ])
}

function startMs(summary: XRayTraceSummary): number {
  const start = summary.StartTime
  if (start instanceof Date) return start.getTime()
  if (typeof start === 'number') return start * 1000
  return traceIdTime(summary.Id ?? '')?.getTime() ?? 0
}

function aborted(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || errorName(error) === 'AbortError'
}

function throttled(error: unknown): boolean {
  return isThrottling(error) || isThrottling((error as {cause?: unknown})?.cause)
}

export async function followTraces(options: FollowOptions): Promise<FollowStats> {
  const clock = options.clock ?? systemFollowClock
  const interval = options.intervalMs ?? 2000
  const overlap = options.overlapMs ?? 60_000
  const maxBackoff = options.maxBackoffMs ?? 30_000
  const horizon = options.pendingHorizonMs ?? 15 * 60_000
  const progress = options.progress ?? silentProgress
  const since = options.since.getTime()
  const stats: FollowStats = {polls: 0, traces: 0, updates: 0, throttled: 0}

  /** id → fingerprint, start and last sighting of every trace that can still show up in a window. */
  const seen = new Map<string, {fingerprint: string; start: number; partial: boolean; lastSeen: number}>()
  let cursor = since
  let delay = interval

  while (!options.signal.aborted) {
    const now = clock.now()
    let windowStart = Math.max(since, cursor - overlap)
    // Keep reaching back to traces still in progress, so their completion is seen (within the horizon).
    for (const entry of seen.values()) {
      if (entry.partial && entry.start >= now - horizon) windowStart = Math.min(windowStart, Math.max(since, entry.start))
    }
    try {
      const result = await options.xray.traceSummaries({
        start: new Date(windowStart),
        end: new Date(now),
        filterExpression: options.filterExpression,
        signal: options.signal,
      })
      stats.polls++
      const summaries = [...result.summaries].sort((a, b) => startMs(a) - startMs(b))
      for (const summary of summaries) {
        if (!summary.Id) continue
        const print = fingerprint(summary)
        const previous = seen.get(summary.Id)
        if (previous) previous.lastSeen = now
        if (previous?.fingerprint === print) continue
        seen.set(summary.Id, {fingerprint: print, start: startMs(summary), partial: summary.IsPartial === true, lastSeen: now})
        if (previous) stats.updates++
        else stats.traces++
        options.onTrace({kind: previous ? 'updated' : 'new', trace: traceListLineWith(summary, {apiType: options.apiType})})
      }
      cursor = now
      if (delay !== interval) progress.emit({step: 'traces:follow', status: 'info', label: 'X-Ray answers again; polling resumed'})
      delay = interval
    } catch (error) {
      if (aborted(error, options.signal)) break
      if (!throttled(error)) throw error
      stats.throttled++
      delay = Math.min(maxBackoff, delay * 2)
      progress.emit({
        step: 'traces:follow',
        status: 'warn',
        label: 'X-Ray is throttling GetTraceSummaries',
        detail: `next poll in ${Math.round(delay / 1000)} s`,
      })
    }
    // Forget traces not returned for longer than any window reaches back: a later window cannot hold them.
    // (Keyed on when we last saw a trace, not on its start, so a service that returns a trace outside the
    // asked range still never gets it printed twice.)
    const forgetBefore = clock.now() - overlap - maxBackoff - interval
    for (const [id, entry] of seen) {
      if (entry.lastSeen < forgetBefore && !(entry.partial && entry.start >= clock.now() - horizon)) seen.delete(id)
    }
    if (options.signal.aborted) break
    await clock.sleep(delay, options.signal)
  }
  return stats
}
