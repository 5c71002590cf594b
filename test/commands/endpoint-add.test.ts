import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {runCommand} from '../helpers/run-command.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

async function project(): Promise<string> {
  const parent = mkdtempSync(join(tmpdir(), 'tracegate-endpoint-'))
  dirs.push(parent)
  const created = await runCommand(['new', 'shop', '--json'], {cwd: parent})
  expect(created.exitCode).toBe(0)
  return join(parent, 'shop')
}

describe('tracegate endpoint add', () => {
  test('--json prints the typed result only', async () => {
    const cwd = await project()
    const run = await runCommand(['endpoint', 'add', 'POST /orders', '--json'], {cwd})
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual({
      route: 'POST /orders',
      function: 'postOrders',
      functionName: 'shop-postOrders',
      newFunction: true,
      handler: 'src/post-orders.handler',
      lang: 'js',
      dir: cwd,
      files: ['src/post-orders.mjs', 'test/post-orders.test.mjs', 'events/post-orders.json'],
      config: 'tracegate.json',
    })
  })

  test('plain mode lists what it created and updated', async () => {
    const cwd = await project()
    const run = await runCommand(['endpoint', 'add', 'GET /hello/{name}', '--function', 'getHello'], {cwd})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toBe(
      [
        'Added GET /hello/{name} → getHello (existing function)',
        '  handler src/get-hello.handler',
        '  created test/get-hello-by-name.test.mjs',
        '  created events/get-hello-by-name.json',
        '  updated tracegate.json',
        '',
      ].join('\n'),
    )
    expect(run.stderr).toContain('✓ Update tracegate.json (GET /hello/{name} → getHello)')
    expect(JSON.parse(readFileSync(join(cwd, 'tracegate.json'), 'utf8')).functions.getHello.routes).toEqual(['GET /hello', 'GET /hello/{name}'])
  })

  test('a duplicate route is a usage error with the owner named', async () => {
    const cwd = await project()
    const run = await runCommand(['endpoint', 'add', 'get /hello', '--function', 'other'], {cwd})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('Error [ROUTE_EXISTS] Route "GET /hello" is already served by function "getHello"')
    expect(run.stderr).toContain('Try:')
  })

  test('outside a project it suggests tracegate new', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tracegate-empty-'))
    dirs.push(cwd)
    const run = await runCommand(['endpoint', 'add', 'GET /x', '--json'], {cwd})
    expect(run.exitCode).toBe(2)
    expect(JSON.parse(run.stdout).error).toMatchObject({code: 'CONFIG_NOT_FOUND', suggestion: expect.stringContaining('tracegate new')})
  })
})
