/**
 * `tracegate invoke` end to end against the embedded emulator, in-process, through real SDK clients and real
 * HTTP: the project is deployed with `deploy`, each failure is produced the way it happens on AWS (a removed
 * permission, reserved concurrency 0 or an injected throttle, a throwing handler, each malformed shape, slow
 * handlers, an unknown route), and the diagnosis must name it.
 */
import {ApiGatewayV2Client, GetIntegrationsCommand, UpdateIntegrationCommand} from '@aws-sdk/client-apigatewayv2'
import {
  AddPermissionCommand,
  CreateAliasCommand,
  DeleteFunctionConcurrencyCommand,
  GetPolicyCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import type {InvokeOptions} from '../../src/invoke/invoke.js'
import type {RunningEmulator} from '../../src/local/server.js'
import {runCommand} from '../helpers/run-command.js'
import {type DeployedEmulator, deployOnEmulator} from './deployed-emulator.js'

const REGION = 'us-east-1'

const HANDLERS = `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
exports.getOrder = async (event) => ({statusCode: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify({id: event.pathParameters.id})})
exports.missingOrder = async () => ({statusCode: 404, headers: {'content-type': 'application/json'}, body: JSON.stringify({error: 'order not found'})})
exports.boom = async () => { throw new TypeError('order store is not configured') }
exports.createOrder = async () => { throw new Error('payment declined') }
exports.badBody = async () => ({statusCode: 200, body: {id: 42}})
exports.badStatus = async () => ({statusCode: 'ok', body: 'x'})
exports.badCookies = async () => ({statusCode: 200, cookies: 'session=1', body: 'x'})
exports.badHeader = async () => ({statusCode: 200, headers: {'x-order': {id: 42}}, body: 'x'})
exports.errorObject = async () => ({errorMessage: 'returned, not thrown'})
exports.slow = async () => { await sleep(2500); return {statusCode: 200, body: 'late'} }
exports.sluggish = async () => { await sleep(1500); return {statusCode: 200, body: 'late'} }
exports.guarded = async () => ({statusCode: 200, body: 'ok'})
exports.busy = async () => ({statusCode: 200, body: 'ok'})
exports.flaky = async () => ({statusCode: 200, body: 'ok'})
exports.big = async () => ({statusCode: 200, body: 'x'.repeat(6_300_000)})
exports.upload = async () => ({statusCode: 201, body: 'stored'})
exports.aliased = async () => ({statusCode: 200, body: 'live'})
`

const CONFIG = {
  name: 'shop',
  region: REGION,
  defaults: {timeout: 5, tracing: 'Active'},
  functions: {
    getOrder: {handler: 'src/handlers.getOrder', routes: ['GET /orders/{id}']},
    missingOrder: {handler: 'src/handlers.missingOrder', routes: ['GET /missing/{id}']},
    boom: {handler: 'src/handlers.boom', routes: ['GET /boom']},
    createOrder: {handler: 'src/handlers.createOrder', routes: ['POST /orders']},
    badBody: {handler: 'src/handlers.badBody', routes: ['GET /malformed/body']},
    badStatus: {handler: 'src/handlers.badStatus', routes: ['GET /malformed/status']},
    badCookies: {handler: 'src/handlers.badCookies', routes: ['GET /malformed/cookies']},
    badHeader: {handler: 'src/handlers.badHeader', routes: ['GET /malformed/header']},
    errorObject: {handler: 'src/handlers.errorObject', routes: ['GET /malformed/error-object']},
    slow: {handler: 'src/handlers.slow', routes: ['GET /slow'], timeout: 1},
    sluggish: {handler: 'src/handlers.sluggish', routes: ['GET /sluggish']},
    guarded: {handler: 'src/handlers.guarded', routes: ['GET /guarded']},
    busy: {handler: 'src/handlers.busy', routes: ['GET /busy']},
    flaky: {handler: 'src/handlers.flaky', routes: ['GET /flaky']},
    big: {handler: 'src/handlers.big', routes: ['GET /big']},
    upload: {handler: 'src/handlers.upload', routes: ['POST /uploads']},
    aliased: {handler: 'src/handlers.aliased', routes: ['GET /aliased']},
  },
}

let t: DeployedEmulator
let emulator: RunningEmulator
let projectDir: string
let lambda: LambdaClient
let apigw: ApiGatewayV2Client
let apiId: string

const invoke = (target: string, options: Partial<InvokeOptions> = {}) => t.invoke(target, options)

async function setFault(functionName: string, fault: Record<string, unknown>) {
  const response = await fetch(`${emulator.url}/_tracegate/faults`, {method: 'POST', body: JSON.stringify({functionName, ...fault})})
  expect(response.status).toBe(200)
}

beforeAll(async () => {
  t = await deployOnEmulator({name: 'invoke', region: REGION, handlers: HANDLERS, config: CONFIG})
  ;({emulator, projectDir, apiId} = t)
  lambda = new LambdaClient(t.sdkConfig)
  apigw = new ApiGatewayV2Client(t.sdkConfig)
  // The integration of /sluggish waits 500 ms (HTTP APIs allow 50-30000), so its 1.5 s handler times it out.
  const integrations = await apigw.send(new GetIntegrationsCommand({ApiId: apiId}))
  const sluggish = integrations.Items?.find((i) => i.IntegrationUri?.endsWith(':function:shop-sluggish'))
  await apigw.send(new UpdateIntegrationCommand({ApiId: apiId, IntegrationId: sluggish?.IntegrationId, TimeoutInMillis: 500}))
}, 120_000)

afterAll(async () => {
  lambda?.destroy()
  apigw?.destroy()
  await t?.close()
})

describe('tracegate invoke on the emulator (HTTP API)', () => {
  test('a working route answers 200 and is not diagnosed', async () => {
    const r = await invoke('GET /orders/42')
    expect(r.response.status).toBe(200)
    expect(r.response.body.text).toContain('"id": "42"')
    expect(r.diagnosis).toBeUndefined()
    const explained = await invoke('GET /orders/42', {explain: true})
    expect(explained.diagnosis).toMatchObject({verdict: 'ok', confidence: 'high'})
  })

  test("a 404 the function answers itself is the function's own answer", async () => {
    const r = await invoke('GET /missing/7')
    expect(r.response.status).toBe(404)
    expect(r.diagnosis).toMatchObject({verdict: 'ok', confidence: 'high'})
  })

  test('an unknown route is route-not-found, naming the nearest route', async () => {
    const r = await invoke('GET /order/42')
    expect(r.response.status).toBe(404)
    expect(r.diagnosis).toMatchObject({verdict: 'route-not-found', confidence: 'high'})
    expect(r.diagnosis?.cause).toContain('GET /orders/{id}')
  })

  test('a removed permission is invocation-rejected/permission, with the statement that fixes it', async () => {
    const fn = 'shop-guarded'
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({FunctionName: fn}))).Policy ?? '{}') as {Statement: Array<{Sid: string}>}
    for (const s of policy.Statement) await lambda.send(new RemovePermissionCommand({FunctionName: fn, StatementId: s.Sid}))
    const r = await invoke('GET /guarded')
    expect(r.response.status).toBe(500)
    expect(r.diagnosis).toMatchObject({verdict: 'invocation-rejected/permission', confidence: 'high'})
    expect(r.diagnosis?.fix.commands.join('\n')).toContain(`--source-arn 'arn:aws:execute-api:${REGION}:000000000000:${apiId}/$default/GET/guarded'`)
  })

  test('a route moved to an alias without the alias’s own permission: the fix adds it to the alias, and then it answers', async () => {
    const fn = 'shop-aliased'
    const version = await lambda.send(new PublishVersionCommand({FunctionName: fn}))
    const alias = await lambda.send(new CreateAliasCommand({FunctionName: fn, Name: 'live', FunctionVersion: version.Version}))
    const integrations = await apigw.send(new GetIntegrationsCommand({ApiId: apiId}))
    const integration = integrations.Items?.find((i) => i.IntegrationUri?.endsWith(`:function:${fn}`))
    await apigw.send(new UpdateIntegrationCommand({ApiId: apiId, IntegrationId: integration?.IntegrationId, IntegrationUri: alias.AliasArn}))
    const r = await invoke('GET /aliased')
    expect(r.response.status).toBe(500)
    expect(r.diagnosis).toMatchObject({verdict: 'invocation-rejected/permission'})
    expect(r.diagnosis?.cause).toContain(`invokes ${fn}:live`)
    const command = r.diagnosis?.fix.commands[0] ?? ''
    expect(command).toContain(`--function-name ${fn}:live`)
    // What the suggested command does, through the SDK.
    const sourceArn = /--source-arn '([^']+)'/.exec(command)?.[1]
    await lambda.send(new AddPermissionCommand({FunctionName: `${fn}:live`, StatementId: 'fix', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: sourceArn}))
    const fixed = await invoke('GET /aliased')
    expect(fixed.response.status).toBe(200)
    expect(fixed.response.body.text).toBe('live')
  })

  test('reserved concurrency 0 is invocation-rejected/throttled', async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({FunctionName: 'shop-busy', ReservedConcurrentExecutions: 0}))
    try {
      const r = await invoke('GET /busy')
      expect(r.response.status).toBe(500)
      expect(r.diagnosis).toMatchObject({verdict: 'invocation-rejected/throttled', confidence: 'high'})
      expect(r.diagnosis?.fix.commands[0]).toBe('aws lambda delete-function-concurrency --function-name shop-busy')
    } finally {
      await lambda.send(new DeleteFunctionConcurrencyCommand({FunctionName: 'shop-busy'}))
    }
  })

  test('an injected throttle is invocation-rejected/throttled (seen on replay)', async () => {
    await setFault('shop-flaky', {throttle: true})
    try {
      const r = await invoke('GET /flaky')
      expect(r.response.status).toBe(500)
      expect(r.diagnosis?.verdict).toBe('invocation-rejected/throttled')
      expect(r.diagnosis?.evidence.find((i) => i.source === 'replay')).toMatchObject({state: 'fail', detail: expect.stringContaining('TooManyRequestsException')})
    } finally {
      await setFault('shop-flaky', {clear: true})
    }
  })

  test('a throwing handler is function-error, with the exception', async () => {
    const r = await invoke('GET /boom')
    expect(r.response.status).toBe(500)
    expect(r.diagnosis).toMatchObject({verdict: 'function-error', confidence: 'high'})
    expect(r.diagnosis?.cause).toContain('TypeError: order store is not configured')
  })

  test('a throwing POST handler is function-error from its trace alone: the replay does not run', async () => {
    const r = await invoke('POST /orders', {request: {data: '{"qty":1}'}})
    expect(r.response.status).toBe(500)
    expect(r.diagnosis?.evidence.find((i) => i.source === 'replay')).toMatchObject({state: 'unknown'})
    expect(r.diagnosis?.evidence.find((i) => i.source === 'trace')).toMatchObject({state: 'fail'})
    expect(r.diagnosis?.verdict).toBe('function-error')
    expect(r.diagnosis?.confidence).not.toBe('low')
  })

  test.each([
    ['/malformed/body', 'body must be a string'],
    ['/malformed/status', 'statusCode must be a number'],
    ['/malformed/cookies', 'cookies must be an array'],
    ['/malformed/header', 'header "x-order"'],
    ['/malformed/error-object', 'errorMessage'],
  ])('GET %s is malformed-response naming the broken rule', async (path, rule) => {
    const r = await invoke(`GET ${path}`)
    expect(r.response.status).toBe(500)
    expect(r.diagnosis).toMatchObject({verdict: 'malformed-response', confidence: 'high'})
    expect(r.diagnosis?.cause).toContain(rule)
  })

  test('a handler slower than its function timeout is function-timeout, with a longer timeout as the fix', async () => {
    const r = await invoke('GET /slow')
    expect(r.response.status).toBe(500)
    expect(r.diagnosis).toMatchObject({verdict: 'function-timeout', confidence: 'high'})
    expect(r.diagnosis?.fix.code).toBe('"slow": {"timeout": 3}')
  })

  test('a handler slower than the integration timeout is integration-timeout (503)', async () => {
    const r = await invoke('GET /sluggish')
    expect(r.response.status).toBe(503)
    expect(r.diagnosis).toMatchObject({verdict: 'integration-timeout', confidence: 'high'})
    expect(r.diagnosis?.cause).toContain('500 ms')
    expect(r.diagnosis?.fix.commands[0]).toContain('--timeout-in-millis 30000')
  })

  test('a request body over 6 MB is payload-too-large and never reaches the function', async () => {
    const r = await invoke('POST /uploads', {request: {data: JSON.stringify({blob: 'x'.repeat(7 * 1024 * 1024)})}})
    expect(r.response.status).toBe(413)
    expect(r.diagnosis).toMatchObject({verdict: 'payload-too-large', confidence: 'high'})
    expect(r.diagnosis?.fix.summary).toContain('S3')
  })

  test('a response over 6 MB is payload-too-large (seen on replay)', async () => {
    const r = await invoke('GET /big')
    expect(r.response.status).toBe(500)
    expect(r.diagnosis?.verdict).toBe('payload-too-large')
    expect(r.diagnosis?.confidence).toBe('high')
    expect(r.diagnosis?.cause).toContain("Lambda's 6 MB response limit")
  })

  test('the command, pointed at the emulator with --endpoint-url, prints the diagnosis as JSON and exits 3', async () => {
    const env = {AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'tracegate', AWS_SECRET_ACCESS_KEY: 'tracegate-local', AWS_PROFILE: undefined, AWS_ENDPOINT_URL: undefined}
    const run = await runCommand(['invoke', 'GET /boom', '--endpoint-url', emulator.url, '--trace-wait', '1', '--json'], {cwd: projectDir, env})
    expect(run.exitCode).toBe(3)
    const out = JSON.parse(run.stdout)
    expect(out.response.status).toBe(500)
    expect(out.diagnosis).toMatchObject({verdict: 'function-error', confidence: 'high'})
    const ok = await runCommand(['invoke', 'GET /orders/7', '--endpoint-url', emulator.url], {cwd: projectDir, env})
    expect(ok.exitCode).toBe(0)
    expect(ok.stdout).toContain('"id": "7"')
  })
})
