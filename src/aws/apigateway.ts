/**
 * The narrow API Gateway v1 (REST API) interface deploy and destroy use: REST APIs, their resource tree with
 * methods and Lambda proxy integrations, deployments and stages. Pagination (`position`/`limit`) is drained
 * here; nothing outside src/aws/ sees the SDK.
 *
 * API Gateway's control plane has fixed, low per-account rate limits that cannot be raised (developer guide,
 * "Amazon API Gateway quotas"): CreateRestApi 1 every 3 s, CreateDeployment 1 every 5 s, DeleteRestApi 1 every
 * 30 s, CreateResource/DeleteResource 5 per second, GetResources 5 every 2 s. A throttled call answers 429
 * TooManyRequestsException (often with Retry-After), so every call here is retried for up to two minutes,
 * with delays up to 10 s. Concurrent writes to one REST API also answer 409 ConflictException "Unable to
 * complete operation due to concurrent modification. Please try again later.", which is retried too.
 *
 * IAM names API Gateway permissions by HTTP verb on the resource path (`apigateway:POST` on `/restapis`), so
 * that is what an access-denied error names.
 */
import type {APIGatewayClient} from '@aws-sdk/client-api-gateway'
import type {AwsClients} from './clients.js'
import {awsCall, awsCallOrMissing, type Clock, errorName, isTransient, type RetryOptions, systemClock} from './errors.js'

export interface RestApiState {
  id: string
  name: string
  tags: Record<string, string>
  createdDate?: Date
  /** `REGIONAL`, `EDGE` or `PRIVATE`. */
  endpointTypes: string[]
  /** The id of the `/` resource (returned by CreateRestApi and GetRestApis). */
  rootResourceId?: string
}

export interface RestIntegrationState {
  /** `AWS_PROXY`, `AWS`, `HTTP`, `HTTP_PROXY`, `MOCK`. */
  type?: string
  /** The method API Gateway uses to call the backend (`POST` for Lambda). */
  httpMethod?: string
  uri?: string
  timeoutInMillis?: number
}

export interface RestMethodState {
  httpMethod: string
  authorizationType?: string
  integration?: RestIntegrationState
}

export interface RestResourceState {
  id: string
  parentId?: string
  pathPart?: string
  /** The full path: `/`, `/orders`, `/orders/{id}`. */
  path: string
  /** Methods by verb (`GET`, `ANY`, …). */
  methods: Record<string, RestMethodState>
}

export interface RestDeploymentState {
  id: string
  description?: string
  createdDate?: Date
}

export interface RestStageState {
  stageName: string
  deploymentId?: string
  tracingEnabled: boolean
  tags: Record<string, string>
}

export interface ApiGatewayApi {
  /**
   * The base URL of a REST API (no stage): `https://{id}.execute-api.{region}.amazonaws.com` on AWS; with a
   * custom endpoint (tracegate's emulator, LocalStack) the path-based form `{endpoint}/_aws/execute-api/{id}`,
   * the one the emulator's HTTP APIs report as `apiEndpoint`. REST APIs have no `apiEndpoint` field.
   */
  endpointOf(restApiId: string): string
  /** Every REST API of the region (all pages). */
  listRestApis(): Promise<RestApiState[]>
  /** Every resource of the API with its methods and their integrations (one `embed=methods` read, all pages). */
  getResources(restApiId: string): Promise<RestResourceState[]>
  getDeployments(restApiId: string): Promise<RestDeploymentState[]>
  getStages(restApiId: string): Promise<RestStageState[]>
  /** A REGIONAL REST API (its `/` resource comes with it). */
  createRestApi(input: {name: string; tags: Record<string, string>; description?: string}): Promise<RestApiState>
  createResource(restApiId: string, parentId: string, pathPart: string): Promise<RestResourceState>
  /** Deletes the resource and everything under it. Missing is fine. */
  deleteResource(restApiId: string, resourceId: string): Promise<void>
  /** A method with authorization NONE (PutMethod creates or replaces it). */
  putMethod(restApiId: string, resourceId: string, httpMethod: string): Promise<RestMethodState>
  /** Deletes the method with its integration. Missing is fine. */
  deleteMethod(restApiId: string, resourceId: string, httpMethod: string): Promise<void>
  /** A Lambda proxy integration: type AWS_PROXY, integration method POST, the Lambda invocation URI (aws-semantics §3). */
  putIntegration(restApiId: string, resourceId: string, httpMethod: string, input: {uri: string}): Promise<RestIntegrationState>
  /** A snapshot of the API's current resources and methods (not attached to a stage). */
  createDeployment(restApiId: string, input: {description: string}): Promise<RestDeploymentState>
  /** Missing is fine. */
  deleteDeployment(restApiId: string, deploymentId: string): Promise<void>
  createStage(restApiId: string, input: {stageName: string; deploymentId: string; tracingEnabled: boolean; tags: Record<string, string>}): Promise<RestStageState>
  /** Patches the stage: `/deploymentId`, `/tracingEnabled`. */
  updateStage(restApiId: string, stageName: string, input: {deploymentId?: string; tracingEnabled?: boolean}): Promise<RestStageState>
  deleteStage(restApiId: string, stageName: string): Promise<void>
  /** Deletes the API and everything in it (resources, methods, deployments, stages). Missing is fine. */
  deleteRestApi(restApiId: string): Promise<void>
}

