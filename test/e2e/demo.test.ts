/**
 * `tracegate demo` as a newcomer runs it: the built CLI, no AWS account, no emulator running. It must get every
 * verdict right and leave nothing behind: no temp dir, no emulator process.
 */
import {mkdirSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {setupE2e} from './helpers.js'

const e2e = setupE2e({prefix: 'tracegate-e2e-demo-'})

interface DemoJson {
  emulator: {endpoint: string; started: boolean}
  calls: Array<{route: string; scenario: string; status: number; verdict: string}>
  trace?: {id: string; spanCount: number}
  prune: {removed: number}
  destroyed: number
  allExpected: boolean
}

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/_tracegate/health`, {signal: AbortSignal.timeout(1000)})
    return true
  } catch {
    return false
  }
}

describe('tracegate demo', () => {
  test('diagnoses every failure on a private emulator and leaves nothing behind', async () => {
    // Its own TMPDIR, so "nothing left behind" is checked on a directory only the demo uses.
    const tmp = join(e2e.workDir, 'tmp-json')
    mkdirSync(tmp)
    const run = await e2e.run(['demo', '--json'], {env: {TMPDIR: tmp}, timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).toBe('')
    const result = run.json<DemoJson>()
    expect(result.allExpected).toBe(true)
    expect(result.calls.map((c) => [c.scenario, c.status, c.verdict])).toEqual([
      ['ok', 200, 'ok'],
      ['throws', 500, 'function-error'],
      ['malformed', 500, 'malformed-response'],
      ['permission-removed', 500, 'invocation-rejected/permission'],
    ])
    expect(result.trace?.spanCount).toBeGreaterThan(1)
    expect(result.prune.removed).toBe(1)
    expect(result.destroyed).toBeGreaterThan(0)
    // It started an emulator of its own (none was running for this data dir) and stopped it.
    expect(result.emulator.started).toBe(true)
    expect(await reachable(result.emulator.endpoint)).toBe(false)
    expect(readdirSync(tmp)).toEqual([])
  }, 90_000)

  test('narrates one line per step in plain mode and prints each diagnosis and the waterfall', async () => {
    const tmp = join(e2e.workDir, 'tmp-plain')
    mkdirSync(tmp)
    const run = await e2e.run(['demo'], {env: {TMPDIR: tmp}, timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).toBe(0)
    // Progress on stderr, one finished step per line, no spinner frames or escape codes.
    expect(run.stderr).toMatch(/✓ Call GET \/orders\/7 \(500 → function-error\)/)
    expect(run.stderr).toMatch(/✓ Prune stale permissions \(1 removed/)
    expect(run.stderr).not.toMatch(/\u001B\[/)
    // The report on stdout.
    expect(run.stdout).toMatch(/GET \/profile +500 +malformed-response/)
    expect(run.stdout).toContain('cookies must be an array')
    expect(run.stdout).toMatch(/Trace of GET \/orders\/7/)
    expect(run.stdout).toContain("TypeError: Cannot read properties of undefined (reading 'total')")
    // The trace's frames are in the project's files, as the diagnosis names them, not in the deployed bundle.
    expect(run.stdout).toContain('at totalOf (src/get-order.mjs:5)')
    expect(run.stdout).toContain('in totalOf at src/get-order.mjs:5:16')
    expect(run.stdout).toContain('every failure was diagnosed correctly')
    expect(readdirSync(tmp)).toEqual([])
  }, 90_000)
})
