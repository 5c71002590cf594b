/**
 * deploy and destroy against tracegate's embedded emulator, in-process, through real SDK clients (no mocks):
 * the wire protocols, error shapes and waiters all take part.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createDeployApis} from '../../src/deploy/apis.js'
import {deploy} from '../../src/deploy/deploy.js'
import {applyDestroy, planDestroy} from '../../src/deploy/destroy.js'
import type {DeployApis} from '../../src/deploy/model.js'
import {type RunningEmulator, startEmulator} from '../../src/local/server.js'
import {sourceArnsOf} from '../../src/permissions/policy.js'
import {recordingProgress} from '../../src/progress.js'
import {runCommand} from '../helpers/run-command.js'
import {CONFIG, tempProject} from './helpers.js'

const REGION = 'us-east-1'
let emulator: RunningEmulator
let apis: DeployApis

beforeAll(async () => {
  emulator = await startEmulator({port: 0, dataDir: mkdtempSync(join(tmpdir(), 'tracegate-emu-deploy-'))})
  apis = await createDeployApis(createAwsClients({region: REGION, endpoint: emulator.url, local: true}))
})
afterAll(async () => {
  await emulator?.close()
})

describe('deploy and destroy on the embedded emulator', () => {
  test('deploys a 3-function project, redeploys with no write, and destroys it', async () => {
    const p = tempProject()
    const project = p.load({...CONFIG, region: REGION})
    const first = await deploy({project, apis, region: REGION})
    expect(first.summary.create).toBeGreaterThan(0)
    expect(first.apiId).toBeTruthy()
    expect(first.url).toBeTruthy()

    // What the emulator now holds, read back through the same narrow interfaces.
    const fn = await apis.lambda.getFunction('orders-getOrder')
    expect(fn).toMatchObject({handler: 'src/get-order.handler', runtime: 'nodejs20.x', tracing: 'Active', tags: {'tracegate:project': 'orders'}})
    expect(fn!.codeSha256).toBe(first.functions.find((f) => f.key === 'getOrder')!.codeSha256)
    const routes = await apis.apiGatewayV2.getRoutes(first.apiId!)
    expect(routes.map((r) => r.routeKey).sort()).toEqual(['$default', 'ANY /admin/{proxy+}', 'GET /orders/{id}', 'POST /orders'])
    const integrations = await apis.apiGatewayV2.getIntegrations(first.apiId!)
    expect(integrations.every((i) => i.payloadFormatVersion === '2.0' && i.integrationType === 'AWS_PROXY')).toBe(true)
    const policy = await apis.lambda.getPolicy('orders-fallback')
    expect(policy.flatMap((s) => (s.parseable ? sourceArnsOf(s) : [])).sort()).toEqual([
      `arn:aws:execute-api:${REGION}:${emulator.accountId}:${first.apiId}/$default/*/admin/*`,
      `arn:aws:execute-api:${REGION}:${emulator.accountId}:${first.apiId}/*/$default`,
    ])

    // Redeploy: nothing to do, and no write reaches the emulator.
    const progress = recordingProgress()
    const again = await deploy({project, apis, region: REGION, progress})
    expect(again.summary.changes).toBe(0)
    expect(again.apiId).toBe(first.apiId)
    expect(progress.events.filter((e) => e.status === 'done').map((e) => e.step).sort()).toEqual(['observe', 'package:createOrder', 'package:fallback', 'package:getOrder'])

    // A code change updates that function only.
    p.write('src/create-order.js', 'exports.handler = async () => ({statusCode: 202, body: "{}"})\n')
    const changed = await deploy({project: p.load({...CONFIG, region: REGION}), apis, region: REGION})
    expect(changed.plan.filter((a) => a.action !== 'noop')).toEqual([
      {resource: 'function', name: 'orders-createOrder', action: 'update', reason: 'code', changes: ['code']},
    ])

    // Destroy, then nothing is left and a second destroy has nothing to do.
    const input = {project, apis, region: REGION}
    const plan = await planDestroy(input)
    expect(plan.functions.map((f) => f.name).sort()).toEqual(['orders-createOrder', 'orders-fallback', 'orders-getOrder'])
    await applyDestroy(plan, input)
    expect(await apis.lambda.getFunction('orders-getOrder')).toBeUndefined()
    expect((await apis.apiGatewayV2.listApis()).filter((a) => a.tags['tracegate:project'] === 'orders')).toEqual([])
    expect(await apis.iam.getRole('orders-lambda')).toBeUndefined()
    const second = await planDestroy(input)
    expect(second.summary.changes).toBe(0)
  })

  test('the CLI deploys with --endpoint-url and destroys with --yes', async () => {
    const p = tempProject()
    p.load({...CONFIG, name: 'cli', region: REGION})
    const env = {AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_REGION: undefined, AWS_ENDPOINT_URL: undefined}
    const deployed = await runCommand(['deploy', '--endpoint-url', emulator.url, '--json'], {cwd: p.dir, env})
    expect(deployed.exitCode).toBe(0)
    const result = JSON.parse(deployed.stdout)
    expect(result.summary.changes).toBeGreaterThan(0)
    expect(result.url).toContain(result.apiId)
    expect(result.routes.map((r: {routeKey: string}) => r.routeKey)).toEqual(['GET /orders/{id}', 'POST /orders', '$default', 'ANY /admin/{proxy+}'])

    const destroyed = await runCommand(['destroy', '--yes', '--endpoint-url', emulator.url], {cwd: p.dir, env})
    expect(destroyed.exitCode).toBe(0)
    expect(destroyed.stdout).toContain('Destroyed cli in us-east-1: 1 API, 3 functions, role cli-lambda')
    expect(await apis.lambda.getFunction('cli-getOrder')).toBeUndefined()
  })
})