/** `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations` (aws-semantics §3). */
export function lambdaInvocationUri(functionArn: string): string {
  const region = functionArn.split(':')[3]
  const partition = functionArn.split(':')[1] ?? 'aws'
  return `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`
}

/** 409 "concurrent modification": another write to the same API is in flight; waiting helps. */
export function isConcurrentModification(error: unknown): boolean {
  return errorName(error) === 'ConflictException' && /concurrent modification/i.test(String((error as {message?: unknown})?.message ?? ''))
}

const RETRY: RetryOptions = {
  retryable: (error) => isTransient(error) || isConcurrentModification(error),
  maxAttempts: 20,
  maxDelayMs: 10_000,
  deadlineMs: 120_000,
}

export async function createApiGatewayApi(clients: AwsClients, options: {clock?: Clock} = {}): Promise<ApiGatewayApi> {
  const [sdk, client] = await Promise.all([import('@aws-sdk/client-api-gateway'), clients.apiGateway()])
  return apiGatewayApi(async () => ({sdk, client}), options.clock ?? systemClock, clients)
}

/**
 * The same interface with the SDK and client loaded on first use: HTTP-API deploys build it but never call
 * it, and importing `@aws-sdk/client-api-gateway` costs over 100 ms (STACK.md §4).
 */
export function lazyApiGatewayApi(clients: AwsClients, options: {clock?: Clock} = {}): ApiGatewayApi {
  let loading: Promise<{sdk: typeof import('@aws-sdk/client-api-gateway'); client: APIGatewayClient}> | undefined
  const load = () => {
    loading ??= Promise.all([import('@aws-sdk/client-api-gateway'), clients.apiGateway()]).then(([sdk, client]) => ({sdk, client}))
    return loading
  }
  return apiGatewayApi(load, options.clock ?? systemClock, clients)
}

type Sdk = typeof import('@aws-sdk/client-api-gateway')
type Loader = () => Promise<{sdk: Sdk; client: APIGatewayClient}>

interface SdkResource {
  id?: string
  parentId?: string
  pathPart?: string
  path?: string
  resourceMethods?: Record<string, SdkMethod>
}
interface SdkMethod {
  httpMethod?: string
  authorizationType?: string
  methodIntegration?: SdkIntegration
}
interface SdkIntegration {
  type?: string
  httpMethod?: string
  uri?: string
  timeoutInMillis?: number
}

/** See `ApiGatewayApi.endpointOf`. */
export function restApiEndpoint(restApiId: string, location: {region: string; endpoint?: string}): string {
  if (location.endpoint) return `${location.endpoint.replace(/\/+$/, '')}/_aws/execute-api/${restApiId}`
  const suffix = location.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  return `https://${restApiId}.execute-api.${location.region}.${suffix}`
}

