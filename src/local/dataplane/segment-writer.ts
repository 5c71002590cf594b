/**
 * Writes batches of segment records on a worker thread with its own SQLite connection, so the statements, the
 * commit and the WAL checkpoints they trigger (the largest main-thread cost of a traced request: ~25 us of
 * statements and ~30 us of commit per request at 500-request batches) leave the thread that serves requests.
 *
 * The thread runs the store's own `prepareSegmentStatements` / `writeSegmentBatch` from their source text, so both
 * connections store alike. It is started on the first batch and stopped once idle (it never keeps the process
 * alive). `waitWritten` blocks until everything posted is committed (Atomics.wait on a shared counter): readers
 * that must see the segments (X-Ray requests, shutdown) call it through the sink's `flush`.
 *
 * If the thread cannot start or dies, the batches it had not confirmed are written on the calling thread and
 * later ones too (`usable` turns false): slower, never lost, so not reported as a loss.
 */
import {Worker} from 'node:worker_threads'
import {CONNECTION_PRAGMAS, prepareSegmentStatements, type SegmentInput, type Store, sqliteDriverPath, writeSegmentBatch} from '../store.js'

export type SegmentBatch = {region: string; segment: SegmentInput}[]

/** An idle thread is stopped after this long. */
const IDLE_MS = 1000
/** Longest `waitWritten` blocks; more than SQLite's busy timeout (5 s), which is the longest a batch may wait for the lock. */
const WAIT_LIMIT_MS = 10_000

/**
 * Values per record in a posted batch: records travel as one flat array of primitives, which the structured clone
 * copies in about half the time of as many small objects.
 */
const FIELDS = 9

/** Slots of the shared counters. */
const WRITTEN = 0
const DROPPED = 1
/** Set (with a notify on WRITTEN) when the thread could not open the store: a waiter stops waiting at once. */
const FAILED = 2

/**
 * The thread's program (evaluated): open, prepare once, write each batch in one transaction. Dynamic imports only,
 * so it runs whether Node evaluates it as a script or as a module.
 */
function threadSource(): string {
  return `
const prepareSegmentStatements = ${prepareSegmentStatements.toString()}
const writeSegmentBatch = ${writeSegmentBatch.toString()}
;(async () => {
  const {parentPort, workerData} = await import('node:worker_threads')
  const counters = new Int32Array(workerData.counters)
  let db
  let write
  try {
    const {createRequire} = await import('node:module')
    const Database = createRequire(workerData.driver)(workerData.driver)
    db = new Database(workerData.path)
    for (const pragma of workerData.pragmas) db.pragma(pragma)
    const statements = prepareSegmentStatements(db)
    write = db.transaction((batch, receivedAt) => writeSegmentBatch(statements, batch, receivedAt))
  } catch (error) {
    Atomics.store(counters, ${FAILED}, 1)
    Atomics.notify(counters, ${WRITTEN})
    throw error
  }
  parentPort.on('message', (message) => {
    if (message === 'close') {
      db.close()
      parentPort.close()
      return
    }
    const fields = message.fields
    const batch = []
    for (let i = 0; i < fields.length; i += ${FIELDS}) {
      batch.push({
        region: fields[i],
        segment: {
          traceId: fields[i + 1],
          id: fields[i + 2],
          kind: fields[i + 3],
          parentId: fields[i + 4] ?? undefined,
          startTime: fields[i + 5],
          endTime: fields[i + 6] ?? undefined,
          inProgress: fields[i + 7],
          document: fields[i + 8],
        },
      })
    }
    try {
      write.immediate(batch, message.receivedAt)
    } catch (error) {
      Atomics.add(counters, ${DROPPED}, batch.length)
      parentPort.postMessage({failed: batch.length, reason: String(error && error.message)})
    }
    Atomics.store(counters, ${WRITTEN}, message.seq)
    Atomics.notify(counters, ${WRITTEN})
  })
})()
`
}

export class SegmentWriterThread {
  /** False once the thread failed: the caller writes inline from then on. */
  usable = true
  /** Why the thread failed, once it did. */
  failure: string | undefined
  private readonly store: Store
  /** Documents that were not stored (or not in time for a reader), with why. */
  private readonly onFailure: (reason: string) => void
  private readonly counters = new Int32Array(new SharedArrayBuffer(12))
  private worker: Worker | undefined
  /** Sequence number of the last batch posted (the thread confirms them in order through `counters[WRITTEN]`). */
  private posted = 0
  /** Posted batches not yet confirmed, for writing inline if the thread dies. */
  private unconfirmed: {seq: number; batch: SegmentBatch; receivedAt: number}[] = []
  private idleTimer: NodeJS.Timeout | undefined

