import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-apigatewayv2'
import {AttachRolePolicyCommand, CreateRoleCommand, IAMClient} from '@aws-sdk/client-iam'
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  LambdaClient,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {unzipSync} from 'fflate'
import {beforeEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createDeployApis} from '../../src/deploy/apis.js'
import {type DeployOptions, deploy} from '../../src/deploy/deploy.js'
import {statementIdFor} from '../../src/permissions/statement-id.js'
import {recordingProgress} from '../../src/progress.js'
import {FakeAws, fakeClock} from './fake-aws.js'
import {CONFIG, tempProject} from './helpers.js'

const mocks = {lambda: mockClient(LambdaClient), apigw: mockClient(ApiGatewayV2Client), iam: mockClient(IAMClient)}
const REGION = 'us-east-2'
const ACCOUNT = '123456789012'
let fake: FakeAws

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset()
  fake = new FakeAws(REGION)
  fake.install(mocks)
})

async function run(project: DeployOptions['project'], options: Partial<DeployOptions> = {}, clock = fakeClock()) {
  const apis = await createDeployApis(createAwsClients({region: REGION, local: true}), {clock})
  const progress = recordingProgress()
  const result = await deploy({project, apis, region: REGION, progress, ...options})
  return Object.assign(result, {events: progress.events})
}

