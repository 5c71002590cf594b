/**
 * `tracegate invoke` end to end against the embedded emulator for a REST API (API Gateway v1): deployed with
 * `deploy`, each failure produced as on AWS, and the diagnosis must name it. REST answers separate what HTTP
 * APIs do not (500: Lambda refused the invocation; 502: the function failed or answered badly; 504: timeout;
 * 403 "Missing Authentication Token": no route), with x-amzn-ErrorType on every gateway error.
 */
import {APIGatewayClient, CreateDeploymentCommand, GetResourcesCommand, PutIntegrationCommand} from '@aws-sdk/client-api-gateway'
import {DeleteFunctionConcurrencyCommand, GetPolicyCommand, LambdaClient, PutFunctionConcurrencyCommand, RemovePermissionCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import type {InvokeOptions} from '../../src/invoke/invoke.js'
import type {RunningEmulator} from '../../src/local/server.js'
import {type DeployedEmulator, deployOnEmulator} from './deployed-emulator.js'

const REGION = 'us-east-1'

const HANDLERS = `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
exports.getOrder = async (event) => ({statusCode: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify({id: event.pathParameters.id})})
exports.boom = async () => { throw new TypeError('order store is not configured') }
exports.badBody = async () => ({statusCode: 200, body: {id: 42}})
exports.extraKey = async () => ({statusCode: 200, body: 'x', wrongValue: true})
exports.badMulti = async () => ({statusCode: 200, multiValueHeaders: {'x-order': '42'}, body: 'x'})
exports.slow = async () => { await sleep(2500); return {statusCode: 200, body: 'late'} }
exports.sluggish = async () => { await sleep(1500); return {statusCode: 200, body: 'late'} }
exports.guarded = async () => ({statusCode: 200, body: 'ok'})
exports.busy = async () => ({statusCode: 200, body: 'ok'})
`

const CONFIG = {
  name: 'store',
  region: REGION,
  api: {type: 'rest', stage: 'prod'},
  defaults: {timeout: 5, tracing: 'Active'},
  functions: {
    getOrder: {handler: 'src/handlers.getOrder', routes: ['GET /orders/{id}']},
    boom: {handler: 'src/handlers.boom', routes: ['GET /boom']},
    badBody: {handler: 'src/handlers.badBody', routes: ['GET /malformed/body']},
    extraKey: {handler: 'src/handlers.extraKey', routes: ['GET /malformed/extra-key']},
    badMulti: {handler: 'src/handlers.badMulti', routes: ['GET /malformed/multi']},
    slow: {handler: 'src/handlers.slow', routes: ['GET /slow'], timeout: 1},
    sluggish: {handler: 'src/handlers.sluggish', routes: ['GET /sluggish']},
    guarded: {handler: 'src/handlers.guarded', routes: ['GET /guarded']},
    busy: {handler: 'src/handlers.busy', routes: ['GET /busy']},
  },
}

let t: DeployedEmulator
let emulator: RunningEmulator
let lambda: LambdaClient
let apiId: string

const invoke = (target: string, options: Partial<InvokeOptions> = {}) => t.invoke(target, options)

beforeAll(async () => {
  t = await deployOnEmulator({name: 'invoke-rest', region: REGION, handlers: HANDLERS, config: CONFIG})
  ;({emulator, apiId} = t)
  const config = t.sdkConfig
  lambda = new LambdaClient(config)
  // /sluggish's integration waits 500 ms (REST allows 50-29000), and the stage serves a new deployment with it.
  const v1 = new APIGatewayClient(config)
  const resources = await v1.send(new GetResourcesCommand({restApiId: apiId, embed: ['methods']}))
  const sluggish = resources.items?.find((r) => r.path === '/sluggish')
  const uri = sluggish?.resourceMethods?.GET?.methodIntegration?.uri
  await v1.send(
    new PutIntegrationCommand({restApiId: apiId, resourceId: sluggish?.id, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri, timeoutInMillis: 500}),
  )
  await v1.send(new CreateDeploymentCommand({restApiId: apiId, stageName: 'prod'}))
  v1.destroy()
}, 120_000)

afterAll(async () => {
  lambda?.destroy()
  await t?.close()
})

describe('tracegate invoke on the emulator (REST API)', () => {
  test('a working route answers 200 through the prod stage', async () => {
    const r = await invoke('GET /orders/42')
    expect(r.request.url).toBe(`${emulator.url}/_aws/execute-api/${apiId}/prod/orders/42`)
    expect(r.response.status).toBe(200)
    expect(r.request.apiType).toBe('rest')
  })

  test('an unknown route is a 403 "Missing Authentication Token": route-not-found', async () => {
    const r = await invoke('GET /order/42')
    expect(r.response.status).toBe(403)
    expect(r.diagnosis).toMatchObject({verdict: 'route-not-found', confidence: 'high'})
  })

  test('a removed permission is a 500: invocation-rejected/permission', async () => {
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({FunctionName: 'store-guarded'}))).Policy ?? '{}') as {Statement: Array<{Sid: string}>}
    for (const s of policy.Statement) await lambda.send(new RemovePermissionCommand({FunctionName: 'store-guarded', StatementId: s.Sid}))
    const r = await invoke('GET /guarded')
    expect(r.response.status).toBe(500)
    expect(r.diagnosis).toMatchObject({verdict: 'invocation-rejected/permission', confidence: 'high'})
    expect(r.diagnosis?.fix.commands.join('\n')).toContain(`--source-arn arn:aws:execute-api:${REGION}:000000000000:${apiId}/prod/GET/guarded `)
  })

  test('reserved concurrency 0 is a 500: invocation-rejected/throttled', async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({FunctionName: 'store-busy', ReservedConcurrentExecutions: 0}))
    try {
      const r = await invoke('GET /busy')
      expect(r.response.status).toBe(500)
      expect(r.diagnosis).toMatchObject({verdict: 'invocation-rejected/throttled', confidence: 'high'})
    } finally {
      await lambda.send(new DeleteFunctionConcurrencyCommand({FunctionName: 'store-busy'}))
    }
  })

  test('a throwing handler is a 502: function-error', async () => {
    const r = await invoke('GET /boom')
    expect(r.response.status).toBe(502)
    expect(r.diagnosis).toMatchObject({verdict: 'function-error', confidence: 'high'})
    expect(r.diagnosis?.cause).toContain('TypeError: order store is not configured')
  })

  test.each([
    ['/malformed/body', 'body must be a string'],
    ['/malformed/extra-key', '"wrongValue"'],
    ['/malformed/multi', 'multiValueHeaders'],
  ])('GET %s is a 502: malformed-response naming the rule', async (path, rule) => {
    const r = await invoke(`GET ${path}`)
    expect(r.response.status).toBe(502)
    expect(r.diagnosis).toMatchObject({verdict: 'malformed-response', confidence: 'high'})
    expect(r.diagnosis?.cause).toContain(rule)
  })

  test('a handler slower than its function timeout is a 502: function-timeout', async () => {
    const r = await invoke('GET /slow')
    expect(r.response.status).toBe(502)
    expect(r.diagnosis).toMatchObject({verdict: 'function-timeout', confidence: 'high'})
  })

  test('a handler slower than the integration timeout is a 504: integration-timeout', async () => {
    const r = await invoke('GET /sluggish')
    expect(r.response.status).toBe(504)
    expect(r.diagnosis).toMatchObject({verdict: 'integration-timeout', confidence: 'high'})
  })
})
