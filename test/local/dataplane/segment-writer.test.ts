/** The segment writer thread: batches committed by its own connection, waited for by readers, and a safe fallback. */
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {type SegmentBatch, SegmentWriterThread} from '../../../src/local/dataplane/segment-writer.js'
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

const dataVersion = (s: Store) => s.db.pragma('data_version', {simple: true}) as number
const stored = (s: Store, first: number, count: number) =>
  Array.from({length: count}, (_, i) => s.getTrace(`1-5759e988-${(first + i).toString(16).padStart(24, '0')}`) !== undefined).filter(Boolean).length

describe('SegmentWriterThread', () => {
  test('a posted batch is committed by the thread (another connection) and visible once waitWritten returns', () => {
    const s = store()
    const failures: string[] = []
    const writer = new SegmentWriterThread(s, (reason) => failures.push(reason))
    const before = dataVersion(s)
    writer.post(batch(0, 300), 100)
    writer.post(batch(300, 200), 101)
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
    writer.post(batch(0, 10), 100)
    writer.waitWritten()
    expect(performance.now() - started).toBeLessThan(5000)
    expect(stored(s, 0, 10)).toBe(10)
    expect(writer.usable).toBe(false)
    expect(writer.failure).toBe('it could not open the store')
  })

  test('an idle thread stops; the next batch starts another one', async () => {
    const s = store()
    const writer = new SegmentWriterThread(s, () => {}, {idleMs: 50})
    writer.post(batch(0, 5), 100)
    writer.waitWritten()
    expect(writer.running).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(writer.running).toBe(false)
    writer.post(batch(5, 5), 101)
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
    // NOT NULL: a document that is not a string cannot be stored.
    ;(bad[1].segment as {document: unknown}).document = null
    writer.post(bad, 100)
    writer.post(batch(10, 2), 101)
    writer.waitWritten()
    expect(writer.dropped).toBe(3)
    expect(stored(s, 0, 3)).toBe(0)
    expect(stored(s, 10, 2)).toBe(2)
    await expect.poll(() => failures).toEqual([expect.stringMatching(/^storing 3 segment\(s\) failed: NOT NULL constraint failed/)])
  })
})
