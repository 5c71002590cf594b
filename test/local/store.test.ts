import {rmSync} from 'node:fs'
import {afterEach, describe, expect, test} from 'vitest'
import {InvalidCursorError, openStore, SCHEMA_VERSION, type Store} from '../../src/local/store.js'
import {tempDir} from './helpers.js'

const opened: Store[] = []
const dirs: string[] = []
afterEach(() => {
  for (const store of opened.splice(0)) store.close()
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function open(dir: string): Store {
  const store = openStore({dataDir: dir})
  opened.push(store)
  return store
}

function dataDir(): string {
  const dir = tempDir('tracegate-store-')
  dirs.push(dir)
  return dir
}

const CONFIG = {
  runtime: 'nodejs20.x',
  role: 'arn:aws:iam::000000000000:role/r',
  handler: 'index.handler',
  description: '',
  timeout: 3,
  memorySize: 128,
  environment: null,
  tracingMode: 'PassThrough' as const,
  architectures: ['x86_64'],
  ephemeralStorageSize: 512,
}

function fn(store: Store, name: string, zip = Buffer.from(`zip of ${name}`)) {
  const {sha256} = store.putCode(zip)
  return store.insertFunction({
    region: 'us-east-1',
    name,
    config: CONFIG,
    codeSha256: sha256,
    revisionId: 'r1',
    generation: 1,
    lastModified: '2024-01-01T00:00:00.000+0000',
    tags: {},
    reservedConcurrency: null,
    fault: null,
    createdAt: '2024-01-01T00:00:00.000Z',
  })
}

describe('store', () => {
  test('opening twice migrates once and keeps the data', () => {
    const dir = dataDir()
    const first = open(dir)
    expect(fn(first, 'a')).toBe(true)
    first.close()
    const second = open(dir)
    expect(second.db.pragma('user_version', {simple: true})).toBe(SCHEMA_VERSION)
    expect(second.getFunction('us-east-1', 'a')?.config).toEqual(CONFIG)
  })

  test('a store of schema 1 (before versions, aliases and HTTP API deployments) opens with its functions, which can then publish', () => {
    const dir = dataDir()
    const old = open(dir)
    fn(old, 'a')
    // Undo migration 2 as it was written: what an emulator of schema 1 left on disk.
    old.db.exec('DROP TABLE deployments; DROP TABLE function_aliases; DROP TABLE function_versions; ALTER TABLE functions DROP COLUMN last_version')
    old.db.pragma('user_version = 1')
    old.close()
    const store = open(dir)
    expect(store.db.pragma('user_version', {simple: true})).toBe(SCHEMA_VERSION)
    const a = store.getFunction('us-east-1', 'a')!
    expect(store.insertVersion(a, 'first', 'rv1', '2024-01-02T00:00:00.000+0000')).toMatchObject({version: 1, codeSha256: a.codeSha256, fromGeneration: 1})
    expect(store.insertVersion(a, 'second', 'rv2', '2024-01-02T00:00:00.000+0000').version).toBe(2)
  })

  test('a version keeps its code when $LATEST moves on; deleting the function drops versions, aliases and their code', () => {
    const store = open(dataDir())
    fn(store, 'a', Buffer.from('v1'))
    const v1 = store.insertVersion(store.getFunction('us-east-1', 'a')!, '', 'rv1', '2024-01-02T00:00:00.000+0000')
    store.insertAlias({region: 'us-east-1', name: 'a', alias: 'live', functionVersion: '1', description: '', weights: null, revisionId: 'ra'})
    const latest = store.getFunction('us-east-1', 'a')!
    store.saveFunction({...latest, codeSha256: store.putCode(Buffer.from('v2')).sha256})
    expect(store.counts().codeBlobs).toBe(2)
    expect(store.getVersion('us-east-1', 'a', 1)?.codeSha256).toBe(v1.codeSha256)
    store.deleteFunction('us-east-1', 'a')
    expect(store.getVersion('us-east-1', 'a', 1)).toBeUndefined()
    expect(store.getAlias('us-east-1', 'a', 'live')).toBeUndefined()
    expect(store.counts().codeBlobs).toBe(0)
  })

  test('a store written by a newer schema is refused, not damaged', () => {
    const dir = dataDir()
    const store = open(dir)
    store.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    store.close()
    expect(() => openStore({dataDir: dir})).toThrow(/newer tracegate/)
  })

  test('code is stored once per SHA-256 and dropped when no function uses it', () => {
    const store = open(dataDir())
    const zip = Buffer.from('same bytes')
    fn(store, 'a', zip)
    fn(store, 'b', zip)
    expect(store.counts().codeBlobs).toBe(1)
    store.deleteFunction('us-east-1', 'a')
    expect(store.counts().codeBlobs).toBe(1)
    store.deleteFunction('us-east-1', 'b')
    expect(store.counts().codeBlobs).toBe(0)
  })

  test('deleting a function deletes its policy statements', () => {
    const store = open(dataDir())
    fn(store, 'a')
    store.insertPolicyStatement('us-east-1', 'a', '$LATEST', 's1', {Sid: 's1'})
    expect(store.insertPolicyStatement('us-east-1', 'a', '$LATEST', 's1', {Sid: 's1'})).toBe(false)
    store.deleteFunction('us-east-1', 'a')
    fn(store, 'a')
    expect(store.listPolicyStatements('us-east-1', 'a')).toEqual([])
  })

  test("two connections to one file see each other's committed writes (WAL)", () => {
    const dir = dataDir()
    const a = open(dir)
    const b = open(dir)
    fn(a, 'from-a')
    fn(b, 'from-b')
    expect(a.getFunction('us-east-1', 'from-b')).toBeDefined()
    expect(b.getFunction('us-east-1', 'from-a')).toBeDefined()
  })

  test('a pagination token the store did not issue is InvalidCursorError', () => {
    const store = open(dataDir())
    expect(() => store.listFunctions('us-east-1', {after: 'garbage', limit: 5})).toThrow(InvalidCursorError)
    expect(() => store.listApis('us-east-1', {after: 'garbage', limit: 5})).toThrow(InvalidCursorError)
  })

  test('fault settings and reserved concurrency are kept on the function for the data plane', () => {
    const store = open(dataDir())
    fn(store, 'a')
    store.setFault('us-east-1', 'a', {throttle: true, delayMs: 250})
    expect(store.getFunction('us-east-1', 'a')?.fault).toEqual({throttle: true, delayMs: 250})
    store.setFault('us-east-1', 'a', null)
    expect(store.getFunction('us-east-1', 'a')?.fault).toBeNull()
    expect(store.setFault('us-east-1', 'missing', {throttle: true})).toBe(false)
  })
})

describe('segment storage', () => {
  const TRACE = '1-5f84c7a5-0123456789abcdef01234567'
  const OTHER = '1-5f84c7a6-fedcba9876543210fedcba98'
  function segment(traceId: string, id: string, startTime: number, endTime: number | undefined, extra: Partial<{inProgress: boolean; kind: 'segment' | 'subsegment'; parentId: string}> = {}) {
    const inProgress = extra.inProgress ?? endTime === undefined
    return {
      traceId,
      id,
      kind: extra.kind ?? ('segment' as const),
      parentId: extra.parentId,
      startTime,
      endTime,
      inProgress,
      document: JSON.stringify({trace_id: traceId, id, start_time: startTime, ...(endTime === undefined ? {in_progress: true} : {end_time: endTime})}),
    }
  }

  test('a batch creates each trace with its first start, last end, segment count and region', () => {
    const store = open(dataDir())
    store.putSegments(
      [
        {region: 'us-east-1', segment: segment(TRACE, 'aaaaaaaaaaaaaaaa', 10, 12)},
        {region: 'eu-west-1', segment: segment(OTHER, 'cccccccccccccccc', 20, undefined)},
        {region: 'eu-west-1', segment: segment(TRACE, 'bbbbbbbbbbbbbbbb', 9, 11, {kind: 'subsegment', parentId: 'aaaaaaaaaaaaaaaa'})},
      ],
      100,
    )
    expect(store.getTrace(TRACE)).toEqual({traceId: TRACE, region: 'us-east-1', idTime: 0x5f84c7a5, firstStart: 9, lastEnd: 12, updatedAt: 100, segmentCount: 2})
    expect(store.getTrace(OTHER)).toEqual({traceId: OTHER, region: 'eu-west-1', idTime: 0x5f84c7a6, firstStart: 20, lastEnd: null, updatedAt: 100, segmentCount: 1})
    expect(store.getSegments(TRACE).map((s) => [s.id, s.kind, s.parentId])).toEqual([
      ['bbbbbbbbbbbbbbbb', 'subsegment', 'aaaaaaaaaaaaaaaa'],
      ['aaaaaaaaaaaaaaaa', 'segment', undefined],
    ])
  })

  test('within one batch a complete segment replaces an in-progress copy, but not the other way round', () => {
    const store = open(dataDir())
    store.putSegments(
      [
        {region: 'us-east-1', segment: segment(TRACE, 'aaaaaaaaaaaaaaaa', 10, undefined)},
        {region: 'us-east-1', segment: segment(TRACE, 'aaaaaaaaaaaaaaaa', 10, 15)},
        {region: 'us-east-1', segment: segment(TRACE, 'aaaaaaaaaaaaaaaa', 8, undefined)},
      ],
      100,
    )
    expect(store.getSegments(TRACE)).toEqual([
      {id: 'aaaaaaaaaaaaaaaa', kind: 'segment', parentId: undefined, document: segment(TRACE, 'aaaaaaaaaaaaaaaa', 10, 15).document, startTime: 10, endTime: 15, inProgress: false},
    ])
    expect(store.getTrace(TRACE)).toMatchObject({firstStart: 10, lastEnd: 15, segmentCount: 1, updatedAt: 100})
  })

  test('a later batch recomputes an existing trace from all its segments, and leaves it alone when it changes nothing', () => {
    const store = open(dataDir())
    store.putSegments([{region: 'us-east-1', segment: segment(TRACE, 'aaaaaaaaaaaaaaaa', 10, 12)}], 100)
    store.putSegments(
      [
        {region: 'eu-west-1', segment: segment(TRACE, 'bbbbbbbbbbbbbbbb', 5, undefined)},
        {region: 'eu-west-1', segment: segment(TRACE, 'cccccccccccccccc', 11, 30)},
      ],
      200,
    )
    expect(store.getTrace(TRACE)).toEqual({traceId: TRACE, region: 'us-east-1', idTime: 0x5f84c7a5, firstStart: 5, lastEnd: 30, updatedAt: 200, segmentCount: 3})
    // Only an in-progress copy of a complete segment: nothing is written, the trace keeps its update time.
    store.putSegments([{region: 'us-east-1', segment: segment(TRACE, 'cccccccccccccccc', 11, undefined)}], 300)
    expect(store.getTrace(TRACE)).toMatchObject({updatedAt: 200, lastEnd: 30, segmentCount: 3})
    expect(store.getSegments(TRACE).find((s) => s.id === 'cccccccccccccccc')).toMatchObject({inProgress: false, endTime: 30})
    // The in-progress segment completes: the trace is recomputed.
    store.putSegment('us-east-1', segment(TRACE, 'bbbbbbbbbbbbbbbb', 5, 40), 400)
    expect(store.getTrace(TRACE)).toMatchObject({updatedAt: 400, firstStart: 5, lastEnd: 40, segmentCount: 3})
  })
})
