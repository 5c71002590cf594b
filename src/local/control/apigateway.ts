/**
 * The API Gateway v1 (REST API) control plane: restJson1 with lowerCamelCase members, timestamps as epoch
 * seconds, lists as `{item: [...], position}` (the SDK's `items`), signed as `apigateway` like ApiGatewayV2.
 *
 *   /restapis                                   CreateRestApi, GetRestApis
 *   /restapis/{id}                              GetRestApi, DeleteRestApi
 *   /restapis/{id}/resources[/{rid}]            GetResources (embed=methods), GetResource, CreateResource, DeleteResource
 *   /restapis/{id}/resources/{rid}/methods/{m}  PutMethod, GetMethod, DeleteMethod (+ /integration: Put, Get, Delete)
 *   /restapis/{id}/deployments[/{did}]          CreateDeployment, GetDeployments, GetDeployment, DeleteDeployment
 *   /restapis/{id}/stages[/{name}]              CreateStage, GetStages, GetStage, UpdateStage (patch operations), DeleteStage
 *   /tags/{arn}                                 TagResource (PUT), GetTags, UntagResource
 *
 * Errors are AWS's: NotFoundException (404), ConflictException (409), BadRequestException (400), each
 * `{"message"}` with `x-amzn-ErrorType`. Messages are the ones API Gateway uses where known.
 *
 * A deployment snapshots the resource tree (methods and integrations) when it is made; the data plane serves a
 * stage from its deployment's snapshot, so edits to the tree take effect only after the next deployment, as
 * on AWS. REST APIs have no `apiEndpoint`: clients call `{emulator}/_aws/execute-api/{id}/{stage}/…`, the same
 * path-based form the emulator's HTTP APIs report (`control/apigatewayv2.ts`).
 */
import {ANY_METHODS} from '../../gateway/match.js'
import {restStore, type RestApiRecord, type RestStore} from '../rest-store.js'
import type {WireObject} from '../store.js'
import {empty, type EmulatorRequest, json, type Route, ServiceError, type WireResponse} from '../wire.js'
import type {ControlContext} from './context.js'
import {badRequest, body, conflict, DEPLOYMENT_IN_USE, listPage, type Paging, pick, required, stringMap} from './gateway-wire.js'
import {gatewayId} from './ids.js'

function notFound(message: string): ServiceError {
  return new ServiceError(404, 'NotFoundException', message, {message})
}

/** API Gateway v1 timestamps are epoch seconds on the wire (restJson1's default format). */
function now(): number {
  return Math.floor(Date.now() / 1000)
}

function rest(ctx: ControlContext): RestStore {
  return restStore(ctx.store)
}

const PAGING: Paging = {token: 'position', limit: 'limit', defaultLimit: 25}

function listOut(items: unknown[], next: string | undefined): WireResponse {
  return json(200, {item: items, ...(next ? {position: next} : {})})
}

// ---- REST APIs ---------------------------------------------------------------------------------------------------

const API_MEMBERS = ['name', 'description', 'version', 'binaryMediaTypes', 'minimumCompressionSize', 'apiKeySource', 'policy', 'disableExecuteApiEndpoint'] as const
const ENDPOINT_TYPES = ['EDGE', 'REGIONAL', 'PRIVATE']

/** REST APIs are regional: one created in another region is not found, as on AWS. */
function loadApi(ctx: ControlContext, apiId: string, region: string): RestApiRecord {
  const api = rest(ctx).getApi(apiId)
  if (!api || api.region !== region) throw notFound(`Invalid API identifier specified ${ctx.accountId}:${apiId}`)
  return api
}

/** AWS leaves `tags` out of a REST API or stage that has none (LocalStack's AWS-validated create-only-name, create-stage). */
function withoutEmptyTags(value: WireObject): WireObject {
  const tags = value.tags as Record<string, string> | undefined
  if (tags && Object.keys(tags).length > 0) return value
  const {tags: _omitted, ...rest} = value
  return rest
}

function apiOut(api: RestApiRecord): WireObject {
  return withoutEmptyTags({id: api.apiId, ...api.data})
}

/**
 * CreateRestApi's checks in AWS's order and words (LocalStack's AWS-validated
 * test_create_rest_api_with_endpoint_configuration / _with_optional_param): enum violations first, together, as a
 * ValidationException naming `createRestApiInput.…`; then the semantic BadRequestExceptions.
 */
