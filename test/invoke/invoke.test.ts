import {ApiGatewayV2Client, GetApisCommand, GetIntegrationCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand} from '@aws-sdk/client-apigatewayv2'
import {GetFunctionCommand, GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, GetPolicyCommand, InvokeCommand, LambdaClient, ResourceNotFoundException} from '@aws-sdk/client-lambda'
import {BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient} from '@aws-sdk/client-xray'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import type {ProjectConfig} from '../../src/config/schema.js'
import {gatewayErrorResponse} from '../../src/gateway/errors.js'
import type {FetchLike} from '../../src/invoke/http.js'
import {invokeEndpoint, isFailure} from '../../src/invoke/invoke.js'
import {recordingProgress} from '../../src/progress.js'
import {API_ID, deployedApi, ENDPOINT, FN, FN_ARN, fakeClock, REGION} from './fixtures.js'

const lambda = mockClient(LambdaClient)
const v2 = mockClient(ApiGatewayV2Client)
const xray = mockClient(XRayClient)

const PROJECT: ProjectConfig = {
  name: 'orders',
  region: REGION,
  api: {type: 'http', stage: '$default', permissions: 'route'},
  functions: [
    {key: 'getOrder', name: FN, handler: 'src/get-order.handler', routes: ['GET /orders/{id}'], runtime: 'nodejs20.x', memory: 256, timeout: 10, tracing: 'Active', environment: {}},
    {key: 'createOrder', name: 'orders-createOrder', handler: 'src/create-order.handler', routes: ['POST /orders'], runtime: 'nodejs20.x', memory: 256, timeout: 10, tracing: 'Active', environment: {}},
  ],
  dir: '/tmp/orders',
  file: '/tmp/orders/tracegate.json',
}

interface Seen {
  url: string
  init: RequestInit
}

/** A fetch that answers like the HTTP API would, and records what was sent. */
function gateway(answer: {status: number; body: string; headers?: Record<string, string>}): FetchLike & {calls: Seen[]} {
  const calls: Seen[] = []
  const f = (async (url: string, init: RequestInit) => {
    calls.push({url, init})
    return new Response(answer.body, {status: answer.status, headers: {'content-type': 'application/json', 'apigw-requestid': 'JEvJkhfEoAMEVLw=', ...answer.headers}})
  }) as FetchLike & {calls: Seen[]}
  f.calls = calls
  return f
}

const httpError = (condition: Parameters<typeof gatewayErrorResponse>[1]) => {
  const r = gatewayErrorResponse('http', condition)
  return {status: r.statusCode, body: r.body}
}

const aws = async () => createAwsClients({region: REGION, local: true})
const deps = (fetch: FetchLike) => ({fetch, findApi: async () => deployedApi(), clock: fakeClock()})

beforeEach(() => {
  lambda.reset()
  v2.reset()
  xray.reset()
  v2.on(GetIntegrationCommand).resolves({IntegrationId: 'int0001', TimeoutInMillis: 30000})
  lambda.on(GetFunctionConfigurationCommand).resolves({FunctionName: FN, FunctionArn: FN_ARN, Timeout: 10, State: 'Active', TracingConfig: {Mode: 'Active'}})
  lambda.on(GetFunctionConcurrencyCommand).resolves({})
  xray.on(BatchGetTracesCommand).resolves({Traces: []})
  xray.on(GetTraceSummariesCommand).resolves({TraceSummaries: []})
})

