import {mkdtempSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ApiGatewayV2Client, GetApisCommand, GetIntegrationCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand} from '@aws-sdk/client-apigatewayv2'
import {GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, GetPolicyCommand, InvokeCommand, LambdaClient, ResourceNotFoundException} from '@aws-sdk/client-lambda'
import {BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient} from '@aws-sdk/client-xray'
import {mockClient} from 'aws-sdk-client-mock'
import {afterAll, beforeAll, beforeEach, describe, expect, test} from 'vitest'
import {stripAnsi} from '../../src/ui/colors.js'
import {runCommand} from '../helpers/run-command.js'
import {FN, FN_ARN} from './fixtures.js'

const lambda = mockClient(LambdaClient)
const v2 = mockClient(ApiGatewayV2Client)
const xray = mockClient(XRayClient)
const env = {AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined, AWS_ENDPOINT_URL: undefined}

/** Plays API Gateway: answers each request with `next`. */
let next = {status: 500, body: '{"message":"Internal Server Error"}'}
let server: Server
let endpoint: string
let dir: string

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(next.status, {'content-type': 'application/json', 'apigw-requestid': 'JEvJkhfEoAMEVLw='})
      res.end(next.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = mkdtempSync(join(tmpdir(), 'tracegate-invoke-'))
  writeFileSync(
    join(dir, 'tracegate.json'),
    JSON.stringify({name: 'orders', region: 'us-east-2', functions: {getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']}}}),
  )
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  lambda.reset()
  v2.reset()
  xray.reset()
  next = {status: 500, body: '{"message":"Internal Server Error"}'}
  v2.on(GetApisCommand).resolves({Items: [{ApiId: 'a1b2c3d4e5', Name: 'orders', ProtocolType: 'HTTP', ApiEndpoint: endpoint, RouteSelectionExpression: '', Tags: {'tracegate:project': 'orders'}}]})
  v2.on(GetRoutesCommand).resolves({Items: [{RouteId: 'r1', RouteKey: 'GET /orders/{id}', Target: 'integrations/int0001'}]})
  v2.on(GetIntegrationsCommand).resolves({Items: [{IntegrationId: 'int0001', IntegrationType: 'AWS_PROXY', IntegrationUri: FN_ARN, PayloadFormatVersion: '2.0'}]})
  v2.on(GetIntegrationCommand).resolves({IntegrationId: 'int0001', TimeoutInMillis: 30000})
  v2.on(GetStagesCommand).resolves({Items: [{StageName: '$default', AutoDeploy: true}]})
  lambda.on(GetFunctionConfigurationCommand).resolves({FunctionName: FN, FunctionArn: FN_ARN, Timeout: 10, State: 'Active', TracingConfig: {Mode: 'PassThrough'}})
  lambda.on(GetFunctionConcurrencyCommand).resolves({})
  lambda.on(GetPolicyCommand).rejects(new ResourceNotFoundException({message: 'The resource you requested does not exist.', $metadata: {httpStatusCode: 404}}))
  lambda.on(InvokeCommand).resolves({StatusCode: 200, Payload: new TextEncoder().encode('{"statusCode":200,"body":"{}"}') as never})
  xray.on(BatchGetTracesCommand).resolves({Traces: []})
  xray.on(GetTraceSummariesCommand).resolves({TraceSummaries: []})
})

describe('tracegate invoke', () => {
  test('--json prints {request, response, diagnosis} and a diagnosed failure exits 3', async () => {
    const run = await runCommand(['invoke', '--trace-wait', '0', 'GET /orders/42', '--json'], {cwd: dir, env})
    expect(run.exitCode).toBe(3)
    const out = JSON.parse(run.stdout)
    expect(Object.keys(out).sort()).toEqual(['diagnosis', 'request', 'response'])
    expect(out.request).toMatchObject({method: 'GET', url: `${endpoint}/orders/42`, apiType: 'http'})
    expect(out.response).toMatchObject({status: 500, headers: expect.arrayContaining([['apigw-requestid', 'JEvJkhfEoAMEVLw=']])})
    expect(out.diagnosis).toMatchObject({verdict: 'invocation-rejected/permission', confidence: 'high'})
    expect(run.stderr).toBe('')
  }, 60_000)

  test('plain output: the response, then the checklist with ✓ ✗ ? and the fix', async () => {
    const run = await runCommand(['invoke', '--trace-wait', '0', 'GET /orders/42'], {cwd: dir, env})
    expect(run.exitCode).toBe(3)
    const text = stripAnsi(run.stdout)
    expect(text).toContain('500 Internal Server Error')
    expect(text).toContain('"message": "Internal Server Error"')
    expect(text).toMatch(/✗ Invocation rejected: API Gateway may not invoke the function \(invocation-rejected\/permission, confidence high\)/)
    expect(text).toMatch(/✓ Route matches\s+GET \/orders\/\{id\} → orders-getOrder/)
    expect(text).toMatch(/\? Trace\s+no trace found/)
    expect(text).toContain("$ aws lambda add-permission --function-name orders-getOrder --statement-id tracegate-a1b2c3d4e5-")
    // Progress lines went to stderr.
    expect(run.stderr).toContain('GET /orders/42')
  }, 60_000)

  test('a 200 exits 0 with the body and no diagnosis', async () => {
    next = {status: 200, body: '{"id":"42"}'}
    const run = await runCommand(['invoke', '--trace-wait', '0', '/orders/42'], {cwd: dir, env})
    expect(run.exitCode).toBe(0)
    expect(stripAnsi(run.stdout)).toContain('"id": "42"')
    expect(run.stdout).not.toContain('Evidence')
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand)
  }, 60_000)

  test('a POST failure is diagnosed without a replay unless --replay is given', async () => {
    const run = await runCommand(['invoke', '--trace-wait', '0', 'POST /orders/42', '-d', '{"a":1}', '--json'], {cwd: dir, env})
    expect(run.exitCode).toBe(3)
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand)
    const replay = await runCommand(['invoke', '--trace-wait', '0', 'POST /orders/42', '-d', '{"a":1}', '--replay', '--json'], {cwd: dir, env})
    expect(replay.exitCode).toBe(3)
  }, 60_000)

  test('on a terminal the Ink panels show the response, the evidence and the fix', async () => {
    const run = await runCommand(['invoke', '--trace-wait', '0', 'GET /orders/42'], {cwd: dir, env: {...env, CI: undefined}, tty: {stdout: true, stderr: true, columns: 120}})
    expect(run.exitCode).toBe(3)
    const text = stripAnsi(run.stdout)
    expect(text).toContain('500 Internal Server Error')
    expect(text).toContain('Evidence')
    expect(text).toContain('Fix')
    expect(text).toContain('✗')
  }, 60_000)

  test('a route template instead of a request is a usage error (exit 2)', async () => {
    const run = await runCommand(['invoke', '--trace-wait', '0', 'GET /orders/{id}'], {cwd: dir, env})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('route template')
  }, 60_000)
})
