/**
 * Writes segment records on a worker thread with its own SQLite connection, so the statements, the commit and the
 * WAL checkpoints they trigger (the largest main-thread cost of a traced request: ~25 us of statements and ~30 us
 * of commit per request at 500-request batches) leave the thread that serves requests.
 *
 * Records reach the thread through a ring in shared memory (`add`): the serving thread copies each record's text
 * into it and moves on, without a message, a wake-up or anything kept on its own heap. The thread drains the ring
 * every DRAIN_INTERVAL_MS and writes what it found in one transaction. Batching on the serving thread instead
 * (the previous design) held every document for up to 250 ms: each survived two scavenges and was promoted, and
 * the collections that followed, with the posting of the batches, cost ~140 us of CPU per traced request
 * (bench/emulator.js, `--isolation thread`).
 *
 * The thread runs the store's own `prepareSegmentStatements` / `writeSegmentBatch` from their source text, so both
 * connections store alike. It is started on the first record and stopped once idle (it never keeps the process
 * alive). `waitWritten` wakes it and blocks until everything added is committed (Atomics.wait on a shared
 * counter): readers that must see the segments (X-Ray requests, shutdown) call it through the sink's `flush`.
 *
 * If the ring is full, records travel as a message instead. If the thread cannot start or dies, the records it had
 * not committed are read back from the ring (and its unconfirmed messages) and written on the calling thread, and
 * later ones too (`usable` turns false): slower, never lost, so not reported as a loss.
 */
import {Worker} from 'node:worker_threads'
import {type LambdaTraceInput, lambdaSegments} from '../runtime/tracing.js'
import {CONNECTION_PRAGMAS, prepareSegmentStatements, type SegmentInput, type Store, sqliteDriverPath, writeSegmentBatch} from '../store.js'

export type SegmentBatch = {region: string; segment: SegmentInput}[]

/** An idle thread is stopped after this long. */
const IDLE_MS = 1000
/** Longest `waitWritten` blocks; more than SQLite's busy timeout (5 s), which is the longest a batch may wait for the lock. */
const WAIT_LIMIT_MS = 10_000
/**
 * How often the thread writes what the ring holds. Each commit rewrites the index pages its trace ids land on
 * (random within the current second), so fewer, larger commits write less to the WAL per segment (5.5 KB per
 * traced request at 50 ms batches under load, about 3 KB at 250 ms) and checkpoint less often.
 */
const DRAIN_INTERVAL_MS = 250
/** Bytes of the ring: about 5,000 traced requests' records, twenty times what 250 ms bring under load here. */
const RING_BYTES = 8 * 1024 * 1024

/** Slots of the shared counters. */
/** Records committed (by the thread; here, after it failed). Compared with `added` modulo 2^32. */
const WRITTEN = 0
const DROPPED = 1
/** Set (with a notify on WRITTEN) when the thread could not open the store (1) or stopped on an error (2). */
const FAILED = 2
/** Ring offset where the next record goes (moved by the adding thread only). */
const HEAD = 3
/** Ring offset of the first record not committed yet (moved by the writer thread; here, after it failed). */
const TAIL = 4
/** Set by a closing thread once it is done with the ring (its last drain is over). */
const CLOSED = 5
/** The last batch sent as a message that the thread has written (they are handled in order). */
const MESSAGES_DONE = 6
const COUNTERS = 7

/**
 * A record in the ring: a 32-bit byte length, then that many bytes of UTF-8 text, padded to 4 bytes. A length of
 * WRAP means the next record starts at offset 0. The text starts with its kind:
 * - `S`: one segment document's record, its fields joined by NUL, which none of them contains (the document is
 *   JSON text, in which U+0000 is always escaped). An absent parent id or end time is an empty field; a parent id
 *   is written after `=`, so an empty one stays empty, not absent.
 * - `L`: a traced invocation (region, receive time, then the `LambdaTraceInput` as JSON): the thread builds its
 *   documents with `lambdaSegments`, so building and serialising them costs the serving thread nothing.
 */
const WRAP = 0xffffffff
const SEPARATOR = '\u0000'

