import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {CreateApiCommand, GetApiCommand} from '@aws-sdk/client-apigatewayv2'
import {CreateRoleCommand, GetRoleCommand} from '@aws-sdk/client-iam'
import {AddPermissionCommand, CreateFunctionCommand, GetFunctionCommand, GetPolicyCommand, InvokeCommand} from '@aws-sdk/client-lambda'
import {BatchGetTracesCommand, PutTraceSegmentsCommand} from '@aws-sdk/client-xray'
import {afterEach, describe, expect, test} from 'vitest'
import {recordingProgress} from '../../src/progress.js'
import {
  emulatorStatus,
  ensureEmulator,
  ISOLATION_ENV,
  SAMPLING_ENV,
  PID_FILE,
  resolveDataDir,
  resolveIsolation,
  resolveSampling,
  STATE_FILE,
  serveEmulator,
  stopEmulator,
} from '../../src/local/lifecycle.js'
import {startEmulator} from '../../src/local/server.js'
import {SCHEMA_VERSION} from '../../src/local/store.js'
import {clientsFor, handlerZip, ROLE, tempDir} from './helpers.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

function dataDir(): string {
  const dir = tempDir()
  cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

/** A pid that surely belongs to no process: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!
}

async function occupyPort(): Promise<{server: Server; port: number}> {
  const server = createServer((_req, res) => res.end('<html>not an emulator</html>'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return {server, port: (server.address() as AddressInfo).port}
}

describe('data directory', () => {
  test('--data-dir wins over TRACEGATE_LOCAL_DIR, which wins over ~/.tracegate/local', () => {
    expect(resolveDataDir('/tmp/a', {TRACEGATE_LOCAL_DIR: '/tmp/b'})).toBe('/tmp/a')
    expect(resolveDataDir(undefined, {TRACEGATE_LOCAL_DIR: '/tmp/b'})).toBe('/tmp/b')
    expect(resolveDataDir(undefined, {})).toMatch(/\.tracegate\/local$/)
  })
})

describe('persistence', () => {
  test('functions, code, policies, APIs, roles and traces survive a stop and a start', async () => {
    const dir = dataDir()
    const first = await startEmulator({port: 0, dataDir: dir})
    let clients = clientsFor(first.url)
    await clients.lambda.send(
      new CreateFunctionCommand({FunctionName: 'kept', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: {ZipFile: handlerZip()}}),
    )
    await clients.lambda.send(
      new AddPermissionCommand({FunctionName: 'kept', StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com'}),
    )
    const api = await clients.apigw.send(new CreateApiCommand({Name: 'kept', ProtocolType: 'HTTP'}))
    await clients.iam.send(new CreateRoleCommand({RoleName: 'kept', AssumeRolePolicyDocument: '{}'}))
    const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-0123456789abcdef01234567`
    const now = Date.now() / 1000
    await clients.xray.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: [JSON.stringify({name: 'kept', id: '0123456789abcdef', trace_id: traceId, start_time: now - 1, end_time: now})],
      }),
    )
    const before = await clients.lambda.send(new GetFunctionCommand({FunctionName: 'kept'}))
    for (const client of Object.values(clients)) client.destroy()
    await first.close()

    const second = await startEmulator({port: 0, dataDir: dir})
    cleanups.push(() => second.close())
    clients = clientsFor(second.url)
    cleanups.push(() => {
      for (const client of Object.values(clients)) client.destroy()
    })
    const after = await clients.lambda.send(new GetFunctionCommand({FunctionName: 'kept'}))
    expect(after.Configuration).toEqual(before.Configuration)
    const zip = await fetch(after.Code!.Location!)
    expect(Buffer.from(await zip.arrayBuffer())).toEqual(Buffer.from(handlerZip()))
    expect(JSON.parse((await clients.lambda.send(new GetPolicyCommand({FunctionName: 'kept'}))).Policy!).Statement).toHaveLength(1)
    const apiAfter = await clients.apigw.send(new GetApiCommand({ApiId: api.ApiId}))
    // The endpoint follows the port the emulator listens on now.
    expect(apiAfter.ApiEndpoint).toBe(`${second.url}/_aws/execute-api/${api.ApiId}`)
    expect((await clients.iam.send(new GetRoleCommand({RoleName: 'kept'}))).Role?.RoleName).toBe('kept')
    expect((await clients.xray.send(new BatchGetTracesCommand({TraceIds: [traceId]}))).Traces).toHaveLength(1)
  })

  test('the store is versioned and in WAL mode', async () => {
    const dir = dataDir()
    const emulator = await startEmulator({port: 0, dataDir: dir})
    cleanups.push(() => emulator.close())
    expect(emulator.store.db.pragma('journal_mode', {simple: true})).toBe('wal')
    expect(emulator.store.db.pragma('user_version', {simple: true})).toBe(SCHEMA_VERSION)
  })
})

describe('isolation: what runs handlers', () => {
  const WHERE = 'exports.handler = async () => ({isMainThread: require("node:worker_threads").isMainThread, pid: process.pid})'

  async function whereHandlersRun(url: string): Promise<{isMainThread: boolean; pid: number}> {
    const {lambda} = clientsFor(url)
    await lambda.send(new CreateFunctionCommand({FunctionName: 'where', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: {ZipFile: handlerZip(WHERE)}}))
    const result = await lambda.send(new InvokeCommand({FunctionName: 'where', Payload: Buffer.from('{}')}))
    return JSON.parse(Buffer.from(result.Payload!).toString('utf8'))
  }

  test.each([
    ['thread', undefined, false],
    ['process', 'process', true],
  ] as const)('%s: the state file and local status say so, and handlers run there', async (expected, asked, ownProcess) => {
    const dir = dataDir()
    const serving = await serveEmulator({port: 0, dataDir: dir, isolation: asked})
    cleanups.push(() => serving.stop())
    expect(JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'))).toMatchObject({isolation: expected})
    expect(await emulatorStatus({dataDir: dir})).toMatchObject({running: true, isolation: expected})
    const where = await whereHandlersRun(serving.emulator.url)
    expect(where.isMainThread).toBe(ownProcess)
    expect(where.pid !== process.pid).toBe(ownProcess)
  })

  test(`${ISOLATION_ENV} chooses when no option does; an unknown value is a usage error that starts nothing`, async () => {
    expect(resolveIsolation('process')).toBe('process')
    expect(resolveIsolation('')).toBe('thread')
    expect(() => resolveIsolation('fork')).toThrow(
      expect.objectContaining({code: 'LOCAL_BAD_ISOLATION', message: `Unknown isolation "fork" (from --isolation or ${ISOLATION_ENV})`, suggestion: 'Use one of: thread, process'}),
    )
    const dir = dataDir()
    process.env[ISOLATION_ENV] = 'fork'
    try {
      await expect(serveEmulator({port: 0, dataDir: dir})).rejects.toMatchObject({code: 'LOCAL_BAD_ISOLATION'})
    } finally {
      delete process.env[ISOLATION_ENV]
    }
    expect(existsSync(join(dir, PID_FILE))).toBe(false)
  })
})

describe('sampling: which undecided requests traced functions record', () => {
  test(`the state file and local status say which; ${SAMPLING_ENV} chooses when no option does; an unknown value starts nothing`, async () => {
    const dir = dataDir()
    const serving = await serveEmulator({port: 0, dataDir: dir, sampling: 'aws'})
    cleanups.push(() => serving.stop())
    expect(JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'))).toMatchObject({sampling: 'aws'})
    expect(await emulatorStatus({dataDir: dir})).toMatchObject({running: true, sampling: 'aws'})
    // Asking the running emulator for other settings changes nothing, and says so.
    const same = await ensureEmulator({dataDir: dir, sampling: 'aws', isolation: 'thread'})
    expect(same).toMatchObject({started: false, sampling: 'aws', isolation: 'thread', notes: []})
    const other = await ensureEmulator({dataDir: dir, sampling: 'all', isolation: 'process'})
    expect(other).toMatchObject({started: false, sampling: 'aws', isolation: 'thread'})
    expect(other.notes).toEqual([
      'The running emulator keeps --isolation thread, not process: stop it with `tracegate local stop` and start it again to change this',
      'The running emulator keeps --sampling aws, not all: stop it with `tracegate local stop` and start it again to change this',
    ])

    expect(resolveSampling('aws')).toBe('aws')
    expect(resolveSampling('all')).toBe('all')
    // AWS's rule unless asked otherwise (aws-semantics §6.3).
    expect(resolveSampling('')).toBe('aws')
    expect(resolveSampling(undefined)).toBe('aws')
    expect(() => resolveSampling('half')).toThrow(
      expect.objectContaining({
        code: 'LOCAL_BAD_SAMPLING',
        message: `Unknown sampling "half" (from --sampling or ${SAMPLING_ENV})`,
        suggestion: 'Use one of: all, aws (all: every request is traced; aws: 1 request per second plus 5 %, as on AWS)',
      }),
    )
    const refused = dataDir()
    process.env[SAMPLING_ENV] = 'half'
    try {
      await expect(serveEmulator({port: 0, dataDir: refused})).rejects.toMatchObject({code: 'LOCAL_BAD_SAMPLING'})
    } finally {
      delete process.env[SAMPLING_ENV]
    }
    expect(existsSync(join(refused, PID_FILE))).toBe(false)
  })
})

describe('serving in this process (foreground start, daemon)', () => {
  test('writes pid and state files, answers health, and removes the files on stop', async () => {
    const dir = dataDir()
    const serving = await serveEmulator({port: 0, dataDir: dir})
    expect(readFileSync(join(dir, PID_FILE), 'utf8').trim()).toBe(String(process.pid))
    const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'))
    expect(state).toMatchObject({pid: process.pid, url: serving.emulator.url, dataDir: dir, detached: false})
    const health = await (await fetch(`${serving.emulator.url}/_tracegate/health`)).json()
    expect(health).toMatchObject({
      status: 'ok',
      pid: process.pid,
      dataDir: dir,
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
      counts: {functions: 0, apis: 0, traces: 0},
    })
    await serving.stop()
    expect(existsSync(join(dir, PID_FILE))).toBe(false)
    expect(existsSync(join(dir, STATE_FILE))).toBe(false)
  })

  test('a stale pid file is removed with a note and the start continues', async () => {
    const dir = dataDir()
    writeFileSync(join(dir, PID_FILE), `${deadPid()}\n`)
    const serving = await serveEmulator({port: 0, dataDir: dir})
    cleanups.push(() => serving.stop())
    expect(serving.notes).toEqual([expect.stringMatching(/^Removed a stale pid file \(process \d+ is no longer running\)$/)])
  })

  test('a second emulator on the same data directory is refused', async () => {
    const dir = dataDir()
    const serving = await serveEmulator({port: 0, dataDir: dir})
    cleanups.push(() => serving.stop())
    await expect(serveEmulator({port: 0, dataDir: dir})).rejects.toMatchObject({
      code: 'LOCAL_ALREADY_RUNNING',
      message: expect.stringContaining(serving.emulator.url),
    })
  })

  test('a port taken by another program is LOCAL_PORT_IN_USE', async () => {
    const {port} = await occupyPort()
    await expect(serveEmulator({port, dataDir: dataDir()})).rejects.toMatchObject({
      code: 'LOCAL_PORT_IN_USE',
      message: `Port ${port} on 127.0.0.1 is in use by another program`,
      exitCode: 5,
    })
  })

  test('a port taken by an emulator for another data directory says which one', async () => {
    const other = dataDir()
    const serving = await serveEmulator({port: 0, dataDir: other})
    cleanups.push(() => serving.stop())
    await expect(serveEmulator({port: serving.emulator.port, dataDir: dataDir()})).rejects.toMatchObject({
      code: 'LOCAL_PORT_IN_USE',
      message: expect.stringContaining(`data dir ${other}`),
    })
  })

  test('an unwritable data directory is LOCAL_DATA_DIR_UNWRITABLE', async () => {
    const parent = dataDir()
    const file = join(parent, 'a-file')
    writeFileSync(file, '')
    const unwritable = join(file, 'emulator')
    await expect(serveEmulator({port: 0, dataDir: unwritable})).rejects.toMatchObject({
      code: 'LOCAL_DATA_DIR_UNWRITABLE',
      message: expect.stringContaining(unwritable),
      suggestion: expect.stringContaining('--data-dir'),
    })
    await expect(ensureEmulator({port: 0, dataDir: unwritable})).rejects.toMatchObject({code: 'LOCAL_DATA_DIR_UNWRITABLE'})
  })
})

describe('detached emulator', () => {
  test(
    'ensureEmulator starts it in the background once; status, stop and a restart keep the state',
    async () => {
      const dir = dataDir()
      writeFileSync(join(dir, PID_FILE), `${deadPid()}\n`)
      const progress = recordingProgress()
      cleanups.push(async () => {
        await stopEmulator({dataDir: dir})
      })
      const started = await ensureEmulator({port: 0, dataDir: dir, progress})
      expect(started.started).toBe(true)
      expect(started.pid).not.toBe(process.pid)
      expect(started.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(started.notes[0]).toMatch(/^Removed a stale pid file/)
      expect(progress.events.map((e) => `${e.step}:${e.status}`)).toEqual(['local:stale:warn', 'local:start:start', 'local:start:done'])

      const again = await ensureEmulator({dataDir: dir})
      expect(again).toMatchObject({started: false, endpoint: started.endpoint, pid: started.pid})

      const clients = clientsFor(started.endpoint)
      await clients.lambda.send(
        new CreateFunctionCommand({FunctionName: 'bg', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: {ZipFile: handlerZip()}}),
      )
      for (const client of Object.values(clients)) client.destroy()
      const status = await emulatorStatus({dataDir: dir})
      expect(status).toMatchObject({running: true, pid: started.pid, url: started.endpoint, detached: true, counts: {functions: 1}})

      const stopped = await stopEmulator({dataDir: dir})
      expect(stopped).toMatchObject({stopped: true, pid: started.pid})
      expect((await emulatorStatus({dataDir: dir})).running).toBe(false)
      expect(await stopEmulator({dataDir: dir})).toMatchObject({stopped: false})

      const restarted = await ensureEmulator({port: 0, dataDir: dir})
      const after = clientsFor(restarted.endpoint)
      const fn = await after.lambda.send(new GetFunctionCommand({FunctionName: 'bg'}))
      expect(fn.Configuration?.Runtime).toBe('nodejs22.x')
      for (const client of Object.values(after)) client.destroy()
    },
    90_000,
  )

  test('ensureEmulator refuses a port another program holds, before spawning anything', async () => {
    const {port} = await occupyPort()
    const dir = dataDir()
    await expect(ensureEmulator({port, dataDir: dir})).rejects.toMatchObject({code: 'LOCAL_PORT_IN_USE'})
    expect(existsSync(join(dir, PID_FILE))).toBe(false)
  })
})
