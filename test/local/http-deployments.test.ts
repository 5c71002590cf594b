/**
 * HTTP API deployments on the emulator, driven by the real `@aws-sdk/client-apigatewayv2`: a stage serves its
 * deployment (a snapshot of the routes and integrations), an auto-deploy stage is redeployed on every change, and a
 * stage that was never deployed serves nothing.
 */
import {
  BadRequestException,
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteRouteCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetStageCommand,
  NotFoundException,
  UpdateDeploymentCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {call, createFunction, grant, HELLO_SOURCE} from './dataplane/helpers.js'
import {startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
let functionArn: string

beforeAll(async () => {
  t = await startTestEmulator()
  functionArn = (await createFunction(t, {source: HELLO_SOURCE})).arn
})
afterAll(async () => {
  await t.stop()
})

/** An API with one Lambda integration, granted to API Gateway; routes are added by the tests. */
async function apiWithIntegration(): Promise<{apiId: string; endpoint: string; integrationId: string}> {
  const api = await t.clients.apigw.send(new CreateApiCommand({Name: 'deployments', ProtocolType: 'HTTP'}))
  const integration = await t.clients.apigw.send(
    new CreateIntegrationCommand({ApiId: api.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: functionArn, PayloadFormatVersion: '2.0'}),
  )
  await grant(t, functionArn, api.ApiId!)
  return {apiId: api.ApiId!, endpoint: api.ApiEndpoint!, integrationId: integration.IntegrationId!}
}

async function route(apiId: string, integrationId: string, routeKey: string): Promise<string> {
  const created = await t.clients.apigw.send(new CreateRouteCommand({ApiId: apiId, RouteKey: routeKey, Target: `integrations/${integrationId}`}))
  return created.RouteId!
}

const NOT_FOUND = {status: 404, body: '{"message":"Not Found"}'}
const statusAndBody = async (url: string) => {
  const answer = await call(url)
  return {status: answer.status, body: answer.body}
}

describe('a stage without auto-deploy', () => {
  test('serves nothing until deployed, then the deployment: later route changes wait for the next one', async () => {
    const {apiId, endpoint, integrationId} = await apiWithIntegration()
    await route(apiId, integrationId, 'GET /a')
    await t.clients.apigw.send(new CreateStageCommand({ApiId: apiId, StageName: 'prod'}))
    expect(await statusAndBody(`${endpoint}/prod/a`)).toEqual(NOT_FOUND)

    const first = await t.clients.apigw.send(new CreateDeploymentCommand({ApiId: apiId, StageName: 'prod', Description: 'v1'}))
    expect(first.$metadata.httpStatusCode).toBe(201)
    expect(first).toMatchObject({DeploymentId: expect.any(String), DeploymentStatus: 'DEPLOYED', AutoDeployed: false, Description: 'v1'})
    expect((await t.clients.apigw.send(new GetStageCommand({ApiId: apiId, StageName: 'prod'}))).DeploymentId).toBe(first.DeploymentId)
    expect(await statusAndBody(`${endpoint}/prod/a`)).toEqual({status: 200, body: 'hello'})

    const b = await route(apiId, integrationId, 'GET /b')
    expect(await statusAndBody(`${endpoint}/prod/b`)).toEqual(NOT_FOUND)
    await t.clients.apigw.send(new DeleteRouteCommand({ApiId: apiId, RouteId: b}))
    await route(apiId, integrationId, 'GET /c')
    // Deployed separately, then pointed at with UpdateStage.
    const second = await t.clients.apigw.send(new CreateDeploymentCommand({ApiId: apiId}))
    expect((await statusAndBody(`${endpoint}/prod/c`)).status).toBe(404)
    await t.clients.apigw.send(new UpdateStageCommand({ApiId: apiId, StageName: 'prod', DeploymentId: second.DeploymentId}))
    expect(await statusAndBody(`${endpoint}/prod/c`)).toEqual({status: 200, body: 'hello'})
    expect((await statusAndBody(`${endpoint}/prod/b`)).status).toBe(404)

    // Rolling back is pointing the stage at the first deployment again.
    await t.clients.apigw.send(new UpdateStageCommand({ApiId: apiId, StageName: 'prod', DeploymentId: first.DeploymentId}))
    expect((await statusAndBody(`${endpoint}/prod/c`)).status).toBe(404)
    expect((await statusAndBody(`${endpoint}/prod/a`)).status).toBe(200)

    const listed = await t.clients.apigw.send(new GetDeploymentsCommand({ApiId: apiId}))
    expect(listed.Items?.map((d) => d.DeploymentId)).toEqual([first.DeploymentId, second.DeploymentId])
    const described = await t.clients.apigw.send(new UpdateDeploymentCommand({ApiId: apiId, DeploymentId: second.DeploymentId, Description: 'v2'}))
    expect(described.Description).toBe('v2')
    expect((await t.clients.apigw.send(new GetDeploymentCommand({ApiId: apiId, DeploymentId: second.DeploymentId}))).Description).toBe('v2')
  })

  test('a deployment a stage serves cannot be deleted; a missing deployment or stage is NotFoundException', async () => {
    const {apiId, integrationId} = await apiWithIntegration()
    await route(apiId, integrationId, 'GET /a')
    await t.clients.apigw.send(new CreateStageCommand({ApiId: apiId, StageName: 'prod'}))
    const served = await t.clients.apigw.send(new CreateDeploymentCommand({ApiId: apiId, StageName: 'prod'}))
    const refused = await t.clients.apigw.send(new DeleteDeploymentCommand({ApiId: apiId, DeploymentId: served.DeploymentId})).catch((e) => e)
    expect(refused).toBeInstanceOf(BadRequestException)
    expect(refused.message).toBe('Active stages pointing to this deployment must be moved or deleted')
    const spare = await t.clients.apigw.send(new CreateDeploymentCommand({ApiId: apiId}))
    expect((await t.clients.apigw.send(new DeleteDeploymentCommand({ApiId: apiId, DeploymentId: spare.DeploymentId}))).$metadata.httpStatusCode).toBe(204)
    const gone = await t.clients.apigw.send(new GetDeploymentCommand({ApiId: apiId, DeploymentId: spare.DeploymentId})).catch((e) => e)
    expect(gone).toBeInstanceOf(NotFoundException)
    expect(gone.message).toBe(`Invalid Deployment identifier specified ${spare.DeploymentId}`)
    await expect(t.clients.apigw.send(new CreateDeploymentCommand({ApiId: apiId, StageName: 'nope'}))).rejects.toBeInstanceOf(NotFoundException)
    await expect(t.clients.apigw.send(new UpdateStageCommand({ApiId: apiId, StageName: 'prod', DeploymentId: 'nope99'}))).rejects.toBeInstanceOf(NotFoundException)
  })
})

describe('an auto-deploy stage', () => {
  test('is deployed when created and after every change, and serves the change at once', async () => {
    const {apiId, endpoint, integrationId} = await apiWithIntegration()
    await route(apiId, integrationId, 'GET /a')
    const stage = await t.clients.apigw.send(new CreateStageCommand({ApiId: apiId, StageName: '$default', AutoDeploy: true}))
    expect(stage.DeploymentId).toEqual(expect.any(String))
    expect(stage.LastDeploymentStatusMessage).toBe(`Successfully deployed stage with deployment ID '${stage.DeploymentId}'`)
    expect((await statusAndBody(`${endpoint}/a`)).status).toBe(200)

    await route(apiId, integrationId, 'GET /b')
    expect((await statusAndBody(`${endpoint}/b`)).status).toBe(200)
    const now = await t.clients.apigw.send(new GetStageCommand({ApiId: apiId, StageName: '$default'}))
    expect(now.DeploymentId).not.toBe(stage.DeploymentId)
    const deployments = (await t.clients.apigw.send(new GetDeploymentsCommand({ApiId: apiId}))).Items ?? []
    expect(deployments.map((d) => [d.AutoDeployed, d.Description])).toEqual([
      [true, 'Automatic deployment triggered by changes to the Api configuration'],
      [true, 'Automatic deployment triggered by changes to the Api configuration'],
    ])
    // Its deployments are its own business.
    const manual = await t.clients.apigw.send(new CreateDeploymentCommand({ApiId: apiId, StageName: '$default'})).catch((e) => e)
    expect(manual).toBeInstanceOf(BadRequestException)
    const pinned = await t.clients.apigw.send(new UpdateStageCommand({ApiId: apiId, StageName: '$default', DeploymentId: stage.DeploymentId})).catch((e) => e)
    expect(pinned).toBeInstanceOf(BadRequestException)
  })

  test('turning auto-deploy on deploys the current routes; quick create deploys its $default stage', async () => {
    const {apiId, endpoint, integrationId} = await apiWithIntegration()
    await route(apiId, integrationId, 'GET /a')
    await t.clients.apigw.send(new CreateStageCommand({ApiId: apiId, StageName: 'dev'}))
    expect((await statusAndBody(`${endpoint}/dev/a`)).status).toBe(404)
    const on = await t.clients.apigw.send(new UpdateStageCommand({ApiId: apiId, StageName: 'dev', AutoDeploy: true}))
    expect(on.DeploymentId).toEqual(expect.any(String))
    expect((await statusAndBody(`${endpoint}/dev/a`)).status).toBe(200)

    const quick = await t.clients.apigw.send(new CreateApiCommand({Name: 'quick', ProtocolType: 'HTTP', Target: functionArn}))
    expect((await t.clients.apigw.send(new GetStageCommand({ApiId: quick.ApiId, StageName: '$default'}))).DeploymentId).toEqual(expect.any(String))
  })
})
