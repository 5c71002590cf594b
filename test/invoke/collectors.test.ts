import {ApiGatewayV2Client, GetIntegrationCommand} from '@aws-sdk/client-apigatewayv2'
import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda'
import {BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient} from '@aws-sdk/client-xray'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import type {InvokeApi} from '../../src/aws/invoke.js'
import {grantFor} from '../../src/deploy/plan.js'
import {withBudget} from '../../src/invoke/collectors/budget.js'
import {collectFunction, collectPermission, collectThrottling} from '../../src/invoke/collectors/lambda.js'
import {collectReplay} from '../../src/invoke/collectors/replay.js'
import {collectRoute} from '../../src/invoke/collectors/route.js'
import {collectTrace} from '../../src/invoke/collectors/trace.js'
import {ACCOUNT, API_ID, collectContext, deployedApi, FN, FN_ARN, lambdaTrace, REGION, TRACE_ID} from './fixtures.js'

const lambda = mockClient(LambdaClient)
const v2 = mockClient(ApiGatewayV2Client)
const xray = mockClient(XRayClient)
const clients = () => createAwsClients({region: REGION, local: true})
const signal = () => new AbortController().signal

const TARGET = {routeKey: 'GET /orders/{id}', functionName: FN, functionArn: FN_ARN, payloadFormatVersion: '2.0' as const, pathParameters: {id: '42'}, resourcePath: '/orders/{id}'}
const CONFIG = {FunctionName: FN, FunctionArn: FN_ARN, Timeout: 10, MemorySize: 256, State: 'Active' as const, TracingConfig: {Mode: 'Active' as const}}
const notFound = (message = 'The resource you requested does not exist.') => new ResourceNotFoundException({message, $metadata: {httpStatusCode: 404}})
const accessDenied = (action: string) =>
  Object.assign(new Error(`User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: ${action} on resource: ${FN_ARN}`), {
    name: 'AccessDeniedException',
    $metadata: {httpStatusCode: 403},
  })

function policy(...sourceArns: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'default',
    Statement: sourceArns.map((arn, i) => ({
      Sid: `s${i}`,
      Effect: 'Allow',
      Principal: {Service: 'apigateway.amazonaws.com'},
      Action: 'lambda:InvokeFunction',
      Resource: FN_ARN,
      Condition: {ArnLike: {'AWS:SourceArn': arn}},
    })),
  })
}

beforeEach(() => {
  lambda.reset()
  v2.reset()
  xray.reset()
})

describe('route', () => {
  test("names the matched route's function, payload format and integration timeout", async () => {
    v2.on(GetIntegrationCommand).resolves({IntegrationId: 'int0001', IntegrationUri: FN_ARN, PayloadFormatVersion: '2.0', TimeoutInMillis: 5000})
    const {evidence, target} = await collectRoute(await collectContext(clients()), signal())
    expect(target).toMatchObject({routeKey: 'GET /orders/{id}', functionName: FN, payloadFormatVersion: '2.0', integrationTimeoutMs: 5000, pathParameters: {id: '42'}})
    expect(evidence).toMatchObject({status: 'seen', facts: {matched: {routeKey: 'GET /orders/{id}', functionName: FN, integrationTimeoutMs: 5000}}})
    expect(v2).toHaveReceivedCommandWith(GetIntegrationCommand, {ApiId: API_ID, IntegrationId: 'int0001'})
  })

  test('a path no route matches gives the nearest routes', async () => {
    const ctx = await collectContext(clients(), {request: {method: 'GET', url: 'x', path: '/order/42', query: '', headers: []}})
    const {evidence, target} = await collectRoute(ctx, signal())
    expect(target.functionName).toBeUndefined()
    expect(evidence).toMatchObject({status: 'seen', facts: {stageExists: true}})
    expect(evidence.status === 'seen' && evidence.facts.matched === undefined).toBe(true)
    expect(evidence.status === 'seen' && evidence.facts.nearest[0]).toBe('GET /orders/{id}')
  })

  test('a stage the API does not have is reported, whatever the path', async () => {
    const {evidence} = await collectRoute(await collectContext(clients(), {stage: 'prod'}), signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {stageExists: false, stages: ['$default']}})
  })

  test('an unreadable API is reported, and tracegate.json still names the function for the other checks', async () => {
    const project = {functions: [{key: 'getOrder', name: FN, routes: ['GET /orders/{id}']}], api: {type: 'http', stage: '$default', permissions: 'route'}}
    const ctx = await collectContext(clients(), {api: undefined, apiProblem: 'access denied: apigateway:GET', project: project as never})
    const {evidence, target} = await collectRoute(ctx, signal())
    expect(evidence).toEqual({source: 'route', status: 'error', note: 'access denied: apigateway:GET'})
    expect(target.functionName).toBe(FN)
  })
})