const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`
const writes = () => fake.writeCalls.map((c) => c.command)

function resetCalls(): void {
  fake.calls.length = 0
  for (const m of Object.values(mocks)) m.resetHistory()
}

describe('first deploy of a 3-function project', () => {
  test('makes exactly the expected create calls, with the inputs AWS needs', async () => {
    const project = tempProject().load()
    const result = await run(project)
    const apiId = result.apiId!

    // IAM: the execution role, trusted by Lambda, tagged, with the two managed policies.
    expect(mocks.iam).toHaveReceivedCommandTimes(CreateRoleCommand, 1)
    expect(mocks.iam).toHaveReceivedCommandWith(CreateRoleCommand, {RoleName: 'orders-lambda', Tags: [{Key: 'tracegate:project', Value: 'orders'}]})
    const trust = JSON.parse(fake.calls.find((c) => c.command === 'CreateRole')!.input.AssumeRolePolicyDocument as string)
    expect(trust.Statement).toEqual([{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}])
    expect(mocks.iam).toHaveReceivedCommandTimes(AttachRolePolicyCommand, 2)
    expect(mocks.iam).toHaveReceivedCommandWith(AttachRolePolicyCommand, {
      RoleName: 'orders-lambda',
      PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    })
    expect(mocks.iam).toHaveReceivedCommandWith(AttachRolePolicyCommand, {RoleName: 'orders-lambda', PolicyArn: 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess'})

    // Lambda: three functions with the configured settings, tracing, tags and the role.
    expect(mocks.lambda).toHaveReceivedCommandTimes(CreateFunctionCommand, 3)
    expect(mocks.lambda).toHaveReceivedCommandWith(CreateFunctionCommand, {
      FunctionName: 'orders-getOrder',
      Role: `arn:aws:iam::${ACCOUNT}:role/orders-lambda`,
      Runtime: 'nodejs20.x',
      Handler: 'src/get-order.handler',
      MemorySize: 256,
      Timeout: 10,
      TracingConfig: {Mode: 'Active'},
      Environment: {Variables: {}},
      Tags: {'tracegate:project': 'orders'},
      PackageType: 'Zip',
    })
    expect(mocks.lambda).toHaveReceivedCommandWith(CreateFunctionCommand, {
      FunctionName: 'orders-createOrder',
      Handler: 'src/create-order.handler',
      MemorySize: 512,
      Environment: {Variables: {TABLE: 'orders'}},
    })
    // The zip holds the bundled handler (CommonJS) and the module-type marker.
    const zip = (fake.calls.find((c) => c.command === 'CreateFunction' && c.input.FunctionName === 'orders-getOrder')!.input.Code as {ZipFile: Uint8Array}).ZipFile
    const files = unzipSync(zip)
    expect(Object.keys(files).sort()).toEqual(['package.json', 'src/get-order.js'])
    expect(new TextDecoder().decode(files['src/get-order.js'])).toMatch(/module\.exports/)
    expect(result.functions.find((f) => f.key === 'getOrder')!.codeSha256).toBe(fake.functions.get('orders-getOrder')!.config.CodeSha256)

    // API Gateway: the tagged HTTP API, the $default stage with auto-deploy, one 2.0 proxy per function, one route per key.
    expect(mocks.apigw).toHaveReceivedCommandTimes(CreateApiCommand, 1)
    expect(mocks.apigw).toHaveReceivedCommandWith(CreateApiCommand, {Name: 'orders', ProtocolType: 'HTTP', Tags: {'tracegate:project': 'orders'}})
    expect(mocks.apigw).toHaveReceivedCommandTimes(CreateStageCommand, 1)
    expect(mocks.apigw).toHaveReceivedCommandWith(CreateStageCommand, {ApiId: apiId, StageName: '$default', AutoDeploy: true})
    expect(mocks.apigw).toHaveReceivedCommandTimes(CreateIntegrationCommand, 3)
    for (const name of ['orders-getOrder', 'orders-createOrder', 'orders-fallback']) {
      expect(mocks.apigw).toHaveReceivedCommandWith(CreateIntegrationCommand, {
        ApiId: apiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: fnArn(name),
        PayloadFormatVersion: '2.0',
      })
    }
    expect(mocks.apigw).toHaveReceivedCommandTimes(CreateRouteCommand, 4)
    const integrationOf = (name: string) => [...fake.apis.get(apiId)!.integrations.values()].find((i) => i.IntegrationUri === fnArn(name))!.IntegrationId
    expect(mocks.apigw).toHaveReceivedCommandWith(CreateRouteCommand, {
      ApiId: apiId,
      RouteKey: 'GET /orders/{id}',
      Target: `integrations/${integrationOf('orders-getOrder')}`,
      AuthorizationType: 'NONE',
    })
    expect(mocks.apigw).toHaveReceivedCommandWith(CreateRouteCommand, {RouteKey: '$default', Target: `integrations/${integrationOf('orders-fallback')}`})

    // Permissions: one per route, in the function's region, scoped to stage/method/path, deterministic ids.
    expect(mocks.lambda).toHaveReceivedCommandTimes(AddPermissionCommand, 4)
    const grants: Array<[string, string]> = [
      ['orders-getOrder', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/$default/GET/orders/*`],
      ['orders-createOrder', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/$default/POST/orders`],
      ['orders-fallback', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/*/$default`],
      ['orders-fallback', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/$default/*/admin/*`],
    ]
    for (const [name, sourceArn] of grants) {
      expect(mocks.lambda).toHaveReceivedCommandWith(AddPermissionCommand, {
        FunctionName: name,
        StatementId: statementIdFor(apiId, sourceArn),
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: sourceArn,
      })
    }

    // Nothing else was written.
    expect(writes().sort()).toEqual(
      [
        'CreateRole',
        'AttachRolePolicy',
        'AttachRolePolicy',
        ...Array(3).fill('CreateFunction'),
        'CreateApi',
        'CreateStage',
        ...Array(3).fill('CreateIntegration'),
        ...Array(4).fill('CreateRoute'),
        ...Array(4).fill('AddPermission'),
      ].sort(),
    )

    // The result: the invoke URL and each route's full URL.
    const base = `https://${apiId}.execute-api.${REGION}.amazonaws.com`
    expect(result.url).toBe(base)
    expect(result.routes).toEqual([
      {routeKey: 'GET /orders/{id}', function: 'orders-getOrder', url: `${base}/orders/{id}`},
      {routeKey: 'POST /orders', function: 'orders-createOrder', url: `${base}/orders`},
      {routeKey: '$default', function: 'orders-fallback', url: `${base}/`},
      {routeKey: 'ANY /admin/{proxy+}', function: 'orders-fallback', url: `${base}/admin/{proxy+}`},
    ])
  })

  test('orders the writes by their dependencies: role before functions, active before permissions, integrations before routes', async () => {
    await run(tempProject().load())
    const order = fake.calls.map((c) => `${c.command}:${c.input.FunctionName ?? c.input.RouteKey ?? c.input.IntegrationUri ?? ''}`)
    const first = (prefix: string) => order.findIndex((c) => c.startsWith(prefix))
    const last = (prefix: string) => order.length - 1 - [...order].reverse().findIndex((c) => c.startsWith(prefix))
    expect(last('CreateRole')).toBeLessThan(first('CreateFunction'))
    for (const name of ['orders-getOrder', 'orders-createOrder', 'orders-fallback']) {
      const created = order.indexOf(`CreateFunction:${name}`)
      const waited = order.indexOf(`GetFunction:${name}`, created)
      expect(waited).toBeGreaterThan(created)
      expect(order.indexOf(`AddPermission:${name}`)).toBeGreaterThan(waited)
      expect(order.indexOf(`CreateIntegration:${fnArn(name)}`)).toBeGreaterThan(created)
    }
    expect(last('CreateIntegration')).toBeLessThan(last('CreateRoute'))
    expect(first('CreateApi')).toBeLessThan(first('CreateStage'))
  })

  test('a named stage is served under /{stage} and scopes the source ARNs to it', async () => {
    const result = await run(tempProject().load({...CONFIG, api: {stage: 'prod'}}))
    expect(mocks.apigw).toHaveReceivedCommandWith(CreateStageCommand, {StageName: 'prod', AutoDeploy: true})
    expect(result.url).toBe(`https://${result.apiId}.execute-api.${REGION}.amazonaws.com/prod`)
    expect(mocks.lambda).toHaveReceivedCommandWith(AddPermissionCommand, {
      FunctionName: 'orders-getOrder',
      SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${result.apiId}/prod/GET/orders/*`,
    })
  })

  test('--stage overrides the configured stage', async () => {
    const result = await run(tempProject().load(), {stage: 'dev'})
    expect(result.url).toMatch(/\/dev$/)
    expect(mocks.apigw).toHaveReceivedCommandWith(CreateStageCommand, {StageName: 'dev'})
  })

  test('"permissions": "api" grants one {apiId}/* statement per function', async () => {
    const result = await run(tempProject().load({...CONFIG, api: {permissions: 'api'}}))
    expect(mocks.lambda).toHaveReceivedCommandTimes(AddPermissionCommand, 3)
    const sourceArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${result.apiId}/*`
    expect(mocks.lambda).toHaveReceivedCommandWith(AddPermissionCommand, {FunctionName: 'orders-fallback', SourceArn: sourceArn, StatementId: statementIdFor(result.apiId!, sourceArn)})
  })

  test('with a role ARN (config or --role) tracegate makes no IAM call and uses that role', async () => {
    const role = fake.addRole('existing')
    await run(tempProject().load(), {roleArn: role})
    expect(fake.calls.filter((c) => c.service === 'iam')).toEqual([])
    expect(mocks.lambda).toHaveReceivedCommandWith(CreateFunctionCommand, {FunctionName: 'orders-getOrder', Role: role})
  })

  test('emits a progress step per resource, with package sizes', async () => {
    const result = await run(tempProject().load())
    const done = result.events.filter((e) => e.status === 'done').map((e) => e.step)
    expect(done).toEqual(expect.arrayContaining(['package:getOrder', 'observe', 'role', 'function:getOrder', 'api', 'stage:$default', 'route:GET /orders/{id}']))
    expect(result.events.find((e) => e.step === 'package:getOrder' && e.status === 'done')!.detail).toMatch(/bundle, .* zip/)
  })
})

describe('redeploy', () => {
  test('with nothing changed makes zero write calls and says there are no changes', async () => {
    const project = tempProject().load()
    await run(project)
    resetCalls()
    const again = await run(project)
    expect(writes()).toEqual([])
    expect(fake.calls.every((c) => /^(Get|List)/.test(c.command))).toBe(true)
    expect(again.summary.changes).toBe(0)
    expect(again.plan.every((a) => a.action === 'noop')).toBe(true)
    expect(again.url).toBe(`https://${again.apiId}.execute-api.${REGION}.amazonaws.com`)
  })

  test('with one handler changed updates that function code only, then waits for the update', async () => {
    const p = tempProject()
    await run(p.load())
    resetCalls()
    p.write('src/create-order.js', 'exports.handler = async () => ({statusCode: 202, body: "{}"})\n')
    const result = await run(p.load())
    expect(writes()).toEqual(['UpdateFunctionCode'])
    expect(mocks.lambda).toHaveReceivedCommandWith(UpdateFunctionCodeCommand, {FunctionName: 'orders-createOrder'})
    const update = fake.calls.findIndex((c) => c.command === 'UpdateFunctionCode')
    expect(fake.calls.slice(update + 1).some((c) => c.command === 'GetFunction' && c.input.FunctionName === 'orders-createOrder')).toBe(true)
    expect(result.plan.find((a) => a.name === 'orders-createOrder')).toMatchObject({action: 'update', changes: ['code']})
    expect(fake.functions.get('orders-createOrder')!.config.CodeSha256).toBe(result.functions.find((f) => f.key === 'createOrder')!.codeSha256)
  })

  test('a configuration change updates the configuration only, and never prints environment values', async () => {
    const p = tempProject()
    await run(p.load())
    resetCalls()
    const changed = structuredClone(CONFIG)
    changed.functions.createOrder.memory = 1024
    changed.functions.createOrder.environment = {TABLE: 'orders-v2'}
    const result = await run(p.load(changed))
    expect(writes()).toEqual(['UpdateFunctionConfiguration'])
    expect(mocks.lambda).toHaveReceivedCommandWith(UpdateFunctionConfigurationCommand, {
      FunctionName: 'orders-createOrder',
      MemorySize: 1024,
      Environment: {Variables: {TABLE: 'orders-v2'}},
      TracingConfig: {Mode: 'Active'},
    })
    const action = result.plan.find((a) => a.name === 'orders-createOrder')!
    expect(action.changes).toEqual(['memory 512 → 1024', 'environment ~TABLE'])
    expect(JSON.stringify(result.plan)).not.toContain('orders-v2')
  })

  test('code and configuration changed: the code update finishes before the configuration update starts', async () => {
    const p = tempProject()
    await run(p.load())
    resetCalls()
    p.write('src/create-order.js', 'exports.handler = async () => ({statusCode: 202})\n')
    const changed = structuredClone(CONFIG)
    changed.functions.createOrder.timeout = 30
    await run(p.load(changed))
    expect(writes()).toEqual(['UpdateFunctionCode', 'UpdateFunctionConfiguration'])
  })

  test('a route removed from the config: its route and permission are deleted, nothing else', async () => {
    const p = tempProject()
    const first = await run(p.load())
    resetCalls()
    const changed = structuredClone(CONFIG)
    changed.functions.fallback.routes = ['$default']
    await run(p.load(changed))
    expect(writes().sort()).toEqual(['DeleteRoute', 'RemovePermission'])
    const route = [...fake.apis.get(first.apiId!)!.routes.values()]
    expect(route.map((r) => r.RouteKey).sort()).toEqual(['$default', 'GET /orders/{id}', 'POST /orders'])
    const sourceArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${first.apiId}/$default/*/admin/*`
    expect(mocks.lambda).toHaveReceivedCommandWith(RemovePermissionCommand, {FunctionName: 'orders-fallback', StatementId: statementIdFor(first.apiId!, sourceArn)})
  })

  test('a function removed from the config: its route, integration and function are deleted (its statements with it)', async () => {
    const p = tempProject()
    const first = await run(p.load())
    resetCalls()
    const changed = structuredClone(CONFIG)
    delete changed.functions.createOrder
    const result = await run(p.load(changed))
    expect(writes()).toEqual(['DeleteRoute', 'DeleteIntegration', 'DeleteFunction'])
    expect(mocks.apigw).toHaveReceivedCommandWith(DeleteRouteCommand, {ApiId: first.apiId})
    expect(mocks.apigw).toHaveReceivedCommandWith(DeleteIntegrationCommand, {ApiId: first.apiId})
    expect(mocks.lambda).toHaveReceivedCommandWith(DeleteFunctionCommand, {FunctionName: 'orders-createOrder'})
    expect(fake.functions.has('orders-createOrder')).toBe(false)
    expect(result.plan.find((a) => a.name === 'orders-createOrder')).toMatchObject({action: 'delete', reason: expect.stringMatching(/not in tracegate.json/)})
  })

  test('a route moved to another function is retargeted and its permission moves with it', async () => {
    const p = tempProject()
    const first = await run(p.load())
    resetCalls()
    const changed = structuredClone(CONFIG)
    changed.functions.getOrder.routes = []
    changed.functions.fallback.routes = ['$default', 'ANY /admin/{proxy+}', 'GET /orders/{id}']
    await run(p.load(changed))
    expect(writes().sort()).toEqual(['AddPermission', 'DeleteIntegration', 'RemovePermission', 'UpdateRoute'])
    const fallbackIntegration = [...fake.apis.get(first.apiId!)!.integrations.values()].find((i) => i.IntegrationUri === fnArn('orders-fallback'))!
    expect(mocks.apigw).toHaveReceivedCommandWith(UpdateRouteCommand, {Target: `integrations/${fallbackIntegration.IntegrationId}`})
    expect(mocks.lambda).toHaveReceivedCommandWith(AddPermissionCommand, {
      FunctionName: 'orders-fallback',
      SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${first.apiId}/$default/GET/orders/*`,
    })
  })

  test('a statement tracegate did not add is never removed', async () => {
    const p = tempProject()
    await run(p.load())
    fake.functions.get('orders-getOrder')!.policy.push({Sid: 'manual-s3', Effect: 'Allow', Principal: {Service: 's3.amazonaws.com'}, Action: 'lambda:InvokeFunction'})
    resetCalls()
    await run(p.load())
    expect(writes()).toEqual([])
  })
})

describe('interrupted deploys converge', () => {
  test('for every write k, a failure at k (before or after it takes effect) followed by a re-run ends in the same state', async () => {
    const p = tempProject()
    const project = p.load()
    await run(project)
    const reference = fake.snapshot()
    const total = fake.writeCalls.length
    expect(total).toBe(19)

    for (const mode of ['before', 'after'] as const) {
      for (let k = 1; k <= total; k++) {
        for (const m of Object.values(mocks)) m.reset()
        fake = new FakeAws(REGION)
        fake.install(mocks)
        fake.failure = {at: k, mode}
        await expect(run(project), `failure at write ${k} (${mode})`).rejects.toMatchObject({code: 'AWS_ERROR'})
        fake.failure = undefined
        await run(project)
        expect(fake.snapshot(), `state after a failure at write ${k} (${mode}) and a re-run`).toEqual(reference)
        // And converged means converged: a third run has nothing to do.
        const before = fake.writeCalls.length
        const third = await run(project)
        expect(fake.writeCalls.length - before, `writes on the run after convergence (k=${k}, ${mode})`).toBe(0)
        expect(third.summary.changes).toBe(0)
      }
    }
  }, 120_000)
})

describe('retries and errors', () => {
  test('throttling and "update in progress" conflicts are retried with backoff', async () => {
    const p = tempProject()
    const throttled = () => Object.assign(new Error('Rate exceeded'), {name: 'TooManyRequestsException', $metadata: {httpStatusCode: 429}})
    fake.inject('CreateFunction', throttled(), throttled())
    fake.inject('CreateRoute', Object.assign(new Error('Too Many Requests'), {name: 'TooManyRequestsException', $metadata: {httpStatusCode: 429}}))
    fake.inject('CreateRole', Object.assign(new Error('Rate exceeded'), {name: 'Throttling', $metadata: {httpStatusCode: 400}}))
    const clock = fakeClock()
    await run(p.load(), {}, clock)
    expect(clock.slept.length).toBe(4)
    expect(mocks.lambda).toHaveReceivedCommandTimes(CreateFunctionCommand, 5)

    p.write('src/get-order.ts', 'export const handler = async () => ({statusCode: 204})\n')
    fake.inject(
      'UpdateFunctionCode',
      Object.assign(new Error('The operation cannot be performed at this time. An update is in progress for resource: x'), {
        name: 'ResourceConflictException',
        $metadata: {httpStatusCode: 409},
      }),
    )
    const clock2 = fakeClock()
    await run(p.load(), {}, clock2)
    expect(clock2.slept.length).toBe(1)
    expect(mocks.lambda).toHaveReceivedCommandTimes(UpdateFunctionCodeCommand, 2)
  })

  test('CreateFunction is retried while a new role cannot be assumed yet, up to 30 s', async () => {
    fake.roleDelayAttempts = 3
    const clock = fakeClock()
    await run(tempProject().load(), {}, clock)
    expect(fake.functions.size).toBe(3)
    expect(clock.slept.length).toBeGreaterThanOrEqual(3)
  })

  test('a role that never becomes assumable is a user error after 30 s', async () => {
    fake.roleDelayAttempts = 1000
    const clock = fakeClock()
    await expect(run(tempProject().load(), {}, clock)).rejects.toMatchObject({name: 'UserError', code: 'ROLE_NOT_ASSUMABLE'})
    expect(clock.now()).toBeLessThanOrEqual(30_000)
    expect(clock.now()).toBeGreaterThan(20_000)
  })

  test('AccessDenied surfaces as a user error naming the missing IAM action', async () => {
    fake.inject(
      'CreateFunction',
      Object.assign(new Error(`User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: lambda:CreateFunction on resource: ${fnArn('orders-getOrder')}`), {
        name: 'AccessDeniedException',
        $metadata: {httpStatusCode: 403},
      }),
    )
    await expect(run(tempProject().load())).rejects.toMatchObject({
      name: 'UserError',
      code: 'AWS_ACCESS_DENIED',
      message: expect.stringContaining('lambda:CreateFunction'),
      suggestion: expect.stringContaining('lambda:CreateFunction'),
    })
  })

  test('an IAM denial without the action in its message names the action tracegate called', async () => {
    fake.inject('CreateRole', Object.assign(new Error('Access denied'), {name: 'AccessDenied', $metadata: {httpStatusCode: 403}}))
    await expect(run(tempProject().load())).rejects.toMatchObject({code: 'AWS_ACCESS_DENIED', message: expect.stringContaining('iam:CreateRole')})
  })

  test('a denied read (before any write) names the read action and writes nothing', async () => {
    fake.inject('GetApis', Object.assign(new Error('Forbidden'), {name: 'AccessDeniedException', $metadata: {httpStatusCode: 403}}))
    await expect(run(tempProject().load())).rejects.toMatchObject({code: 'AWS_ACCESS_DENIED', message: expect.stringContaining('apigateway:GET')})
    expect(writes()).toEqual([])
  })

  test('bad input fails before any AWS call', async () => {
    const p = tempProject()
    await expect(run(p.load(), {stage: 'no spaces'})).rejects.toMatchObject({code: 'STAGE_INVALID'})
    await expect(run(p.load(), {roleArn: 'my-role'})).rejects.toMatchObject({code: 'ROLE_INVALID'})
    expect(fake.calls).toEqual([])
  })

  test('a handler that does not bundle fails the deploy with no write call', async () => {
    const p = tempProject()
    p.write('src/get-order.ts', 'export const handler = async () => {\n  return (\n}\n')
    await expect(run(p.load())).rejects.toMatchObject({code: 'BUNDLE_FAILED'})
    expect(writes()).toEqual([])
  })

  test('an API named like the project but not tagged for it is not adopted', async () => {
    fake.addForeignApi('orders')
    await expect(run(tempProject().load())).rejects.toMatchObject({code: 'API_NAME_TAKEN'})
    expect(writes()).toEqual([])
  })

  test('a function with the configured name but without the project tag is not adopted', async () => {
    const p = tempProject()
    await run(p.load())
    fake.functions.get('orders-getOrder')!.tags = {}
    resetCalls()
    await expect(run(p.load())).rejects.toMatchObject({code: 'FUNCTION_NOT_OURS'})
    expect(writes()).toEqual([])
  })
})

describe('--dry-run', () => {
  test('plans every action and makes no write call', async () => {
    const result = await run(tempProject().load(), {dryRun: true})
    expect(fake.writeCalls).toEqual([])
    expect(result.dryRun).toBe(true)
    expect(result.summary).toMatchObject({create: 17, changes: 17})
    expect(result.plan[0]).toEqual({resource: 'role', name: 'orders-lambda', action: 'create', reason: 'not in AWS yet'})
    expect(result.url).toBeUndefined()
  })

  test('on a deployed project it shows the updates and deletions it would make, with the existing URL', async () => {
    const p = tempProject()
    const first = await run(p.load())
    resetCalls()
    const changed = structuredClone(CONFIG)
    changed.functions.fallback.routes = ['$default']
    changed.functions.getOrder.timeout = 20
    const result = await run(p.load(changed), {dryRun: true})
    expect(writes()).toEqual([])
    expect(result.url).toBe(first.url)
    expect(result.plan.filter((a) => a.action !== 'noop')).toEqual([
      {resource: 'function', name: 'orders-getOrder', action: 'update', reason: 'timeout 10 → 20', changes: ['timeout 10 → 20']},
      {resource: 'route', name: 'ANY /admin/{proxy+}', action: 'delete', reason: 'not in tracegate.json'},
      {resource: 'permission', name: 'orders-fallback * /admin/*', action: 'delete', reason: 'its route left tracegate.json'},
    ])
  })
})
