import {APIGatewayClient, GetResourcesCommand, GetRestApisCommand, GetStagesCommand as GetRestStagesCommand} from '@aws-sdk/client-api-gateway'
import {ApiGatewayV2Client, GetApisCommand, GetRoutesCommand} from '@aws-sdk/client-apigatewayv2'
import {
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  RemovePermissionCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createPermissionsAws, functionOfIntegrationUri, NOT_LAMBDA} from '../../src/aws/permissions.js'
import {recordingProgress} from '../../src/progress.js'
import {auditPermissions, prunePermissions} from '../../src/permissions/service.js'
import {FakePolicy, type FakeHttpApi, installApis} from './fake-aws.js'
import {ACCOUNT, executeApi, FUNCTION_ARN, FUNCTION_NAME, REGION, s3Statement, tracegateStatement} from './fixtures.js'

const lambda = mockClient(LambdaClient)
const v2 = mockClient(ApiGatewayV2Client)
const v1 = mockClient(APIGatewayClient)

const noClock = {now: () => 0, sleep: async () => {}}

async function awsFor() {
  const clients = createAwsClients({region: REGION, endpoint: 'http://127.0.0.1:1', local: true})
  return createPermissionsAws(clients, {clock: noClock})
}

const grantFor = (apiId: string, route = 'GET/orders/*', stage = '$default') =>
  tracegateStatement(apiId, executeApi(`${apiId}/${stage}/${route}`))

beforeEach(() => {
  lambda.reset()
  v2.reset()
  v1.reset()
  lambda.on(GetFunctionConfigurationCommand, {FunctionName: FUNCTION_NAME}).resolves({FunctionName: FUNCTION_NAME, FunctionArn: FUNCTION_ARN})
  lambda
    .on(GetFunctionConfigurationCommand, {FunctionName: 'orders-missing'})
    .rejects(new ResourceNotFoundException({message: 'Function not found', $metadata: {httpStatusCode: 404}}))
})

