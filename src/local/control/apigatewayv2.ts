/**
 * The ApiGatewayV2 control plane (restJson1 with lowerCamelCase members, aws-semantics §1.3): APIs,
 * integrations, routes, stages and tags. Lists answer `{items, nextToken}`.
 *
 * `apiEndpoint` is the emulator's own execute-api URL for the API, path-based:
 * `http://127.0.0.1:{port}/_aws/execute-api/{apiId}` (DESIGN.md, "The embedded emulator"). It is computed per
 * request from the address the emulator listens on, never stored, so it stays right when the port changes
 * between runs. The data plane (part 2) serves that prefix, and `{apiId}.execute-api.localhost` by Host header.
 *
 * Deployments are modelled as on AWS: a deployment is a snapshot of the API's routes and integrations; a stage
 * serves its deployment, and an `autoDeploy` stage gets a new deployment with every change to them (so it serves
 * the current routes). A stage with neither serves nothing: 404 `{"message":"Not Found"}`.
 */
import {parseRouteKey} from '../../gateway/routes.js'
import {EXECUTE_API_PREFIX} from '../constants.js'
import type {ApiChildKind, ApiRecord, WireObject} from '../store.js'
import {empty, type EmulatorRequest, json, type Route, ServiceError, type WireResponse} from '../wire.js'
import type {ControlContext} from './context.js'
import {badRequest, body, conflict, DEPLOYMENT_IN_USE, listPage, type Paging, pick, required, stringMap} from './gateway-wire.js'
import {gatewayId} from './ids.js'

export {EXECUTE_API_PREFIX}

export function apiEndpointFor(baseUrl: string, apiId: string, protocolType: unknown): string {
  const url = `${baseUrl}${EXECUTE_API_PREFIX}/${apiId}`
  return protocolType === 'WEBSOCKET' ? url.replace(/^http/, 'ws') : url
}

function notFound(message: string, resourceType: string): ServiceError {
  return new ServiceError(404, 'NotFoundException', message, {message, resourceType})
}

const PAGING: Paging = {token: 'nextToken', limit: 'maxResults', defaultLimit: 100}

// ---- APIs ------------------------------------------------------------------------------------------------------

const API_MEMBERS = [
  'name',
  'protocolType',
  'routeSelectionExpression',
  'apiKeySelectionExpression',
  'corsConfiguration',
  'description',
  'disableSchemaValidation',
  'disableExecuteApiEndpoint',
  'ipAddressType',
  'version',
] as const

/** APIs are regional: one created in another region is not found, as on AWS. */
function loadApi(ctx: ControlContext, apiId: string, region: string): ApiRecord {
  const api = ctx.store.getApi(apiId)
  if (!api || api.region !== region) throw notFound(`Invalid API identifier specified ${ctx.accountId}:${apiId}`, 'Api')
  return api
}

function apiOut(api: ApiRecord, baseUrl: string): WireObject {
  return {
    apiEndpoint: apiEndpointFor(baseUrl, api.apiId, api.data.protocolType),
    apiId: api.apiId,
    ...api.data,
    tags: api.data.tags ?? {},
  }
}

function isLambdaTarget(target: string): boolean {
  return /^arn:aws[a-zA-Z-]*:lambda:/.test(target) || /^arn:aws[a-zA-Z-]*:apigateway:[^:]+:lambda:path\//.test(target)
}

function validateProtocol(protocolType: unknown): void {
  if (protocolType !== 'HTTP' && protocolType !== 'WEBSOCKET') {
    throw badRequest('Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]')
  }
}