function checkCreateRestApi(input: Record<string, unknown>, types: unknown[], ipAddressType: unknown): void {
  const violations: string[] = []
  if (types.some((type) => !ENDPOINT_TYPES.includes(String(type)))) {
    violations.push(
      `Value '[${types.map(String).join(', ')}]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]`,
    )
  }
  if (ipAddressType !== undefined && ipAddressType !== 'ipv4' && ipAddressType !== 'dualstack') {
    violations.push(
      `Value '${String(ipAddressType)}' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]`,
    )
  }
  if (violations.length > 0) {
    const n = violations.length
    const message = `${n} validation error${n > 1 ? 's' : ''} detected: ${violations.join('; ')}`
    throw new ServiceError(400, 'ValidationException', message, {message})
  }
  if (input.description === '') throw badRequest('Description cannot be an empty string')
  const compression = input.minimumCompressionSize
  if (compression !== undefined && (typeof compression !== 'number' || compression < 0 || compression > 10_485_760)) {
    throw badRequest('Invalid minimum compression size, must be between 0 and 10485760')
  }
  if (types.length === 0) throw badRequest('REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.')
  if (types.length > 1) throw badRequest('Cannot create an api with multiple Endpoint Types.')
}

function createRestApi(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'name', 'createRestApiInput')
  if (typeof input.name !== 'string' || input.name.trim() === '') throw badRequest('Invalid REST API name specified: the name must not be empty')
  const endpoint = (input.endpointConfiguration ?? {types: ['EDGE']}) as {types?: unknown; ipAddressType?: unknown}
  const types = Array.isArray(endpoint.types) ? endpoint.types : ['EDGE']
  checkCreateRestApi(input, types, endpoint.ipAddressType)
  if (input.apiKeySource !== undefined && input.apiKeySource !== 'HEADER' && input.apiKeySource !== 'AUTHORIZER') {
    throw badRequest(`Invalid API key source specified: ${String(input.apiKeySource)}. Must be one of [HEADER, AUTHORIZER]`)
  }
  const tags = stringMap(input.tags, 'tags') ?? {}
  const store = rest(ctx)
  const created = store.transaction(() => {
    let apiId = gatewayId(10)
    while (store.idTaken(apiId)) apiId = gatewayId(10)
    const rootResourceId = gatewayId(10)
    const data: WireObject = {
      apiKeySource: 'HEADER',
      disableExecuteApiEndpoint: false,
      ...pick(input, API_MEMBERS),
      createdDate: now(),
      endpointConfiguration: {types: [String(types[0])], ipAddressType: typeof endpoint.ipAddressType === 'string' ? endpoint.ipAddressType : 'ipv4'},
      rootResourceId,
      tags,
    }
    const record: RestApiRecord = {apiId, region: request.region, data}
    store.insertApi(record)
    store.insertChild('resources', apiId, rootResourceId, {id: rootResourceId, path: '/', resourceMethods: {}})
    return record
  })
  return json(201, apiOut(created))
}

function getRestApi(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  return json(200, apiOut(loadApi(ctx, params.restApiId, request.region)))
}

function getRestApis(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const page = listPage(request, PAGING, (options) => rest(ctx).listApis(request.region, options))
  return listOut(page.items.map(apiOut), page.next)
}

function deleteRestApi(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const store = rest(ctx)
  store.transaction(() => {
    loadApi(ctx, params.restApiId, request.region)
    store.deleteApi(params.restApiId)
  })
  return empty(202)
}

// ---- resources ---------------------------------------------------------------------------------------------------

interface ResourceData extends WireObject {
  id: string
  parentId?: string
  pathPart?: string
  path: string
  resourceMethods: Record<string, MethodData>
}

interface MethodData extends WireObject {
  httpMethod: string
  authorizationType: string
  apiKeyRequired: boolean
  methodIntegration?: WireObject
}

const PATH_PART = /^([a-zA-Z0-9._-]+|\{[a-zA-Z0-9._-]+\+?\})$/

