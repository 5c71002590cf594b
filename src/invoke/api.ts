import type {AwsClients} from '../aws/clients.js'
import type {ApiType} from '../diagnose/evidence.js'
import {UserError} from '../errors.js'

/** The project's deployed API as invoke needs it: where to send requests, and its routes for the route check. */
export interface DeployedApi {
  apiType: ApiType
  apiId: string
  /** `apiEndpoint` (`https://{apiId}.execute-api.{region}.amazonaws.com`, or the emulator's URL). */
  endpoint: string
  stages: string[]
  routes: Array<{routeKey: string; integrationId?: string}>
  integrations: Array<{integrationId: string; integrationUri?: string; payloadFormatVersion?: string}>
  /** `apiEndpoint` plus `/{stage}` for a named stage (`$default` is served at the root). */
  url(stage: string): string
}

const integrationIdOf = (target: string | undefined) => /^integrations\/(.+)$/.exec(target ?? '')?.[1]

/**
 * Finds the project's API by its `tracegate:project` tag, with deploy's own lookup (`src/deploy/http-api.ts`),
 * so invoke and deploy can never disagree about which API is the project's. `undefined` when none is tagged.
 */
export async function findProjectApi(clients: AwsClients, project: {name: string; api: {type: ApiType}}): Promise<DeployedApi | undefined> {
  if (project.api.type === 'rest') {
    // Deploy cannot create REST APIs yet (src/deploy/targets.ts); there is no tagged REST API to find.
    throw new UserError('API_TYPE_UNSUPPORTED', 'Finding a REST API by its tag is not supported yet', {
      suggestion: 'Pass the full URL instead: tracegate invoke "GET https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/orders/42"',
    })
  }
  const [{createApiGatewayV2Api}, {httpApiTarget}] = await Promise.all([import('../aws/apigatewayv2.js'), import('../deploy/http-api.js')])
  const target = httpApiTarget(await createApiGatewayV2Api(clients))
  const observed = await target.observe(project.name)
  const api = observed.api
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
