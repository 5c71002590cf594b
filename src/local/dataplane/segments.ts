/**
 * Where the emulator's own segment documents go: those the runtime emits for traced invocations (`AWS::Lambda`,
 * `AWS::Lambda::Function`) and those instrumented handlers send to the UDP daemon. They are stored exactly as
 * PutTraceSegments stores them (same `putSegment` record: id, trace id, kind, parent, times, the document as a
 * JSON string), so GetTraceSummaries and BatchGetTraces return them like any other segment.
 *
 * Writes are batched, so a stream of traced requests costs one SQLite commit per batch instead of one per request.
 * For a store in a file, each document goes at once to a worker thread with its own connection (segment-writer.ts),
 * which commits what it has every 250 ms: the statements, commits and WAL checkpoints stay off the thread that
 * serves requests, and so do the documents. The runtime's own traces (`addLambdaTrace`) go over as the invocation's
 * record, and the thread builds and serialises their documents (`lambdaSegments`) too. Otherwise (an in-memory
 * store, or the thread failed) documents are queued here and written in one transaction at most every
 * FLUSH_INTERVAL_MS (or once MAX_QUEUED are waiting).
 * Every X-Ray read that reaches the emulator flushes first and waits until the documents are committed (the data
 * plane sees requests before the control plane), so a client that asks X-Ray right after its response still finds
 * the segments.
 *
 * X-Ray is regional: a trace is stored in the region of the function that produced it. The daemon's documents
 * carry no region, so the sink remembers which region each recent trace id belongs to.
 */
import {type LambdaTraceInput, lambdaSegments} from '../runtime/tracing.js'
import type {Store} from '../store.js'
import {type SegmentBatch, SegmentWriterThread, segmentInputFor} from './segment-writer.js'

export {segmentInputFor}
/**
 * Longest a queued document waits before it is written. Each commit rewrites the index pages its trace ids
 * land on (random within the current second), so fewer, larger commits write less to the WAL per segment
 * (5.5 KB per traced request at 50 ms batches under load, about 3 KB at 250 ms) and checkpoint less often.
 */
const FLUSH_INTERVAL_MS = 250
/** A queue this long is written at once. */
const MAX_QUEUED = 1000
/** How many trace ids → region to remember (a daemon document arrives within seconds of its invocation). */
const REMEMBERED_TRACES = 10_000

export interface SegmentSink {
  /** Records the region the trace's segments belong to (call before the invocation runs). */
  traceRegion(traceId: string, region: string): void
  /** Queues documents for storage; those that PutTraceSegments would refuse are counted and dropped. */
  add(documents: Record<string, unknown>[], region?: string): void
  /**
   * Stores a traced invocation's documents (`lambdaSegments`), in its function's region. With a writer thread the
   * documents are built there: this thread only hands over the trace.
   */
  addLambdaTrace(trace: LambdaTraceInput): void
  /** Writes everything queued now and returns once it is committed (call before anything reads traces). */
  flush(): void
  /** Documents dropped because they were not valid segment documents. */
  readonly rejected: number
}

/** The region in a Lambda segment's function ARN (`resource_arn` or `aws.function_arn`). */
function regionOfDocument(document: Record<string, unknown>): string | undefined {
  const arn = typeof document.resource_arn === 'string' ? document.resource_arn : (document.aws as {function_arn?: unknown} | undefined)?.function_arn
  return typeof arn === 'string' ? regionOfArn(arn) : undefined
}

/** `us-east-1` of `arn:aws:lambda:us-east-1:…`. */
function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined
}

export interface SegmentSinkOptions {
  /**
   * Write batches on a worker thread with its own connection (segment-writer.ts), keeping SQLite off the thread
   * that serves requests. Default: true for a store in a file (an in-memory store has no second connection).
   */
  thread?: boolean
}

export function createSegmentSink(store: Store, defaultRegion: string, onRejected?: (reason: string) => void, options: SegmentSinkOptions = {}): SegmentSink {
  const regions = new Map<string, string>()
  /**
   * Walks `regions` in insertion order, oldest first. Kept across calls: a fresh `keys()` iterator would step
   * over every slot the evictions before it left empty, which made each eviction cost grow with the map.
   */
  let oldest = regions.keys()
  let queue: SegmentBatch = []
  let timer: NodeJS.Timeout | undefined
  let rejected = 0
  const thread =
    (options.thread ?? true) && store.path !== ':memory:'
      ? new SegmentWriterThread(store, (reason) => onRejected?.(reason))
      : undefined

  function regionFor(document: Record<string, unknown>, traceId: string, given?: string): string {
    return given ?? regionOfDocument(document) ?? regions.get(traceId) ?? defaultRegion
  }

  /** Hands everything queued to the writer (the thread, or this thread's connection); returns without waiting. */
  function writeQueued(): void {
    clearTimeout(timer)
    timer = undefined
    if (queue.length === 0) return
    const batch = queue
    queue = []
    if (!store.db.open) return
    const receivedAt = Date.now() / 1000
    // Only documents that could not go to the writer thread are queued (see `add`).
    try {
      store.putSegments(batch, receivedAt)
    } catch (error) {
      // Runs from a timer: a throw here would take the emulator down for the sake of a trace.
      rejected += batch.length
      onRejected?.(`storing ${batch.length} segment(s) failed: ${(error as Error).message}`)
    }
  }

  function flush(): void {
    writeQueued()
    thread?.waitWritten()
  }

  const sink: SegmentSink = {
    traceRegion(traceId, region) {
      if (regions.has(traceId)) regions.delete(traceId)
      regions.set(traceId, region)
      if (regions.size > REMEMBERED_TRACES) {
        // Every entry the iterator has passed was deleted, so the next one it yields is the oldest left.
        let next = oldest.next()
        if (next.done) {
          oldest = regions.keys()
          next = oldest.next()
        }
        regions.delete(next.value as string)
      }
    },
    addLambdaTrace(trace) {
      if (thread?.usable) thread.addTrace(regionOfArn(trace.functionArn) ?? defaultRegion, trace, Date.now() / 1000)
      else sink.add(lambdaSegments(trace))
    },
    add(documents, region) {
      // Straight to the writer thread's ring: nothing is held here (see segment-writer.ts).
      const direct = thread?.usable === true
      const receivedAt = direct ? Date.now() / 1000 : 0
      for (const document of documents) {
        const checked = segmentInputFor(document)
        if ('error' in checked) {
          rejected++
          onRejected?.(checked.error)
          continue
        }
        const documentRegion = regionFor(document, checked.input.traceId, region)
        if (direct) thread.add(documentRegion, checked.input, receivedAt)
        else queue.push({region: documentRegion, segment: checked.input})
      }
      if (queue.length >= MAX_QUEUED) writeQueued()
      else if (!timer && queue.length > 0) {
        timer = setTimeout(writeQueued, FLUSH_INTERVAL_MS)
        // Pending segments never keep a process alive; `close` flushes them.
        timer.unref()
      }
    },
    flush,
    get rejected() {
      return rejected + (thread?.dropped ?? 0)
    },
  }
  return sink
}