/** A segment document's fields as ring text. */
function recordText(region: string, segment: SegmentInput, receivedAt: number): string {
  return `S${region}${SEPARATOR}${segment.traceId}${SEPARATOR}${segment.id}${SEPARATOR}${segment.kind}${SEPARATOR}${segment.parentId === undefined ? '' : `=${segment.parentId}`}${SEPARATOR}${segment.startTime}${SEPARATOR}${segment.endTime ?? ''}${SEPARATOR}${segment.inProgress ? 1 : 0}${SEPARATOR}${receivedAt}${SEPARATOR}${segment.document}`
}

/**
 * The record PutTraceSegments would store for a document, or why it would refuse it (mirrors its checks).
 * Self-contained (only its argument and built-ins): the writer thread runs it from its source text.
 */
export function segmentInputFor(document: Record<string, unknown>): {input: SegmentInput} | {error: string} {
  const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/
  const SEGMENT_ID = /^[0-9a-f]{16}$/
  /** X-Ray's document size limit (aws-semantics §6.2). */
  const MAX_DOCUMENT_BYTES = 64 * 1024
  const text = JSON.stringify(document)
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so only a long text needs its bytes counted.
  if (text.length * 3 > MAX_DOCUMENT_BYTES && Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) return {error: 'document exceeds 64 KB'}
  const {id, trace_id: traceId, name, start_time: startTime, end_time: endTime, in_progress: inProgress, parent_id: parentId} = document
  if (typeof id !== 'string' || !SEGMENT_ID.test(id)) return {error: 'id must be 16 hexadecimal digits'}
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) return {error: `invalid trace id ${String(traceId)}`}
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) return {error: 'name must be 1 to 200 characters'}
  if (typeof startTime !== 'number') return {error: 'start_time must be a number'}
  if (typeof endTime !== 'number' && inProgress !== true) return {error: 'a segment needs end_time or in_progress: true'}
  const subsegment = document.type === 'subsegment'
  if (subsegment && (typeof parentId !== 'string' || !SEGMENT_ID.test(parentId))) return {error: 'a subsegment needs parent_id'}
  return {
    input: {
      traceId,
      id,
      kind: subsegment ? 'subsegment' : 'segment',
      parentId: typeof parentId === 'string' ? parentId : undefined,
      startTime,
      endTime: typeof endTime === 'number' ? endTime : undefined,
      inProgress: inProgress === true,
      document: text,
    },
  }
}

/** What builds a traced invocation's records: these functions here, their source-text copies on the thread. */
interface Builders {
  lambdaSegments: typeof lambdaSegments
  segmentInputFor: typeof segmentInputFor
}

/** The records of a traced invocation's documents, and why any was refused (self-contained, like the builders). */
function lambdaTraceRecords(trace: LambdaTraceInput, region: string, build: Builders): {records: SegmentBatch; invalid: string[]} {
  const records: SegmentBatch = []
  const invalid: string[] = []
  for (const document of build.lambdaSegments(trace)) {
    const checked = build.segmentInputFor(document)
    if ('error' in checked) invalid.push(checked.error)
    else records.push({region, segment: checked.input})
  }
  return {records, invalid}
}

type Run = {receivedAt: number; batch: SegmentBatch}

/**
 * Reads the records between `from` and `to` in the ring (self-contained: the thread runs its source text). Returns
 * them as runs that share a receive time (each run is one `writeSegmentBatch`), how many ring records they came
 * from, and why any document was refused.
 */