function createApi(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'name')
  required(input, 'protocolType')
  validateProtocol(input.protocolType)
  const http = input.protocolType === 'HTTP'
  if (!http && input.routeSelectionExpression === undefined) {
    throw badRequest('RouteSelectionExpression is required for WEBSOCKET APIs')
  }
  if (!http && (input.target !== undefined || input.routeKey !== undefined)) {
    throw badRequest('Quick create (target, routeKey) is only supported for HTTP APIs')
  }
  if (input.routeKey !== undefined && input.target === undefined) {
    throw badRequest('routeKey can only be specified together with target (quick create)')
  }
  const quickRouteKey = typeof input.routeKey === 'string' ? input.routeKey : '$default'
  if (input.target !== undefined) validateHttpRouteKey(quickRouteKey)
  const tags = stringMap(input.tags, 'tags') ?? {}
  const data: WireObject = {
    apiKeySelectionExpression: '$request.header.x-api-key',
    disableExecuteApiEndpoint: false,
    ipAddressType: 'ipv4',
    ...pick(input, API_MEMBERS),
    createdDate: new Date().toISOString(),
    tags,
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: API Gateway's literal default selection expression
  if (http) data.routeSelectionExpression ??= '${request.method} ${request.path}'

  const api = ctx.store.transaction(() => {
    let apiId = gatewayId(10)
    while (!ctx.store.insertApi({apiId, region: request.region, data})) apiId = gatewayId(10)
    if (typeof input.target === 'string') quickCreate(ctx, apiId, input.target, quickRouteKey, input.credentialsArn)
    return ctx.store.getApi(apiId)!
  })
  return json(201, apiOut(api, request.baseUrl))
}

/**
 * Quick create (aws-semantics §1.3): a managed integration to `target`, a route (default `$default`) to it, and
 * an auto-deployed `$default` stage.
 */
function quickCreate(ctx: ControlContext, apiId: string, target: string, routeKey: string, credentialsArn: unknown): void {
  const integrationId = gatewayId(7)
  const lambda = isLambdaTarget(target)
  ctx.store.insertChild('integrations', apiId, integrationId, {
    apiGatewayManaged: true,
    connectionType: 'INTERNET',
    integrationId,
    integrationMethod: lambda ? 'POST' : 'ANY',
    integrationType: lambda ? 'AWS_PROXY' : 'HTTP_PROXY',
    integrationUri: target,
    payloadFormatVersion: lambda ? '2.0' : '1.0',
    timeoutInMillis: 30000,
    ...(typeof credentialsArn === 'string' ? {credentialsArn} : {}),
  })
  const routeId = gatewayId(7)
  ctx.store.insertChild('routes', apiId, routeId, {
    apiGatewayManaged: true,
    apiKeyRequired: false,
    authorizationType: 'NONE',
    routeId,
    routeKey,
    target: `integrations/${integrationId}`,
  })
  const now = new Date().toISOString()
  ctx.store.insertChild('stages', apiId, '$default', {
    apiGatewayManaged: true,
    autoDeploy: true,
    createdDate: now,
    defaultRouteSettings: {detailedMetricsEnabled: false},
    lastUpdatedDate: now,
    routeSettings: {},
    stageName: '$default',
    stageVariables: {},
    tags: {},
  })
  autoDeploy(ctx, apiId, '$default')
}

function getApi(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  return json(200, apiOut(loadApi(ctx, params.ApiId, request.region), request.baseUrl))
}

function getApis(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const page = listPage(request, PAGING, (options) => ctx.store.listApis(request.region, options))
  return json(200, {items: page.items.map((api) => apiOut(api, request.baseUrl)), ...(page.next ? {nextToken: page.next} : {})})
}

function updateApi(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const api = ctx.store.transaction(() => {
    const current = loadApi(ctx, params.ApiId, request.region)
    const changes = pick(input, API_MEMBERS.filter((m) => m !== 'protocolType'))
    if (typeof input.target === 'string' || typeof input.routeKey === 'string') {
      updateQuickCreate(ctx, current, input)
    }
    const next: ApiRecord = {...current, data: {...current.data, ...changes}}
    ctx.store.saveApi(next)
    return next
  })
  return json(200, apiOut(api, request.baseUrl))
}