describe('auditPermissions with mocked AWS', () => {
  test('reads each policy once, the APIs once per region, and only the routes of APIs a statement names', async () => {
    const policy = new FakePolicy([grantFor('liveapi001'), grantFor('deadapi001'), s3Statement])
    policy.install(lambda)
    const apis: FakeHttpApi[] = [
      {id: 'liveapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]},
      ...Array.from({length: 10}, (_, i) => ({id: `otherapi0${i}`, stages: ['$default'], routes: [{key: 'GET /x', fn: 'other'}]})),
    ]
    installApis(v2, v1, () => apis)
    const aws = await awsFor()
    const report = await auditPermissions(aws, {functions: [FUNCTION_NAME, 'orders-missing']}, recordingProgress())

    expect(report.missingFunctions).toEqual(['orders-missing'])
    expect(report.functions[0].statements.map((s) => s.status)).toEqual(['ok', 'stale-api', 'foreign'])
    expect(lambda).toHaveReceivedCommandTimes(GetPolicyCommand, 1)
    expect(v2).toHaveReceivedCommandTimes(GetApisCommand, 1)
    expect(v1).toHaveReceivedCommandTimes(GetRestApisCommand, 1)
    expect(v2).toHaveReceivedCommandTimes(GetRoutesCommand, 1)
    expect(v2).toHaveReceivedCommandWith(GetRoutesCommand, {ApiId: 'liveapi001'})
    expect(report.apis).toEqual([{region: REGION, listed: 11, described: 1}])
    // 2 GetFunctionConfiguration + 1 ListAliases + 1 GetPolicy + GetApis + GetRestApis + 3 reads of one API.
    expect(report.awsCalls).toBe(9)
  })

  test('a function whose aliases may not be listed is audited alone, with a warning', async () => {
    new FakePolicy([grantFor('liveapi001')]).install(lambda)
    lambda.on(ListAliasesCommand).rejects(Object.assign(new Error('not authorized to perform: lambda:ListAliases'), {name: 'AccessDeniedException', $metadata: {httpStatusCode: 403}}))
    installApis(v2, v1, () => [{id: 'liveapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]}])
    const progress = recordingProgress()
    const report = await auditPermissions(await awsFor(), {functions: [FUNCTION_NAME]}, progress)
    expect(report.functions.map((f) => f.functionName)).toEqual([FUNCTION_NAME])
    expect(progress.events.some((e) => e.status === 'warn' && e.label.includes('lambda:ListAliases'))).toBe(true)
  })

  test('with versions, lists every page of published versions ($LATEST left out) and reads each one\'s own policy', async () => {
    new FakePolicy([grantFor('liveapi001')]).install(lambda)
    lambda
      .on(ListVersionsByFunctionCommand)
      .resolvesOnce({Versions: [{Version: '$LATEST'}, {Version: '1'}], NextMarker: 'm1'})
      .resolvesOnce({Versions: [{Version: '2'}]})
    installApis(v2, v1, () => [{id: 'liveapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]}])
    const report = await auditPermissions(await awsFor(), {functions: [FUNCTION_NAME], versions: true}, recordingProgress())
    expect(report.functions.map((f) => [f.functionName, f.functionArn])).toEqual([
      [FUNCTION_NAME, FUNCTION_ARN],
      [`${FUNCTION_NAME}:1`, `${FUNCTION_ARN}:1`],
      [`${FUNCTION_NAME}:2`, `${FUNCTION_ARN}:2`],
    ])
    expect(lambda).toHaveReceivedCommandWith(ListVersionsByFunctionCommand, {FunctionName: FUNCTION_NAME, Marker: 'm1'})
    expect(lambda).toHaveReceivedCommandWith(GetPolicyCommand, {FunctionName: `${FUNCTION_NAME}:2`})
    expect(lambda).toHaveReceivedCommandTimes(GetPolicyCommand, 3)
  })

  test('without versions, published versions are not listed; a function whose versions may not be listed is audited without them, with a warning', async () => {
    new FakePolicy([grantFor('liveapi001')]).install(lambda)
    installApis(v2, v1, () => [{id: 'liveapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]}])
    await auditPermissions(await awsFor(), {functions: [FUNCTION_NAME]}, recordingProgress())
    expect(lambda).toHaveReceivedCommandTimes(ListVersionsByFunctionCommand, 0)

    lambda
      .on(ListVersionsByFunctionCommand)
      .rejects(Object.assign(new Error('not authorized to perform: lambda:ListVersionsByFunction'), {name: 'AccessDeniedException', $metadata: {httpStatusCode: 403}}))
    const progress = recordingProgress()
    const report = await auditPermissions(await awsFor(), {functions: [FUNCTION_NAME], versions: true}, progress)
    expect(report.functions.map((f) => f.functionName)).toEqual([FUNCTION_NAME])
    expect(progress.events.some((e) => e.status === 'warn' && e.label.includes('lambda:ListVersionsByFunction'))).toBe(true)
  })

  test("reads the project's own APIs in detail, so a route without a grant is reported", async () => {
    new FakePolicy([]).install(lambda)
    installApis(v2, v1, () => [
      {id: 'projapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}], tags: {'tracegate:project': 'orders'}},
    ])
    const report = await auditPermissions(await awsFor(), {functions: [FUNCTION_NAME], project: 'orders'}, recordingProgress())
    expect(report.functions[0].uncoveredRoutes.map((r) => [r.apiId, r.routeKey, r.suggestedSourceArn])).toEqual([
      ['projapi001', 'GET /orders/{id}', executeApi('projapi001/$default/GET/orders/*')],
    ])
  })

  test('lists the APIs of another region a statement names, once', async () => {
    new FakePolicy([grantFor('liveapi001'), tracegateStatement('liveapi001', executeApi('liveapi001/$default/GET/orders/*', 'us-east-1'))]).install(lambda)
    installApis(v2, v1, () => [{id: 'liveapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]}])
    const clients = createAwsClients({region: REGION, endpoint: 'http://127.0.0.1:1', local: true})
    const aws = await createPermissionsAws(clients, {clock: noClock, clientsFor: (region) => createAwsClients({region, endpoint: 'http://127.0.0.1:1', local: true})})
    const report = await auditPermissions(aws, {functions: [FUNCTION_NAME]}, recordingProgress())
    expect(v2).toHaveReceivedCommandTimes(GetApisCommand, 2)
    expect(report.apis.map((a) => a.region)).toEqual([REGION, 'us-east-1'])
    // The fake answers the same API in both regions, so the us-east-1 grant is judged against it there.
    expect(report.functions[0].statements.map((s) => s.status)).toEqual(['ok', 'ok'])
  })

  test('--all-functions lists every function with ListFunctions, all pages', async () => {
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({Functions: [{FunctionName: FUNCTION_NAME, FunctionArn: FUNCTION_ARN}], NextMarker: 'm1'})
      .resolvesOnce({Functions: [{FunctionName: 'b', FunctionArn: FUNCTION_ARN.replace(FUNCTION_NAME, 'b')}]})
    new FakePolicy([]).install(lambda)
    installApis(v2, v1, () => [])
    const report = await auditPermissions(await awsFor(), {allFunctions: true}, recordingProgress())
    expect(report.functions.map((f) => f.functionName)).toEqual([FUNCTION_NAME, 'b'])
    expect(lambda).toHaveReceivedCommandTimes(ListFunctionsCommand, 2)
  })

  test('no function at all is a usage error', async () => {
    await expect(auditPermissions(await awsFor(), {functions: []}, recordingProgress())).rejects.toThrow(/No function to audit/)
  })
})

describe('prunePermissions with mocked AWS', () => {
  const liveApis: FakeHttpApi[] = [{id: 'liveapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]}]

  test('removes exactly the planned statements, each with the RevisionId it was read at', async () => {
    const policy = new FakePolicy([grantFor('deadapi001'), grantFor('liveapi001'), s3Statement, grantFor('deadapi002'), grantFor('liveapi001', 'PUT/orders/*')])
    const planned = [policy.statements[0].Sid, policy.statements[3].Sid, policy.statements[4].Sid]
    policy.install(lambda)
    installApis(v2, v1, () => liveApis)
    const report = await prunePermissions(await awsFor(), {functions: [FUNCTION_NAME], confirm: async () => true}, recordingProgress())

    const removeCalls = lambda.commandCalls(RemovePermissionCommand).map((c) => [c.args[0].input.StatementId, c.args[0].input.RevisionId])
    expect(removeCalls).toEqual([
      [planned[0], 'rev-1'],
      [planned[1], 'rev-2'],
      [planned[2], 'rev-3'],
    ])
    expect(policy.sids()).toEqual([grantFor('liveapi001').Sid, 's3-invoke'])
    const fn = report.functions[0]
    expect(fn.removed.map((r) => r.sid)).toEqual(planned)
    expect(fn.replans).toBe(0)
    expect(fn.bytesAfter).toBe(Buffer.byteLength(JSON.stringify({Version: '2012-10-17', Id: 'default', Statement: policy.statements})))
    expect(fn.bytesFreed).toBe(report.plans[0].bytesFreed)
    expect(report.totals).toEqual({planned: 3, removed: 3, bytesFreed: fn.bytesFreed, failed: 0})
  })

  test('a 412 mid-prune re-reads the policy and the APIs, re-plans, and never removes a statement it did not plan', async () => {
    const policy = new FakePolicy([grantFor('deadapi001'), grantFor('deadapi002'), grantFor('liveapi001')])
    policy.install(lambda)
    const apis = [...liveApis]
    installApis(v2, v1, () => apis)
    // Before the second removal, a concurrent deploy creates API newapi0001 and grants it on this function.
    const newGrant = grantFor('newapi0001')
    policy.beforeRemove.set(2, () => {
      apis.push({id: 'newapi0001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]})
      policy.change((s) => s.push(newGrant))
    })
    const progress = recordingProgress()
    const report = await prunePermissions(await awsFor(), {functions: [FUNCTION_NAME], confirm: async () => true}, progress)

    const removeCalls = lambda.commandCalls(RemovePermissionCommand).map((c) => [c.args[0].input.StatementId, c.args[0].input.RevisionId])
    expect(removeCalls).toEqual([
      [grantFor('deadapi001').Sid, 'rev-1'],
      [grantFor('deadapi002').Sid, 'rev-2'], // refused: the policy is at rev-3 now
      [grantFor('deadapi002').Sid, 'rev-3'],
    ])
    expect(policy.sids()).toEqual([grantFor('liveapi001').Sid, newGrant.Sid])
    const fn = report.functions[0]
    expect(fn.replans).toBe(1)
    expect(fn.removed.map((r) => r.sid)).toEqual([grantFor('deadapi001').Sid, grantFor('deadapi002').Sid])
    expect(fn.notRemoved).toEqual([])
    // The APIs were listed again after the 412, so the new grant was judged against an API that exists.
    expect(v2).toHaveReceivedCommandTimes(GetApisCommand, 2)
    expect(progress.events.some((e) => e.status === 'warn' && /changed during the prune \(412\)/.test(e.label))).toBe(true)
  })

  test('a planned statement that stops being stale after a 412 is left in place, with the reason', async () => {
    const policy = new FakePolicy([grantFor('deadapi001'), grantFor('backapi001')])
    policy.install(lambda)
    const apis = [...liveApis]
    installApis(v2, v1, () => apis)
    // Concurrently, API backapi001 comes back (recreated with the same id in a test double) and the policy changes.
    policy.beforeRemove.set(1, () => {
      apis.push({id: 'backapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]})
      policy.change((s) => s.push(s3Statement))
    })
    const report = await prunePermissions(await awsFor(), {functions: [FUNCTION_NAME], confirm: async () => true}, recordingProgress())
    const fn = report.functions[0]
    expect(fn.removed.map((r) => r.sid)).toEqual([grantFor('deadapi001').Sid])
    expect(fn.notRemoved).toEqual([{sid: grantFor('backapi001').Sid, reason: 'no longer prunable after re-reading the policy (now ok)'}])
    expect(policy.sids()).toEqual([grantFor('backapi001').Sid, 's3-invoke'])
  })

  test('a policy that keeps changing stops after the re-plan limit, reporting what was not removed', async () => {
    const policy = new FakePolicy([grantFor('deadapi001')])
    policy.install(lambda)
    installApis(v2, v1, () => liveApis)
    for (let n = 1; n <= 10; n++) policy.beforeRemove.set(n, () => policy.change(() => {}))
    const report = await prunePermissions(await awsFor(), {functions: [FUNCTION_NAME], confirm: async () => true, maxReplans: 2}, recordingProgress())
    const fn = report.functions[0]
    expect(fn.error?.code).toBe('POLICY_KEEPS_CHANGING')
    expect(fn.notRemoved).toEqual([{sid: grantFor('deadapi001').Sid, reason: 'the policy kept changing; run prune again later'}])
    expect(lambda).toHaveReceivedCommandTimes(RemovePermissionCommand, 3)
    expect(report.totals.failed).toBe(1)
  })

  test('declining the confirmation removes nothing', async () => {
    new FakePolicy([grantFor('deadapi001')]).install(lambda)
    installApis(v2, v1, () => liveApis)
    let shown = 0
    const report = await prunePermissions(
      await awsFor(),
      {
        functions: [FUNCTION_NAME],
        confirm: async (plans) => {
          shown = plans[0].removals.length
          return false
        },
      },
      recordingProgress(),
    )
    expect(shown).toBe(1)
    expect(report.confirmed).toBe(false)
    expect(lambda).not.toHaveReceivedCommand(RemovePermissionCommand)
  })

  test('a dry run plans without asking or removing', async () => {
    new FakePolicy([grantFor('deadapi001'), grantFor('liveapi001')]).install(lambda)
    installApis(v2, v1, () => liveApis)
    const report = await prunePermissions(
      await awsFor(),
      {functions: [FUNCTION_NAME], dryRun: true, confirm: async () => Promise.reject(new Error('must not ask'))},
      recordingProgress(),
    )
    expect(report.plans[0].removals.map((r) => r.status)).toEqual(['stale-api'])
    expect(report.dryRun).toBe(true)
    expect(lambda).not.toHaveReceivedCommand(RemovePermissionCommand)
  })

  test('a statement someone else removed first is reported as already gone', async () => {
    const policy = new FakePolicy([grantFor('deadapi001'), grantFor('deadapi002')])
    policy.install(lambda)
    installApis(v2, v1, () => liveApis)
    // Someone removes deadapi002's grant (with no RevisionId check) just before our first removal.
    policy.beforeRemove.set(1, () => policy.change((s) => s.splice(1, 1)))
    const report = await prunePermissions(await awsFor(), {functions: [FUNCTION_NAME], confirm: async () => true}, recordingProgress())
    const fn = report.functions[0]
    expect(fn.removed.map((r) => r.sid)).toEqual([grantFor('deadapi001').Sid])
    expect(fn.alreadyGone).toEqual([grantFor('deadapi002').Sid])
    expect(policy.statements).toEqual([])
    expect(fn.bytesAfter).toBe(0)
  })
})

describe('the AWS wrapper', () => {
  test('reads REST APIs with stages and embedded methods, resolving the integration function', async () => {
    v2.on(GetApisCommand).resolves({Items: []})
    v1.on(GetRestApisCommand).resolvesOnce({items: [{id: 'restapi001', name: 'sam'}], position: 'p2'}).resolvesOnce({items: []})
    v1.on(GetRestStagesCommand).resolves({item: [{stageName: 'Prod'}, {stageName: 'Stage'}]})
    v1.on(GetResourcesCommand).resolves({
      items: [
        {id: 'root', path: '/'},
        {
          id: 'r1',
          path: '/orders/{id}',
          resourceMethods: {
            GET: {
              httpMethod: 'GET',
              methodIntegration: {type: 'AWS_PROXY', uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`},
            },
            OPTIONS: {httpMethod: 'OPTIONS', methodIntegration: {type: 'MOCK'}},
          },
        },
      ],
    })
    const aws = await awsFor()
    const [api] = await aws.listApis(REGION)
    expect(api).toEqual({apiId: 'restapi001', name: 'sam', type: 'rest', region: REGION, tags: {}})
    expect(await aws.describeApi(api)).toEqual({
      apiId: 'restapi001',
      type: 'rest',
      name: 'sam',
      region: REGION,
      stages: ['Prod', 'Stage'],
      routeKeys: ['GET /orders/{id}', 'OPTIONS /orders/{id}'],
      routeFunctions: {'GET /orders/{id}': FUNCTION_ARN, 'OPTIONS /orders/{id}': NOT_LAMBDA},
    })
    expect(v1).toHaveReceivedCommandWith(GetResourcesCommand, {restApiId: 'restapi001', embed: ['methods']})
    expect(v1).toHaveReceivedCommandTimes(GetRestApisCommand, 2)
  })

  test('an endpoint without API Gateway v1 has no REST APIs', async () => {
    v2.on(GetApisCommand).resolves({Items: [{ApiId: 'h1', Name: 'h', ProtocolType: 'HTTP', RouteSelectionExpression: '${request.method} ${request.path}'}, {ApiId: 'w1', Name: 'w', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action'}]})
    const unknown = Object.assign(new Error('No operation matches GET /restapis'), {name: 'UnknownOperationException', $metadata: {httpStatusCode: 404}})
    v1.on(GetRestApisCommand).rejects(unknown)
    const apis = await (await awsFor()).listApis(REGION)
    expect(apis.map((a) => [a.apiId, a.type])).toEqual([
      ['h1', 'http'],
      ['w1', 'websocket'],
    ])
  })

  test('GetPolicy 404 means no policy; RemovePermission maps 412 and a missing statement', async () => {
    lambda.on(GetPolicyCommand).rejects(new ResourceNotFoundException({message: 'The resource you requested does not exist.', $metadata: {httpStatusCode: 404}}))
    const aws = await awsFor()
    expect(await aws.getPolicy(FUNCTION_NAME)).toEqual({})
    lambda.on(RemovePermissionCommand, {StatementId: 'gone'}).rejects(new ResourceNotFoundException({message: 'Statement gone is not found', $metadata: {httpStatusCode: 404}}))
    lambda.on(RemovePermissionCommand, {StatementId: 'stale'}).rejects(new PreconditionFailedException({message: 'Revision', $metadata: {httpStatusCode: 412}}))
    expect(await aws.removePermission(FUNCTION_NAME, 'gone', 'r1')).toBe('missing')
    await expect(aws.removePermission(FUNCTION_NAME, 'stale', 'r1')).rejects.toMatchObject({name: 'PolicyChangedError', statementId: 'stale'})
  })

  test.each([
    [FUNCTION_ARN, 'AWS_PROXY', FUNCTION_ARN],
    [`arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${FUNCTION_ARN}:live/invocations`, 'AWS_PROXY', `${FUNCTION_ARN}:live`],
    [`arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:\${stageVariables.fn}/invocations`, 'AWS_PROXY', null],
    ['https://example.com/{proxy}', 'HTTP_PROXY', NOT_LAMBDA],
    [undefined, 'MOCK', NOT_LAMBDA],
    [undefined, undefined, null],
  ])('integration URI %j (%s) invokes %j', (uri, type, expected) => {
    expect(functionOfIntegrationUri(uri, type)).toBe(expected)
  })
})