  private readonly driver: string
  private readonly idleMs: number

  /** `driver`: where better-sqlite3 loads from (tests point it elsewhere to see the fallback). */
  constructor(store: Store, onFailure: (reason: string) => void, options: {driver?: string; idleMs?: number} = {}) {
    this.store = store
    this.onFailure = onFailure
    this.driver = options.driver ?? sqliteDriverPath()
    this.idleMs = options.idleMs ?? IDLE_MS
  }

  /** Whether a thread is running now. */
  get running(): boolean {
    return this.worker !== undefined
  }

  /** Documents the thread could not store (their transaction failed). */
  get dropped(): number {
    return Atomics.load(this.counters, DROPPED)
  }

  /** Hands a batch to the thread (starting it if needed); returns at once. */
  post(batch: SegmentBatch, receivedAt: number): void {
    const worker = this.worker ?? this.start()
    const seq = ++this.posted
    this.confirmWritten()
    this.unconfirmed.push({seq, batch, receivedAt})
    const fields: (string | number | boolean | null)[] = []
    for (const {region, segment} of batch) {
      fields.push(region, segment.traceId, segment.id, segment.kind, segment.parentId ?? null, segment.startTime, segment.endTime ?? null, segment.inProgress, segment.document)
    }
    worker.postMessage({seq, fields, receivedAt})
    this.armIdle()
  }

  /** Blocks until every posted batch is committed (or the thread failed and they were written here). */
  waitWritten(): void {
    if (!this.worker) return
    // A write transaction of this connection would hold the lock the thread waits for: do not wait on it then.
    if (this.store.db.inTransaction) return
    const deadline = performance.now() + WAIT_LIMIT_MS
    for (;;) {
      const written = Atomics.load(this.counters, WRITTEN)
      if (written >= this.posted) break
      if (Atomics.load(this.counters, FAILED) === 1) {
        // Its error event has not been delivered yet (this thread is blocked here): settle now.
        this.fail(this.worker, 'it could not open the store')
        return
      }
      const left = deadline - performance.now()
      if (left <= 0 || Atomics.wait(this.counters, WRITTEN, written, left) === 'timed-out') {
        this.onFailure(`the segment writer thread did not confirm its writes within ${WAIT_LIMIT_MS} ms`)
        break
      }
    }
    this.confirmWritten()
  }

  private start(): Worker {
    const worker = new Worker(threadSource(), {
      eval: true,
      // None of the process's flags (profilers, loaders, --input-type): this thread only writes SQLite.
      execArgv: [],
      workerData: {driver: this.driver, path: this.store.path, pragmas: CONNECTION_PRAGMAS, counters: this.counters.buffer},
    })
    worker.unref()
    worker.on('message', (message: {failed?: number; reason?: string}) => {
      if (message.failed) this.onFailure(`storing ${message.failed} segment(s) failed: ${message.reason}`)
    })
    worker.on('error', (error) => this.fail(worker, error.message))
    worker.on('exit', () => {
      if (this.worker === worker) this.fail(worker, 'it exited')
    })
    this.worker = worker
    return worker
  }

  /** The thread is gone: what it had not confirmed is written here, and so is everything after. */
  private fail(worker: Worker, reason: string): void {
    if (this.worker !== worker) return
    this.worker = undefined
    this.usable = false
    this.failure = reason
    clearTimeout(this.idleTimer)
    this.confirmWritten()
    const left = this.unconfirmed
    this.unconfirmed = []
    if (!this.store.db.open) return
    for (const {batch, receivedAt} of left) {
      try {
        this.store.putSegments(batch, receivedAt)
      } catch (error) {
        this.onFailure(`storing ${batch.length} segment(s) failed: ${(error as Error).message}`)
      }
    }
    // Those batches are settled: nothing is left to wait for.
    this.posted = Atomics.load(this.counters, WRITTEN)
  }

  private confirmWritten(): void {
    const written = Atomics.load(this.counters, WRITTEN)
    if (this.unconfirmed.length > 0 && this.unconfirmed[0].seq <= written) this.unconfirmed = this.unconfirmed.filter((b) => b.seq > written)
  }

  /** Stops the thread once nothing was posted for `idleMs` and all is written; the next batch starts a new one. */
  private armIdle(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      const worker = this.worker
      if (!worker) return
      if (Atomics.load(this.counters, WRITTEN) < this.posted) {
        this.armIdle()
        return
      }
      this.worker = undefined
      this.unconfirmed = []
      // Queued behind every batch: the thread closes its connection and ends.
      worker.postMessage('close')
    }, this.idleMs)
    this.idleTimer.unref()
  }
}