/** UpdateApi with `target`/`routeKey` changes the resources quick create made (the managed ones). */
function updateQuickCreate(ctx: ControlContext, api: ApiRecord, input: Record<string, unknown>): void {
  const integration = ctx.store.allChildren('integrations', api.apiId).find((i) => i.apiGatewayManaged === true)
  const route = ctx.store.allChildren('routes', api.apiId).find((r) => r.apiGatewayManaged === true)
  if (!integration || !route) {
    throw badRequest('target and routeKey can only be updated on an API created with quick create (CreateApi with target)')
  }
  if (typeof input.target === 'string') {
    ctx.store.saveChild('integrations', api.apiId, String(integration.integrationId), {...integration, integrationUri: input.target})
  }
  if (typeof input.routeKey === 'string' && input.routeKey !== route.routeKey) {
    validateHttpRouteKey(input.routeKey)
    if (ctx.store.routeIdForKey(api.apiId, input.routeKey)) throw routeConflict(input.routeKey)
    ctx.store.saveChild('routes', api.apiId, String(route.routeId), {...route, routeKey: input.routeKey})
  }
  autoDeploy(ctx, api.apiId)
}

function deleteApi(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  ctx.store.transaction(() => {
    loadApi(ctx, params.ApiId, request.region)
    ctx.store.deleteApi(params.ApiId)
  })
  return empty(204)
}

// ---- integrations -----------------------------------------------------------------------------------------------

const INTEGRATION_MEMBERS = [
  'connectionId',
  'connectionType',
  'contentHandlingStrategy',
  'credentialsArn',
  'description',
  'integrationMethod',
  'integrationSubtype',
  'integrationType',
  'integrationUri',
  'passthroughBehavior',
  'payloadFormatVersion',
  'requestParameters',
  'requestTemplates',
  'responseParameters',
  'templateSelectionExpression',
  'timeoutInMillis',
  'tlsConfig',
] as const

const HTTP_INTEGRATION_TYPES = ['AWS_PROXY', 'HTTP_PROXY']
const ALL_INTEGRATION_TYPES = ['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK']

/** Checks an integration as it will be after a create or update, against the API's protocol. */
function validateIntegration(integration: WireObject, protocolType: unknown): void {
  const type = integration.integrationType
  if (typeof type !== 'string' || !ALL_INTEGRATION_TYPES.includes(type)) {
    throw badRequest(`Invalid integration type specified. Must be one of [${ALL_INTEGRATION_TYPES.join(', ')}]`)
  }
  if (protocolType === 'HTTP' && !HTTP_INTEGRATION_TYPES.includes(type)) {
    throw badRequest(`Integration type ${type} is not supported for HTTP APIs. Use AWS_PROXY or HTTP_PROXY.`)
  }
  if ((type === 'AWS_PROXY' || type === 'HTTP_PROXY') && typeof integration.integrationUri !== 'string') {
    throw badRequest(`IntegrationUri is required for ${type} integrations`)
  }
  const version = integration.payloadFormatVersion
  if (version !== undefined && version !== '1.0' && version !== '2.0') {
    throw badRequest(`Invalid payload format version specified: ${String(version)}. Must be one of [1.0, 2.0]`)
  }
  // An SDK or CLI caller must choose the payload format of a Lambda proxy integration (aws-semantics §1.3, [S4]).
  if (protocolType === 'HTTP' && type === 'AWS_PROXY' && version === undefined) {
    throw badRequest('PayloadFormatVersion is required for AWS_PROXY integrations on HTTP APIs. Use 1.0 or 2.0.')
  }
  const timeout = integration.timeoutInMillis
  const max = protocolType === 'HTTP' ? 30000 : 29000
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 50 || timeout > max)) {
    throw badRequest(`Timeout must be between 50 milliseconds and ${max} milliseconds.`)
  }
}

function loadChild(ctx: ControlContext, kind: ApiChildKind, apiId: string, id: string): WireObject {
  const child = ctx.store.getChild(kind, apiId, id)
  if (!child) {
    if (kind === 'integrations') throw notFound(`Invalid Integration identifier specified ${id}`, 'Integration')
    if (kind === 'routes') throw notFound(`Invalid Route identifier specified ${id}`, 'Route')
    if (kind === 'deployments') throw notFound(`Invalid Deployment identifier specified ${id}`, 'Deployment')
    throw notFound('Invalid stage identifier specified', 'Stage')
  }
  return child
}

