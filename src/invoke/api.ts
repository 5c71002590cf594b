import type {AwsClients} from '../aws/clients.js'
import type {ApiType} from '../diagnose/evidence.js'

/** The project's deployed API as invoke needs it: where to send requests, and its routes for the route check. */
export interface DeployedApi {
  apiType: ApiType
  apiId: string
  /** `apiEndpoint` (`https://{apiId}.execute-api.{region}.amazonaws.com`, or the emulator's URL). */
  endpoint: string
  stages: string[]
  routes: Array<{routeKey: string; integrationId?: string}>
  integrations: Array<{integrationId: string; integrationUri?: string; payloadFormatVersion?: string; timeoutInMillis?: number}>
  /** `apiEndpoint` plus `/{stage}` for a named stage (`$default` is served at the root). */
  url(stage: string): string
}

const integrationIdOf = (target: string | undefined) => /^integrations\/(.+)$/.exec(target ?? '')?.[1]

/**
 * Finds the project's API by its `tracegate:project` tag, with deploy's own lookup (`src/deploy/http-api.ts`),
 * so invoke and deploy can never disagree about which API is the project's. `undefined` when none is tagged.
 */
export async function findProjectApi(clients: AwsClients, project: {name: string; api: {type: ApiType}}): Promise<DeployedApi | undefined> {
  return project.api.type === 'rest' ? findRestApi(clients, project.name) : findHttpApi(clients, project.name)
}

async function findHttpApi(clients: AwsClients, name: string): Promise<DeployedApi | undefined> {
  const [{createApiGatewayV2Api}, {httpApiTarget}] = await Promise.all([import('../aws/apigatewayv2.js'), import('../deploy/http-api.js')])
  const target = httpApiTarget(await createApiGatewayV2Api(clients))
  const api = (await target.observe(name)).api
  if (!api) return undefined
  return {
    apiType: 'http',
    apiId: api.apiId,
    endpoint: api.endpoint,
    stages: api.detail.stages.map((s) => s.stageName),
    routes: api.detail.routes.map((r) => ({routeKey: r.routeKey, integrationId: integrationIdOf(r.target)})),
    integrations: api.detail.integrations.map((i) => ({
      integrationId: i.integrationId,
      integrationUri: i.integrationUri,
      payloadFormatVersion: i.payloadFormatVersion,
    })),
    url: (stage) => target.url(api.endpoint, stage),
  }
}

/**
 * A REST API's routes are its resources' methods (`GET /orders/{id}`), each with its own integration. These
 * are the API's current resources: a stage serves the deployment it points at, which deploy keeps current.
 */
async function findRestApi(clients: AwsClients, name: string): Promise<DeployedApi | undefined> {
  const [{lazyApiGatewayApi}, {restApiTarget}] = await Promise.all([import('../aws/apigateway.js'), import('../deploy/rest-api.js')])
  const target = restApiTarget(lazyApiGatewayApi(clients))
  const api = (await target.observe(name)).api
  if (!api) return undefined
  const routes: DeployedApi['routes'] = []
  const integrations: DeployedApi['integrations'] = []
  for (const resource of api.detail.resources) {
    for (const [method, state] of Object.entries(resource.methods)) {
      const integrationId = `${resource.id}/${method}`
      routes.push({routeKey: `${method} ${resource.path}`, integrationId})
      // REST Lambda proxies always use payload format 1.0 (aws-semantics §4.1).
      integrations.push({integrationId, integrationUri: state.integration?.uri, payloadFormatVersion: '1.0', timeoutInMillis: state.integration?.timeoutInMillis})
    }
  }
  return {
    apiType: 'rest',
    apiId: api.apiId,
    endpoint: api.endpoint,
    stages: api.detail.stages.map((s) => s.stageName),
    routes,
    integrations,
    url: (stage) => target.url(api.endpoint, stage),
  }
}

/**
 * The API type a response came from, by the headers each type sets (aws-semantics §5): HTTP APIs send
 * `apigw-requestid`, REST APIs `x-amzn-RequestId` and `x-amz-apigw-id`.
 */
export function apiTypeFromHeaders(headers: Record<string, string>): ApiType | undefined {
  if (headers['apigw-requestid']) return 'http'
  if (headers['x-amz-apigw-id'] || headers['x-amzn-requestid']) return 'rest'
  return undefined
}

/** The API id in an execute-api URL (`https://{apiId}.execute-api.{region}.amazonaws.com/…`, or the emulator's path form). */
export function apiIdFromUrl(url: string): string | undefined {
  const u = new URL(url)
  return /^([a-z0-9]+)\.execute-api\./i.exec(u.hostname)?.[1] ?? /^\/_aws\/execute-api\/([^/]+)/.exec(u.pathname)?.[1]
}