describe('invokeEndpoint', () => {
  test('a 200 is shown without any diagnosis, and the URL comes from the tagged API', async () => {
    const fetch = gateway({status: 200, body: '{"id":"42","total":12.5}'})
    const result = await invokeEndpoint({target: 'GET /orders/42', project: PROJECT, aws, deps: deps(fetch)})
    expect(fetch.calls[0].url).toBe(`${ENDPOINT}/orders/42`)
    expect(isFailure(result)).toBe(false)
    expect(result.diagnosis).toBeUndefined()
    expect(result.response.body).toMatchObject({kind: 'json', text: '{\n  "id": "42",\n  "total": 12.5\n}'})
    expect(lambda).not.toHaveReceivedAnyCommand()
  })

  test('sends a sampled X-Amzn-Trace-Id, so the trace can be found by id, and redacts secrets in the result', async () => {
    const fetch = gateway({status: 200, body: '{}'})
    const result = await invokeEndpoint({target: '/orders/42', request: {headers: ['Authorization: Bearer s3cr3t']}, project: PROJECT, aws, deps: deps(fetch)})
    const sent = new Headers(fetch.calls[0].init.headers as [string, string][])
    expect(sent.get('x-amzn-trace-id')).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/)
    expect(sent.get('authorization')).toBe('Bearer s3cr3t')
    expect(result.request.headers).toContainEqual(['Authorization', '(redacted)'])
    expect(JSON.stringify(result)).not.toContain('s3cr3t')
  })

  test('an HTTP API 500 with no statement for the route is diagnosed as a permission rejection', async () => {
    lambda.on(GetPolicyCommand).rejects(new ResourceNotFoundException({message: 'The resource you requested does not exist.', $metadata: {httpStatusCode: 404}}))
    lambda.on(InvokeCommand).resolves({StatusCode: 200, Payload: new TextEncoder().encode('{"statusCode":200,"body":"{}"}') as never})
    const progress = recordingProgress()
    const result = await invokeEndpoint({target: 'GET /orders/42', project: PROJECT, aws, progress, deps: deps(gateway(httpError('permission-denied')))})
    expect(isFailure(result)).toBe(true)
    expect(result.diagnosis).toMatchObject({verdict: 'invocation-rejected/permission', confidence: 'high'})
    expect(result.diagnosis?.fix.commands[1]).toContain(`--source-arn 'arn:aws:execute-api:${REGION}:123456789012:${API_ID}/$default/GET/orders/*'`)
    // One progress step per collector.
    expect(progress.events.filter((e) => e.status === 'start').map((e) => e.step)).toEqual(
      expect.arrayContaining(['evidence:route', 'evidence:function', 'evidence:permission', 'evidence:throttling', 'evidence:trace', 'evidence:replay']),
    )
  })

  test('a function error in the bundle reads the function once: the source-map check uses the same GetFunctionConfiguration', async () => {
    lambda.on(GetPolicyCommand).resolves({Policy: JSON.stringify({Version: '2012-10-17', Statement: [{Sid: 's', Effect: 'Allow', Principal: {Service: 'apigateway.amazonaws.com'}, Action: 'lambda:InvokeFunction', Resource: FN_ARN}]})})
    const error = {errorType: 'TypeError', errorMessage: 'boom', trace: ['TypeError: boom', '    at handler (/var/task/src/get-order.js:3:9)']}
    lambda.on(InvokeCommand).resolves({StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify(error)) as never})
    const result = await invokeEndpoint({target: 'GET /orders/42', project: PROJECT, aws, deps: deps(gateway(httpError('function-error')))})
    expect(result.diagnosis?.notes.join(' ')).toMatch(/source/i)
    expect(lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(1)
    expect(lambda.commandCalls(GetFunctionCommand)).toHaveLength(0)
  })

  test('a POST that fails is diagnosed without running the function again unless --replay is given', async () => {
    lambda.on(GetPolicyCommand).resolves({Policy: JSON.stringify({Statement: []})})
    lambda.on(InvokeCommand).resolves({StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorType":"Error","errorMessage":"boom"}') as never})
    const project = {...PROJECT, functions: PROJECT.functions}
    const postDeps = {...deps(gateway(httpError('function-error'))), findApi: async () => deployedApi()}
    const without = await invokeEndpoint({target: 'POST /orders', request: {data: '{"qty":1}'}, project, aws, deps: postDeps})
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand)
    expect(without.diagnosis?.evidence.find((i) => i.source === 'replay')).toMatchObject({state: 'unknown', detail: expect.stringContaining('--replay')})

    const withReplay = await invokeEndpoint({target: 'POST /orders', request: {data: '{"qty":1}'}, replay: true, project, aws, deps: postDeps})
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1)
    expect(withReplay.diagnosis?.evidence.find((i) => i.source === 'replay')).toMatchObject({state: 'fail', detail: expect.stringContaining('Error: boom')})
  })

  test('an unknown route is route-not-found with the nearest deployed route', async () => {
    const result = await invokeEndpoint({target: 'GET /order/42', project: PROJECT, aws, deps: deps(gateway(httpError('route-not-found')))})
    expect(result.diagnosis).toMatchObject({verdict: 'route-not-found', confidence: 'high'})
    expect(result.diagnosis?.cause).toContain('GET /orders/{id}')
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand)
  })

  test('without AWS access, a failure is still shown, with every check unknown and low confidence', async () => {
    const noAws = () => Promise.reject(new Error('No AWS region is set'))
    const result = await invokeEndpoint({target: `${ENDPOINT}/orders/42`, aws: noAws, deps: {fetch: gateway(httpError('function-error'))}})
    expect(isFailure(result)).toBe(true)
    expect(result.diagnosis).toMatchObject({verdict: 'unknown', confidence: 'low'})
    expect(result.diagnosis?.evidence.filter((i) => i.state === 'unknown').length).toBeGreaterThan(3)
  })

  test('a full URL on the project API finds its routes; the API type comes from the response headers otherwise', async () => {
    lambda.on(GetPolicyCommand).resolves({Policy: JSON.stringify({Statement: []})})
    lambda.on(InvokeCommand).resolves({StatusCode: 200, Payload: new TextEncoder().encode('{"statusCode":200}') as never})
    const result = await invokeEndpoint({target: `${ENDPOINT}/orders/42`, project: PROJECT, aws, deps: deps(gateway(httpError('permission-denied')))})
    expect(result.diagnosis?.evidence.find((i) => i.source === 'route')).toMatchObject({state: 'pass'})

    const rest = gatewayErrorResponse('rest', 'function-error')
    const other = await invokeEndpoint({
      target: 'https://zzz9999999.execute-api.us-east-2.amazonaws.com/prod/x',
      aws,
      deps: {fetch: gateway({status: rest.statusCode, body: rest.body, headers: {'x-amzn-errortype': 'InternalServerErrorException', 'x-amzn-requestid': 'b7e1c3b2-0000-4000-8000-000000000000', 'apigw-requestid': ''}})},
    })
    expect(other.request.apiType).toBe('rest')
    expect(other.diagnosis?.stillPossible).not.toContain('invocation-rejected/permission')
  })
})