function createIntegration(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'integrationType')
  const created = ctx.store.transaction(() => {
    const api = loadApi(ctx, params.ApiId, request.region)
    const integration: WireObject = {
      connectionType: 'INTERNET',
      ...pick(input, INTEGRATION_MEMBERS),
    }
    if (integration.integrationType === 'AWS_PROXY') integration.integrationMethod ??= 'POST'
    if (api.data.protocolType === 'HTTP') integration.timeoutInMillis ??= 30000
    validateIntegration(integration, api.data.protocolType)
    const integrationId = gatewayId(7)
    const stored = {apiGatewayManaged: false, integrationId, ...integration}
    ctx.store.insertChild('integrations', api.apiId, integrationId, stored)
    autoDeploy(ctx, api.apiId)
    return stored
  })
  return json(201, created)
}

function updateIntegration(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const updated = ctx.store.transaction(() => {
    const api = loadApi(ctx, params.ApiId, request.region)
    const current = loadChild(ctx, 'integrations', api.apiId, params.IntegrationId)
    const next = {...current, ...pick(input, INTEGRATION_MEMBERS)}
    validateIntegration(next, api.data.protocolType)
    ctx.store.saveChild('integrations', api.apiId, params.IntegrationId, next)
    autoDeploy(ctx, api.apiId)
    return next
  })
  return json(200, updated)
}

// ---- routes -----------------------------------------------------------------------------------------------------

const ROUTE_MEMBERS = [
  'apiKeyRequired',
  'authorizationScopes',
  'authorizationType',
  'authorizerId',
  'modelSelectionExpression',
  'operationName',
  'requestModels',
  'requestParameters',
  'routeKey',
  'routeResponseSelectionExpression',
  'target',
] as const

/** HTTP API route keys: `$default` or `METHOD /path`, method in capitals as API Gateway requires. */
function validateHttpRouteKey(routeKey: string): void {
  try {
    const parsed = parseRouteKey(routeKey)
    if (!parsed.isDefault && !routeKey.startsWith(parsed.method)) {
      throw badRequest(`Invalid route key: ${routeKey}. The HTTP method must be in capital letters, e.g. ${parsed.key}.`)
    }
  } catch (error) {
    if (error instanceof ServiceError) throw error
    throw badRequest((error as Error).message)
  }
}

function routeConflict(routeKey: string): ServiceError {
  // The exact text of this ConflictException is not in the reference; the code and status are.
  return conflict(`Route with key ${routeKey} already exists for this API`)
}

function validateRoute(ctx: ControlContext, api: ApiRecord, route: WireObject): void {
  if (typeof route.routeKey !== 'string' || route.routeKey === '') throw badRequest('RouteKey is required')
  if (api.data.protocolType === 'HTTP') validateHttpRouteKey(route.routeKey)
  const authorizationType = route.authorizationType
  if (authorizationType !== undefined && !['NONE', 'AWS_IAM', 'JWT', 'CUSTOM'].includes(String(authorizationType))) {
    throw badRequest(`Invalid authorization type specified: ${String(authorizationType)}. Must be one of [NONE, AWS_IAM, JWT, CUSTOM]`)
  }
  if (route.target !== undefined) {
    const match = /^integrations\/([^/]+)$/.exec(String(route.target))
    if (!match) throw badRequest(`Invalid target specified: ${String(route.target)}. Use integrations/{integrationId}.`)
    if (!ctx.store.getChild('integrations', api.apiId, match[1])) {
      throw badRequest(`Invalid target specified: integration ${match[1]} does not exist in API ${api.apiId}`)
    }
  }
}

function createRoute(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'routeKey')
  const created = ctx.store.transaction(() => {
    const api = loadApi(ctx, params.ApiId, request.region)
    const route: WireObject = {apiKeyRequired: false, authorizationType: 'NONE', ...pick(input, ROUTE_MEMBERS)}
    validateRoute(ctx, api, route)
    const routeId = gatewayId(7)
    const stored = {apiGatewayManaged: false, routeId, ...route}
    if (!ctx.store.insertChild('routes', api.apiId, routeId, stored)) throw routeConflict(String(route.routeKey))
    autoDeploy(ctx, api.apiId)
    return stored
  })
  return json(201, created)
}

