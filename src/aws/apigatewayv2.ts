/**
 * The narrow ApiGatewayV2 interface for HTTP APIs (aws-semantics §1.3). List operations are drained here.
 * IAM names API Gateway permissions by HTTP verb (`apigateway:POST` on `/apis`), so that is what an
 * access-denied error names.
 */
import type {ApiGatewayV2Client} from '@aws-sdk/client-apigatewayv2'
import type {AwsClients} from './clients.js'
import {awsCall, awsCallOrMissing, type Clock, systemClock} from './errors.js'

export interface HttpApiState {
  apiId: string
  name: string
  /** `https://{apiId}.execute-api.{region}.amazonaws.com` */
  apiEndpoint: string
  protocolType: string
  tags: Record<string, string>
  createdDate?: Date
}

export interface IntegrationState {
  integrationId: string
  integrationType?: string
  integrationUri?: string
  payloadFormatVersion?: string
}

export interface RouteState {
  routeId: string
  routeKey: string
  /** `integrations/{integrationId}` */
  target?: string
  authorizationType?: string
}

export interface StageState {
  stageName: string
  autoDeploy: boolean
}

export interface LambdaIntegrationInput {
  functionArn: string
}

export interface ApiGatewayV2Api {
  /** Every API of the region (all pages). */
  listApis(): Promise<HttpApiState[]>
  getIntegrations(apiId: string): Promise<IntegrationState[]>
  getRoutes(apiId: string): Promise<RouteState[]>
  getStages(apiId: string): Promise<StageState[]>
  createApi(input: {name: string; tags: Record<string, string>}): Promise<HttpApiState>
  /** A Lambda proxy integration, payload format 2.0, integration URI = the function ARN (§1.3). */
  createIntegration(apiId: string, input: LambdaIntegrationInput): Promise<IntegrationState>
  updateIntegration(apiId: string, integrationId: string, input: LambdaIntegrationInput): Promise<IntegrationState>
  deleteIntegration(apiId: string, integrationId: string): Promise<void>
  createRoute(apiId: string, input: {routeKey: string; integrationId: string}): Promise<RouteState>
  updateRoute(apiId: string, routeId: string, input: {integrationId: string}): Promise<RouteState>
  deleteRoute(apiId: string, routeId: string): Promise<void>
  createStage(apiId: string, input: {stageName: string; autoDeploy: boolean}): Promise<StageState>
  updateStage(apiId: string, stageName: string, input: {autoDeploy: boolean}): Promise<StageState>
  deleteStage(apiId: string, stageName: string): Promise<void>
  /** Deletes the API and everything in it (routes, integrations, stages). Missing is fine. */
  deleteApi(apiId: string): Promise<void>
}

export const PAYLOAD_FORMAT_VERSION = '2.0'

export async function createApiGatewayV2Api(clients: AwsClients, options: {clock?: Clock} = {}): Promise<ApiGatewayV2Api> {
  const [sdk, client] = await Promise.all([import('@aws-sdk/client-apigatewayv2'), clients.apiGatewayV2()])
  return apiGatewayV2Api(client, sdk, options.clock ?? systemClock)
}

