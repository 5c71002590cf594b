/**
 * REST deploy and destroy against tracegate's embedded emulator, in-process, through real SDK clients: the
 * API Gateway v1 wire protocol, its error shapes and the deployment snapshots all take part.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createDeployApis} from '../../src/deploy/apis.js'
import {deploy} from '../../src/deploy/deploy.js'
import {applyDestroy, planDestroy} from '../../src/deploy/destroy.js'
import {type RunningEmulator, startEmulator} from '../../src/local/server.js'
import {sourceArnsOf} from '../../src/permissions/policy.js'
import {recordingProgress} from '../../src/progress.js'
import {type TestConfig, tempProject} from './helpers.js'

const REGION = 'us-east-1'
let emulator: RunningEmulator
let apis: Awaited<ReturnType<typeof createDeployApis>>

const REST: TestConfig = {
  name: 'shop',
  region: REGION,
  api: {type: 'rest', stage: 'prod'},
  functions: {
    getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']},
    createOrder: {handler: 'src/create-order.handler', routes: ['POST /orders']},
    fallback: {handler: 'src/fallback.handler', routes: ['ANY /{proxy+}']},
  },
}

beforeAll(async () => {
  emulator = await startEmulator({port: 0, dataDir: mkdtempSync(join(tmpdir(), 'tracegate-emu-rest-deploy-')), dataPlane: false})
  apis = await createDeployApis(createAwsClients({region: REGION, endpoint: emulator.url, local: true}))
})
afterAll(async () => {
  await emulator?.close()
})

describe('REST deploy and destroy on the embedded emulator', () => {
  test('deploys, redeploys with no write, prunes a removed route, and destroys', async () => {
    const p = tempProject()
    const project = p.load(REST)
    const first = await deploy({project, apis, region: REGION})
    expect(first.apiId).toMatch(/^[a-z0-9]{10}$/)
    // The emulator's path-based execute-api URL, as its HTTP APIs report it, plus the stage.
    expect(first.url).toBe(`${emulator.url}/_aws/execute-api/${first.apiId}/prod`)

    const resources = await apis.apiGateway.getResources(first.apiId!)
    expect(resources.map((r) => r.path).sort()).toEqual(['/', '/orders', '/orders/{id}', '/{proxy+}'])
    const proxy = resources.find((r) => r.path === '/{proxy+}')!
    expect(proxy.methods.ANY).toMatchObject({authorizationType: 'NONE', integration: {type: 'AWS_PROXY', httpMethod: 'POST'}})
    expect(proxy.methods.ANY.integration!.uri).toBe(
      `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${emulator.accountId}:function:shop-fallback/invocations`,
    )
    const [stage] = await apis.apiGateway.getStages(first.apiId!)
    expect(stage).toMatchObject({stageName: 'prod', tracingEnabled: true, tags: {'tracegate:project': 'shop'}})
    const policy = await apis.lambda.getPolicy('shop-getOrder')
    expect(policy.flatMap((s) => (s.parseable ? sourceArnsOf(s) : []))).toEqual([`arn:aws:execute-api:${REGION}:${emulator.accountId}:${first.apiId}/prod/GET/orders/*`])

    const progress = recordingProgress()
    const again = await deploy({project, apis, region: REGION, progress})
    expect(again.summary.changes).toBe(0)
    expect(progress.events.filter((e) => e.status === 'done').map((e) => e.step).sort()).toEqual(['observe', 'package:createOrder', 'package:fallback', 'package:getOrder'])

    const changed = structuredClone(REST)
    changed.functions.fallback.routes = []
    const pruned = await deploy({project: p.load(changed), apis, region: REGION})
    expect(pruned.plan.filter((a) => a.action !== 'noop').map((a) => `${a.action} ${a.resource} ${a.name}`)).toEqual([
      'update stage prod',
      'delete route ANY /{proxy+}',
      'delete permission shop-fallback * /*',
    ])
    expect((await apis.apiGateway.getResources(first.apiId!)).map((r) => r.path).sort()).toEqual(['/', '/orders', '/orders/{id}'])
    const deployments = await apis.apiGateway.getDeployments(first.apiId!)
    expect(deployments).toHaveLength(2)
    expect((await apis.apiGateway.getStages(first.apiId!))[0].deploymentId).toBe(deployments[1].id)

    const input = {project, apis, region: REGION}
    await applyDestroy(await planDestroy(input), input)
    expect((await apis.apiGateway.listRestApis()).filter((a) => a.tags['tracegate:project'] === 'shop')).toEqual([])
    expect(await apis.lambda.getFunction('shop-getOrder')).toBeUndefined()
    expect((await planDestroy(input)).summary.changes).toBe(0)
  })
})