function updateRoute(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const updated = ctx.store.transaction(() => {
    const api = loadApi(ctx, params.ApiId, request.region)
    const current = loadChild(ctx, 'routes', api.apiId, params.RouteId)
    const next = {...current, ...pick(input, ROUTE_MEMBERS)}
    validateRoute(ctx, api, next)
    if (next.routeKey !== current.routeKey) {
      const holder = ctx.store.routeIdForKey(api.apiId, String(next.routeKey))
      if (holder && holder !== params.RouteId) throw routeConflict(String(next.routeKey))
    }
    ctx.store.saveChild('routes', api.apiId, params.RouteId, next)
    autoDeploy(ctx, api.apiId)
    return next
  })
  return json(200, updated)
}

// ---- stages -----------------------------------------------------------------------------------------------------

const STAGE_MEMBERS = [
  'accessLogSettings',
  'autoDeploy',
  'clientCertificateId',
  'defaultRouteSettings',
  'deploymentId',
  'description',
  'routeSettings',
  'stageVariables',
] as const

const STAGE_NAME_REGEX = /^[a-zA-Z0-9._-]{1,128}$/

function validateStage(stage: WireObject): void {
  const vars = stage.stageVariables
  if (vars !== undefined) stringMap(vars, 'stageVariables')
}

/**
 * A stage always reports `detailedMetricsEnabled` in its default route settings, and an update that names some
 * settings keeps the others (the CLI's `--default-route-settings ThrottlingBurstLimit=5` sends only that one).
 * Field-level merging is a choice: AWS's merge rule for a partial DefaultRouteSettings is unconfirmed.
 */
function routeSettingsWithDefaults(current: unknown, given: unknown): Record<string, unknown> {
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given))) {
    throw badRequest('Invalid defaultRouteSettings: expected an object')
  }
  const base = current && typeof current === 'object' ? (current as Record<string, unknown>) : {}
  return {detailedMetricsEnabled: false, ...base, ...((given as Record<string, unknown> | null | undefined) ?? {})}
}

function createStage(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  required(input, 'stageName')
  const stageName = String(input.stageName)
  if (stageName !== '$default' && !STAGE_NAME_REGEX.test(stageName)) {
    throw badRequest(
      `Stage name ${stageName} is invalid: use $default, or 1 to 128 letters, digits, hyphens, underscores or periods`,
    )
  }
  const created = ctx.store.transaction(() => {
    const api = loadApi(ctx, params.ApiId, request.region)
    const now = new Date().toISOString()
    const stage: WireObject = {
      autoDeploy: false,
      routeSettings: {},
      stageVariables: {},
      ...pick(input, STAGE_MEMBERS),
      defaultRouteSettings: routeSettingsWithDefaults(undefined, input.defaultRouteSettings),
      apiGatewayManaged: false,
      createdDate: now,
      lastUpdatedDate: now,
      stageName,
      tags: stringMap(input.tags, 'tags') ?? {},
    }
    validateStage(stage)
    checkStageDeployment(ctx, api.apiId, stage, input)
    if (!ctx.store.insertChild('stages', api.apiId, stageName, stage)) throw conflict(`Stage already exists: ${stageName}`)
    // An auto-deploy stage is deployed at once.
    return stage.autoDeploy === true ? autoDeploy(ctx, api.apiId, stageName)! : stage
  })
  return json(201, created)
}

function updateStage(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const updated = ctx.store.transaction(() => {
    const api = loadApi(ctx, params.ApiId, request.region)
    const current = loadChild(ctx, 'stages', api.apiId, params.StageName)
    const next: WireObject = {
      ...current,
      ...pick(input, STAGE_MEMBERS),
      defaultRouteSettings: routeSettingsWithDefaults(current.defaultRouteSettings, input.defaultRouteSettings),
      lastUpdatedDate: new Date().toISOString(),
    }
    validateStage(next)
    checkStageDeployment(ctx, api.apiId, next, input)
    ctx.store.saveChild('stages', api.apiId, params.StageName, next)
    // Turning auto-deploy on deploys the current routes.
    return next.autoDeploy === true && current.autoDeploy !== true ? autoDeploy(ctx, api.apiId, params.StageName)! : next
  })
  return json(200, updated)
}

// ---- deployments ------------------------------------------------------------------------------------------------