function readRing(ring: SharedArrayBuffer, from: number, to: number, build: Builders & {lambdaTraceRecords: typeof lambdaTraceRecords}): {runs: Run[]; count: number; invalid: string[]} {
  const lengths = new Uint32Array(ring)
  const bytes = Buffer.from(ring)
  const runs: Run[] = []
  const invalid: string[] = []
  let count = 0
  let offset = from
  const push = (receivedAt: number, record: SegmentBatch[number]) => {
    const last = runs[runs.length - 1]
    if (last && last.receivedAt === receivedAt) last.batch.push(record)
    else runs.push({receivedAt, batch: [record]})
  }
  while (offset !== to) {
    const length = lengths[offset >>> 2]
    if (length === 0xffffffff) {
      offset = 0
      continue
    }
    const text = bytes.toString('utf8', offset + 4, offset + 4 + length)
    offset += 4 + ((length + 3) & ~3)
    if (offset === ring.byteLength) offset = 0
    count++
    if (text[0] === 'L') {
      const regionEnd = text.indexOf('\u0000')
      const timeEnd = text.indexOf('\u0000', regionEnd + 1)
      const receivedAt = Number(text.slice(regionEnd + 1, timeEnd))
      try {
        const built = build.lambdaTraceRecords(JSON.parse(text.slice(timeEnd + 1)), text.slice(1, regionEnd), build)
        for (const record of built.records) push(receivedAt, record)
        invalid.push(...built.invalid)
      } catch (error) {
        // A trace its builder cannot take must not stop the records after it (nor the thread).
        invalid.push(`the documents of a traced invocation could not be built: ${String((error as Error)?.message ?? error)}`)
      }
      continue
    }
    // Nine separators; the document (last) may not be split further.
    const fields: string[] = []
    let start = 1
    for (let i = 0; i < 9; i++) {
      const end = text.indexOf('\u0000', start)
      fields.push(text.slice(start, end))
      start = end + 1
    }
    push(Number(fields[8]), {
      region: fields[0],
      segment: {
        traceId: fields[1],
        id: fields[2],
        kind: fields[3] as SegmentInput['kind'],
        parentId: fields[4] === '' ? undefined : fields[4].slice(1),
        startTime: Number(fields[5]),
        endTime: fields[6] === '' ? undefined : Number(fields[6]),
        inProgress: fields[7] === '1',
        document: text.slice(start),
      },
    })
  }
  return {runs, count, invalid}
}

/** The builders as this thread has them. */
const BUILDERS = {lambdaSegments, segmentInputFor, lambdaTraceRecords}

/**
 * The thread's program (evaluated): open, prepare once, then drain the ring on a timer and whenever a message
 * arrives (a batch that did not fit, a reader waiting, `close`). Dynamic imports only, so it runs whether Node
 * evaluates it as a script or as a module.
 */
