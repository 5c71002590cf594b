/**
 * The narrow X-Ray interface `tracegate traces` needs (STYLE rules 2 and 3): GetTraceSummaries drained
 * page by page, BatchGetTraces split into calls of at most 5 ids (aws-semantics §6.9) run in parallel, each
 * call drained of its own NextToken. Segment documents come back as JSON strings; parsing is src/traces/.
 */
import {BatchGetTracesCommand, GetTraceSummariesCommand, type XRayClient} from '@aws-sdk/client-xray'
import {UserError} from '../errors.js'
import type {TraceSummaryLike} from '../traces/summary.js'
import {errorName, isThrottling, type RetryOptions, toUserError, withRetry} from './errors.js'

/** BatchGetTraces accepts 1–5 trace ids per call (§1.4, §6.9). */
export const BATCH_GET_TRACES_MAX_IDS = 5
const DEFAULT_CONCURRENCY = 8
// A guard against a service that keeps returning a NextToken with empty pages.
const MAX_PAGES = 1000

export type XRayTraceSummary = TraceSummaryLike

export interface TraceSummaryQuery {
  start: Date
  end: Date
  filterExpression?: string
  /** `TraceId` (default: trace start), `Event` (last update) or `Service` (segment end) (§6.8). */
  timeRangeType?: 'TraceId' | 'Event' | 'Service'
  /** Stop draining once this many summaries have been read. */
  limit?: number
  signal?: AbortSignal
}

export interface TraceSummaryResult {
  summaries: XRayTraceSummary[]
  /** Sum of `TracesProcessedCount` over the pages. */
  tracesProcessed: number
  approximateTime?: Date
  /** True when `limit` stopped the drain before the last page. */
  truncated: boolean
  pages: number
}

export interface XRayTrace {
  id: string
  /** Seconds, as X-Ray reports it. */
  duration?: number
  limitExceeded: boolean
  /** Segment documents, JSON strings. */
  documents: string[]
}

export interface TraceBatch {
  /** In the order the ids were asked for; ids X-Ray did not return are absent. */
  traces: XRayTrace[]
  unprocessedIds: string[]
  /** BatchGetTraces calls made (pages included). */
  calls: number
}

export interface XRayReader {
  traceSummaries(query: TraceSummaryQuery): Promise<TraceSummaryResult>
  traces(ids: readonly string[], options?: {signal?: AbortSignal}): Promise<TraceBatch>
}

export interface XRayReaderOptions {
  /** BatchGetTraces calls in flight at once (default 8). */
  concurrency?: number
  /** Retry policy for throttling (default: `withRetry`'s). `{maxAttempts: 1}` leaves backoff to the caller. */
  retry?: RetryOptions
}

/** Maps an X-Ray error to something the user can act on. Aborts pass through untouched. */
export function xrayError(error: unknown, action: string): unknown {
  const name = errorName(error)
  if (name === 'AbortError') return error
  const message = String((error as {message?: string})?.message ?? error)
  if (name === 'InvalidRequestException') {
    return new UserError('XRAY_INVALID_REQUEST', `X-Ray rejected the query: ${message}`, {
      suggestion: 'Check --filter (X-Ray filter-expression syntax) and narrow --since/--until',
      details: {action, awsError: name, awsMessage: message},
      cause: error,
    })
  }
  if (isThrottling(error)) {
    return new UserError('XRAY_THROTTLED', `X-Ray kept throttling ${action} (${name || 'ThrottledException'})`, {
      suggestion: 'Wait a few seconds and run the command again, or narrow --since',
      exit: 'failure',
      details: {action, awsError: name},
      cause: error,
    })
  }
  const mapped = toUserError(error, action)
  if (mapped instanceof UserError && mapped.code === 'AWS_ERROR') {
    return new UserError('AWS_ERROR', `${action} failed: ${name}: ${message}`, {
      suggestion: 'Run the command again; if it persists, check the X-Ray console for the same time range',
      exit: 'failure',
      details: {action, awsError: name, awsMessage: message},
      cause: error,
    })
  }
  return mapped
}

async function call<T>(action: string, work: () => Promise<T>, retry: RetryOptions | undefined): Promise<T> {
  try {
    return await withRetry(work, {retryable: isThrottling, ...retry})
  } catch (error) {
    throw xrayError(error, action)
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight; results keep the input order. */
async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index])
    }
  }
  await Promise.all(Array.from({length: Math.min(concurrency, items.length)}, worker))
  return results
}

export function xrayReader(client: XRayClient, options: XRayReaderOptions = {}): XRayReader {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY)
  return {
    async traceSummaries(query) {
      const summaries: XRayTraceSummary[] = []
      let tracesProcessed = 0
      let approximateTime: Date | undefined
      let nextToken: string | undefined
      let pages = 0
      do {
        const page = await call(
          'xray:GetTraceSummaries',
          () =>
            client.send(
              new GetTraceSummariesCommand({
                StartTime: query.start,
                EndTime: query.end,
                TimeRangeType: query.timeRangeType,
                FilterExpression: query.filterExpression || undefined,
                NextToken: nextToken,
              }),
              {abortSignal: query.signal},
            ),
          options.retry,
        )
        pages++
        summaries.push(...((page.TraceSummaries ?? []) as XRayTraceSummary[]))
        tracesProcessed += page.TracesProcessedCount ?? 0
        approximateTime ??= page.ApproximateTime
        nextToken = page.NextToken || undefined
        if (query.limit !== undefined && summaries.length >= query.limit) {
          return {summaries: summaries.slice(0, query.limit), tracesProcessed, approximateTime, truncated: true, pages}
        }
      } while (nextToken && pages < MAX_PAGES)
      return {summaries, tracesProcessed, approximateTime, truncated: false, pages}
    },

    async traces(ids, callOptions = {}) {
      const unique = [...new Set(ids)]
      const chunks: string[][] = []
      for (let i = 0; i < unique.length; i += BATCH_GET_TRACES_MAX_IDS) chunks.push(unique.slice(i, i + BATCH_GET_TRACES_MAX_IDS))
      let calls = 0
      const byId = new Map<string, XRayTrace>()
      const unprocessed = new Set<string>()
      await mapConcurrent(chunks, concurrency, async (chunk) => {
        let nextToken: string | undefined
        let pages = 0
        do {
          const page = await call(
            'xray:BatchGetTraces',
            () => client.send(new BatchGetTracesCommand({TraceIds: chunk, NextToken: nextToken}), {abortSignal: callOptions.signal}),
            options.retry,
          )
          calls++
          pages++
          for (const trace of page.Traces ?? []) {
            if (!trace.Id) continue
            let entry = byId.get(trace.Id)
            if (!entry) {
              entry = {id: trace.Id, duration: trace.Duration, limitExceeded: trace.LimitExceeded === true, documents: []}
              byId.set(trace.Id, entry)
            }
            entry.limitExceeded ||= trace.LimitExceeded === true
            for (const segment of trace.Segments ?? []) if (segment.Document) entry.documents.push(segment.Document)
          }
          for (const id of page.UnprocessedTraceIds ?? []) unprocessed.add(id)
          nextToken = page.NextToken || undefined
        } while (nextToken && pages < MAX_PAGES)
      })
      const traces = unique.map((id) => byId.get(id)).filter((t): t is XRayTrace => t !== undefined)
      return {traces, unprocessedIds: [...unprocessed].filter((id) => !byId.has(id)), calls}
    },
  }
}
