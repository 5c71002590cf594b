import {
  BadRequestException,
  ConflictException,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  NotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:orders-get'

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

async function createApi(name = 'orders') {
  return t.clients.apigw.send(new CreateApiCommand({Name: name, ProtocolType: 'HTTP'}))
}

describe('APIs', () => {
  test('create, get, update, list and delete an HTTP API', async () => {
    const created = await t.clients.apigw.send(
      new CreateApiCommand({Name: 'orders', ProtocolType: 'HTTP', Description: 'd', Tags: {'tracegate:project': 'orders'}}),
    )
    expect(created.$metadata.httpStatusCode).toBe(201)
    expect(created.ApiId).toMatch(/^[a-z0-9]{10}$/)
    expect(created).toMatchObject({
      Name: 'orders',
      ProtocolType: 'HTTP',
      Description: 'd',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: API Gateway's literal selection expression
      RouteSelectionExpression: '${request.method} ${request.path}',
      ApiKeySelectionExpression: '$request.header.x-api-key',
      DisableExecuteApiEndpoint: false,
      Tags: {'tracegate:project': 'orders'},
      ApiEndpoint: `${t.emulator.url}/_aws/execute-api/${created.ApiId}`,
    })
    expect(created.CreatedDate).toBeInstanceOf(Date)

    const got = await t.clients.apigw.send(new GetApiCommand({ApiId: created.ApiId}))
    expect(got).toMatchObject({ApiId: created.ApiId, Name: 'orders', ApiEndpoint: created.ApiEndpoint})

    const updated = await t.clients.apigw.send(new UpdateApiCommand({ApiId: created.ApiId, Name: 'orders-v2'}))
    expect(updated).toMatchObject({Name: 'orders-v2', Description: 'd', ProtocolType: 'HTTP'})

    const listed = await t.clients.apigw.send(new GetApisCommand({}))
    expect(listed.Items?.map((a) => a.ApiId)).toContain(created.ApiId)

    const deleted = await t.clients.apigw.send(new DeleteApiCommand({ApiId: created.ApiId}))
    expect(deleted.$metadata.httpStatusCode).toBe(204)
    await expect(t.clients.apigw.send(new GetApiCommand({ApiId: created.ApiId}))).rejects.toBeInstanceOf(NotFoundException)
  })

  test('an unknown API is NotFoundException with AWS message and resourceType', async () => {
    const error = await t.clients.apigw.send(new GetApiCommand({ApiId: 'zzzzzzzzzz'})).catch((e) => e)
    expect(error).toBeInstanceOf(NotFoundException)
    expect(error.message).toBe('Invalid API identifier specified 000000000000:zzzzzzzzzz')
    expect(error.ResourceType).toBe('Api')
    expect(error.$metadata.httpStatusCode).toBe(404)
  })

  test('APIs are regional: another region neither lists nor finds them', async () => {
    const api = await createApi('regional')
    const {clientsFor} = await import('./helpers.js')
    const west = clientsFor(t.emulator.url, 'eu-west-1').apigw
    await expect(west.send(new GetApiCommand({ApiId: api.ApiId}))).rejects.toBeInstanceOf(NotFoundException)
    expect((await west.send(new GetApisCommand({}))).Items?.map((a) => a.ApiId)).not.toContain(api.ApiId)
    west.destroy()
  })

  test('an invalid protocol type is BadRequestException', async () => {
    const error = await t.clients.apigw
      .send(new CreateApiCommand({Name: 'x', ProtocolType: 'REST' as 'HTTP'}))
      .catch((e) => e)
    expect(error).toBeInstanceOf(BadRequestException)
    expect(error.message).toBe('Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]')
  })

  test('GetApis pages with MaxResults and NextToken', async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 5; i++) ids.add((await createApi(`page-${i}`)).ApiId!)
    const seen: string[] = []
    let token: string | undefined
    do {
      const page = await t.clients.apigw.send(new GetApisCommand({MaxResults: '2', NextToken: token}))
      expect(page.Items!.length).toBeLessThanOrEqual(2)
      seen.push(...page.Items!.map((a) => a.ApiId!))
      token = page.NextToken
    } while (token)
    expect([...ids].every((id) => seen.includes(id))).toBe(true)
    expect(new Set(seen).size).toBe(seen.length)
  })

  test('quick create makes the integration, the $default route and an auto-deployed $default stage', async () => {
    const api = await t.clients.apigw.send(new CreateApiCommand({Name: 'quick', ProtocolType: 'HTTP', Target: FUNCTION_ARN}))
    const integrations = await t.clients.apigw.send(new GetIntegrationsCommand({ApiId: api.ApiId}))
    expect(integrations.Items).toHaveLength(1)
    expect(integrations.Items![0]).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: FUNCTION_ARN,
      PayloadFormatVersion: '2.0',
      ApiGatewayManaged: true,
    })
    const routes = await t.clients.apigw.send(new GetRoutesCommand({ApiId: api.ApiId}))
    expect(routes.Items).toEqual([
      expect.objectContaining({RouteKey: '$default', Target: `integrations/${integrations.Items![0].IntegrationId}`}),
    ])
    const stage = await t.clients.apigw.send(new GetStageCommand({ApiId: api.ApiId, StageName: '$default'}))
    expect(stage).toMatchObject({StageName: '$default', AutoDeploy: true, ApiGatewayManaged: true})
  })
})

