import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {stopEmulator} from '../../src/local/lifecycle.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from './helpers.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

function dataDir(): string {
  const dir = tempDir()
  cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

describe('tracegate local', () => {
  test('status reports "not running" and exits 5 when no emulator serves the data dir', async () => {
    const dir = dataDir()
    const text = await runCommand(['local', 'status', '--data-dir', dir])
    expect(text.exitCode).toBe(5)
    expect(text.stdout).toBe(`Not running (data dir ${dir})\n`)
    const json = await runCommand(['local', 'status', '--data-dir', dir, '--json'])
    expect(json.exitCode).toBe(5)
    expect(JSON.parse(json.stdout)).toEqual({running: false, dataDir: dir, notes: []})
  })

  test(
    'start --detach prints the endpoint, env hints, what runs handlers and the sampling (AWS\'s rule by default); status shows them; stop stops it',
    async () => {
      const dir = dataDir()
      cleanups.push(() => stopEmulator({dataDir: dir}))
      const started = await runCommand(['local', 'start', '--detach', '--port', '0', '--data-dir', dir, '--isolation', 'process'])
      expect(started.exitCode).toBe(0)
      // The flag reaches the background emulator, which records it; sampling is X-Ray's default rule unless asked.
      expect(started.stdout).toContain('Handlers run in child processes (--isolation process)')
      expect(started.stdout).toContain('X-Ray: 1 request per second plus 5 % traced, as on AWS (--sampling aws; --sampling all traces every request)')
      const url = /at (http:\/\/127\.0\.0\.1:\d+) \(pid \d+\)/.exec(started.stdout)?.[1]
      expect(url).toBeDefined()
      expect(started.stdout).toContain(`export AWS_ENDPOINT_URL=${url}`)
      expect(started.stdout).toContain('Stop it with: tracegate local stop')

      const status = await runCommand(['local', 'status', '--data-dir', dir])
      expect(status.exitCode).toBe(0)
      expect(status.stdout).toContain(`Running at ${url}`)
      expect(status.stdout).toMatch(/functions\s+0/)
      expect(status.stdout).toContain(`data dir   ${dir}`)
      expect(status.stdout).toContain('handlers   child processes (--isolation process)')
      expect(status.stdout).toContain('sampling   1 request per second plus 5 % traced, as on AWS (--sampling aws; --sampling all traces every request)')

      const stopped = await runCommand(['local', 'stop', '--data-dir', dir])
      expect(stopped.exitCode).toBe(0)
      expect(stopped.stdout).toMatch(/^Stopped the emulator \(pid \d+\)/)
      expect(existsSync(join(dir, 'emulator.pid'))).toBe(false)
    },
    90_000,
  )

  test('start in the foreground serves until SIGTERM, then removes its pid file', async () => {
    const dir = dataDir()
    const running = runCommand(['local', 'start', '--port', '0', '--data-dir', dir, '--quiet'])
    const deadline = Date.now() + 20_000
    while (!existsSync(join(dir, 'emulator.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const state = JSON.parse(readFileSync(join(dir, 'emulator.json'), 'utf8'))
    expect(state).toMatchObject({pid: process.pid, detached: false})
    const health = await (await fetch(`${state.url}/_tracegate/health`)).json()
    expect(health).toMatchObject({status: 'ok', dataDir: dir})
    process.emit('SIGTERM')
    const result = await running
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(`export AWS_ENDPOINT_URL=${state.url}`)
    expect(existsSync(join(dir, 'emulator.pid'))).toBe(false)
  })

  test('a port held by another program is a usage-style error with exit code 5', async () => {
    const {createServer} = await import('node:http')
    const server = createServer((_req, res) => res.end('someone else'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    const port = (server.address() as {port: number}).port
    const result = await runCommand(['local', 'start', '--port', String(port), '--data-dir', dataDir()])
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('[LOCAL_PORT_IN_USE]')
    expect(result.stderr).toContain('--port')
  })
})