describe('function and concurrency', () => {
  test('a missing function is seen as not existing', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(notFound(`Function not found: ${FN_ARN}`))
    const ctx = await collectContext(clients())
    const evidence = await collectFunction(ctx, FN, ctx.aws.getFunctionConfiguration(FN))
    expect(evidence).toMatchObject({status: 'seen', facts: {functionName: FN, exists: false}})
  })

  test('reports the timeout and tracing mode', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(CONFIG)
    const ctx = await collectContext(clients())
    const evidence = await collectFunction(ctx, FN, ctx.aws.getFunctionConfiguration(FN))
    expect(evidence).toMatchObject({status: 'seen', facts: {exists: true, timeoutSeconds: 10, tracingMode: 'Active', state: 'Active'}})
  })

  test('reserved concurrency 0 is seen; none reserved is undefined', async () => {
    lambda.on(GetFunctionConcurrencyCommand).resolvesOnce({ReservedConcurrentExecutions: 0}).resolvesOnce({})
    const ctx = await collectContext(clients())
    expect(await collectThrottling(ctx, FN, signal())).toMatchObject({facts: {reservedConcurrency: 0}})
    expect((await collectThrottling(ctx, FN, signal())).status).toBe('seen')
    expect(lambda).toHaveReceivedCommandWith(GetFunctionConcurrencyCommand, {FunctionName: FN})
  })
})