/** The description API Gateway gives the deployments it makes for auto-deploy stages. */
const AUTO_DEPLOYMENT_DESCRIPTION = 'Automatic deployment triggered by changes to the Api configuration'

/** A deployment as stored carries the routes and integrations it was made from (`snapshot`), never on the wire. */
function deploymentOut(stored: WireObject): WireObject {
  const {snapshot: _snapshot, ...wire} = stored
  return wire
}

/** Snapshots the API's current routes and integrations as a new deployment and returns it as stored. */
function snapshotDeployment(ctx: ControlContext, apiId: string, description: unknown, autoDeployed: boolean): WireObject {
  const deploymentId = gatewayId(6)
  const stored: WireObject = {
    autoDeployed,
    createdDate: new Date().toISOString(),
    deploymentId,
    deploymentStatus: 'DEPLOYED',
    ...(typeof description === 'string' ? {description} : {}),
    snapshot: {routes: ctx.store.allChildren('routes', apiId), integrations: ctx.store.allChildren('integrations', apiId)},
  }
  ctx.store.insertChild('deployments', apiId, deploymentId, stored)
  return stored
}

/**
 * After a change to the routes or integrations: every auto-deploy stage (or only `stageName`) gets a new deployment,
 * as API Gateway makes one. Returns the stage `stageName` as saved, when it was deployed.
 */
function autoDeploy(ctx: ControlContext, apiId: string, stageName?: string): WireObject | undefined {
  const stages = ctx.store.allChildren('stages', apiId).filter((stage) => stage.autoDeploy === true && (stageName === undefined || stage.stageName === stageName))
  if (stages.length === 0) return undefined
  const deploymentId = String(snapshotDeployment(ctx, apiId, AUTO_DEPLOYMENT_DESCRIPTION, true).deploymentId)
  let named: WireObject | undefined
  for (const stage of stages) {
    const next = {...stage, deploymentId, lastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${deploymentId}'`}
    ctx.store.saveChild('stages', apiId, String(stage.stageName), next)
    if (stage.stageName === stageName) named = next
  }
  return named
}

/**
 * A stage's `deploymentId` must name a deployment of the API, and cannot be set on an auto-deploy stage (API
 * Gateway answers BadRequestException; the message is ours).
 */
function checkStageDeployment(ctx: ControlContext, apiId: string, stage: WireObject, input: Record<string, unknown>): void {
  if (typeof input.deploymentId !== 'string') return
  if (stage.autoDeploy === true) throw badRequest('DeploymentId cannot be specified for a stage with autoDeploy enabled')
  loadChild(ctx, 'deployments', apiId, input.deploymentId)
}

function createDeployment(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const created = ctx.store.transaction(() => {
    const api = loadApi(ctx, params.ApiId, request.region)
    const stage = typeof input.stageName === 'string' ? loadChild(ctx, 'stages', api.apiId, input.stageName) : undefined
    if (stage?.autoDeploy === true) throw badRequest(`Stage ${String(stage.stageName)} has autoDeploy enabled: its deployments are made automatically`)
    const deployment = snapshotDeployment(ctx, api.apiId, input.description, false)
    if (stage) {
      ctx.store.saveChild('stages', api.apiId, String(stage.stageName), {...stage, deploymentId: deployment.deploymentId, lastUpdatedDate: new Date().toISOString()})
    }
    return deployment
  })
  return json(201, deploymentOut(created))
}

function getDeployment(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.ApiId, request.region)
  return json(200, deploymentOut(loadChild(ctx, 'deployments', params.ApiId, params.DeploymentId)))
}

function getDeployments(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  loadApi(ctx, params.ApiId, request.region)
  const page = listPage(request, PAGING, (options) => ctx.store.listChildren('deployments', params.ApiId, options))
  return json(200, {items: page.items.map(deploymentOut), ...(page.next ? {nextToken: page.next} : {})})
}

function updateDeployment(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const input = body(request)
  const updated = ctx.store.transaction(() => {
    loadApi(ctx, params.ApiId, request.region)
    const current = loadChild(ctx, 'deployments', params.ApiId, params.DeploymentId)
    const next = typeof input.description === 'string' ? {...current, description: input.description} : current
    ctx.store.saveChild('deployments', params.ApiId, params.DeploymentId, next)
    return next
  })
  return json(200, deploymentOut(updated))
}