function loadResource(ctx: ControlContext, apiId: string, resourceId: string): ResourceData {
  const resource = rest(ctx).getChild('resources', apiId, resourceId) as ResourceData | undefined
  // AWS does not repeat the id here, unlike for an API (LocalStack's AWS-validated test_update_resource_behaviour).
  if (!resource) throw notFound('Invalid Resource identifier specified')
  return resource
}

/** Without `embed=methods` a resource lists its methods by verb only (empty objects), as GetResources does. */
function resourceOut(resource: ResourceData, embed: boolean): WireObject {
  const {resourceMethods, ...rest} = resource
  const verbs = Object.keys(resourceMethods ?? {})
  if (verbs.length === 0) return rest
  return {...rest, resourceMethods: embed ? resourceMethods : Object.fromEntries(verbs.map((v) => [v, {}]))}
}

const embedsMethods = (request: EmulatorRequest) => request.query.getAll('embed').some((e) => e.split(',').includes('methods'))

function getResources(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  const page = listPage(request, PAGING, (options) => rest(ctx).listChildren('resources', params.restApiId, options))
  return listOut(
    page.items.map((r) => resourceOut(r as ResourceData, embedsMethods(request))),
    page.next,
  )
}

function getResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  return json(200, resourceOut(loadResource(ctx, params.restApiId, params.resourceId), embedsMethods(request)))
}

function createResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'pathPart', 'createResourceInput')
  const part = String(input.pathPart)
  if (!PATH_PART.test(part)) {
    throw badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
  }
  const store = rest(ctx)
  const created = store.transaction(() => {
    loadApi(ctx, params.restApiId, request.region)
    const parent = loadResource(ctx, params.restApiId, params.parentId)
    if (parent.pathPart?.endsWith('+}')) throw badRequest(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`)
    const siblings = (store.allChildren('resources', params.restApiId) as ResourceData[]).filter((r) => r.parentId === parent.id)
    if (siblings.some((s) => s.pathPart === part)) throw conflict(`Another resource with the same parent already has this name: ${part}`)
    const variable = part.startsWith('{') ? siblings.find((s) => s.pathPart?.startsWith('{')) : undefined
    if (variable) throw badRequest(`A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`)
    const id = gatewayId(10)
    const resource: ResourceData = {id, parentId: parent.id, pathPart: part, path: `${parent.path === '/' ? '' : parent.path}/${part}`, resourceMethods: {}}
    store.insertChild('resources', params.restApiId, id, resource)
    return resource
  })
  return json(201, resourceOut(created, true))
}

function deleteResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const store = rest(ctx)
  store.transaction(() => {
    const api = loadApi(ctx, params.restApiId, request.region)
    const resource = loadResource(ctx, api.apiId, params.resourceId)
    if (resource.id === api.data.rootResourceId) throw badRequest('Cannot delete the root resource of a REST API')
    // The resource goes with everything under it.
    for (const r of store.allChildren('resources', api.apiId) as ResourceData[]) {
      if (r.path === resource.path || r.path.startsWith(`${resource.path}/`)) store.deleteChild('resources', api.apiId, r.id)
    }
  })
  return empty(202)
}

// ---- methods and integrations ------------------------------------------------------------------------------------

const METHODS: readonly string[] = [...ANY_METHODS, 'ANY']
const AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS']
const METHOD_MEMBERS = ['authorizationType', 'authorizerId', 'apiKeyRequired', 'operationName', 'requestParameters', 'requestModels', 'requestValidatorId', 'authorizationScopes'] as const

function checkVerb(httpMethod: string): void {
  if (!METHODS.includes(httpMethod)) throw badRequest(`Invalid HttpMethod specified. Valid options are ${['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'ANY'].join(',')}`)
}

function loadMethod(resource: ResourceData, httpMethod: string): MethodData {
  const method = resource.resourceMethods?.[httpMethod]
  if (!method) throw notFound('Invalid Method identifier specified')
  return method
}

/** Applies `change` to one resource inside a transaction and saves it. */
function withResource<T>(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext, change: (resource: ResourceData) => T): T {
  const store = rest(ctx)
  return store.transaction(() => {
    loadApi(ctx, params.restApiId, request.region)
    const resource = loadResource(ctx, params.restApiId, params.resourceId)
    resource.resourceMethods ??= {}
    const result = change(resource)
    store.saveChild('resources', params.restApiId, resource.id, resource)
    return result
  })
}

function putMethod(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  checkVerb(params.httpMethod)
  required(input, 'authorizationType', 'putMethodInput')
  if (!AUTHORIZATION_TYPES.includes(String(input.authorizationType))) {
    throw badRequest(`Invalid authorization type specified. Valid options are ${AUTHORIZATION_TYPES.join(',')}`)
  }
  if ((input.authorizationType === 'CUSTOM' || input.authorizationType === 'COGNITO_USER_POOLS') && typeof input.authorizerId !== 'string') {
    throw badRequest(`Invalid authorizer ID specified. Setting the authorization type to ${String(input.authorizationType)} requires a valid authorizer.`)
  }
  const method = withResource(request, params, ctx, (resource) => {
    if (resource.resourceMethods[params.httpMethod]) throw conflict('Method already exists for this resource')
    const created: MethodData = {httpMethod: params.httpMethod, apiKeyRequired: false, ...(pick(input, METHOD_MEMBERS) as Partial<MethodData>), authorizationType: String(input.authorizationType)}
    resource.resourceMethods[params.httpMethod] = created
    return created
  })
  return json(201, method)
}

function getMethod(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  return json(200, loadMethod(loadResource(ctx, params.restApiId, params.resourceId), params.httpMethod))
}

function deleteMethod(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  withResource(request, params, ctx, (resource) => {
    loadMethod(resource, params.httpMethod)
    delete resource.resourceMethods[params.httpMethod]
  })
  return empty(204)
}

const INTEGRATION_TYPES = ['HTTP', 'AWS', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY']
const INTEGRATION_MEMBERS = ['connectionType', 'connectionId', 'credentials', 'requestParameters', 'requestTemplates', 'passthroughBehavior', 'cacheNamespace', 'cacheKeyParameters', 'contentHandling', 'timeoutInMillis', 'tlsConfig'] as const
const LAMBDA_PATH_URI = /^arn:aws[a-zA-Z-]*:apigateway:[a-z0-9-]+:lambda:path\/\d{4}-\d{2}-\d{2}\/functions\/.+\/invocations$/

function validateIntegration(input: Record<string, unknown>): void {
  const type = input.type
  if (typeof type !== 'string' || !INTEGRATION_TYPES.includes(type)) {
    // A model enum violation (LocalStack's AWS-validated test_put_integration_wrong_type), listed in AWS's order.
    const message = `1 validation error detected: Value '${String(type)}' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]`
    throw new ServiceError(400, 'ValidationException', message, {message})
  }
  if (type === 'MOCK') return
  // The body member `httpMethod` is the integration's method (the SDK's `integrationHttpMethod`).
  if (typeof input.httpMethod !== 'string' || input.httpMethod === '') throw badRequest('Enumeration value for HttpMethod must be non-empty')
  if (typeof input.uri !== 'string' || input.uri === '') throw badRequest('Invalid HTTP endpoint specified for URI')
  if (type === 'AWS' || type === 'AWS_PROXY') {
    if (!input.uri.startsWith('arn:')) throw badRequest('Invalid ARN specified in the request')
    if (!/:(path|action)\//.test(input.uri)) throw badRequest('AWS ARN for integration must contain path or action')
    if (type === 'AWS_PROXY' && !LAMBDA_PATH_URI.test(input.uri)) {
      throw badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
    }
  }
  const timeout = input.timeoutInMillis
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 50 || timeout > 29000)) {
    throw badRequest('Timeout should be between 50 ms and 29000 ms')
  }
}

function putIntegration(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'type', 'putIntegrationInput')
  validateIntegration(input)
  const integration = withResource(request, params, ctx, (resource) => {
    const method = loadMethod(resource, params.httpMethod)
    // PutIntegration replaces an existing integration.
    const created: WireObject = {
      type: input.type,
      ...(input.type === 'MOCK' ? {} : {httpMethod: input.httpMethod, uri: input.uri}),
      connectionType: 'INTERNET',
      passthroughBehavior: 'WHEN_NO_MATCH',
      cacheNamespace: resource.id,
      cacheKeyParameters: [],
      timeoutInMillis: 29000,
      ...pick(input, INTEGRATION_MEMBERS),
    }
    method.methodIntegration = created
    return created
  })
  return json(201, integration)
}

function getIntegration(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  const method = loadMethod(loadResource(ctx, params.restApiId, params.resourceId), params.httpMethod)
  if (!method.methodIntegration) throw notFound('No integration defined for method')
  return json(200, method.methodIntegration)
}

function deleteIntegration(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  withResource(request, params, ctx, (resource) => {
    const method = loadMethod(resource, params.httpMethod)
    if (!method.methodIntegration) throw notFound('No integration defined for method')
    delete method.methodIntegration
  })
  return empty(204)
}

// ---- deployments -------------------------------------------------------------------------------------------------

/** One resource of a deployment's snapshot: what the data plane serves for a stage. */
export interface SnapshotResource {
  id: string
  path: string
  resourceMethods: Record<string, MethodData>
}

interface DeploymentData extends WireObject {
  id: string
  description?: string
  createdDate: number
  snapshot: SnapshotResource[]
}

function deploymentOut(d: DeploymentData, embedSummary = false): WireObject {
  const {snapshot, ...out} = d
  if (!embedSummary) return out
  const apiSummary: Record<string, Record<string, {authorizationType: string; apiKeyRequired: boolean}>> = {}
  for (const r of snapshot) {
    for (const [verb, m] of Object.entries(r.resourceMethods)) {
      apiSummary[r.path] ??= {}
      apiSummary[r.path][verb] = {authorizationType: m.authorizationType, apiKeyRequired: m.apiKeyRequired}
    }
  }
  return {...out, apiSummary}
}

function loadDeployment(ctx: ControlContext, apiId: string, deploymentId: string): DeploymentData {
  const d = rest(ctx).getChild('deployments', apiId, deploymentId) as DeploymentData | undefined
  if (!d) throw notFound(`Invalid Deployment identifier specified`)
  return d
}

/** The tree as it is now, refused as API Gateway refuses it: no methods, or a method without an integration. */
function snapshotOf(store: RestStore, apiId: string): SnapshotResource[] {
  const resources = store.allChildren('resources', apiId) as ResourceData[]
  let methods = 0
  for (const r of resources) {
    for (const m of Object.values(r.resourceMethods ?? {})) {
      methods++
      if (!m.methodIntegration) throw badRequest('No integration defined for method')
    }
  }
  if (methods === 0) throw badRequest("The REST API doesn't contain any methods")
  return resources.map((r) => ({id: r.id, path: r.path, resourceMethods: structuredClone(r.resourceMethods ?? {})}))
}

const STAGE_NAME = /^[a-zA-Z0-9_-]{1,128}$/

function checkStageName(name: string): void {
  if (!STAGE_NAME.test(name)) throw badRequest('Stage name only allows a-zA-Z0-9_- and must be 1 to 128 characters long')
}

function newStage(input: Record<string, unknown>, stageName: string, deploymentId: string): WireObject {
  const time = now()
  const variables = stringMap(input.variables, 'variables')
  return {
    stageName,
    deploymentId,
    ...(typeof input.description === 'string' ? {description: input.description} : {}),
    cacheClusterEnabled: false,
    cacheClusterStatus: 'NOT_AVAILABLE',
    methodSettings: {},
    ...(variables ? {variables} : {}),
    tracingEnabled: input.tracingEnabled === true,
    tags: stringMap(input.tags, 'tags') ?? {},
    createdDate: time,
    lastUpdatedDate: time,
  }
}

function createDeployment(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const store = rest(ctx)
  if (typeof input.stageName === 'string') checkStageName(input.stageName)
  const created = store.transaction(() => {
    const api = loadApi(ctx, params.restApiId, request.region)
    const deployment: DeploymentData = {
      id: gatewayId(6),
      ...(typeof input.description === 'string' ? {description: input.description} : {}),
      createdDate: now(),
      snapshot: snapshotOf(store, api.apiId),
    }
    store.insertChild('deployments', api.apiId, deployment.id, deployment)
    // With a stage name, the stage is created on the deployment, or moved to it.
    if (typeof input.stageName === 'string') {
      const stage = store.getChild('stages', api.apiId, input.stageName)
      if (stage) store.saveChild('stages', api.apiId, input.stageName, {...stage, deploymentId: deployment.id, lastUpdatedDate: now()})
      else {
        const stageInput = {...input, description: input.stageDescription}
        store.insertChild('stages', api.apiId, input.stageName, newStage(stageInput, input.stageName, deployment.id))
      }
    }
    return deployment
  })
  return json(201, deploymentOut(created))
}

function getDeployments(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  const page = listPage(request, PAGING, (options) => rest(ctx).listChildren('deployments', params.restApiId, options))
  return listOut(
    page.items.map((d) => deploymentOut(d as DeploymentData)),
    page.next,
  )
}

function getDeployment(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  const summary = request.query.getAll('embed').some((e) => e.split(',').includes('apisummary'))
  return json(200, deploymentOut(loadDeployment(ctx, params.restApiId, params.deploymentId), summary))
}

function deleteDeployment(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const store = rest(ctx)
  store.transaction(() => {
    loadApi(ctx, params.restApiId, request.region)
    loadDeployment(ctx, params.restApiId, params.deploymentId)
    if (store.allChildren('stages', params.restApiId).some((s) => s.deploymentId === params.deploymentId)) {
      throw badRequest(DEPLOYMENT_IN_USE)
    }
    store.deleteChild('deployments', params.restApiId, params.deploymentId)
  })
  return empty(202)
}

// ---- stages ------------------------------------------------------------------------------------------------------

function loadStage(ctx: ControlContext, apiId: string, stageName: string): WireObject {
  const stage = rest(ctx).getChild('stages', apiId, stageName)
  if (!stage) throw notFound('Invalid Stage identifier specified')
  return stage
}

function createStage(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'stageName', 'createStageInput')
  required(input, 'deploymentId', 'createStageInput')
  const stageName = String(input.stageName)
  checkStageName(stageName)
  const store = rest(ctx)
  const created = store.transaction(() => {
    const api = loadApi(ctx, params.restApiId, request.region)
    loadDeployment(ctx, api.apiId, String(input.deploymentId))
    const stage = newStage(input, stageName, String(input.deploymentId))
    if (!store.insertChild('stages', api.apiId, stageName, stage)) throw conflict('Stage already exists')
    return stage
  })
  return json(201, withoutEmptyTags(created))
}

function getStages(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  const deploymentId = request.query.get('deploymentId')
  const stages = rest(ctx)
    .allChildren('stages', params.restApiId)
    .filter((s) => !deploymentId || s.deploymentId === deploymentId)
  // GetStages is not paginated.
  return json(200, {item: stages.map(withoutEmptyTags)})
}

function getStage(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.restApiId, request.region)
  return json(200, withoutEmptyTags(loadStage(ctx, params.restApiId, params.stageName)))
}

/** The defaults API Gateway fills in when a method setting is first patched. */
const METHOD_SETTING_DEFAULTS = {
  metricsEnabled: false,
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
}

const METHOD_SETTING_PATHS: Record<string, {member: string; parse: (v: string) => unknown}> = {
  'throttling/burstLimit': {member: 'throttlingBurstLimit', parse: (v) => Number.parseInt(v, 10)},
  'throttling/rateLimit': {member: 'throttlingRateLimit', parse: (v) => Number.parseFloat(v)},
  'metrics/enabled': {member: 'metricsEnabled', parse: (v) => v === 'true'},
  'logging/dataTrace': {member: 'dataTraceEnabled', parse: (v) => v === 'true'},
  'logging/loglevel': {member: 'loggingLevel', parse: (v) => v},
}

/**
 * AWS's answer to an UpdateStage patch path it does not know, verbatim, quirks included (missing commas after the
 * throttling entries); LocalStack's AWS-validated test_create_update_stages, error-update-doc-version.
 */
const STAGE_PATCH_PATHS =
  '/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled'

interface PatchOperation {
  op?: string
  path?: string
  value?: string
}

function applyStagePatch(ctx: ControlContext, apiId: string, stage: WireObject, operation: PatchOperation): void {
  const {op, path = '', value} = operation
  const invalid = () => badRequest(`Invalid method setting path: ${path}. Must be one of: [${STAGE_PATCH_PATHS}]`)
  if (op !== 'replace' && op !== 'remove' && op !== 'add') throw badRequest(`Invalid patch operation specified. Must be 'add'|'remove'|'replace'`)
  if (path === '/deploymentId' && op === 'replace') {
    loadDeployment(ctx, apiId, String(value))
    stage.deploymentId = value
  } else if (path === '/tracingEnabled' && op === 'replace') {
    if (value !== 'true' && value !== 'false') throw badRequest(`Invalid value for tracingEnabled: ${String(value)}. Must be true or false`)
    stage.tracingEnabled = value === 'true'
  } else if (path === '/description' && op === 'replace') {
    stage.description = value ?? ''
  } else if (path.startsWith('/variables/')) {
    const name = path.slice('/variables/'.length)
    const variables = {...((stage.variables as Record<string, string> | undefined) ?? {})}
    if (op === 'remove') delete variables[name]
    else variables[name] = String(value ?? '')
    stage.variables = variables
  } else if (op === 'remove' && /^\/[^/]+\/[^/]+$/.test(path)) {
    // Removing `/{resourcePath}/{httpMethod}` drops that method's settings (Terraform sends `/*/*` when it
    // destroys a stage); AWS refuses when there are none (test_update_stage_remove_wildcard, delete-error).
    const key = path.slice(1)
    const settings = {...((stage.methodSettings as Record<string, WireObject> | undefined) ?? {})}
    if (!(key in settings)) throw badRequest(`Cannot remove method setting ${key} because there is no method setting for this method `)
    delete settings[key]
    stage.methodSettings = settings
  } else {
    // `/{resource path, "/" as "~1"}/{METHOD}/{setting}`: `/*/*/throttling/burstLimit` for every method.
    const match = /^\/([^/]+)\/([^/]+)\/(.+)$/.exec(path)
    const setting = match ? METHOD_SETTING_PATHS[match[3]] : undefined
    if (!match || !setting || op !== 'replace') throw invalid()
    const key = `${match[1]}/${match[2]}`
    const settings = {...((stage.methodSettings as Record<string, WireObject> | undefined) ?? {})}
    const parsed = setting.parse(String(value))
    if (typeof parsed === 'number' && !Number.isFinite(parsed)) throw badRequest(`Invalid value for ${match[3]}: ${String(value)}`)
    settings[key] = {...METHOD_SETTING_DEFAULTS, ...settings[key], [setting.member]: parsed}
    stage.methodSettings = settings
  }
}

function updateStage(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const operations = (Array.isArray(input.patchOperations) ? input.patchOperations : []) as PatchOperation[]
  const store = rest(ctx)
  const updated = store.transaction(() => {
    loadApi(ctx, params.restApiId, request.region)
    const stage = {...loadStage(ctx, params.restApiId, params.stageName)}
    for (const operation of operations) applyStagePatch(ctx, params.restApiId, stage, operation)
    stage.lastUpdatedDate = now()
    store.saveChild('stages', params.restApiId, params.stageName, stage)
    return stage
  })
  return json(200, withoutEmptyTags(updated))
}

function deleteStage(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const store = rest(ctx)
  store.transaction(() => {
    loadApi(ctx, params.restApiId, request.region)
    loadStage(ctx, params.restApiId, params.stageName)
    store.deleteChild('stages', params.restApiId, params.stageName)
  })
  return empty(202)
}

// ---- tags --------------------------------------------------------------------------------------------------------

/** `arn:aws:apigateway:{region}::/restapis/{id}` or `…/restapis/{id}/stages/{stageName}`. */
function taggable(ctx: ControlContext, arn: string): {read(): Record<string, string>; write(tags: Record<string, string>): void} {
  const match = /^arn:aws[a-zA-Z-]*:apigateway:([a-z0-9-]+)::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(arn)
  if (!match) throw badRequest(`Invalid resource ARN specified: ${arn}`)
  const [, region, apiId, stageName] = match
  const store = rest(ctx)
  const api = loadApi(ctx, apiId, region)
  if (stageName === undefined) {
    return {
      read: () => (api.data.tags as Record<string, string> | undefined) ?? {},
      write: (tags) => store.saveApi({...api, data: {...api.data, tags}}),
    }
  }
  const stage = loadStage(ctx, apiId, stageName)
  return {
    read: () => (stage.tags as Record<string, string> | undefined) ?? {},
    write: (tags) => store.saveChild('stages', apiId, stageName, {...stage, tags}),
  }
}

function tagResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'tags', 'tagResourceInput')
  const tags = stringMap(input.tags, 'tags') ?? {}
  rest(ctx).transaction(() => {
    const resource = taggable(ctx, params.resourceArn)
    resource.write({...resource.read(), ...tags})
  })
  return empty(204)
}

function untagResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const keys = request.query.getAll('tagKeys')
  if (keys.length === 0) throw badRequest("1 validation error detected: Value null at 'untagResourceInput.tagKeys' failed to satisfy constraint: Member must not be null")
  rest(ctx).transaction(() => {
    const resource = taggable(ctx, params.resourceArn)
    const tags = {...resource.read()}
    for (const key of keys) delete tags[key]
    resource.write(tags)
  })
  return empty(204)
}

function getTags(_request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  return json(200, {tags: taggable(ctx, params.resourceArn).read()})
}

/** Paths of this service: the server routes them here (both ApiGatewayV2 and v1 sign as `apigateway`). */
export function isApiGatewayV1Path(path: string): boolean {
  return path === '/restapis' || path.startsWith('/restapis/') || path.startsWith('/tags/')
}

const API = '/restapis/{restApiId}'
const RESOURCE = `${API}/resources/{resourceId}`
const METHOD = `${RESOURCE}/methods/{httpMethod}`

export const APIGATEWAY_V1_ROUTES: readonly Route<ControlContext>[] = [
  {method: 'POST', pattern: '/restapis', operation: 'CreateRestApi', handle: (r, _p, c) => createRestApi(r, c)},
  {method: 'GET', pattern: '/restapis', operation: 'GetRestApis', handle: (r, _p, c) => getRestApis(r, c)},
  {method: 'GET', pattern: API, operation: 'GetRestApi', handle: getRestApi},
  {method: 'DELETE', pattern: API, operation: 'DeleteRestApi', handle: deleteRestApi},
  {method: 'GET', pattern: `${API}/resources`, operation: 'GetResources', handle: getResources},
  {method: 'POST', pattern: `${API}/resources/{parentId}`, operation: 'CreateResource', handle: createResource},
  {method: 'GET', pattern: RESOURCE, operation: 'GetResource', handle: getResource},
  {method: 'DELETE', pattern: RESOURCE, operation: 'DeleteResource', handle: deleteResource},
  {method: 'PUT', pattern: METHOD, operation: 'PutMethod', handle: putMethod},
  {method: 'GET', pattern: METHOD, operation: 'GetMethod', handle: getMethod},
  {method: 'DELETE', pattern: METHOD, operation: 'DeleteMethod', handle: deleteMethod},
  {method: 'PUT', pattern: `${METHOD}/integration`, operation: 'PutIntegration', handle: putIntegration},
  {method: 'GET', pattern: `${METHOD}/integration`, operation: 'GetIntegration', handle: getIntegration},
  {method: 'DELETE', pattern: `${METHOD}/integration`, operation: 'DeleteIntegration', handle: deleteIntegration},
  {method: 'POST', pattern: `${API}/deployments`, operation: 'CreateDeployment', handle: createDeployment},
  {method: 'GET', pattern: `${API}/deployments`, operation: 'GetDeployments', handle: getDeployments},
  {method: 'GET', pattern: `${API}/deployments/{deploymentId}`, operation: 'GetDeployment', handle: getDeployment},
  {method: 'DELETE', pattern: `${API}/deployments/{deploymentId}`, operation: 'DeleteDeployment', handle: deleteDeployment},
  {method: 'POST', pattern: `${API}/stages`, operation: 'CreateStage', handle: createStage},
  {method: 'GET', pattern: `${API}/stages`, operation: 'GetStages', handle: getStages},
  {method: 'GET', pattern: `${API}/stages/{stageName}`, operation: 'GetStage', handle: getStage},
  {method: 'PATCH', pattern: `${API}/stages/{stageName}`, operation: 'UpdateStage', handle: updateStage},
  {method: 'DELETE', pattern: `${API}/stages/{stageName}`, operation: 'DeleteStage', handle: deleteStage},
  {method: 'PUT', pattern: '/tags/{resourceArn}', operation: 'TagResource', handle: tagResource},
  {method: 'GET', pattern: '/tags/{resourceArn}', operation: 'GetTags', handle: getTags},
  {method: 'DELETE', pattern: '/tags/{resourceArn}', operation: 'UntagResource', handle: untagResource},
]
