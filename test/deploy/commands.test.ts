import {ApiGatewayV2Client} from '@aws-sdk/client-apigatewayv2'
import {IAMClient} from '@aws-sdk/client-iam'
import {LambdaClient} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {runCommand} from '../helpers/run-command.js'
import {FakeAws} from './fake-aws.js'
import {CONFIG, tempProject} from './helpers.js'

const mocks = {lambda: mockClient(LambdaClient), apigw: mockClient(ApiGatewayV2Client), iam: mockClient(IAMClient)}
let fake: FakeAws

// No real credentials or endpoints leak in: every SDK call is answered by the fake.
const env = {AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined, AWS_ENDPOINT_URL: undefined}

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset()
  fake = new FakeAws('us-east-2')
  fake.install(mocks)
})

describe('tracegate deploy', () => {
  test('prints the URL and each route URL, and --json returns {plan, apiId, url, routes, functions}', async () => {
    const p = tempProject()
    p.load()
    const text = await runCommand(['deploy'], {cwd: p.dir, env})
    expect(text.exitCode).toBe(0)
    const apiId = [...fake.apis.keys()][0]
    const base = `https://${apiId}.execute-api.us-east-2.amazonaws.com`
    expect(text.stdout).toContain(`URL  ${base}`)
    expect(text.stdout).toMatch(new RegExp(`GET /orders/\\{id\\}\\s+${base.replace(/\./g, '\\.')}/orders/\\{id\\}`))
    expect(text.stdout).toContain('Deployed orders to us-east-2: 17 created')
    // Progress went to stderr, as plain lines (CI is set in tests).
    expect(text.stderr).toContain('✓ Create function orders-getOrder')

    const json = await runCommand(['deploy', '--json'], {cwd: p.dir, env})
    expect(json.exitCode).toBe(0)
    const result = JSON.parse(json.stdout)
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['plan', 'apiId', 'url', 'routes', 'functions']))
    expect(result.apiId).toBe(apiId)
    expect(result.url).toBe(base)
    expect(result.summary.changes).toBe(0)
    expect(json.stderr).toBe('')
  })

  test('on a terminal the live step list renders (Ink) and the result still reaches stdout', async () => {
    const p = tempProject()
    p.load()
    const run = await runCommand(['deploy'], {cwd: p.dir, env: {...env, CI: undefined}, tty: {stdout: true, stderr: true}})
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toContain('Create function orders-getOrder')
    expect(run.stdout).toContain('Deployed orders to us-east-2')
    expect(run.stdout).toMatch(/URL\s+.*https:\/\//)
  })

  test('a redeploy with nothing changed says "No changes" and exits 0', async () => {
    const p = tempProject()
    p.load()
    await runCommand(['deploy'], {cwd: p.dir, env})
    const before = fake.writeCalls.length
    const again = await runCommand(['deploy'], {cwd: p.dir, env})
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('No changes')
    expect(fake.writeCalls.length).toBe(before)
  })

  test('--dry-run prints the plan and writes nothing', async () => {
    const p = tempProject()
    p.load()
    const run = await runCommand(['deploy', '--dry-run'], {cwd: p.dir, env})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('dry run: nothing was changed')
    expect(run.stdout).toMatch(/\+ create\s+function\s+orders-getOrder/)
    expect(fake.writeCalls).toEqual([])
  })

  test('a bad config fails with exit 2 before any AWS call', async () => {
    const p = tempProject()
    p.write('tracegate.json', JSON.stringify({...CONFIG, functions: {getOrder: {handler: 'src/get-order.handler', routes: ['GETT /orders']}}}))
    const run = await runCommand(['deploy'], {cwd: p.dir, env})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/CONFIG_INVALID/)
    expect(fake.calls).toEqual([])
  })

  test('AccessDenied is reported with the IAM action to grant, exit 2', async () => {
    const p = tempProject()
    p.load()
    fake.inject('GetApis', Object.assign(new Error('User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-2::/apis'), {name: 'AccessDeniedException', $metadata: {httpStatusCode: 403}}))
    const run = await runCommand(['deploy'], {cwd: p.dir, env})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('[AWS_ACCESS_DENIED]')
    expect(run.stderr).toContain('Allow "apigateway:GET"')
  })

  test('a failure after some changes were applied exits 4 (partial) and says a re-run continues', async () => {
    const p = tempProject()
    p.load()
    fake.failure = {at: 10, mode: 'before'}
    const run = await runCommand(['deploy'], {cwd: p.dir, env})
    expect(run.exitCode).toBe(4)
    expect(run.stderr).toMatch(/deploy again: \d+ changes were applied/)
    fake.failure = undefined
    const again = await runCommand(['deploy'], {cwd: p.dir, env})
    expect(again.exitCode).toBe(0)
  })
})

describe('tracegate destroy', () => {
  test('without a terminal it requires --yes, before any AWS call', async () => {
    const p = tempProject()
    p.load()
    const run = await runCommand(['destroy'], {cwd: p.dir, env, tty: {stdout: false, stderr: false}})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('[CONFIRMATION_REQUIRED]')
    expect(run.stderr).toContain('--yes')
    expect(fake.calls).toEqual([])
  })

  test('--yes after deploy removes everything tagged; a second run has nothing to do', async () => {
    const p = tempProject()
    p.load()
    await runCommand(['deploy'], {cwd: p.dir, env})
    const dry = await runCommand(['destroy', '--dry-run'], {cwd: p.dir, env})
    expect(dry.stdout).toMatch(/- delete\s+function\s+orders-getOrder/)
    expect(fake.functions.size).toBe(3)

    const run = await runCommand(['destroy', '--yes'], {cwd: p.dir, env})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('Destroyed orders in us-east-2: 1 API, 3 functions, role orders-lambda')
    expect(fake.functions.size).toBe(0)
    expect(fake.apis.size).toBe(0)
    expect(fake.roles.size).toBe(0)

    const writes = fake.writeCalls.length
    const again = await runCommand(['destroy', '--yes', '--json'], {cwd: p.dir, env})
    expect(again.exitCode).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({summary: {changes: 0}, plan: [], apiIds: [], functions: []})
    expect(fake.writeCalls.length).toBe(writes)
  })
})