describe("finding the project's API by tag (deploy's lookup)", () => {
  test('reads the tagged API, its routes, integrations and stages', async () => {
    v2.on(GetApisCommand).resolves({
      Items: [
        {ApiId: 'other00001', Name: 'orders', ProtocolType: 'HTTP', ApiEndpoint: 'https://other00001.execute-api.us-east-2.amazonaws.com', RouteSelectionExpression: '', Tags: {}},
        {ApiId: API_ID, Name: 'orders', ProtocolType: 'HTTP', ApiEndpoint: ENDPOINT, RouteSelectionExpression: '', Tags: {'tracegate:project': 'orders'}},
      ],
    })
    v2.on(GetRoutesCommand).resolves({Items: [{RouteId: 'r1', RouteKey: 'GET /orders/{id}', Target: 'integrations/int0001'}]})
    v2.on(GetIntegrationsCommand).resolves({Items: [{IntegrationId: 'int0001', IntegrationType: 'AWS_PROXY', IntegrationUri: FN_ARN, PayloadFormatVersion: '2.0'}]})
    v2.on(GetStagesCommand).resolves({Items: [{StageName: '$default', AutoDeploy: true}]})
    const fetch = gateway({status: 200, body: '{}'})
    await invokeEndpoint({target: 'GET /orders/42', project: PROJECT, aws, deps: {fetch}})
    expect(fetch.calls[0].url).toBe(`${ENDPOINT}/orders/42`)
    expect(v2).toHaveReceivedCommandWith(GetRoutesCommand, {ApiId: API_ID})
  })

  test('no tagged API is a clear error that says to deploy', async () => {
    v2.on(GetApisCommand).resolves({Items: []})
    await expect(invokeEndpoint({target: 'GET /orders/42', project: PROJECT, aws, deps: {fetch: gateway({status: 200, body: ''})}})).rejects.toMatchObject({
      code: 'API_NOT_FOUND',
      suggestion: expect.stringContaining('tracegate deploy'),
    })
  })
})
