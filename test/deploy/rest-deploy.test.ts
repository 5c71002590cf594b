import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteMethodCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import {ApiGatewayV2Client} from '@aws-sdk/client-apigatewayv2'
import {IAMClient} from '@aws-sdk/client-iam'
import {AddPermissionCommand, LambdaClient, RemovePermissionCommand} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createDeployApis} from '../../src/deploy/apis.js'
import {type DeployOptions, deploy} from '../../src/deploy/deploy.js'
import {applyDestroy, planDestroy} from '../../src/deploy/destroy.js'
import {statementIdFor} from '../../src/permissions/statement-id.js'
import {recordingProgress} from '../../src/progress.js'
import {FakeAws, fakeClock} from './fake-aws.js'
import {type TestConfig, tempProject} from './helpers.js'

const mocks = {lambda: mockClient(LambdaClient), apigw: mockClient(ApiGatewayV2Client), iam: mockClient(IAMClient), restApi: mockClient(APIGatewayClient)}
const REGION = 'us-east-2'
const ACCOUNT = '123456789012'
let fake: FakeAws

const REST: TestConfig = {
  name: 'orders',
  region: REGION,
  api: {type: 'rest', stage: 'prod'},
  functions: {
    getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']},
    createOrder: {handler: 'src/create-order.handler', routes: ['POST /orders'], memory: 512},
    fallback: {handler: 'src/fallback.handler', routes: ['GET /', 'ANY /{proxy+}']},
  },
}

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
const uriOf = (name: string) => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn(name)}/invocations`
const writes = () => fake.writeCalls.map((c) => c.command)
const restApi = (id: string) => fake.rest.api(id)

function resetCalls(): void {
  fake.calls.length = 0
  for (const m of Object.values(mocks)) m.resetHistory()
}

/** The whole fake's state with generated REST API ids replaced, so converged runs compare equal. */
function snapshot() {
  let text = JSON.stringify({aws: fake.snapshot(), rest: fake.rest.snapshot()})
  for (const [n, id] of [...fake.rest.apis.keys()].entries()) text = text.replaceAll(id, `REST${n}`)
  return JSON.parse(text)
}

/** What the stage serves: `METHOD path` → function name. */
function served(apiId: string, stage = 'prod'): Record<string, string> {
  const api = restApi(apiId)
  const s = api.stages.get(stage)!
  const routes = api.deployments.get(s.deploymentId)!.routes
  return Object.fromEntries(Object.entries(routes).map(([k, uri]) => [k, uri.replace(/^.*:function:/, '').replace(/\/invocations$/, '')]))
}

describe('first deploy of a REST project', () => {
  test('creates the tagged REGIONAL API, the resource tree, one method + proxy integration per route, a deployment and a traced stage', async () => {
    const project = tempProject().load(REST)
    const result = await run(project)
    const apiId = result.apiId!
    const api = restApi(apiId)

    expect(mocks.restApi).toHaveReceivedCommandTimes(CreateRestApiCommand, 1)
    expect(mocks.restApi).toHaveReceivedCommandWith(CreateRestApiCommand, {name: 'orders', endpointConfiguration: {types: ['REGIONAL']}, tags: {'tracegate:project': 'orders'}})

    // Resources: one per path prefix, children under their parents; `/` is the API's own root.
    expect(mocks.restApi).toHaveReceivedCommandTimes(CreateResourceCommand, 3)
    const ordersId = fake.rest.resourceAt(apiId, '/orders')!.id
    expect(mocks.restApi).toHaveReceivedCommandWith(CreateResourceCommand, {restApiId: apiId, parentId: api.rootResourceId, pathPart: 'orders'})
    expect(mocks.restApi).toHaveReceivedCommandWith(CreateResourceCommand, {restApiId: apiId, parentId: ordersId, pathPart: '{id}'})
    expect(mocks.restApi).toHaveReceivedCommandWith(CreateResourceCommand, {restApiId: apiId, parentId: api.rootResourceId, pathPart: '{proxy+}'})

    // Methods: authorization NONE, ANY kept as ANY; integrations AWS_PROXY, POST, the Lambda invocation URI.
    expect(mocks.restApi).toHaveReceivedCommandTimes(PutMethodCommand, 4)
    const routes: Array<[string, string, string]> = [
      ['GET', '/orders/{id}', 'orders-getOrder'],
      ['POST', '/orders', 'orders-createOrder'],
      ['GET', '/', 'orders-fallback'],
      ['ANY', '/{proxy+}', 'orders-fallback'],
    ]
    for (const [httpMethod, path, fn] of routes) {
      const resourceId = fake.rest.resourceAt(apiId, path)!.id
      expect(mocks.restApi).toHaveReceivedCommandWith(PutMethodCommand, {restApiId: apiId, resourceId, httpMethod, authorizationType: 'NONE'})
      expect(mocks.restApi).toHaveReceivedCommandWith(PutIntegrationCommand, {
        restApiId: apiId,
        resourceId,
        httpMethod,
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: uriOf(fn),
      })
    }

    // One deployment, and the stage on it with X-Ray tracing.
    expect(mocks.restApi).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1)
    const deployment = [...api.deployments.values()][0]
    expect(deployment.description).toMatch(/^tracegate routes [0-9a-f]{16}$/)
    expect(mocks.restApi).toHaveReceivedCommandWith(CreateStageCommand, {
      restApiId: apiId,
      stageName: 'prod',
      deploymentId: deployment.id,
      tracingEnabled: true,
      tags: {'tracegate:project': 'orders'},
    })
    expect(served(apiId)).toEqual({
      'GET /orders/{id}': 'orders-getOrder',
      'POST /orders': 'orders-createOrder',
      'GET /': 'orders-fallback',
      'ANY /{proxy+}': 'orders-fallback',
    })

    // Permissions: REST source ARNs {apiId}/{stage}/{METHOD}/{path}, ANY as *, parameters as *.
    const grants: Array<[string, string]> = [
      ['orders-getOrder', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/prod/GET/orders/*`],
      ['orders-createOrder', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/prod/POST/orders`],
      ['orders-fallback', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/prod/GET/`],
      ['orders-fallback', `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/prod/*/*`],
    ]
    expect(mocks.lambda).toHaveReceivedCommandTimes(AddPermissionCommand, 4)
    for (const [name, sourceArn] of grants) {
      expect(mocks.lambda).toHaveReceivedCommandWith(AddPermissionCommand, {
        FunctionName: name,
        StatementId: statementIdFor(apiId, sourceArn),
        Principal: 'apigateway.amazonaws.com',
        Action: 'lambda:InvokeFunction',
        SourceArn: sourceArn,
      })
    }

    // No HTTP API is touched, and nothing else is written.
    expect(fake.calls.filter((c) => c.service === 'apigatewayv2')).toEqual([])
    expect(
      writes()
        .filter((c) => !/Role|Function|Permission/.test(c))
        .sort(),
    ).toEqual(['CreateDeployment', 'CreateResource', 'CreateResource', 'CreateResource', 'CreateRestApi', 'CreateStage', ...Array(4).fill('PutIntegration'), ...Array(4).fill('PutMethod')].sort())

    // The URL is the stage's invoke URL.
    const base = `https://${apiId}.execute-api.${REGION}.amazonaws.com/prod`
    expect(result.url).toBe(base)
    expect(result.stage).toBe('prod')
    expect(result.routes).toEqual([
      {routeKey: 'GET /orders/{id}', function: 'orders-getOrder', url: `${base}/orders/{id}`},
      {routeKey: 'POST /orders', function: 'orders-createOrder', url: `${base}/orders`},
      {routeKey: 'GET /', function: 'orders-fallback', url: `${base}/`},
      {routeKey: 'ANY /{proxy+}', function: 'orders-fallback', url: `${base}/{proxy+}`},
    ])
  })

  test('the deployment comes after every method and integration, and the stage after the deployment', async () => {
    await run(tempProject().load(REST))
    const order = fake.calls.map((c) => c.command)
    const last = (name: string) => order.lastIndexOf(name)
    expect(last('PutIntegration')).toBeLessThan(order.indexOf('CreateDeployment'))
    expect(last('PutMethod')).toBeLessThan(order.indexOf('CreateDeployment'))
    expect(order.indexOf('CreateDeployment')).toBeLessThan(order.indexOf('CreateStage'))
    // A child resource is created after its parent.
    const creates = fake.calls.filter((c) => c.command === 'CreateResource').map((c) => c.input.pathPart)
    expect(creates.indexOf('orders')).toBeLessThan(creates.indexOf('{id}'))
  })

  test('the plan names the API, the traced stage and each route with the resources it needs', async () => {
    const result = await run(tempProject().load(REST), {dryRun: true})
    expect(fake.writeCalls).toEqual([])
    expect(result.url).toBeUndefined()
    const api = result.plan.filter((a) => ['api', 'stage', 'route'].includes(a.resource))
    expect(api).toEqual([
      {resource: 'api', name: 'orders', action: 'create', reason: 'not in AWS yet'},
      {resource: 'stage', name: 'prod', action: 'create', reason: 'new API; with X-Ray tracing, serving a new deployment'},
      {resource: 'route', name: 'GET /orders/{id}', action: 'create', reason: 'new API (resource /orders, /orders/{id})'},
      {resource: 'route', name: 'POST /orders', action: 'create', reason: 'new API (resource /orders)'},
      {resource: 'route', name: 'GET /', action: 'create', reason: 'new API'},
      {resource: 'route', name: 'ANY /{proxy+}', action: 'create', reason: 'new API (resource /{proxy+})'},
    ])
  })
})