/** A deployment a stage serves cannot be deleted (REST's message; HTTP APIs' is unconfirmed). */
function refuseIfServed(ctx: ControlContext, apiId: string, deploymentId: string): void {
  if (ctx.store.allChildren('stages', apiId).some((stage) => stage.deploymentId === deploymentId)) {
    throw badRequest(DEPLOYMENT_IN_USE)
  }
}

// ---- generic child operations ------------------------------------------------------------------------------------

function getChild(kind: ApiChildKind, idParam: string) {
  return (request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse => {
    loadApi(ctx, params.ApiId, request.region)
    return json(200, loadChild(ctx, kind, params.ApiId, params[idParam]))
  }
}

function listChildren(kind: ApiChildKind) {
  return (request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse => {
    loadApi(ctx, params.ApiId, request.region)
    const page = listPage(request, PAGING, (options) => ctx.store.listChildren(kind, params.ApiId, options))
    return json(200, {items: page.items, ...(page.next ? {nextToken: page.next} : {})})
  }
}

/**
 * An integration a route still targets cannot be deleted; AWS answers 409 naming the routes (seen verbatim in
 * Terraform's "error deleting API Gateway v2 integration: ConflictException: Cannot delete Integration because it
 * is referenced by the following Routes with Ids: [xrfucl1]").
 */
function refuseIfRouted(ctx: ControlContext, apiId: string, integrationId: string): void {
  const routes = ctx.store.allChildren('routes', apiId).filter((route) => route.target === `integrations/${integrationId}`)
  if (routes.length > 0) {
    throw conflict(`Cannot delete Integration because it is referenced by the following Routes with Ids: [${routes.map((r) => String(r.routeId)).join(', ')}]`)
  }
}

function deleteChild(kind: ApiChildKind, idParam: string) {
  return (request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse => {
    ctx.store.transaction(() => {
      loadApi(ctx, params.ApiId, request.region)
      loadChild(ctx, kind, params.ApiId, params[idParam])
      if (kind === 'integrations') refuseIfRouted(ctx, params.ApiId, params[idParam])
      if (kind === 'deployments') refuseIfServed(ctx, params.ApiId, params[idParam])
      ctx.store.deleteChild(kind, params.ApiId, params[idParam])
      if (kind === 'routes' || kind === 'integrations') autoDeploy(ctx, params.ApiId)
    })
    return empty(204)
  }
}

// ---- tags -------------------------------------------------------------------------------------------------------

/** `arn:aws:apigateway:{region}::/apis/{apiId}` or `…/apis/{apiId}/stages/{stageName}`. */
function taggable(ctx: ControlContext, arn: string): {read(): Record<string, string>; write(tags: Record<string, string>): void} {
  const match = /^arn:aws[a-zA-Z-]*:apigateway:([a-z0-9-]+)::\/apis\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(arn)
  if (!match) throw badRequest(`Invalid resource ARN specified: ${arn}`)
  const [, region, apiId, stageName] = match
  const api = loadApi(ctx, apiId, region)
  if (stageName === undefined) {
    return {
      read: () => (api.data.tags as Record<string, string> | undefined) ?? {},
      write: (tags) => ctx.store.saveApi({...api, data: {...api.data, tags}}),
    }
  }
  const stage = loadChild(ctx, 'stages', apiId, stageName)
  return {
    read: () => (stage.tags as Record<string, string> | undefined) ?? {},
    write: (tags) => ctx.store.saveChild('stages', apiId, stageName, {...stage, tags}),
  }
}

function tagResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const tags = stringMap(body(request).tags, 'tags') ?? {}
  ctx.store.transaction(() => {
    const resource = taggable(ctx, params.ResourceArn)
    resource.write({...resource.read(), ...tags})
  })
  return json(201, {})
}

function untagResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const keys = request.query.getAll('tagKeys')
  if (keys.length === 0) throw badRequest("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
  ctx.store.transaction(() => {
    const resource = taggable(ctx, params.ResourceArn)
    const tags = {...resource.read()}
    for (const key of keys) delete tags[key]
    resource.write(tags)
  })
  return empty(204)
}

function getTags(_request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  return json(200, {tags: taggable(ctx, params.ResourceArn).read()})
}

const API = '/v2/apis/{ApiId}'

export const APIGATEWAYV2_ROUTES: readonly Route<ControlContext>[] = [
  {method: 'POST', pattern: '/v2/apis', operation: 'CreateApi', handle: (r, _p, c) => createApi(r, c)},
  {method: 'GET', pattern: '/v2/apis', operation: 'GetApis', handle: (r, _p, c) => getApis(r, c)},
  {method: 'GET', pattern: API, operation: 'GetApi', handle: getApi},
  {method: 'PATCH', pattern: API, operation: 'UpdateApi', handle: updateApi},
  {method: 'DELETE', pattern: API, operation: 'DeleteApi', handle: deleteApi},
  {method: 'POST', pattern: `${API}/integrations`, operation: 'CreateIntegration', handle: createIntegration},
  {method: 'GET', pattern: `${API}/integrations`, operation: 'GetIntegrations', handle: listChildren('integrations')},
  {
    method: 'GET',
    pattern: `${API}/integrations/{IntegrationId}`,
    operation: 'GetIntegration',
    handle: getChild('integrations', 'IntegrationId'),
  },
  {method: 'PATCH', pattern: `${API}/integrations/{IntegrationId}`, operation: 'UpdateIntegration', handle: updateIntegration},
  {
    method: 'DELETE',
    pattern: `${API}/integrations/{IntegrationId}`,
    operation: 'DeleteIntegration',
    handle: deleteChild('integrations', 'IntegrationId'),
  },
  {method: 'POST', pattern: `${API}/routes`, operation: 'CreateRoute', handle: createRoute},
  {method: 'GET', pattern: `${API}/routes`, operation: 'GetRoutes', handle: listChildren('routes')},
  {method: 'GET', pattern: `${API}/routes/{RouteId}`, operation: 'GetRoute', handle: getChild('routes', 'RouteId')},
  {method: 'PATCH', pattern: `${API}/routes/{RouteId}`, operation: 'UpdateRoute', handle: updateRoute},
  {method: 'DELETE', pattern: `${API}/routes/{RouteId}`, operation: 'DeleteRoute', handle: deleteChild('routes', 'RouteId')},
  {method: 'POST', pattern: `${API}/deployments`, operation: 'CreateDeployment', handle: createDeployment},
  {method: 'GET', pattern: `${API}/deployments`, operation: 'GetDeployments', handle: getDeployments},
  {method: 'GET', pattern: `${API}/deployments/{DeploymentId}`, operation: 'GetDeployment', handle: getDeployment},
  {method: 'PATCH', pattern: `${API}/deployments/{DeploymentId}`, operation: 'UpdateDeployment', handle: updateDeployment},
  {method: 'DELETE', pattern: `${API}/deployments/{DeploymentId}`, operation: 'DeleteDeployment', handle: deleteChild('deployments', 'DeploymentId')},
  {method: 'POST', pattern: `${API}/stages`, operation: 'CreateStage', handle: createStage},
  {method: 'GET', pattern: `${API}/stages`, operation: 'GetStages', handle: listChildren('stages')},
  {method: 'GET', pattern: `${API}/stages/{StageName}`, operation: 'GetStage', handle: getChild('stages', 'StageName')},
  {method: 'PATCH', pattern: `${API}/stages/{StageName}`, operation: 'UpdateStage', handle: updateStage},
  {method: 'DELETE', pattern: `${API}/stages/{StageName}`, operation: 'DeleteStage', handle: deleteChild('stages', 'StageName')},
  {method: 'POST', pattern: '/v2/tags/{ResourceArn}', operation: 'TagResource', handle: tagResource},
  {method: 'GET', pattern: '/v2/tags/{ResourceArn}', operation: 'GetTags', handle: getTags},
  {method: 'DELETE', pattern: '/v2/tags/{ResourceArn}', operation: 'UntagResource', handle: untagResource},
]
