/** The segment writer thread: batches committed by its own connection, waited for by readers, and a safe fallback. */
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {type SegmentBatch, SegmentWriterThread} from '../../../src/local/dataplane/segment-writer.js'
import {type LambdaTraceInput, lambdaSegments} from '../../../src/local/runtime/tracing.js'
import {openStore, type Store} from '../../../src/local/store.js'
import {tempDir} from '../helpers.js'

const opened: Store[] = []
afterEach(() => {
  for (const store of opened.splice(0)) {
    const dir = join(store.path, '..')
    store.close()
    rmSync(dir, {recursive: true, force: true})
  }
})

function store(): Store {
  const s = openStore({dataDir: tempDir('tracegate-writer-')})
  opened.push(s)
  return s
}

function batch(first: number, count: number): SegmentBatch {
  return Array.from({length: count}, (_, i) => {
    const traceId = `1-5759e988-${(first + i).toString(16).padStart(24, '0')}`
    const document = JSON.stringify({id: '0123456789abcdef', trace_id: traceId, name: 'fn', start_time: 1, end_time: 2})
    return {region: 'us-east-1', segment: {traceId, id: '0123456789abcdef', kind: 'segment' as const, startTime: 1, endTime: 2, inProgress: false, document}}
  })
}

/** `add` for each record of a batch, all received at `receivedAt`. */
function addBatch(writer: SegmentWriterThread, records: SegmentBatch, receivedAt: number): void {
  for (const {region, segment} of records) writer.add(region, segment, receivedAt)
}

const dataVersion = (s: Store) => s.db.pragma('data_version', {simple: true}) as number
const stored = (s: Store, first: number, count: number) =>
  Array.from({length: count}, (_, i) => s.getTrace(`1-5759e988-${(first + i).toString(16).padStart(24, '0')}`) !== undefined).filter(Boolean).length

describe('SegmentWriterThread', () => {
  test('an added batch is committed by the thread (another connection) and visible once waitWritten returns', () => {
    const s = store()
    const failures: string[] = []
    const writer = new SegmentWriterThread(s, (reason) => failures.push(reason))
    const before = dataVersion(s)
    addBatch(writer, batch(0, 300), 100)
    addBatch(writer, batch(300, 200), 101)
    writer.waitWritten()
    expect(stored(s, 0, 500)).toBe(500)
    // data_version moves only for commits made by other connections.
    expect(dataVersion(s)).not.toBe(before)
    expect(s.getTrace(`1-5759e988-${(300).toString(16).padStart(24, '0')}`)?.updatedAt).toBe(101)
    expect({usable: writer.usable, dropped: writer.dropped, failures}).toEqual({usable: true, dropped: 0, failures: []})
  })

  test('when the thread cannot open the store, waitWritten writes its batches here at once and later ones stay here', () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {}, {driver: join(tempDir('tracegate-no-driver-'), 'missing.js')})
    const started = performance.now()
    addBatch(writer, batch(0, 10), 100)
    writer.waitWritten()
    expect(performance.now() - started).toBeLessThan(5000)
    expect(stored(s, 0, 10)).toBe(10)
    expect(writer.usable).toBe(false)
    expect(writer.failure).toBe('it could not open the store')
  })

  test('an idle thread stops; the next batch starts another one', async () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {}, {idleMs: 50})
    addBatch(writer, batch(0, 5), 100)
    writer.waitWritten()
    expect(writer.running).toBe(true)
    const deadline = Date.now() + 5000
    while (writer.running && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(writer.running).toBe(false)
    addBatch(writer, batch(5, 5), 101)
    expect(writer.running).toBe(true)
    writer.waitWritten()
    expect(stored(s, 0, 10)).toBe(10)
    expect(writer.usable).toBe(true)
  })

  test('a batch whose transaction fails is counted and reported, and the thread goes on', async () => {
    const s = store()
    const failures: string[] = []
    const writer = new SegmentWriterThread(s, (reason) => failures.push(reason))
    const bad = batch(0, 3)
    // NOT NULL: SQLite stores NaN as NULL, so a start time that is not a number cannot be stored.
    bad[1].segment.startTime = Number.NaN
    addBatch(writer, bad, 100)
    addBatch(writer, batch(10, 2), 101)
    writer.waitWritten()
    expect(writer.dropped).toBe(3)
    expect(stored(s, 0, 3)).toBe(0)
    expect(stored(s, 10, 2)).toBe(2)
    await expect.poll(() => failures).toEqual([expect.stringMatching(/^storing 3 segment\(s\) failed: NOT NULL constraint failed/)])
  })
})