describe('redeploying a REST project', () => {
  test('with nothing changed makes zero write calls, keeps the stage on its deployment and returns the same URL', async () => {
    const project = tempProject().load(REST)
    const first = await run(project)
    resetCalls()
    const again = await run(project)
    expect(writes()).toEqual([])
    expect(again.summary.changes).toBe(0)
    expect(again.url).toBe(first.url)
    expect(restApi(first.apiId!).deployments.size).toBe(1)
  })

  test('a code change updates the function only: no new deployment', async () => {
    const p = tempProject()
    await run(p.load(REST))
    resetCalls()
    p.write('src/create-order.js', 'exports.handler = async () => ({statusCode: 202, body: "{}"})\n')
    await run(p.load(REST))
    expect(writes()).toEqual(['UpdateFunctionCode'])
  })

  test('a removed route: its method goes, the stage moves to a new deployment, its permission is removed', async () => {
    const p = tempProject()
    const first = await run(p.load(REST))
    const proxyId = fake.rest.resourceAt(first.apiId!, '/{proxy+}')!.id
    resetCalls()
    const changed = structuredClone(REST)
    changed.functions.fallback.routes = ['GET /']
    const result = await run(p.load(changed))
    // `/{proxy+}` has no route left: the resource goes (with its method), not just the method.
    expect(writes().sort()).toEqual(['CreateDeployment', 'DeleteResource', 'RemovePermission', 'UpdateStage'])
    expect(mocks.restApi).toHaveReceivedCommandWith(DeleteResourceCommand, {restApiId: first.apiId, resourceId: proxyId})
    expect(mocks.restApi).toHaveReceivedCommandWith(UpdateStageCommand, {
      restApiId: first.apiId,
      stageName: 'prod',
      patchOperations: expect.arrayContaining([expect.objectContaining({op: 'replace', path: '/deploymentId'})]),
    })
    expect(served(first.apiId!)).toEqual({'GET /orders/{id}': 'orders-getOrder', 'POST /orders': 'orders-createOrder', 'GET /': 'orders-fallback'})
    const sourceArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${first.apiId}/prod/*/*`
    expect(mocks.lambda).toHaveReceivedCommandWith(RemovePermissionCommand, {FunctionName: 'orders-fallback', StatementId: statementIdFor(first.apiId!, sourceArn)})
    expect(result.plan.filter((a) => a.action !== 'noop')).toEqual([
      {resource: 'stage', name: 'prod', action: 'update', reason: 'new deployment'},
      {resource: 'route', name: 'ANY /{proxy+}', action: 'delete', reason: 'not in tracegate.json'},
      {resource: 'permission', name: 'orders-fallback * /*', action: 'delete', reason: 'its route left tracegate.json'},
    ])
  })

  test('a removed method on a resource that stays: DeleteMethod only, then a new deployment', async () => {
    const p = tempProject()
    const first = await run(p.load(REST))
    resetCalls()
    const changed = structuredClone(REST)
    changed.functions.getOrder.routes = ['GET /orders/{id}', 'DELETE /orders/{id}']
    await run(p.load(changed))
    resetCalls()
    await run(p.load(REST))
    expect(writes().sort()).toEqual(['CreateDeployment', 'DeleteMethod', 'RemovePermission', 'UpdateStage'])
    expect(mocks.restApi).toHaveReceivedCommandWith(DeleteMethodCommand, {restApiId: first.apiId, httpMethod: 'DELETE', resourceId: fake.rest.resourceAt(first.apiId!, '/orders/{id}')!.id})
  })

  test('a route moved to another function gets a new integration URI and the permission moves with it', async () => {
    const p = tempProject()
    const first = await run(p.load(REST))
    resetCalls()
    const changed = structuredClone(REST)
    changed.functions.getOrder.routes = []
    changed.functions.fallback.routes = ['GET /', 'ANY /{proxy+}', 'GET /orders/{id}']
    await run(p.load(changed))
    expect(writes().sort()).toEqual(['AddPermission', 'CreateDeployment', 'PutIntegration', 'RemovePermission', 'UpdateStage'])
    expect(mocks.restApi).toHaveReceivedCommandWith(PutIntegrationCommand, {httpMethod: 'GET', uri: uriOf('orders-fallback'), type: 'AWS_PROXY', integrationHttpMethod: 'POST'})
    expect(served(first.apiId!)['GET /orders/{id}']).toBe('orders-fallback')
    expect(mocks.lambda).toHaveReceivedCommandWith(AddPermissionCommand, {
      FunctionName: 'orders-fallback',
      SourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${first.apiId}/prod/GET/orders/*`,
    })
  })

  test('a renamed path parameter replaces the resource (deleted first: REST allows one variable sibling)', async () => {
    const p = tempProject()
    const first = await run(p.load(REST))
    resetCalls()
    const changed = structuredClone(REST)
    changed.functions.getOrder.routes = ['GET /orders/{orderId}']
    await run(p.load(changed))
    const order = writes()
    expect(order.indexOf('DeleteResource')).toBeLessThan(order.indexOf('CreateResource'))
    expect(served(first.apiId!)['GET /orders/{orderId}']).toBe('orders-getOrder')
    expect(fake.rest.resourceAt(first.apiId!, '/orders/{id}')).toBeUndefined()
  })

  test('a stage whose tracing was turned off by hand gets it back, without a new deployment', async () => {
    const project = tempProject().load(REST)
    const first = await run(project)
    restApi(first.apiId!).stages.get('prod')!.tracingEnabled = false
    resetCalls()
    const result = await run(project)
    expect(writes()).toEqual(['UpdateStage'])
    expect(mocks.restApi).toHaveReceivedCommandWith(UpdateStageCommand, {
      patchOperations: expect.arrayContaining([{op: 'replace', path: '/tracingEnabled', value: 'true'}]),
    })
    expect(result.plan.find((a) => a.resource === 'stage')).toMatchObject({action: 'update', reason: 'X-Ray tracing on'})
    expect(restApi(first.apiId!).stages.get('prod')!.tracingEnabled).toBe(true)
  })

  test('a method someone added for another backend is left alone, with its resource', async () => {
    const project = tempProject().load(REST)
    const first = await run(project)
    const api = restApi(first.apiId!)
    const admin = {id: 'admin1', parentId: api.rootResourceId, pathPart: 'admin', path: '/admin', methods: new Map()}
    admin.methods.set('GET', {httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: false, methodIntegration: {type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'https://example.com', timeoutInMillis: 29000}})
    api.resources.set(admin.id, admin)
    resetCalls()
    const result = await run(project)
    // The live deployment was taken before the hand-made method existed: nothing of ours changed.
    expect(writes()).toEqual([])
    expect(result.summary.changes).toBe(0)
  })

  test('a method left without an integration by an interrupted run is completed', async () => {
    const project = tempProject().load(REST)
    const first = await run(project)
    fake.rest.resourceAt(first.apiId!, '/orders')!.methods.get('POST')!.methodIntegration = undefined
    resetCalls()
    const result = await run(project)
    expect(writes().sort()).toEqual(['CreateDeployment', 'PutIntegration', 'UpdateStage'])
    expect(result.plan.find((a) => a.name === 'POST /orders')).toMatchObject({action: 'update', reason: 'no integration yet'})
  })

  test('a deployment made by a run that stopped before the stage moved is reused, not made again', async () => {
    const p = tempProject()
    const first = await run(p.load(REST))
    const changed = structuredClone(REST)
    changed.functions.fallback.routes = ['GET /']
    // Fail at the stage update: the tree and the deployment are done.
    fake.inject('UpdateStage', Object.assign(new Error('boom'), {name: 'ServiceException', $metadata: {httpStatusCode: 500}}))
    await expect(run(p.load(changed))).rejects.toMatchObject({code: 'AWS_ERROR'})
    expect(restApi(first.apiId!).deployments.size).toBe(2)
    resetCalls()
    const result = await run(p.load(changed))
    expect(writes()).toEqual(['UpdateStage'])
    expect(result.plan.find((a) => a.resource === 'stage')).toMatchObject({action: 'update', reason: 'new deployment'})
    expect(restApi(first.apiId!).deployments.size).toBe(2)
    expect(Object.keys(served(first.apiId!))).not.toContain('ANY /{proxy+}')
  })

  test('another stage (from an earlier --stage) is deleted; the named stage is created on the current deployment', async () => {
    const p = tempProject()
    const first = await run(p.load(REST), {stage: 'dev'})
    resetCalls()
    await run(p.load(REST))
    expect(writes().sort()).toEqual(expect.arrayContaining(['CreateStage', 'DeleteStage']))
    expect(writes()).not.toContain('CreateDeployment')
    expect([...restApi(first.apiId!).stages.keys()]).toEqual(['prod'])
  })
})

describe('interrupted REST deploys converge', () => {
  test('for every write k, a failure at k (before or after it takes effect) followed by a re-run ends in the same state', async () => {
    const project = tempProject().load(REST)
    await run(project)
    const reference = snapshot()
    const total = fake.writeCalls.length
    expect(total).toBe(24)

    for (const mode of ['before', 'after'] as const) {
      for (let k = 1; k <= total; k++) {
        for (const m of Object.values(mocks)) m.reset()
        fake = new FakeAws(REGION)
        fake.install(mocks)
        fake.failure = {at: k, mode}
        await expect(run(project), `failure at write ${k} (${mode})`).rejects.toMatchObject({code: 'AWS_ERROR'})
        fake.failure = undefined
        await run(project)
        expect(snapshot(), `state after a failure at write ${k} (${mode}) and a re-run`).toEqual(reference)
        const before = fake.writeCalls.length
        const third = await run(project)
        expect(fake.writeCalls.length - before, `writes on the run after convergence (k=${k}, ${mode})`).toBe(0)
        expect(third.summary.changes).toBe(0)
      }
    }
  }, 180_000)
})

describe('REST deploy errors and retries', () => {
  test('routes with two different variables at one level are refused before any AWS call', async () => {
    const config = structuredClone(REST)
    config.functions.createOrder.routes = ['PUT /orders/{orderId}']
    await expect(run(tempProject().load(config))).rejects.toMatchObject({code: 'ROUTE_CONFLICT', message: expect.stringContaining('/orders/{id} and /orders/{orderId}')})
    expect(fake.writeCalls).toEqual([])
  })

  test('a REST API named like the project but not tagged for it is not adopted', async () => {
    fake.rest.addForeign('orders')
    await expect(run(tempProject().load(REST))).rejects.toMatchObject({code: 'API_NAME_TAKEN', message: expect.stringContaining('REST API')})
    expect(writes()).toEqual([])
  })

  test('throttling and "concurrent modification" conflicts are retried with backoff', async () => {
    const throttled = () => Object.assign(new Error('Too Many Requests'), {name: 'TooManyRequestsException', $metadata: {httpStatusCode: 429}})
    const concurrent = () =>
      Object.assign(new Error('Unable to complete operation due to concurrent modification. Please try again later.'), {name: 'ConflictException', $metadata: {httpStatusCode: 409}})
    fake.inject('CreateRestApi', throttled())
    fake.inject('CreateDeployment', throttled(), throttled())
    fake.inject('PutMethod', concurrent())
    const clock = fakeClock()
    const result = await run(tempProject().load(REST), {}, clock)
    expect(clock.slept.length).toBe(4)
    expect(mocks.restApi).toHaveReceivedCommandTimes(CreateDeploymentCommand, 3)
    expect(served(result.apiId!)).toHaveProperty(['POST /orders'])
  })

  test('a "method already exists" conflict is not retried: it is an error', async () => {
    fake.inject('PutMethod', Object.assign(new Error('Method already exists for this resource'), {name: 'ConflictException', $metadata: {httpStatusCode: 409}}))
    await expect(run(tempProject().load(REST))).rejects.toMatchObject({code: 'AWS_ERROR', message: expect.stringContaining('Method already exists')})
  })

  test('a denied CreateRestApi names apigateway:POST', async () => {
    fake.inject('CreateRestApi', Object.assign(new Error('Forbidden'), {name: 'AccessDeniedException', $metadata: {httpStatusCode: 403}}))
    await expect(run(tempProject().load(REST))).rejects.toMatchObject({code: 'AWS_ACCESS_DENIED', message: expect.stringContaining('apigateway:POST')})
  })
})

describe('destroying a REST project', () => {
  test('deletes the REST API in one call, with the functions and role, and a second destroy has nothing to do', async () => {
    const project = tempProject().load(REST)
    const first = await run(project)
    const apis = await createDeployApis(createAwsClients({region: REGION, local: true}), {clock: fakeClock()})
    const input = {project, apis, region: REGION}
    const plan = await planDestroy(input)
    expect(plan.actions.filter((a) => a.resource === 'api' || a.resource === 'stage' || a.resource === 'route')).toEqual([
      {resource: 'api', name: `orders (${first.apiId})`, action: 'delete', reason: 'tagged tracegate:project=orders'},
      {resource: 'stage', name: 'prod', action: 'delete', reason: 'deleted with the API'},
      {resource: 'route', name: 'GET /', action: 'delete', reason: 'deleted with the API'},
      {resource: 'route', name: 'POST /orders', action: 'delete', reason: 'deleted with the API'},
      {resource: 'route', name: 'GET /orders/{id}', action: 'delete', reason: 'deleted with the API'},
      {resource: 'route', name: 'ANY /{proxy+}', action: 'delete', reason: 'deleted with the API'},
    ])
    resetCalls()
    await applyDestroy(plan, input)
    expect(mocks.restApi).toHaveReceivedCommandWith(DeleteRestApiCommand, {restApiId: first.apiId})
    expect(fake.calls.filter((c) => c.service === 'apigateway' && !/^Get/.test(c.command)).map((c) => c.command)).toEqual(['DeleteRestApi'])
    expect(fake.rest.apis.size).toBe(0)
    expect(fake.functions.size).toBe(0)
    expect(fake.roles.size).toBe(0)
    expect((await planDestroy(input)).summary.changes).toBe(0)
  })

  test('leaves a REST API that is not tagged for the project', async () => {
    const foreign = fake.rest.addForeign('orders-legacy', {team: 'payments'})
    const project = tempProject().load(REST)
    await run(project)
    const apis = await createDeployApis(createAwsClients({region: REGION, local: true}), {clock: fakeClock()})
    const input = {project, apis, region: REGION}
    await applyDestroy(await planDestroy(input), input)
    expect([...fake.rest.apis.keys()]).toEqual([foreign])
  })
})
