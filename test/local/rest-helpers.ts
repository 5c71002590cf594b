/** REST APIs built through the real `@aws-sdk/client-api-gateway` against an in-process emulator, as deploy builds them. */
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import {parseRouteKey} from '../../src/gateway/routes.js'
import {grant, uniqueName} from './dataplane/helpers.js'
import {REGION, type TestEmulator} from './helpers.js'

export interface RestRouteInput {
  routeKey: string
  functionArn: string
  timeoutInMillis?: number
}

export interface RestApiInput {
  routes: RestRouteInput[]
  stage?: string
  tracing?: boolean
  /** AddPermission `{apiId}/*` for every function (default true). */
  grant?: boolean
  binaryMediaTypes?: string[]
  name?: string
}

export interface RestDeployed {
  apiId: string
  name: string
  /** `{emulator}/_aws/execute-api/{apiId}/{stage}` */
  url: string
  client: APIGatewayClient
  resourceIds: Map<string, string>
  rootId: string
  redeploy(): Promise<void>
}

export function restClient(t: TestEmulator): APIGatewayClient {
  return new APIGatewayClient({endpoint: t.emulator.url, region: REGION, credentials: {accessKeyId: 'AKIDTEST', secretAccessKey: 'secret'}, maxAttempts: 1})
}

/** CreateRestApi, a resource per path prefix, PutMethod + AWS_PROXY PutIntegration per route, a deployment and the stage. */
export async function createRestApi(t: TestEmulator, input: RestApiInput): Promise<RestDeployed> {
  const client = restClient(t)
  const name = input.name ?? uniqueName('rest')
  const api = await client.send(new CreateRestApiCommand({name, endpointConfiguration: {types: ['REGIONAL']}, binaryMediaTypes: input.binaryMediaTypes}))
  const apiId = api.id!
  const resourceIds = new Map<string, string>([['/', api.rootResourceId!]])
  const resourceFor = async (path: string): Promise<string> => {
    const known = resourceIds.get(path)
    if (known) return known
    const cut = path.lastIndexOf('/')
    const parent = await resourceFor(cut <= 0 ? '/' : path.slice(0, cut))
    const created = await client.send(new CreateResourceCommand({restApiId: apiId, parentId: parent, pathPart: path.slice(cut + 1)}))
    resourceIds.set(path, created.id!)
    return created.id!
  }
  for (const route of input.routes) {
    const key = parseRouteKey(route.routeKey)
    const resourceId = await resourceFor(key.path!)
    await client.send(new PutMethodCommand({restApiId: apiId, resourceId, httpMethod: key.method, authorizationType: 'NONE'}))
    await client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: key.method,
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${route.functionArn}/invocations`,
        ...(route.timeoutInMillis ? {timeoutInMillis: route.timeoutInMillis} : {}),
      }),
    )
  }
  const stage = input.stage ?? 'prod'
  const deployment = await client.send(new CreateDeploymentCommand({restApiId: apiId}))
  await client.send(new CreateStageCommand({restApiId: apiId, stageName: stage, deploymentId: deployment.id, tracingEnabled: input.tracing ?? false}))
  if (input.grant !== false) {
    for (const arn of new Set(input.routes.map((r) => r.functionArn))) await grant(t, arn, apiId)
  }
  return {
    apiId,
    name,
    url: `${t.emulator.url}/_aws/execute-api/${apiId}/${stage}`,
    client,
    resourceIds,
    rootId: api.rootResourceId!,
    async redeploy() {
      const next = await client.send(new CreateDeploymentCommand({restApiId: apiId}))
      await client.send(new UpdateStageCommand({restApiId: apiId, stageName: stage, patchOperations: [{op: 'replace', path: '/deploymentId', value: next.id}]}))
    },
  }
}