describe('integrations, routes and stages', () => {
  test('integration create, get, list, update and delete', async () => {
    const api = await createApi()
    const created = await t.clients.apigw.send(
      new CreateIntegrationCommand({
        ApiId: api.ApiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '2.0',
      }),
    )
    expect(created.$metadata.httpStatusCode).toBe(201)
    expect(created).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: FUNCTION_ARN,
      IntegrationMethod: 'POST',
      PayloadFormatVersion: '2.0',
      TimeoutInMillis: 30000,
      ConnectionType: 'INTERNET',
    })
    const id = created.IntegrationId!
    expect(await t.clients.apigw.send(new GetIntegrationCommand({ApiId: api.ApiId, IntegrationId: id}))).toMatchObject({
      IntegrationId: id,
    })
    const updated = await t.clients.apigw.send(
      new UpdateIntegrationCommand({ApiId: api.ApiId, IntegrationId: id, TimeoutInMillis: 5000, PayloadFormatVersion: '1.0'}),
    )
    expect(updated).toMatchObject({TimeoutInMillis: 5000, PayloadFormatVersion: '1.0', IntegrationUri: FUNCTION_ARN})
    expect((await t.clients.apigw.send(new GetIntegrationsCommand({ApiId: api.ApiId}))).Items).toHaveLength(1)
    await t.clients.apigw.send(new DeleteIntegrationCommand({ApiId: api.ApiId, IntegrationId: id}))
    const error = await t.clients.apigw.send(new GetIntegrationCommand({ApiId: api.ApiId, IntegrationId: id})).catch((e) => e)
    expect(error).toBeInstanceOf(NotFoundException)
    expect(error.message).toBe(`Invalid Integration identifier specified ${id}`)
  })

  test('integration validation: payload format required for Lambda proxy, timeout at most 30 s', async () => {
    const api = await createApi()
    await expect(
      t.clients.apigw.send(new CreateIntegrationCommand({ApiId: api.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN})),
    ).rejects.toBeInstanceOf(BadRequestException)
    await expect(
      t.clients.apigw.send(
        new CreateIntegrationCommand({
          ApiId: api.ApiId,
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: FUNCTION_ARN,
          PayloadFormatVersion: '2.0',
          TimeoutInMillis: 30001,
        }),
      ),
    ).rejects.toMatchObject({name: 'BadRequestException', message: 'Timeout must be between 50 milliseconds and 30000 milliseconds.'})
    await expect(
      t.clients.apigw.send(new CreateIntegrationCommand({ApiId: 'nope', IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x'})),
    ).rejects.toBeInstanceOf(NotFoundException)
  })

  test('route create, get, list, update and delete; a duplicate route key is ConflictException', async () => {
    const api = await createApi()
    const integration = await t.clients.apigw.send(
      new CreateIntegrationCommand({ApiId: api.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN, PayloadFormatVersion: '2.0'}),
    )
    const target = `integrations/${integration.IntegrationId}`
    const route = await t.clients.apigw.send(new CreateRouteCommand({ApiId: api.ApiId, RouteKey: 'GET /orders/{id}', Target: target}))
    expect(route.$metadata.httpStatusCode).toBe(201)
    expect(route).toMatchObject({RouteKey: 'GET /orders/{id}', Target: target, AuthorizationType: 'NONE', ApiKeyRequired: false})
    expect(route.RouteId).toMatch(/^[a-z0-9]{7}$/)

    const duplicate = await t.clients.apigw
      .send(new CreateRouteCommand({ApiId: api.ApiId, RouteKey: 'GET /orders/{id}', Target: target}))
      .catch((e) => e)
    expect(duplicate).toBeInstanceOf(ConflictException)
    expect(duplicate.$metadata.httpStatusCode).toBe(409)

    const other = await t.clients.apigw.send(new CreateRouteCommand({ApiId: api.ApiId, RouteKey: 'POST /orders', Target: target}))
    await expect(
      t.clients.apigw.send(new UpdateRouteCommand({ApiId: api.ApiId, RouteId: other.RouteId, RouteKey: 'GET /orders/{id}'})),
    ).rejects.toBeInstanceOf(ConflictException)
    const renamed = await t.clients.apigw.send(new UpdateRouteCommand({ApiId: api.ApiId, RouteId: other.RouteId, RouteKey: 'PUT /orders'}))
    expect(renamed.RouteKey).toBe('PUT /orders')

    expect(await t.clients.apigw.send(new GetRouteCommand({ApiId: api.ApiId, RouteId: route.RouteId}))).toMatchObject({
      RouteKey: 'GET /orders/{id}',
    })
    const list = await t.clients.apigw.send(new GetRoutesCommand({ApiId: api.ApiId, MaxResults: '1'}))
    expect(list.Items).toHaveLength(1)
    expect(list.NextToken).toBeTypeOf('string')
    const rest = await t.clients.apigw.send(new GetRoutesCommand({ApiId: api.ApiId, NextToken: list.NextToken}))
    expect([...list.Items!, ...rest.Items!].map((r) => r.RouteKey).sort()).toEqual(['GET /orders/{id}', 'PUT /orders'])

    await t.clients.apigw.send(new DeleteRouteCommand({ApiId: api.ApiId, RouteId: route.RouteId}))
    await expect(t.clients.apigw.send(new GetRouteCommand({ApiId: api.ApiId, RouteId: route.RouteId}))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: `Invalid Route identifier specified ${route.RouteId}`,
    })
  })

  test('invalid route keys and dangling targets are BadRequestException', async () => {
    const api = await createApi()
    await expect(t.clients.apigw.send(new CreateRouteCommand({ApiId: api.ApiId, RouteKey: 'GETT /x'}))).rejects.toBeInstanceOf(
      BadRequestException,
    )
    await expect(t.clients.apigw.send(new CreateRouteCommand({ApiId: api.ApiId, RouteKey: 'get /x'}))).rejects.toBeInstanceOf(
      BadRequestException,
    )
    await expect(
      t.clients.apigw.send(new CreateRouteCommand({ApiId: api.ApiId, RouteKey: 'GET /x', Target: 'integrations/missing'})),
    ).rejects.toBeInstanceOf(BadRequestException)
  })

  test('stage create, get, list, update and delete; a duplicate stage is ConflictException', async () => {
    const api = await createApi()
    const stage = await t.clients.apigw.send(
      new CreateStageCommand({ApiId: api.ApiId, StageName: 'prod', AutoDeploy: true, StageVariables: {table: 'orders'}}),
    )
    expect(stage.$metadata.httpStatusCode).toBe(201)
    expect(stage).toMatchObject({StageName: 'prod', AutoDeploy: true, StageVariables: {table: 'orders'}})
    expect(stage.CreatedDate).toBeInstanceOf(Date)
    await expect(t.clients.apigw.send(new CreateStageCommand({ApiId: api.ApiId, StageName: 'prod'}))).rejects.toBeInstanceOf(
      ConflictException,
    )
    const updated = await t.clients.apigw.send(
      new UpdateStageCommand({ApiId: api.ApiId, StageName: 'prod', DefaultRouteSettings: {ThrottlingBurstLimit: 5, ThrottlingRateLimit: 10}}),
    )
    expect(updated.DefaultRouteSettings).toMatchObject({ThrottlingBurstLimit: 5, ThrottlingRateLimit: 10})
    await t.clients.apigw.send(new CreateStageCommand({ApiId: api.ApiId, StageName: '$default'}))
    const stages = await t.clients.apigw.send(new GetStagesCommand({ApiId: api.ApiId}))
    expect(stages.Items?.map((s) => s.StageName)).toEqual(['prod', '$default'])
    await t.clients.apigw.send(new DeleteStageCommand({ApiId: api.ApiId, StageName: '$default'}))
    await expect(t.clients.apigw.send(new GetStageCommand({ApiId: api.ApiId, StageName: '$default'}))).rejects.toMatchObject({
      name: 'NotFoundException',
      ResourceType: 'Stage',
    })
  })

  test('deleting an API deletes its integrations, routes and stages', async () => {
    const api = await t.clients.apigw.send(new CreateApiCommand({Name: 'gone', ProtocolType: 'HTTP', Target: FUNCTION_ARN}))
    await t.clients.apigw.send(new DeleteApiCommand({ApiId: api.ApiId}))
    expect(t.emulator.store.allChildren('routes', api.ApiId!)).toEqual([])
    expect(t.emulator.store.allChildren('integrations', api.ApiId!)).toEqual([])
    expect(t.emulator.store.allChildren('stages', api.ApiId!)).toEqual([])
  })
})