describe('the ring between the adding thread and the writer', () => {
  test('records round the ring many times, past its end, and all arrive intact, in order of their receive times', () => {
    const s = store()
    // 64 KB holds ~300 of these records: 2,000 of them wrap it several times, drained every 5 ms.
    const writer = new SegmentWriterThread(s, () => {}, {ringBytes: 64 * 1024, drainMs: 5})
    for (let i = 0; i < 2000; i += 50) {
      addBatch(writer, batch(i, 50), 1000 + i)
      if (i % 500 === 0) writer.waitWritten()
    }
    writer.waitWritten()
    expect(stored(s, 0, 2000)).toBe(2000)
    // Nothing else: a record read from the wrong offset would have left a row of its own.
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM trace_segments').get()).toEqual({n: 2000})
    const trace = s.getTrace(`1-5759e988-${(1234).toString(16).padStart(24, '0')}`)
    expect(trace?.updatedAt).toBe(2200)
    expect(JSON.parse(s.getSegments(`1-5759e988-${(1234).toString(16).padStart(24, '0')}`)[0].document)).toEqual({id: '0123456789abcdef', trace_id: `1-5759e988-${(1234).toString(16).padStart(24, '0')}`, name: 'fn', start_time: 1, end_time: 2})
    expect(writer.dropped).toBe(0)
  })

  test('fields survive the trip exactly: parent ids, open segments, fractional times, non-ASCII documents', () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {})
    const traceId = '1-5759e988-0123456789abcdef01234567'
    const document = JSON.stringify({id: 'fedcba9876543210', trace_id: traceId, name: 'fonction-é-日本', parent_id: '0123456789abcdef', type: 'subsegment', start_time: 1732791234.123456, in_progress: true})
    writer.add('eu-west-3', {traceId, id: 'fedcba9876543210', kind: 'subsegment', parentId: '0123456789abcdef', startTime: 1732791234.123456, inProgress: true, document}, 1732791235.5)
    writer.waitWritten()
    const trace = s.getTrace(traceId)
    expect(trace).toMatchObject({region: 'eu-west-3', updatedAt: 1732791235.5})
    expect(s.getSegments(traceId).map((segment) => segment.document)).toEqual([document])
    const row = s.db.prepare('SELECT kind, parent_id, start_time, end_time, in_progress FROM trace_segments WHERE trace_id = ?').get(traceId)
    expect(row).toEqual({kind: 'subsegment', parent_id: '0123456789abcdef', start_time: 1732791234.123456, end_time: null, in_progress: 1})
    // Absent and empty parent ids stay apart.
    const rootId = '1-5759e988-0123456789abcdef01234568'
    const root = (id: string, parentId?: string) => ({traceId: rootId, id, kind: 'segment' as const, parentId, startTime: 1, endTime: 2, inProgress: false, document: '{}'})
    addBatch(writer, [{region: 'us-east-1', segment: root('aaaaaaaaaaaaaaaa')}, {region: 'us-east-1', segment: root('bbbbbbbbbbbbbbbb', '')}], 1)
    writer.waitWritten()
    expect(s.db.prepare('SELECT segment_id, parent_id FROM trace_segments WHERE trace_id = ? ORDER BY segment_id').all(rootId)).toEqual([
      {segment_id: 'aaaaaaaaaaaaaaaa', parent_id: null},
      {segment_id: 'bbbbbbbbbbbbbbbb', parent_id: ''},
    ])
  })

  test('records that do not fit in a full ring travel as messages and are stored all the same', () => {
    const s = store()
    // 4 KB: a few records; a drain interval long enough that the ring fills before the thread empties it.
    const writer = new SegmentWriterThread(s, () => {}, {ringBytes: 4096, drainMs: 60_000})
    addBatch(writer, batch(0, 200), 100)
    writer.waitWritten()
    expect(stored(s, 0, 200)).toBe(200)
    expect(writer.dropped).toBe(0)
  })

  test('a record added while the idle thread is closing is written, by the next thread or by a waiting reader', async () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {}, {idleMs: 20})
    addBatch(writer, batch(0, 3), 100)
    writer.waitWritten()
    // The idle timer tells the thread to close; the records come before its exit is seen here.
    const deadline = Date.now() + 2000
    while (writer.running && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
    expect(writer.running).toBe(false)
    addBatch(writer, batch(3, 3), 101)
    writer.waitWritten()
    expect(stored(s, 0, 6)).toBe(6)
    await new Promise((resolve) => setTimeout(resolve, 100))
    addBatch(writer, batch(6, 3), 102)
    writer.waitWritten()
    expect(stored(s, 0, 9)).toBe(9)
    expect(writer.usable).toBe(true)
  })

  test('when the thread cannot start, what waits in the ring is read back and written here', () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {}, {driver: join(tempDir('tracegate-no-driver-'), 'missing.js'), ringBytes: 4096, drainMs: 60_000})
    // Some in the ring, the rest as messages once it is full.
    addBatch(writer, batch(0, 60), 100)
    writer.waitWritten()
    expect(stored(s, 0, 60)).toBe(60)
    expect(writer.usable).toBe(false)
    // From now on records are written here at once.
    addBatch(writer, batch(60, 2), 101)
    expect(stored(s, 60, 2)).toBe(2)
  })
})

