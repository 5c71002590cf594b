import {
  APIGatewayClient,
  BadRequestException,
  ConflictException,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteIntegrationCommand,
  DeleteMethodCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  NotFoundException,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {REGION, startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
let client: APIGatewayClient
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:orders-get'
const URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`

beforeAll(async () => {
  t = await startTestEmulator()
  client = new APIGatewayClient({endpoint: t.emulator.url, region: REGION, credentials: {accessKeyId: 'AKIDTEST', secretAccessKey: 'secret'}, maxAttempts: 1})
})
afterAll(async () => {
  client?.destroy()
  await t.stop()
})

async function restApi(name = 'orders') {
  const api = await client.send(new CreateRestApiCommand({name, endpointConfiguration: {types: ['REGIONAL']}}))
  return {id: api.id!, root: api.rootResourceId!}
}

/** An API with `/orders/{id}` GET wired to a Lambda proxy. */
async function wiredApi() {
  const api = await restApi()
  const orders = await client.send(new CreateResourceCommand({restApiId: api.id, parentId: api.root, pathPart: 'orders'}))
  const item = await client.send(new CreateResourceCommand({restApiId: api.id, parentId: orders.id!, pathPart: '{id}'}))
  await client.send(new PutMethodCommand({restApiId: api.id, resourceId: item.id!, httpMethod: 'GET', authorizationType: 'NONE'}))
  await client.send(new PutIntegrationCommand({restApiId: api.id, resourceId: item.id!, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: URI}))
  return {...api, orders: orders.id!, item: item.id!}
}

describe('REST APIs', () => {
  test('create, get, list and delete a REST API; it comes with its root resource', async () => {
    const created = await client.send(
      new CreateRestApiCommand({name: 'orders', description: 'd', endpointConfiguration: {types: ['REGIONAL']}, tags: {'tracegate:project': 'orders'}}),
    )
    expect(created.$metadata.httpStatusCode).toBe(201)
    expect(created.id).toMatch(/^[a-z0-9]{10}$/)
    expect(created).toMatchObject({
      name: 'orders',
      description: 'd',
      apiKeySource: 'HEADER',
      disableExecuteApiEndpoint: false,
      endpointConfiguration: {types: ['REGIONAL']},
      tags: {'tracegate:project': 'orders'},
    })
    // Timestamps are epoch seconds on the wire; the SDK turns them into Dates.
    expect(created.createdDate).toBeInstanceOf(Date)
    expect(Math.abs(created.createdDate!.getTime() - Date.now())).toBeLessThan(5000)
    expect(created.rootResourceId).toMatch(/^[a-z0-9]{10}$/)

    const got = await client.send(new GetRestApiCommand({restApiId: created.id}))
    expect(got).toMatchObject({id: created.id, name: 'orders', rootResourceId: created.rootResourceId})
    const resources = await client.send(new GetResourcesCommand({restApiId: created.id}))
    expect(resources.items).toEqual([{id: created.rootResourceId, path: '/'}])

    const listed = await client.send(new GetRestApisCommand({limit: 500}))
    expect(listed.items?.map((a) => a.id)).toContain(created.id)

    const deleted = await client.send(new DeleteRestApiCommand({restApiId: created.id}))
    expect(deleted.$metadata.httpStatusCode).toBe(202)
    await expect(client.send(new GetRestApiCommand({restApiId: created.id}))).rejects.toBeInstanceOf(NotFoundException)
  })

  test('the default endpoint type is EDGE; two endpoint types are refused', async () => {
    const api = await client.send(new CreateRestApiCommand({name: 'edge'}))
    expect(api.endpointConfiguration?.types).toEqual(['EDGE'])
    await expect(client.send(new CreateRestApiCommand({name: 'x', endpointConfiguration: {types: ['EDGE', 'REGIONAL']}}))).rejects.toBeInstanceOf(BadRequestException)
  })

  test('GetRestApis pages with position and limit', async () => {
    const ids = [(await restApi('page-a')).id, (await restApi('page-b')).id, (await restApi('page-c')).id]
    const seen: string[] = []
    let position: string | undefined
    let pages = 0
    do {
      const page = await client.send(new GetRestApisCommand({limit: 2, position}))
      expect(page.items!.length).toBeLessThanOrEqual(2)
      seen.push(...page.items!.map((a) => a.id!))
      position = page.position
      pages++
    } while (position)
    expect(pages).toBeGreaterThan(1)
    for (const id of ids) expect(seen).toContain(id)
    await expect(client.send(new GetRestApisCommand({position: 'garbage'}))).rejects.toBeInstanceOf(BadRequestException)
  })

  test('an unknown API is a NotFoundException naming it; APIs are regional', async () => {
    const missing = client.send(new GetRestApiCommand({restApiId: 'nope123456'}))
    await expect(missing).rejects.toBeInstanceOf(NotFoundException)
    await expect(missing).rejects.toMatchObject({message: 'Invalid API identifier specified 000000000000:nope123456', $metadata: {httpStatusCode: 404}})
    const api = await restApi('regional')
    const other = new APIGatewayClient({endpoint: t.emulator.url, region: 'eu-west-1', credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, maxAttempts: 1})
    await expect(other.send(new GetRestApiCommand({restApiId: api.id}))).rejects.toBeInstanceOf(NotFoundException)
    other.destroy()
  })
})

describe('resources', () => {
  test('children get their full path; GetResources embeds methods only when asked', async () => {
    const api = await wiredApi()
    const item = await client.send(new GetResourceCommand({restApiId: api.id, resourceId: api.item}))
    expect(item).toMatchObject({id: api.item, parentId: api.orders, pathPart: '{id}', path: '/orders/{id}'})
    expect(item.resourceMethods).toEqual({GET: {}})

    const embedded = await client.send(new GetResourcesCommand({restApiId: api.id, embed: ['methods']}))
    const withMethod = embedded.items!.find((r) => r.path === '/orders/{id}')!
    expect(withMethod.resourceMethods!.GET).toMatchObject({
      httpMethod: 'GET',
      authorizationType: 'NONE',
      apiKeyRequired: false,
      methodIntegration: {type: 'AWS_PROXY', httpMethod: 'POST', uri: URI, timeoutInMillis: 29000, passthroughBehavior: 'WHEN_NO_MATCH'},
    })
    expect(embedded.items!.map((r) => r.path).sort()).toEqual(['/', '/orders', '/orders/{id}'])
  })

  test('GetResources pages with position', async () => {
    const api = await restApi()
    for (const part of ['a', 'b', 'c']) await client.send(new CreateResourceCommand({restApiId: api.id, parentId: api.root, pathPart: part}))
    const first = await client.send(new GetResourcesCommand({restApiId: api.id, limit: 2}))
    expect(first.items).toHaveLength(2)
    const second = await client.send(new GetResourcesCommand({restApiId: api.id, limit: 2, position: first.position}))
    expect([...first.items!, ...second.items!].map((r) => r.path).sort()).toEqual(['/', '/a', '/b', '/c'])
    expect(second.position).toBeUndefined()
  })

  test('a duplicate path part is a ConflictException; a second variable sibling and a child of a greedy resource are refused', async () => {
    const api = await wiredApi()
    await expect(client.send(new CreateResourceCommand({restApiId: api.id, parentId: api.root, pathPart: 'orders'}))).rejects.toMatchObject({
      name: 'ConflictException',
      message: 'Another resource with the same parent already has this name: orders',
    })
    await expect(client.send(new CreateResourceCommand({restApiId: api.id, parentId: api.orders, pathPart: '{orderId}'}))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: 'A sibling ({id}) of this resource already has a variable path part -- only one is allowed',
    })
    const proxy = await client.send(new CreateResourceCommand({restApiId: api.id, parentId: api.root, pathPart: '{proxy+}'}))
    await expect(client.send(new CreateResourceCommand({restApiId: api.id, parentId: proxy.id!, pathPart: 'x'}))).rejects.toBeInstanceOf(BadRequestException)
    await expect(client.send(new CreateResourceCommand({restApiId: api.id, parentId: api.root, pathPart: 'a b'}))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining("Resource's path part only allow"),
    })
    await expect(client.send(new CreateResourceCommand({restApiId: api.id, parentId: 'missing', pathPart: 'x'}))).rejects.toBeInstanceOf(NotFoundException)
  })

  test('DeleteResource removes the subtree (202); the root cannot be deleted', async () => {
    const api = await wiredApi()
    const deleted = await client.send(new DeleteResourceCommand({restApiId: api.id, resourceId: api.orders}))
    expect(deleted.$metadata.httpStatusCode).toBe(202)
    const left = await client.send(new GetResourcesCommand({restApiId: api.id}))
    expect(left.items!.map((r) => r.path)).toEqual(['/'])
    await expect(client.send(new GetResourceCommand({restApiId: api.id, resourceId: api.item}))).rejects.toBeInstanceOf(NotFoundException)
    await expect(client.send(new DeleteResourceCommand({restApiId: api.id, resourceId: api.root}))).rejects.toBeInstanceOf(BadRequestException)
  })
})

describe('methods and integrations', () => {
  test('PutMethod refuses an existing method; ANY is a method; unknown verbs and authorization types are refused', async () => {
    const api = await wiredApi()
    await expect(client.send(new PutMethodCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET', authorizationType: 'NONE'}))).rejects.toMatchObject({
      name: 'ConflictException',
      message: 'Method already exists for this resource',
    })
    const any = await client.send(new PutMethodCommand({restApiId: api.id, resourceId: api.orders, httpMethod: 'ANY', authorizationType: 'NONE'}))
    expect(any.$metadata.httpStatusCode).toBe(201)
    expect(any).toMatchObject({httpMethod: 'ANY', authorizationType: 'NONE', apiKeyRequired: false})
    await expect(client.send(new PutMethodCommand({restApiId: api.id, resourceId: api.orders, httpMethod: 'FETCH', authorizationType: 'NONE'}))).rejects.toBeInstanceOf(BadRequestException)
    await expect(client.send(new PutMethodCommand({restApiId: api.id, resourceId: api.orders, httpMethod: 'POST', authorizationType: 'MAGIC'}))).rejects.toBeInstanceOf(BadRequestException)
    await expect(client.send(new PutMethodCommand({restApiId: api.id, resourceId: api.orders, httpMethod: 'POST', authorizationType: 'CUSTOM'}))).rejects.toBeInstanceOf(BadRequestException)
  })

  test('get and delete a method and its integration', async () => {
    const api = await wiredApi()
    const method = await client.send(new GetMethodCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET'}))
    expect(method.methodIntegration?.uri).toBe(URI)
    const integration = await client.send(new GetIntegrationCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET'}))
    expect(integration).toMatchObject({type: 'AWS_PROXY', httpMethod: 'POST', uri: URI, connectionType: 'INTERNET', cacheNamespace: api.item})
    await client.send(new DeleteIntegrationCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET'}))
    await expect(client.send(new GetIntegrationCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET'}))).rejects.toBeInstanceOf(NotFoundException)
    const gone = await client.send(new DeleteMethodCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET'}))
    expect(gone.$metadata.httpStatusCode).toBe(204)
    await expect(client.send(new GetMethodCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET'}))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Invalid Method identifier specified',
    })
  })

  test('PutIntegration replaces the integration; AWS_PROXY needs the integration method and a Lambda invocation URI', async () => {
    const api = await wiredApi()
    const other = URI.replace('orders-get', 'orders-other')
    await client.send(new PutIntegrationCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: other}))
    expect((await client.send(new GetIntegrationCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET'}))).uri).toBe(other)
    const put = (input: Record<string, unknown>) =>
      client.send(new PutIntegrationCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET', type: 'AWS_PROXY', ...input}))
    await expect(put({uri: URI})).rejects.toMatchObject({name: 'BadRequestException', message: 'Enumeration value for HttpMethod must be non-empty'})
    await expect(put({integrationHttpMethod: 'POST', uri: FUNCTION_ARN})).rejects.toMatchObject({name: 'BadRequestException', message: 'AWS ARN for integration must contain path or action'})
    await expect(put({integrationHttpMethod: 'POST', uri: URI, timeoutInMillis: 30000})).rejects.toBeInstanceOf(BadRequestException)
    await expect(client.send(new PutIntegrationCommand({restApiId: api.id, resourceId: api.orders, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: URI}))).rejects.toBeInstanceOf(
      NotFoundException,
    )
  })
})

describe('deployments and stages', () => {
  test('a deployment needs methods, each with an integration', async () => {
    const empty = await restApi()
    await expect(client.send(new CreateDeploymentCommand({restApiId: empty.id}))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: "The REST API doesn't contain any methods",
    })
    const api = await wiredApi()
    await client.send(new PutMethodCommand({restApiId: api.id, resourceId: api.orders, httpMethod: 'POST', authorizationType: 'NONE'}))
    await expect(client.send(new CreateDeploymentCommand({restApiId: api.id}))).rejects.toMatchObject({name: 'BadRequestException', message: 'No integration defined for method'})
  })

  test('create a deployment and a traced stage on it; list, get (with its API summary) and update them', async () => {
    const api = await wiredApi()
    const deployment = await client.send(new CreateDeploymentCommand({restApiId: api.id, description: 'tracegate routes 0123456789abcdef'}))
    expect(deployment.$metadata.httpStatusCode).toBe(201)
    expect(deployment).toMatchObject({id: expect.stringMatching(/^[a-z0-9]{6}$/), description: 'tracegate routes 0123456789abcdef'})
    expect(deployment.createdDate).toBeInstanceOf(Date)
    const summary = await client.send(new GetDeploymentCommand({restApiId: api.id, deploymentId: deployment.id, embed: ['apisummary']}))
    expect(summary.apiSummary).toEqual({'/orders/{id}': {GET: {authorizationType: 'NONE', apiKeyRequired: false}}})
    const listed = await client.send(new GetDeploymentsCommand({restApiId: api.id}))
    expect(listed.items!.map((d) => d.id)).toEqual([deployment.id])

    const stage = await client.send(
      new CreateStageCommand({restApiId: api.id, stageName: 'prod', deploymentId: deployment.id, tracingEnabled: true, tags: {'tracegate:project': 'orders'}}),
    )
    expect(stage.$metadata.httpStatusCode).toBe(201)
    expect(stage).toMatchObject({stageName: 'prod', deploymentId: deployment.id, tracingEnabled: true, cacheClusterEnabled: false, tags: {'tracegate:project': 'orders'}})
    expect(stage.createdDate).toBeInstanceOf(Date)
    await expect(client.send(new CreateStageCommand({restApiId: api.id, stageName: 'prod', deploymentId: deployment.id}))).rejects.toMatchObject({
      name: 'ConflictException',
      message: 'Stage already exists',
    })
    await expect(client.send(new CreateStageCommand({restApiId: api.id, stageName: 'dev', deploymentId: 'nope00'}))).rejects.toBeInstanceOf(NotFoundException)
    expect((await client.send(new GetStagesCommand({restApiId: api.id}))).item!.map((s) => s.stageName)).toEqual(['prod'])

    // Patch operations: tracing off, a new deployment, a variable, stage-wide throttling.
    const second = await client.send(new CreateDeploymentCommand({restApiId: api.id}))
    const updated = await client.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: 'prod',
        patchOperations: [
          {op: 'replace', path: '/tracingEnabled', value: 'false'},
          {op: 'replace', path: '/deploymentId', value: second.id},
          {op: 'replace', path: '/variables/table', value: 'orders'},
          {op: 'replace', path: '/*/*/throttling/burstLimit', value: '5'},
          {op: 'replace', path: '/*/*/throttling/rateLimit', value: '2.5'},
        ],
      }),
    )
    expect(updated).toMatchObject({tracingEnabled: false, deploymentId: second.id, variables: {table: 'orders'}})
    expect(updated.methodSettings!['*/*']).toMatchObject({throttlingBurstLimit: 5, throttlingRateLimit: 2.5, metricsEnabled: false})
    expect(await client.send(new GetStageCommand({restApiId: api.id, stageName: 'prod'}))).toMatchObject({tracingEnabled: false, deploymentId: second.id})
    await expect(
      client.send(new UpdateStageCommand({restApiId: api.id, stageName: 'prod', patchOperations: [{op: 'replace', path: '/nonsense', value: 'x'}]})),
    ).rejects.toBeInstanceOf(BadRequestException)
    await expect(
      client.send(new UpdateStageCommand({restApiId: api.id, stageName: 'prod', patchOperations: [{op: 'replace', path: '/deploymentId', value: 'nope00'}]})),
    ).rejects.toBeInstanceOf(NotFoundException)

    // A deployment in use cannot be deleted; once the stage is gone it can.
    await expect(client.send(new DeleteDeploymentCommand({restApiId: api.id, deploymentId: second.id}))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: 'Active stages pointing to this deployment must be moved or deleted',
    })
    expect((await client.send(new DeleteDeploymentCommand({restApiId: api.id, deploymentId: deployment.id}))).$metadata.httpStatusCode).toBe(202)
    expect((await client.send(new DeleteStageCommand({restApiId: api.id, stageName: 'prod'}))).$metadata.httpStatusCode).toBe(202)
    await expect(client.send(new GetStageCommand({restApiId: api.id, stageName: 'prod'}))).rejects.toBeInstanceOf(NotFoundException)
    await client.send(new DeleteDeploymentCommand({restApiId: api.id, deploymentId: second.id}))
  })

  test('CreateDeployment with a stage name creates the stage, or moves it to the new deployment', async () => {
    const api = await wiredApi()
    const first = await client.send(new CreateDeploymentCommand({restApiId: api.id, stageName: 'dev', tracingEnabled: true}))
    expect(await client.send(new GetStageCommand({restApiId: api.id, stageName: 'dev'}))).toMatchObject({deploymentId: first.id, tracingEnabled: true})
    const second = await client.send(new CreateDeploymentCommand({restApiId: api.id, stageName: 'dev'}))
    expect(await client.send(new GetStageCommand({restApiId: api.id, stageName: 'dev'}))).toMatchObject({deploymentId: second.id, tracingEnabled: true})
  })

  test('a stage name with a space is refused', async () => {
    const api = await wiredApi()
    const deployment = await client.send(new CreateDeploymentCommand({restApiId: api.id}))
    await expect(client.send(new CreateStageCommand({restApiId: api.id, stageName: 'my stage', deploymentId: deployment.id}))).rejects.toBeInstanceOf(BadRequestException)
  })
})

describe('tags', () => {
  test('tag, read and untag a REST API and a stage by ARN', async () => {
    const api = await wiredApi()
    await client.send(new CreateDeploymentCommand({restApiId: api.id, stageName: 'prod'}))
    const arn = `arn:aws:apigateway:${REGION}::/restapis/${api.id}`
    const tagged = await client.send(new TagResourceCommand({resourceArn: arn, tags: {team: 'orders', env: 'dev'}}))
    expect(tagged.$metadata.httpStatusCode).toBe(204)
    expect((await client.send(new GetTagsCommand({resourceArn: arn}))).tags).toEqual({team: 'orders', env: 'dev'})
    await client.send(new UntagResourceCommand({resourceArn: arn, tagKeys: ['env']}))
    expect((await client.send(new GetRestApiCommand({restApiId: api.id}))).tags).toEqual({team: 'orders'})

    const stageArn = `${arn}/stages/prod`
    await client.send(new TagResourceCommand({resourceArn: stageArn, tags: {tier: 'gold'}}))
    expect((await client.send(new GetStageCommand({restApiId: api.id, stageName: 'prod'}))).tags).toEqual({tier: 'gold'})
    await expect(client.send(new GetTagsCommand({resourceArn: 'arn:aws:s3:::bucket'}))).rejects.toBeInstanceOf(BadRequestException)
    await expect(client.send(new GetTagsCommand({resourceArn: `arn:aws:apigateway:${REGION}::/restapis/nope123456`}))).rejects.toBeInstanceOf(NotFoundException)
  })
})

describe('state', () => {
  test('REST APIs survive a restart of the emulator on the same data directory', async () => {
    const own = await startTestEmulator()
    const c = new APIGatewayClient({endpoint: own.emulator.url, region: REGION, credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, maxAttempts: 1})
    const api = await c.send(new CreateRestApiCommand({name: 'persist'}))
    c.destroy()
    await own.emulator.close()
    const again = await startTestEmulator({dataDir: own.dataDir})
    const c2 = new APIGatewayClient({endpoint: again.emulator.url, region: REGION, credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, maxAttempts: 1})
    expect((await c2.send(new GetRestApiCommand({restApiId: api.id}))).name).toBe('persist')
    c2.destroy()
    await again.stop()
  })

  test('ConflictException and BadRequestException are the SDK classes (x-amzn-ErrorType)', async () => {
    const api = await wiredApi()
    const error = await client.send(new PutMethodCommand({restApiId: api.id, resourceId: api.item, httpMethod: 'GET', authorizationType: 'NONE'})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictException)
    expect((error as ConflictException).$metadata.httpStatusCode).toBe(409)
  })
})
