import {PassThrough} from 'node:stream'
import {describe, expect, test} from 'vitest'
import type {DeployResult} from '../../src/deploy/deploy.js'
import {paletteFor} from '../../src/ui/colors.js'
import {confirm} from '../../src/ui/deploy-confirm.js'
import {formatDeployResult, formatDestroyResult, formatPlan} from '../../src/ui/deploy-format.js'

const plain = paletteFor({isTTY: false})

function result(overrides: Partial<DeployResult> = {}): DeployResult {
  return {
    project: 'shop',
    region: 'us-east-2',
    dryRun: false,
    plan: [
      {resource: 'function', name: 'shop-get', action: 'update', reason: 'code', changes: ['code']},
      {resource: 'route', name: 'GET /items/{id}', action: 'noop', reason: 'unchanged'},
    ],
    summary: {create: 0, update: 1, delete: 0, noop: 1, changes: 1},
    apiId: 'abc123',
    url: 'https://abc123.execute-api.us-east-2.amazonaws.com/prod',
    stage: 'prod',
    routes: [{routeKey: 'GET /items/{id}', function: 'shop-get', url: 'https://abc123.execute-api.us-east-2.amazonaws.com/prod/items/{id}'}],
    functions: [],
    warnings: [],
    ...overrides,
  }
}

describe('deploy views', () => {
  test('a plan line per action, with its reason (none for unchanged)', () => {
    expect(formatPlan(result().plan, plain)).toEqual([
      '  ~ update    function    shop-get         code',
      '  = unchanged route       GET /items/{id}',
    ])
  })

  test('the result names the counts, the URL and each route URL', () => {
    expect(formatDeployResult(result(), plain).split('\n')).toEqual([
      '✓ Deployed shop to us-east-2: 1 updated, 1 unchanged',
      '',
      'URL  https://abc123.execute-api.us-east-2.amazonaws.com/prod',
      'Routes',
      '  GET /items/{id}  https://abc123.execute-api.us-east-2.amazonaws.com/prod/items/{id}  → shop-get',
    ])
  })

  test('no changes, and a dry run, say so', () => {
    const none = result({summary: {create: 0, update: 0, delete: 0, noop: 2, changes: 0}})
    expect(formatDeployResult(none, plain)).toMatch(/^✓ No changes: shop in us-east-2 is up to date \(2 resources unchanged\)/)
    const dry = formatDeployResult(result({dryRun: true, url: undefined, routes: [{routeKey: 'GET /items/{id}', function: 'shop-get'}]}), plain)
    expect(dry).toContain('dry run: nothing was changed')
    expect(dry).toContain('0 to create, 1 to update, 0 to delete, 1 unchanged')
    expect(dry).not.toContain('URL')
  })

  test('destroy: nothing to do is said as such', () => {
    const summary = {create: 0, update: 0, delete: 0, noop: 0, changes: 0}
    expect(formatDestroyResult({project: 'shop', region: 'us-east-2', dryRun: false, plan: [], summary, apiIds: [], functions: []}, plain)).toBe(
      '✓ Nothing to destroy: no resources tagged tracegate:project=shop in us-east-2',
    )
  })
})

describe('confirm', () => {
  async function answer(text: string): Promise<boolean> {
    const input = new PassThrough()
    const output = new PassThrough()
    const asked = confirm('Delete?', {input, output})
    input.end(`${text}\n`)
    return asked
  }

  test('only "y" or "yes" confirm; anything else (or nothing) declines', async () => {
    await expect(answer('y')).resolves.toBe(true)
    await expect(answer('YES')).resolves.toBe(true)
    await expect(answer('')).resolves.toBe(false)
    await expect(answer('no')).resolves.toBe(false)
  })
})
