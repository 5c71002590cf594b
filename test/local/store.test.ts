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