describe('tags', () => {
  test('TagResource, GetTags and UntagResource on an API and on a stage', async () => {
    const api = await createApi()
    const apiArn = `arn:aws:apigateway:us-east-1::/apis/${api.ApiId}`
    const tagged = await t.clients.apigw.send(new TagResourceCommand({ResourceArn: apiArn, Tags: {a: '1', b: '2'}}))
    expect(tagged.$metadata.httpStatusCode).toBe(201)
    expect((await t.clients.apigw.send(new GetTagsCommand({ResourceArn: apiArn}))).Tags).toEqual({a: '1', b: '2'})
    await t.clients.apigw.send(new UntagResourceCommand({ResourceArn: apiArn, TagKeys: ['a']}))
    expect((await t.clients.apigw.send(new GetApiCommand({ApiId: api.ApiId}))).Tags).toEqual({b: '2'})

    await t.clients.apigw.send(new CreateStageCommand({ApiId: api.ApiId, StageName: 'dev'}))
    const stageArn = `${apiArn}/stages/dev`
    await t.clients.apigw.send(new TagResourceCommand({ResourceArn: stageArn, Tags: {s: 'x'}}))
    expect((await t.clients.apigw.send(new GetTagsCommand({ResourceArn: stageArn}))).Tags).toEqual({s: 'x'})
    await expect(
      t.clients.apigw.send(new GetTagsCommand({ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/missing0000'})),
    ).rejects.toBeInstanceOf(NotFoundException)
  })
})