function threadSource(): string {
  return `
const prepareSegmentStatements = ${prepareSegmentStatements.toString()}
const writeSegmentBatch = ${writeSegmentBatch.toString()}
const readRing = ${readRing.toString()}
const lambdaSegments = ${lambdaSegments.toString()}
const segmentInputFor = ${segmentInputFor.toString()}
const lambdaTraceRecords = ${lambdaTraceRecords.toString()}
const builders = {lambdaSegments, segmentInputFor, lambdaTraceRecords}
;(async () => {
  const {parentPort, workerData} = await import('node:worker_threads')
  const counters = new Int32Array(workerData.counters)
  const ring = workerData.ring
  let db
  let write
  try {
    const {createRequire} = await import('node:module')
    const Database = createRequire(workerData.driver)(workerData.driver)
    db = new Database(workerData.path)
    for (const pragma of workerData.pragmas) db.pragma(pragma)
    const statements = prepareSegmentStatements(db)
    write = db.transaction((runs) => {
      for (const run of runs) writeSegmentBatch(statements, run.batch, run.receivedAt)
    })
  } catch (error) {
    Atomics.store(counters, ${FAILED}, 1)
    Atomics.notify(counters, ${WRITTEN})
    throw error
  }
  /**
   * Writes runs in one transaction. If it fails, each run is tried in a transaction of its own, so one bad record
   * costs only the records received with it; those are counted as dropped and reported.
   */
  const commit = (runs) => {
    try {
      write.immediate(runs)
      return
    } catch (error) {
      if (runs.length === 1) return fail(runs[0].batch.length, error)
    }
    for (const run of runs) {
      try {
        write.immediate([run])
      } catch (error) {
        fail(run.batch.length, error)
      }
    }
  }
  const fail = (count, error) => {
    Atomics.add(counters, ${DROPPED}, count)
    parentPort.postMessage({failed: count, reason: String(error && error.message)})
  }
  const drain = () => {
    const head = Atomics.load(counters, ${HEAD})
    const tail = Atomics.load(counters, ${TAIL})
    if (head === tail) return
    const {runs, count, invalid} = readRing(ring, tail, head, builders)
    if (invalid.length > 0) {
      Atomics.add(counters, ${DROPPED}, invalid.length)
      parentPort.postMessage({invalid})
    }
    commit(runs)
    Atomics.store(counters, ${TAIL}, head)
    Atomics.add(counters, ${WRITTEN}, count)
    Atomics.notify(counters, ${WRITTEN})
  }
  /** An unexpected error ends the thread; a reader blocked in waitWritten hears of it at once. */
  const guarded = (work) => (...args) => {
    try {
      work(...args)
    } catch (error) {
      Atomics.store(counters, ${FAILED}, 2)
      Atomics.notify(counters, ${WRITTEN})
      throw error
    }
  }
  const timer = setInterval(guarded(drain), workerData.drainMs)
  parentPort.on('message', guarded((message) => {
    drain()
    if (message === 'close') {
      clearInterval(timer)
      db.close()
      Atomics.store(counters, ${CLOSED}, 1)
      Atomics.notify(counters, ${CLOSED})
      parentPort.close()
      return
    }
    if (message === 'drain') return
    commit([{receivedAt: message.receivedAt, batch: message.batch}])
    Atomics.add(counters, ${WRITTEN}, message.units)
    Atomics.store(counters, ${MESSAGES_DONE}, message.seq)
    Atomics.notify(counters, ${WRITTEN})
  }))
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
  private readonly counters = new Int32Array(new SharedArrayBuffer(COUNTERS * 4))
  private ring: {buffer: SharedArrayBuffer; lengths: Uint32Array; bytes: Buffer} | undefined
  /** Where the next record goes (the shared HEAD is this, published after each record). */
  private head = 0
  private worker: Worker | undefined
  /** A thread told to close that has not exited yet: the next one starts only after it (both would drain the ring). */
  private closing: Worker | undefined
  /** Records added so far (ring and messages), modulo 2^32; the thread counts them written in `counters[WRITTEN]`. */
  private added = 0
  /** Batches sent as messages (the ring was full), kept until the thread has written them; `units` of `added`. */
  private messages: {seq: number; batch: SegmentBatch; receivedAt: number; units: number}[] = []
  private messagesPosted = 0
  private idleTimer: NodeJS.Timeout | undefined
  private addedAtIdleCheck = -1
  /** Documents refused here (the thread counts its own in `counters[DROPPED]`). */
  private invalid = 0

  private readonly driver: string
  private readonly idleMs: number
  private readonly drainMs: number
  private readonly ringBytes: number

  /**
   * `driver`: where better-sqlite3 loads from (tests point it elsewhere to see the fallback); `ringBytes`: the ring's
   * size (a multiple of 4; tests make it small to see records travel as messages).
   */
  constructor(store: Store, onFailure: (reason: string) => void, options: {driver?: string; idleMs?: number; drainMs?: number; ringBytes?: number} = {}) {
    this.store = store
    this.onFailure = onFailure
    this.driver = options.driver ?? sqliteDriverPath()
    this.idleMs = options.idleMs ?? IDLE_MS
    this.drainMs = options.drainMs ?? DRAIN_INTERVAL_MS
    this.ringBytes = options.ringBytes ?? RING_BYTES
  }

  /** Whether a thread is running now. */
  get running(): boolean {
    return this.worker !== undefined
  }

  /** Documents not stored: their transaction failed, or they were not valid segment documents. */
  get dropped(): number {
    return Atomics.load(this.counters, DROPPED) + this.invalid
  }

  /** Hands one record to the thread (starting it if needed); returns at once. */
  add(region: string, segment: SegmentInput, receivedAt: number): void {
    this.enqueue(
      () => recordText(region, segment, receivedAt),
      () => [{region, segment}],
      receivedAt,
    )
  }

  /** Hands a traced invocation to the thread, which builds and stores its documents (`lambdaSegments`). */
  addTrace(region: string, trace: LambdaTraceInput, receivedAt: number): void {
    this.enqueue(
      () => `L${region}${SEPARATOR}${receivedAt}${SEPARATOR}${JSON.stringify(trace)}`,
      () => this.traceRecords(trace, region),
      receivedAt,
    )
  }

  /**
   * One unit of `added`: `text` into the ring, or when it is full `records` as a message; written here at once
   * when there is no usable thread.
   */
  private enqueue(text: () => string, records: () => SegmentBatch, receivedAt: number): void {
    if (!this.usable) {
      this.writeHere(records(), receivedAt)
      return
    }
    if (!this.worker) this.start()
    this.added = (this.added + 1) | 0
    if (!this.toRing(text())) this.post(records(), receivedAt)
    this.armIdle()
  }

  /** A trace's records built here (the ring is full, or there is no thread); refused documents are reported. */
  private traceRecords(trace: LambdaTraceInput, region: string): SegmentBatch {
    const {records, invalid} = lambdaTraceRecords(trace, region, BUILDERS)
    for (const reason of invalid) this.onInvalid(reason)
    return records
  }

  /** A document the thread (or this one) refused, as PutTraceSegments would. */
  private onInvalid(reason: string): void {
    this.invalid++
    this.onFailure(reason)
  }

  /** Blocks until every record added is committed (or the thread failed and they were written here). */
  waitWritten(): void {
    if (this.closing) {
      this.takeOverFromClosing()
      return
    }
    if (!this.worker) return
    // A write transaction of this connection would hold the lock the thread waits for: do not wait on it then.
    if (this.store.db.inTransaction) return
    if (this.pending() === 0) return
    this.worker.postMessage('drain')
    const deadline = performance.now() + WAIT_LIMIT_MS
    for (;;) {
      const written = Atomics.load(this.counters, WRITTEN)
      if (((written - this.added) | 0) >= 0) break
      const failed = Atomics.load(this.counters, FAILED)
      if (failed !== 0) {
        // Its error event has not been delivered yet (this thread is blocked here): settle now.
        this.fail(this.worker, failed === 1 ? 'it could not open the store' : 'it stopped on an error')
        return
      }
      const left = deadline - performance.now()
      if (left <= 0 || Atomics.wait(this.counters, WRITTEN, written, left) === 'timed-out') {
        this.onFailure(`the segment writer thread did not confirm its writes within ${WAIT_LIMIT_MS} ms`)
        break
      }
    }
  }

  /** Records added and not yet committed. */
  private pending(): number {
    return (this.added - Atomics.load(this.counters, WRITTEN)) | 0
  }

  /** Copies a record into the ring; false when it does not fit (the thread has not caught up). */
  private toRing(text: string): boolean {
    const ring = this.ring ?? this.allocateRing()
    const size = ring.buffer.byteLength
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const most = 4 + ((text.length * 3 + 3) & ~3)
    const tail = Atomics.load(this.counters, TAIL)
    let offset = this.head
    // The head never catches up with the tail (equal means empty), so a record must end short of it.
    if (offset >= tail) {
      const end = tail === 0 ? size - 4 : size
      if (end - offset < most) {
        if (tail - 4 < most) return false
        ring.lengths[offset >>> 2] = WRAP
        offset = 0
      }
    } else if (tail - 4 - offset < most) {
      return false
    }
    const length = ring.bytes.write(text, offset + 4, 'utf8')
    ring.lengths[offset >>> 2] = length
    offset += 4 + ((length + 3) & ~3)
    if (offset === size) offset = 0
    this.head = offset
    Atomics.store(this.counters, HEAD, offset)
    return true
  }

  private allocateRing(): NonNullable<SegmentWriterThread['ring']> {
    const buffer = new SharedArrayBuffer(this.ringBytes)
    this.ring = {buffer, lengths: new Uint32Array(buffer), bytes: Buffer.from(buffer)}
    return this.ring
  }

  /** Sends records that did not fit in the ring as a message (one unit of `added`). */
  private post(batch: SegmentBatch, receivedAt: number): void {
    this.confirmMessages()
    const seq = ++this.messagesPosted
    const message = {seq, batch, receivedAt, units: 1}
    this.messages.push(message)
    this.worker?.postMessage(message)
  }

  private start(): void {
    // The previous thread is still closing: records wait in the ring until it has exited.
    if (this.closing) return
    const ring = this.ring ?? this.allocateRing()
    Atomics.store(this.counters, CLOSED, 0)
    const worker = new Worker(threadSource(), {
      eval: true,
      // None of the process's flags (profilers, loaders, --input-type): this thread only writes SQLite.
      execArgv: [],
      workerData: {driver: this.driver, path: this.store.path, pragmas: CONNECTION_PRAGMAS, counters: this.counters.buffer, ring: ring.buffer, drainMs: this.drainMs},
    })
    worker.unref()
    worker.on('message', (message: {failed?: number; reason?: string; invalid?: string[]}) => {
      for (const reason of message.invalid ?? []) this.onFailure(reason)
      if (message.failed) this.onFailure(`storing ${message.failed} segment(s) failed: ${message.reason}`)
    })
    worker.on('error', (error) => this.fail(worker, error.message))
    worker.on('exit', () => {
      if (this.closing === worker) {
        this.closing = undefined
        this.confirmMessages()
        if (this.pending() !== 0 || this.messages.length > 0) this.restart()
        return
      }
      if (this.worker === worker) this.fail(worker, 'it exited')
    })
    this.worker = worker
    // Batches that were waiting for a thread (one closed while they came).
    for (const message of this.messages) worker.postMessage(message)
  }

  private restart(): void {
    if (!this.worker && this.usable) {
      this.start()
      this.armIdle()
    }
  }

  /** Forgets the batches sent as messages that the thread has written. */
  private confirmMessages(): void {
    const done = Atomics.load(this.counters, MESSAGES_DONE)
    if (this.messages.length > 0 && this.messages[0].seq <= done) this.messages = this.messages.filter((m) => m.seq > done)
  }

  /** The thread is gone: what it had not committed is written here, and so is everything after. */
  private fail(worker: Worker, reason: string): void {
    if (this.worker !== worker && this.closing !== worker) return
    this.worker = undefined
    this.closing = undefined
    this.usable = false
    this.failure = reason
    clearTimeout(this.idleTimer)
    this.drainHere()
  }

  /**
   * A reader waits while the idle thread is closing: once it is done with the ring, what came after its last drain
   * is written here (no thread reads the ring then), and the exit handler finds nothing left to restart for.
   */
  private takeOverFromClosing(): void {
    if (this.pending() === 0 && this.messages.length === 0) return
    const deadline = performance.now() + WAIT_LIMIT_MS
    while (Atomics.load(this.counters, CLOSED) === 0) {
      const left = deadline - performance.now()
      if (left <= 0 || Atomics.wait(this.counters, CLOSED, 0, left) === 'timed-out') {
        this.onFailure(`the segment writer thread did not close within ${WAIT_LIMIT_MS} ms`)
        return
      }
    }
    this.drainHere()
  }

  /** Writes here what is in the ring and the unconfirmed messages (no thread may be reading the ring). */
  private drainHere(): void {
    if (!this.store.db.open) return
    const head = Atomics.load(this.counters, HEAD)
    const tail = Atomics.load(this.counters, TAIL)
    if (this.ring && head !== tail) {
      const {runs, count, invalid} = readRing(this.ring.buffer, tail, head, BUILDERS)
      for (const reason of invalid) this.onInvalid(reason)
      for (const run of runs) this.writeHere(run.batch, run.receivedAt)
      Atomics.store(this.counters, TAIL, head)
      Atomics.add(this.counters, WRITTEN, count)
    }
    this.confirmMessages()
    const left = this.messages
    this.messages = []
    for (const {batch, receivedAt, units} of left) {
      this.writeHere(batch, receivedAt)
      Atomics.add(this.counters, WRITTEN, units)
    }
  }

  private writeHere(batch: SegmentBatch, receivedAt: number): void {
    if (!this.store.db.open) return
    try {
      this.store.putSegments(batch, receivedAt)
    } catch (error) {
      this.onFailure(`storing ${batch.length} segment(s) failed: ${(error as Error).message}`)
    }
  }

  /**
   * Stops the thread once nothing was added for `idleMs` (checked every `idleMs`, so after one to two of them) and
   * all is written; the next record starts a new one. One timer per period, not one per record.
   */
  private armIdle(): void {
    if (this.idleTimer) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined
      const worker = this.worker
      if (!worker) return
      this.confirmMessages()
      if (this.added !== this.addedAtIdleCheck || this.pending() !== 0 || this.messages.length > 0) {
        this.addedAtIdleCheck = this.added
        this.armIdle()
        return
      }
      this.worker = undefined
      this.closing = worker
      // The thread drains the ring, closes its connection and ends.
      worker.postMessage('close')
    }, this.idleMs)
    this.idleTimer.unref()
  }
}