function apiGatewayV2Api(client: ApiGatewayV2Client, sdk: typeof import('@aws-sdk/client-apigatewayv2'), clock: Clock): ApiGatewayV2Api {
  const call = <T>(action: string, resource: string, work: () => Promise<T>) => awsCall(action, work, {clock, resource})
  const callOrMissing = <T>(action: string, resource: string, work: () => Promise<T>) => awsCallOrMissing(action, work, {clock, resource})

  async function drain<I>(action: string, resource: string, page: (nextToken?: string) => Promise<{Items?: I[]; NextToken?: string}>): Promise<I[]> {
    const items: I[] = []
    let token: string | undefined
    do {
      const response = await call(action, resource, () => page(token))
      items.push(...(response.Items ?? []))
      token = response.NextToken
    } while (token)
    return items
  }

  const integration = (i: {IntegrationId?: string; IntegrationType?: string; IntegrationUri?: string; PayloadFormatVersion?: string}): IntegrationState => ({
    integrationId: i.IntegrationId ?? '',
    integrationType: i.IntegrationType,
    integrationUri: i.IntegrationUri,
    payloadFormatVersion: i.PayloadFormatVersion,
  })
  const route = (r: {RouteId?: string; RouteKey?: string; Target?: string; AuthorizationType?: string}): RouteState => ({
    routeId: r.RouteId ?? '',
    routeKey: r.RouteKey ?? '',
    target: r.Target,
    authorizationType: r.AuthorizationType,
  })
  const stage = (s: {StageName?: string; AutoDeploy?: boolean}): StageState => ({stageName: s.StageName ?? '', autoDeploy: Boolean(s.AutoDeploy)})
  const api = (a: {ApiId?: string; Name?: string; ApiEndpoint?: string; ProtocolType?: string; Tags?: Record<string, string>; CreatedDate?: Date}): HttpApiState => ({
    apiId: a.ApiId ?? '',
    name: a.Name ?? '',
    apiEndpoint: a.ApiEndpoint ?? '',
    protocolType: a.ProtocolType ?? '',
    tags: {...(a.Tags ?? {})},
    createdDate: a.CreatedDate,
  })

  return {
    async listApis() {
      const items = await drain('apigateway:GET', '/apis', (NextToken) => client.send(new sdk.GetApisCommand({NextToken, MaxResults: '100'})))
      return items.map(api)
    },
    async getIntegrations(apiId) {
      const items = await drain('apigateway:GET', `/apis/${apiId}/integrations`, (NextToken) =>
        client.send(new sdk.GetIntegrationsCommand({ApiId: apiId, NextToken, MaxResults: '100'})),
      )
      return items.map(integration)
    },
    async getRoutes(apiId) {
      const items = await drain('apigateway:GET', `/apis/${apiId}/routes`, (NextToken) =>
        client.send(new sdk.GetRoutesCommand({ApiId: apiId, NextToken, MaxResults: '100'})),
      )
      return items.map(route)
    },
    async getStages(apiId) {
      const items = await drain('apigateway:GET', `/apis/${apiId}/stages`, (NextToken) =>
        client.send(new sdk.GetStagesCommand({ApiId: apiId, NextToken, MaxResults: '100'})),
      )
      return items.map(stage)
    },
    async createApi(input) {
      const response = await call('apigateway:POST', '/apis', () =>
        client.send(new sdk.CreateApiCommand({Name: input.name, ProtocolType: 'HTTP', Tags: {...input.tags}})),
      )
      return api(response)
    },
    async createIntegration(apiId, input) {
      const response = await call('apigateway:POST', `/apis/${apiId}/integrations`, () =>
        client.send(
          new sdk.CreateIntegrationCommand({
            ApiId: apiId,
            IntegrationType: 'AWS_PROXY',
            IntegrationUri: input.functionArn,
            PayloadFormatVersion: PAYLOAD_FORMAT_VERSION,
          }),
        ),
      )
      return integration(response)
    },
    async updateIntegration(apiId, integrationId, input) {
      const response = await call('apigateway:PATCH', `/apis/${apiId}/integrations/${integrationId}`, () =>
        client.send(
          new sdk.UpdateIntegrationCommand({
            ApiId: apiId,
            IntegrationId: integrationId,
            IntegrationType: 'AWS_PROXY',
            IntegrationUri: input.functionArn,
            PayloadFormatVersion: PAYLOAD_FORMAT_VERSION,
          }),
        ),
      )
      return integration(response)
    },
    async deleteIntegration(apiId, integrationId) {
      await callOrMissing('apigateway:DELETE', `/apis/${apiId}/integrations/${integrationId}`, () =>
        client.send(new sdk.DeleteIntegrationCommand({ApiId: apiId, IntegrationId: integrationId})),
      )
    },
    async createRoute(apiId, input) {
      const response = await call('apigateway:POST', `/apis/${apiId}/routes`, () =>
        client.send(
          new sdk.CreateRouteCommand({ApiId: apiId, RouteKey: input.routeKey, Target: `integrations/${input.integrationId}`, AuthorizationType: 'NONE'}),
        ),
      )
      return route(response)
    },
    async updateRoute(apiId, routeId, input) {
      const response = await call('apigateway:PATCH', `/apis/${apiId}/routes/${routeId}`, () =>
        client.send(new sdk.UpdateRouteCommand({ApiId: apiId, RouteId: routeId, Target: `integrations/${input.integrationId}`})),
      )
      return route(response)
    },
    async deleteRoute(apiId, routeId) {
      await callOrMissing('apigateway:DELETE', `/apis/${apiId}/routes/${routeId}`, () =>
        client.send(new sdk.DeleteRouteCommand({ApiId: apiId, RouteId: routeId})),
      )
    },
    async createStage(apiId, input) {
      const response = await call('apigateway:POST', `/apis/${apiId}/stages`, () =>
        client.send(new sdk.CreateStageCommand({ApiId: apiId, StageName: input.stageName, AutoDeploy: input.autoDeploy})),
      )
      return stage(response)
    },
    async updateStage(apiId, stageName, input) {
      const response = await call('apigateway:PATCH', `/apis/${apiId}/stages/${stageName}`, () =>
        client.send(new sdk.UpdateStageCommand({ApiId: apiId, StageName: stageName, AutoDeploy: input.autoDeploy})),
      )
      return stage(response)
    },
    async deleteStage(apiId, stageName) {
      await callOrMissing('apigateway:DELETE', `/apis/${apiId}/stages/${stageName}`, () =>
        client.send(new sdk.DeleteStageCommand({ApiId: apiId, StageName: stageName})),
      )
    },
    async deleteApi(apiId) {
      await callOrMissing('apigateway:DELETE', `/apis/${apiId}`, () => client.send(new sdk.DeleteApiCommand({ApiId: apiId})))
    },
  }
}