describe('permission', () => {
  const grant = grantFor({functionArn: FN_ARN, apiId: API_ID, stage: '$default', routeKey: 'GET /orders/{id}', apiType: 'http'})

  test("the statement deploy adds allows the source ARN API Gateway presents for the route", async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(CONFIG)
    lambda.on(GetPolicyCommand).resolves({Policy: policy(grant.sourceArn)})
    const ctx = await collectContext(clients())
    const evidence = await collectPermission(ctx, TARGET, ctx.aws.getFunctionConfiguration(FN), signal())
    expect(evidence).toMatchObject({
      status: 'seen',
      facts: {allowed: true, statementId: 's0', sourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/$default/GET/orders/{id}`},
    })
  })

  test('a policy for other routes only is a miss, and names the statement that fixes it', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(CONFIG)
    lambda.on(GetPolicyCommand).resolves({Policy: policy(`arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/$default/POST/orders`)})
    const ctx = await collectContext(clients())
    const evidence = await collectPermission(ctx, TARGET, ctx.aws.getFunctionConfiguration(FN), signal())
    expect(evidence).toMatchObject({
      status: 'seen',
      facts: {allowed: false, policyExists: true, grant: {functionName: FN, statementId: grant.statementId, sourceArn: grant.sourceArn, region: REGION}},
    })
    expect(grant.sourceArn).toBe(`arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/$default/GET/orders/*`)
  })

  test('an integration invoking an alias reads the alias’s policy: a grant on the function itself does not count', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(CONFIG)
    // The function's own policy allows the route; the alias has none.
    lambda.on(GetPolicyCommand, {FunctionName: FN}).resolves({Policy: policy(grant.sourceArn)})
    lambda.on(GetPolicyCommand, {FunctionName: `${FN}:live`}).rejects(notFound())
    const ctx = await collectContext(clients())
    const target = {...TARGET, functionArn: `${FN_ARN}:live`}
    const evidence = await collectPermission(ctx, target, ctx.aws.getFunctionConfiguration(FN), signal())
    expect(lambda).toHaveReceivedCommandWith(GetPolicyCommand, {FunctionName: `${FN}:live`})
    expect(lambda).not.toHaveReceivedCommandWith(GetPolicyCommand, {FunctionName: FN})
    expect(evidence).toMatchObject({status: 'seen', facts: {qualifier: 'live', allowed: false, policyExists: false, grant: {functionName: `${FN}:live`, sourceArn: grant.sourceArn}}})
  })

  test('a statement for the alias, with the alias ARN as its Resource, allows the alias', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(CONFIG)
    const aliasPolicy = JSON.parse(policy(grant.sourceArn))
    aliasPolicy.Statement[0].Resource = `${FN_ARN}:live`
    lambda.on(GetPolicyCommand, {FunctionName: `${FN}:live`}).resolves({Policy: JSON.stringify(aliasPolicy)})
    const ctx = await collectContext(clients())
    const evidence = await collectPermission(ctx, {...TARGET, functionArn: `${FN_ARN}:live`}, ctx.aws.getFunctionConfiguration(FN), signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {qualifier: 'live', allowed: true, statementId: 's0'}})
  })

  test('no policy at all is a miss with policyExists false', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(CONFIG)
    lambda.on(GetPolicyCommand).rejects(notFound())
    const ctx = await collectContext(clients())
    const evidence = await collectPermission(ctx, TARGET, ctx.aws.getFunctionConfiguration(FN), signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {allowed: false, policyExists: false}})
  })

  test('no permission to read the policy is an error that names the missing action', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(CONFIG)
    lambda.on(GetPolicyCommand).rejects(accessDenied('lambda:GetPolicy'))
    const ctx = await collectContext(clients())
    const evidence = await withBudget('permission', 'lambda:GetPolicy', 1000, (s) => collectPermission(ctx, TARGET, ctx.aws.getFunctionConfiguration(FN), s))
    expect(evidence).toMatchObject({status: 'error', note: 'access denied: your AWS identity may not call lambda:GetPolicy'})
  })

  test('an unreadable configuration falls back on the integration ARN for the account', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(accessDenied('lambda:GetFunctionConfiguration'))
    lambda.on(GetPolicyCommand).resolves({Policy: policy(grant.sourceArn)})
    const ctx = await collectContext(clients())
    const lookup = ctx.aws.getFunctionConfiguration(FN)
    lookup.catch(() => {})
    const evidence = await collectPermission(ctx, TARGET, lookup, signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {allowed: true}})
  })
})

describe('trace', () => {
  test("finds the request's trace by id and reads the function's exception", async () => {
    xray.on(BatchGetTracesCommand).resolves({
      Traces: [{Id: TRACE_ID, Duration: 0.08, Segments: lambdaTrace({exception: {type: 'TypeError', message: 'x is undefined'}}).map((Document, i) => ({Id: `s${i}`, Document}))}],
    })
    const ctx = await collectContext(clients())
    const evidence = await collectTrace(ctx, FN, Promise.resolve(undefined), signal())
    expect(evidence).toMatchObject({
      status: 'seen',
      facts: {
        traceId: TRACE_ID,
        foundBy: 'trace-header',
        functionInvoked: true,
        functionFault: true,
        exception: {type: 'TypeError', message: 'x is undefined', frames: ['at handler (src/get-order.js:12)']},
        functionDurationMs: 79,
      },
    })
    expect(xray).not.toHaveReceivedCommand(GetTraceSummariesCommand)
  })

  test('falls back on the function trace nearest in time when the id finds nothing', async () => {
    const other = '1-5759e988-000000000000000000000001'
    const near = '1-5759e988-000000000000000000000002'
    xray.on(BatchGetTracesCommand, {TraceIds: [TRACE_ID]}).resolves({Traces: [], UnprocessedTraceIds: [TRACE_ID]})
    xray.on(BatchGetTracesCommand, {TraceIds: [near]}).resolves({Traces: [{Id: near, Segments: lambdaTrace({traceId: near}).map((Document, i) => ({Id: `s${i}`, Document}))}]})
    xray.on(GetTraceSummariesCommand).resolves({
      TraceSummaries: [
        {Id: other, StartTime: new Date('2026-01-01T12:00:04Z')},
        {Id: near, StartTime: new Date('2026-01-01T12:00:00.100Z')},
      ],
    })
    const ctx = await collectContext(clients())
    const evidence = await collectTrace(ctx, FN, Promise.resolve(undefined), signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {traceId: near, foundBy: 'time-window', functionInvoked: true, functionFault: false}})
    expect(xray).toHaveReceivedCommandWith(GetTraceSummariesCommand, {FilterExpression: `service("${FN}")`})
  })

  test('says why there is no trace when the function does not trace', async () => {
    xray.on(BatchGetTracesCommand).resolves({Traces: []})
    xray.on(GetTraceSummariesCommand).resolves({TraceSummaries: []})
    const ctx = await collectContext(clients())
    const lookup = Promise.resolve({name: FN, arn: FN_ARN, tracingMode: 'PassThrough' as const})
    const evidence = await withBudget('trace', 'xray:BatchGetTraces', 5000, (s) => collectTrace(ctx, FN, lookup, s))
    expect(evidence).toMatchObject({status: 'not-seen', note: expect.stringContaining('tracing PassThrough')})
  })

  test('a throttled invocation leaves only the service segment: throttled, the function did not run, its fault is not a function error', async () => {
    const service = {id: 'aaaaaaaaaaaaaaa1', name: FN, trace_id: TRACE_ID, start_time: 1767268800, end_time: 1767268800.01, origin: 'AWS::Lambda', fault: true, error: true, throttle: true, http: {response: {status: 429}}}
    xray.on(BatchGetTracesCommand).resolves({Traces: [{Id: TRACE_ID, Segments: [{Id: 's0', Document: JSON.stringify(service)}]}]})
    const evidence = await collectTrace(await collectContext(clients()), FN, Promise.resolve(undefined), signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {throttle: true, functionInvoked: false, functionFault: false}})
  })

  test("a downstream function's fault in the same trace is not this function's", async () => {
    const docs = [...lambdaTrace(), ...lambdaTrace({functionName: 'orders-audit', exception: {type: 'Error', message: 'audit down'}}).map((d) => d.replaceAll('aaaaaaaaaaaaaaa', 'ccccccccccccccc'))]
    xray.on(BatchGetTracesCommand).resolves({Traces: [{Id: TRACE_ID, Segments: docs.map((Document, i) => ({Id: `s${i}`, Document}))}]})
    const evidence = await collectTrace(await collectContext(clients()), FN, Promise.resolve(undefined), signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {functionInvoked: true, functionFault: false, exception: undefined}})
  })
})

describe('replay', () => {
  const config = Promise.resolve({name: FN, arn: FN_ARN, timeoutSeconds: 10})

  test('invokes the function with the v2.0 event the HTTP API would build', async () => {
    lambda.on(InvokeCommand).resolves({StatusCode: 200, Payload: new TextEncoder().encode('{"statusCode":200,"body":"{}"}') as never})
    const evidence = await collectReplay(await collectContext(clients()), TARGET, config, signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {outcome: 'ok', statusCode: 200}})
    const sent = lambda.commandCalls(InvokeCommand)[0].args[0].input
    expect(sent.FunctionName).toBe(FN)
    const event = JSON.parse(new TextDecoder().decode(sent.Payload as Uint8Array))
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /orders/{id}',
      rawPath: '/orders/42',
      pathParameters: {id: '42'},
      requestContext: {accountId: ACCOUNT, apiId: API_ID, stage: '$default', http: {method: 'GET', path: '/orders/42'}},
    })
    expect(event.headers['x-amzn-trace-id']).toBe(`Root=${TRACE_ID};Sampled=1`)
  })

  test('a function error gives its type, message and first stack frames', async () => {
    const payload = {errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'id')", trace: ["TypeError: Cannot read properties of undefined (reading 'id')", '    at handler (file:///var/task/src/get-order.js:12:9)', '    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)']}
    lambda.on(InvokeCommand).resolves({StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify(payload)) as never})
    const evidence = await collectReplay(await collectContext(clients()), TARGET, config, signal())
    expect(evidence).toMatchObject({
      status: 'seen',
      facts: {
        outcome: 'function-error',
        functionError: {type: 'TypeError', frames: ['at handler (file:///var/task/src/get-order.js:12:9)', 'at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)'], timedOut: false},
      },
    })
  })

  test("Lambda's timeout error is recognised as a timeout", async () => {
    const payload = {errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: 1 Error: Task timed out after 3.00 seconds'}
    lambda.on(InvokeCommand).resolves({StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify(payload)) as never})
    const evidence = await collectReplay(await collectContext(clients()), TARGET, config, signal())
    expect(evidence).toMatchObject({facts: {outcome: 'function-error', functionError: {timedOut: true}}})
  })

  test.each([
    ['rest', '1.0', '{"statusCode":200,"body":{"id":42}}', 'body'],
    ['http', '1.0', '{"body":"x"}', 'statusCode'],
    ['http', '2.0', '{"statusCode":200,"cookies":"a=1"}', 'cookies'],
    ['rest', '1.0', '{"statusCode":200,"multiValueHeaders":{"x":"1"}}', 'multiValueHeaders.x'],
  ] as const)('a %s %s response %s is malformed, naming the rule about %s', async (apiType, format, output, field) => {
    lambda.on(InvokeCommand).resolves({StatusCode: 200, Payload: new TextEncoder().encode(output) as never})
    const ctx = await collectContext(clients(), {apiType})
    const evidence = await collectReplay(ctx, {...TARGET, payloadFormatVersion: format}, config, signal())
    expect(evidence.status).toBe('seen')
    if (evidence.status !== 'seen') return
    expect(evidence.facts.outcome).toBe('malformed')
    expect(evidence.facts.malformedField).toBe(field)
    expect(evidence.facts.malformedRule).toBeTruthy()
  })

  test('a throttled invocation is a rejection with the reason, sent once', async () => {
    lambda.on(InvokeCommand).rejects(
      new TooManyRequestsException({message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', $metadata: {httpStatusCode: 429}}),
    )
    const evidence = await collectReplay(await collectContext(clients()), TARGET, config, signal())
    expect(evidence).toMatchObject({facts: {outcome: 'rejected', rejection: {code: 'TooManyRequestsException', httpStatus: 429, reason: 'ReservedFunctionConcurrentInvocationLimitExceeded'}}})
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1)
  })

  test('a function still running past the integration timeout is an unfinished replay', async () => {
    const ctx = await collectContext(clients())
    const hanging: InvokeApi = {
      ...ctx.aws,
      invoke: (_name, _payload, s) => new Promise((_resolve, reject) => s?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), {name: 'AbortError'})))),
    }
    const evidence = await collectReplay({...ctx, aws: hanging, budgets: {...ctx.budgets, replaySlack: 20}}, {...TARGET, integrationTimeoutMs: 50}, config, signal())
    expect(evidence).toMatchObject({status: 'seen', facts: {outcome: 'unfinished'}})
  })

  test.each(['POST', 'PUT', 'PATCH', 'DELETE'])('never runs for %s without --replay', async (method) => {
    const ctx = await collectContext(clients(), {
      request: {method, url: 'x', path: '/orders/42', query: '', headers: []},
      replay: {allowed: false, reason: `skipped: a replay runs the function again, and ${method} may change data; pass --replay to allow it`},
    })
    const evidence = await withBudget('replay', 'lambda:InvokeFunction', 1000, (s) => collectReplay(ctx, TARGET, config, s))
    expect(evidence).toMatchObject({status: 'not-seen', note: expect.stringContaining('--replay')})
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand)
  })
})

describe('budgets', () => {
  test('a collector that does not answer in time reports what it could not see', async () => {
    const evidence = await withBudget('throttling', 'lambda:GetFunctionConcurrency', 30, () => new Promise<never>(() => {}))
    expect(evidence).toMatchObject({source: 'throttling', status: 'error', note: 'no answer within 0.0 s (lambda:GetFunctionConcurrency)'})
  })

  test('the route check finds the function even when the deployed API has an unknown integration', async () => {
    const ctx = await collectContext(clients(), {api: deployedApi({integrations: []}), project: {functions: [{key: 'getOrder', name: FN, routes: ['GET /orders/{id}']}]} as never})
    const {target} = await collectRoute(ctx, signal())
    expect(target.functionName).toBe(FN)
  })
})