function apiGatewayApi(load: Loader, clock: Clock, location: {region: string; endpoint?: string}): ApiGatewayApi {
  const call = <T>(action: string, resource: string, work: (sdk: Sdk, client: APIGatewayClient) => Promise<T>) =>
    load().then(({sdk, client}) => awsCall(action, () => work(sdk, client), {...RETRY, clock, resource}))
  const callOrMissing = <T>(action: string, resource: string, work: (sdk: Sdk, client: APIGatewayClient) => Promise<T>) =>
    load().then(({sdk, client}) => awsCallOrMissing(action, () => work(sdk, client), {...RETRY, clock, resource}))

  async function drain<I>(resource: string, page: (sdk: Sdk, client: APIGatewayClient, position?: string) => Promise<{items?: I[]; position?: string}>): Promise<I[]> {
    const items: I[] = []
    let position: string | undefined
    do {
      const response = await call('apigateway:GET', resource, (sdk, client) => page(sdk, client, position))
      items.push(...(response.items ?? []))
      position = response.position
    } while (position)
    return items
  }

  const integration = (i: SdkIntegration): RestIntegrationState => ({type: i.type, httpMethod: i.httpMethod, uri: i.uri, timeoutInMillis: i.timeoutInMillis})
  const method = (verb: string, m: SdkMethod): RestMethodState => ({
    httpMethod: m.httpMethod ?? verb,
    authorizationType: m.authorizationType,
    ...(m.methodIntegration ? {integration: integration(m.methodIntegration)} : {}),
  })
  const resource = (r: SdkResource): RestResourceState => ({
    id: r.id ?? '',
    parentId: r.parentId,
    pathPart: r.pathPart,
    path: r.path ?? '/',
    methods: Object.fromEntries(Object.entries(r.resourceMethods ?? {}).map(([verb, m]) => [verb, method(verb, m)])),
  })
  const restApi = (a: {id?: string; name?: string; tags?: Record<string, string>; createdDate?: Date; endpointConfiguration?: {types?: string[]}; rootResourceId?: string}): RestApiState => ({
    id: a.id ?? '',
    name: a.name ?? '',
    tags: {...(a.tags ?? {})},
    createdDate: a.createdDate,
    endpointTypes: [...(a.endpointConfiguration?.types ?? [])],
    rootResourceId: a.rootResourceId,
  })
  const stage = (s: {stageName?: string; deploymentId?: string; tracingEnabled?: boolean; tags?: Record<string, string>}): RestStageState => ({
    stageName: s.stageName ?? '',
    deploymentId: s.deploymentId,
    tracingEnabled: Boolean(s.tracingEnabled),
    tags: {...(s.tags ?? {})},
  })
  const deployment = (d: {id?: string; description?: string; createdDate?: Date}): RestDeploymentState => ({id: d.id ?? '', description: d.description, createdDate: d.createdDate})

  return {
    endpointOf: (restApiId) => restApiEndpoint(restApiId, location),
    async listRestApis() {
      const items = await drain('/restapis', (sdk, client, position) => client.send(new sdk.GetRestApisCommand({position, limit: 500})))
      return items.map(restApi)
    },
    async getResources(restApiId) {
      // embed=methods returns each Method with its integration, so one paginated call reads the whole tree.
      const items = await drain(`/restapis/${restApiId}/resources`, (sdk, client, position) =>
        client.send(new sdk.GetResourcesCommand({restApiId, position, limit: 500, embed: ['methods']})),
      )
      return items.map(resource)
    },
    async getDeployments(restApiId) {
      const items = await drain(`/restapis/${restApiId}/deployments`, (sdk, client, position) =>
        client.send(new sdk.GetDeploymentsCommand({restApiId, position, limit: 500})),
      )
      return items.map(deployment)
    },
    async getStages(restApiId) {
      // GetStages is not paginated: every stage comes in `item`.
      const response = await call('apigateway:GET', `/restapis/${restApiId}/stages`, (sdk, client) => client.send(new sdk.GetStagesCommand({restApiId})))
      return (response.item ?? []).map(stage)
    },
    async createRestApi(input) {
      const response = await call('apigateway:POST', '/restapis', (sdk, client) =>
        client.send(
          new sdk.CreateRestApiCommand({
            name: input.name,
            description: input.description,
            endpointConfiguration: {types: ['REGIONAL']},
            tags: {...input.tags},
          }),
        ),
      )
      return restApi(response)
    },
    async createResource(restApiId, parentId, pathPart) {
      const response = await call('apigateway:POST', `/restapis/${restApiId}/resources/${parentId}`, (sdk, client) =>
        client.send(new sdk.CreateResourceCommand({restApiId, parentId, pathPart})),
      )
      return resource(response)
    },
    async deleteResource(restApiId, resourceId) {
      await callOrMissing('apigateway:DELETE', `/restapis/${restApiId}/resources/${resourceId}`, (sdk, client) =>
        client.send(new sdk.DeleteResourceCommand({restApiId, resourceId})),
      )
    },
    async putMethod(restApiId, resourceId, httpMethod) {
      const response = await call('apigateway:PUT', `/restapis/${restApiId}/resources/${resourceId}/methods/${httpMethod}`, (sdk, client) =>
        client.send(new sdk.PutMethodCommand({restApiId, resourceId, httpMethod, authorizationType: 'NONE', apiKeyRequired: false})),
      )
      return method(httpMethod, response)
    },
    async deleteMethod(restApiId, resourceId, httpMethod) {
      await callOrMissing('apigateway:DELETE', `/restapis/${restApiId}/resources/${resourceId}/methods/${httpMethod}`, (sdk, client) =>
        client.send(new sdk.DeleteMethodCommand({restApiId, resourceId, httpMethod})),
      )
    },
    async putIntegration(restApiId, resourceId, httpMethod, input) {
      const response = await call('apigateway:PUT', `/restapis/${restApiId}/resources/${resourceId}/methods/${httpMethod}/integration`, (sdk, client) =>
        client.send(
          new sdk.PutIntegrationCommand({
            restApiId,
            resourceId,
            httpMethod,
            type: 'AWS_PROXY',
            // Lambda is always invoked with POST, whatever the client's method (aws-semantics §3).
            integrationHttpMethod: 'POST',
            uri: input.uri,
          }),
        ),
      )
      return integration(response)
    },
    async createDeployment(restApiId, input) {
      const response = await call('apigateway:POST', `/restapis/${restApiId}/deployments`, (sdk, client) =>
        client.send(new sdk.CreateDeploymentCommand({restApiId, description: input.description})),
      )
      return deployment(response)
    },
    async deleteDeployment(restApiId, deploymentId) {
      await callOrMissing('apigateway:DELETE', `/restapis/${restApiId}/deployments/${deploymentId}`, (sdk, client) =>
        client.send(new sdk.DeleteDeploymentCommand({restApiId, deploymentId})),
      )
    },
    async createStage(restApiId, input) {
      const response = await call('apigateway:POST', `/restapis/${restApiId}/stages`, (sdk, client) =>
        client.send(
          new sdk.CreateStageCommand({
            restApiId,
            stageName: input.stageName,
            deploymentId: input.deploymentId,
            tracingEnabled: input.tracingEnabled,
            tags: {...input.tags},
          }),
        ),
      )
      return stage(response)
    },
    async updateStage(restApiId, stageName, input) {
      const patchOperations: Array<{op: 'replace'; path: string; value: string}> = []
      if (input.deploymentId !== undefined) patchOperations.push({op: 'replace', path: '/deploymentId', value: input.deploymentId})
      if (input.tracingEnabled !== undefined) patchOperations.push({op: 'replace', path: '/tracingEnabled', value: String(input.tracingEnabled)})
      const response = await call('apigateway:PATCH', `/restapis/${restApiId}/stages/${stageName}`, (sdk, client) =>
        client.send(new sdk.UpdateStageCommand({restApiId, stageName, patchOperations})),
      )
      return stage(response)
    },
    async deleteStage(restApiId, stageName) {
      await callOrMissing('apigateway:DELETE', `/restapis/${restApiId}/stages/${stageName}`, (sdk, client) =>
        client.send(new sdk.DeleteStageCommand({restApiId, stageName})),
      )
    },
    async deleteRestApi(restApiId) {
      await callOrMissing('apigateway:DELETE', `/restapis/${restApiId}`, (sdk, client) => client.send(new sdk.DeleteRestApiCommand({restApiId})))
    },
  }
}