describe('traced invocations handed to the thread', () => {
  const functionArn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders'
  const trace = (traceId: string, cause?: LambdaTraceInput['cause']): LambdaTraceInput => ({
    decision: {traceId, sampled: true, upstreamParent: '1111111111111111'},
    ids: {service: 'aaaaaaaaaaaaaaaa', function: 'bbbbbbbbbbbbbbbb', initialization: 'cccccccccccccccc', invocation: 'dddddddddddddddd', overhead: 'eeeeeeeeeeeeeeee'},
    functionName: 'orders',
    functionArn,
    requestId: '11111111-2222-3333-4444-555555555555',
    status: 200,
    cause,
    times: {received: 1732791234000.25, responded: 1732791234050.5, initStart: 1732791234001, initEnd: 1732791234020, invokeStart: 1732791234020, invokeEnd: 1732791234045.75, overheadEnd: 1732791234046},
  })
  const cause = {working_directory: '/var/task', paths: [], exceptions: [{id: '0123456789abcdef', type: 'Error', message: 'boom — ünïcode', stack: [{path: 'index.js', line: 3, label: 'handler'}]}]}

  test('the thread stores exactly the documents lambdaSegments builds, in the function’s region', () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {})
    const ok = trace('1-5759e988-000000000000000000000001')
    const failed = trace('1-5759e988-000000000000000000000002', cause)
    writer.addTrace('eu-west-1', ok, 100)
    writer.addTrace('eu-west-1', failed, 101)
    writer.waitWritten()
    for (const input of [ok, failed]) {
      expect(s.getTrace(input.decision.traceId)).toMatchObject({region: 'eu-west-1', segmentCount: 2})
      const stored = s.getSegments(input.decision.traceId).map((segment) => segment.document)
      expect(stored.sort()).toEqual(lambdaSegments(input).map((document) => JSON.stringify(document)).sort())
    }
    expect(JSON.parse(s.getSegments(failed.decision.traceId).find((segment) => segment.id === 'bbbbbbbbbbbbbbbb')?.document ?? '{}')).toMatchObject({fault: true, cause})
    expect(writer.dropped).toBe(0)
  })

  test('documents PutTraceSegments would refuse are counted and reported, not stored', async () => {
    const s = store()
    const reasons: string[] = []
    const writer = new SegmentWriterThread(s, (reason) => reasons.push(reason))
    writer.addTrace('eu-west-1', trace('not-a-trace-id'), 100)
    writer.waitWritten()
    expect(writer.dropped).toBe(2)
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM trace_segments').get()).toEqual({n: 0})
    await expect.poll(() => reasons).toEqual(['invalid trace id not-a-trace-id', 'invalid trace id not-a-trace-id'])
  })

  test('a full ring, or a thread that cannot start, builds them here instead', () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {}, {driver: join(tempDir('tracegate-no-driver-'), 'missing.js'), ringBytes: 4096, drainMs: 60_000})
    const ids = Array.from({length: 8}, (_, i) => `1-5759e988-${(i + 10).toString(16).padStart(24, '0')}`)
    for (const id of ids) writer.addTrace('eu-west-1', trace(id, cause), 100)
    writer.waitWritten()
    expect(writer.usable).toBe(false)
    for (const id of ids) expect(s.getTrace(id)).toMatchObject({region: 'eu-west-1', segmentCount: 2})
  })
})

test('a trace whose documents cannot be built is reported; the records around it are stored', async () => {
  const s = store()
  const reasons: string[] = []
  const writer = new SegmentWriterThread(s, (reason) => reasons.push(reason))
  addBatch(writer, batch(0, 2), 100)
  // No ids, no times: lambdaSegments cannot read them.
  writer.addTrace('eu-west-1', {decision: {traceId: '1-5759e988-000000000000000000000001', sampled: true}} as unknown as LambdaTraceInput, 100)
  addBatch(writer, batch(2, 2), 100)
  writer.waitWritten()
  expect(stored(s, 0, 4)).toBe(4)
  expect(writer.usable).toBe(true)
  await expect.poll(() => reasons).toEqual([expect.stringMatching(/^the documents of a traced invocation could not be built: /)])
})
