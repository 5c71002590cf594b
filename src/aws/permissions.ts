/**
 * The narrow AWS interface `tracegate permissions` uses: function listing, GetPolicy with its RevisionId,
 * RemovePermission guarded by RevisionId, and a read of the APIs of a region (HTTP and WebSocket through
 * ApiGatewayV2, REST through API Gateway v1). Pagination is drained here; every request is counted so the
 * audit can report (and the benchmark measure) how many calls it made.
 */
import type {APIGatewayClient} from '@aws-sdk/client-api-gateway'
import type {ApiGatewayV2Client} from '@aws-sdk/client-apigatewayv2'
import type {LambdaClient} from '@aws-sdk/client-lambda'
import type {ApiSnapshot} from '../permissions/audit.js'
import {type AwsClients, createAwsClients} from './clients.js'
import {isUserError} from '../errors.js'
import {awsCall, awsCallOrMissing, type Clock, errorName, isNotFound, systemClock, toUserError, withRetry} from './errors.js'

export interface FunctionRef {
  /** The function's name, or `name:live` / `name:3` for an alias's or a version's own policy. */
  name: string
  /** The function's ARN (qualified with the alias or version for theirs). */
  arn: string
}

export interface FunctionPolicy {
  /** GetPolicy's `Policy` string; `undefined` when the function has no policy (404). */
  policy?: string
  revisionId?: string
}

export interface ApiListing {
  apiId: string
  name: string
  type: 'http' | 'rest' | 'websocket'
  region: string
  tags: Record<string, string>
}

/** RemovePermission answered 412 PreconditionFailedException: the policy changed since it was read. */
export class PolicyChangedError extends Error {
  constructor(
    readonly functionName: string,
    readonly statementId: string,
    options?: {cause?: unknown},
  ) {
    super(`The resource policy of ${functionName} changed while removing ${statementId} (RevisionId no longer current)`, options)
    this.name = 'PolicyChangedError'
  }
}

export interface PermissionsAws {
  /** The region of the default clients (the functions' region). */
  readonly region: string
  /** AWS requests sent so far (SDK-internal retries not included). */
  requestCount(): number
  /** Every function of the region (ListFunctions, all pages). */
  listFunctions(): Promise<FunctionRef[]>
  /** The function's unqualified ARN, or `undefined` when it does not exist. */
  getFunction(name: string): Promise<FunctionRef | undefined>
  /**
   * The function's aliases (ListAliases, all pages): each has a resource policy of its own. `undefined` when the
   * caller may not list them (AccessDenied): the audit then covers the function's own policy only.
   */
  listAliases(functionName: string): Promise<string[] | undefined>
  /**
   * The function's published versions (ListVersionsByFunction, all pages; `$LATEST` left out): each has a resource
   * policy of its own. `undefined` when the caller may not list them (AccessDenied).
   */
  listVersions(functionName: string): Promise<string[] | undefined>
  /** The policy and its revision; `{}` when the function has no policy. `functionName` may be `name:alias` or `name:3`. */
  getPolicy(functionName: string): Promise<FunctionPolicy>
  /**
   * Removes one statement, only if the policy is still at `revisionId` (a 412 throws PolicyChangedError).
   * `missing` when the statement (or the whole policy) is already gone.
   */
  removePermission(functionName: string, statementId: string, revisionId: string | undefined): Promise<'removed' | 'missing'>
  /** Every API of a region: HTTP and WebSocket (GetApis) and REST (GetRestApis), all pages. */
  listApis(region: string): Promise<ApiListing[]>
  /** Stages, routes and the function each route integrates with. */
  describeApi(api: ApiListing): Promise<ApiSnapshot>
}

export interface PermissionsAwsOptions {
  /**
   * Clients for another region (cross-region APIs). Default: the same endpoint and emulator setting as
   * `clients`, with `profile`.
   */
  clientsFor?: (region: string) => AwsClients
  profile?: string
  clock?: Clock
  /** How many API descriptions run at once (API Gateway's control plane throttles at a few requests/s). */
  concurrency?: number
}

/** A route whose integration is not a Lambda function (HTTP_PROXY, MOCK, ...): it can invoke no function. */
export const NOT_LAMBDA = 'not-a-lambda-integration'

/**
 * The function an integration URI invokes. HTTP APIs accept the function ARN itself; REST APIs (and HTTP APIs
 * as well) use `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`
 * (aws-semantics §3). A stage-variable URI cannot be resolved: `null` (unknown, keeps grants alive).
 */
export function functionOfIntegrationUri(uri: string | undefined, type: string | undefined): string | null {
  if (!uri) return type && !/AWS/.test(type) ? NOT_LAMBDA : null
  if (uri.includes('${stageVariables')) return null
  const path = /:lambda:path\/[^/]+\/functions\/(.+?)\/invocations/.exec(uri)
  if (path) return decodeURIComponent(path[1])
  if (/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/.test(uri)) return uri
  return NOT_LAMBDA
}

export async function createPermissionsAws(clients: AwsClients, options: PermissionsAwsOptions = {}): Promise<PermissionsAws> {
  const clock = options.clock ?? systemClock
  const limit = Math.max(1, options.concurrency ?? 4)
  let requests = 0
  const perRegion = new Map<string, AwsClients>([[clients.region, clients]])
  const clientsIn = (region: string): AwsClients => {
    let c = perRegion.get(region)
    if (!c) {
      c = options.clientsFor
        ? options.clientsFor(region)
        : createAwsClients({region, profile: options.profile, endpoint: clients.endpoint, local: clients.local})
      perRegion.set(region, c)
    }
    return c
  }
  const lambdaSdk = () => import('@aws-sdk/client-lambda')
  const v2Sdk = () => import('@aws-sdk/client-apigatewayv2')
  const v1Sdk = () => import('@aws-sdk/client-api-gateway')
  const count = <T>(work: () => Promise<T>) => () => {
    requests++
    return work()
  }
  const call = <T>(action: string, resource: string, work: () => Promise<T>) => awsCall(action, count(work), {clock, resource})
  const callOrMissing = <T>(action: string, resource: string, work: () => Promise<T>) =>
    awsCallOrMissing(action, count(work), {clock, resource})

  async function lambda(): Promise<[LambdaClient, Awaited<ReturnType<typeof lambdaSdk>>]> {
    return Promise.all([clients.lambda(), lambdaSdk()])
  }

  /**
   * The names a Lambda listing gives over all its pages (Marker), or `undefined` when the caller may not list them
   * (AccessDenied): the audit then covers the function's own policy, and says so.
   */
  async function drainLambda<P extends {NextMarker?: string}>(
    action: string,
    functionName: string,
    page: (marker?: string) => Promise<P>,
    names: (page: P) => string[],
  ): Promise<string[] | undefined> {
    const found: string[] = []
    let marker: string | undefined
    try {
      do {
        const response = await callOrMissing(action, functionName, () => page(marker))
        if (response) found.push(...names(response))
        marker = response?.NextMarker
      } while (marker)
    } catch (error) {
      if (isUserError(error) && error.code === 'AWS_ACCESS_DENIED') return undefined
      throw error
    }
    return found
  }

  async function drainV2<I>(resource: string, page: (token?: string) => Promise<{Items?: I[]; NextToken?: string}>): Promise<I[]> {
    const items: I[] = []
    let token: string | undefined
    do {
      const response = await call('apigateway:GET', resource, () => page(token))
      items.push(...(response.Items ?? []))
      token = response.NextToken
    } while (token)
    return items
  }

  async function drainV1<I>(resource: string, page: (position?: string) => Promise<{items?: I[]; position?: string}>): Promise<I[]> {
    const items: I[] = []
    let position: string | undefined
    do {
      const response = await call('apigateway:GET', resource, () => page(position))
      items.push(...(response.items ?? []))
      position = response.position
    } while (position)
    return items
  }

  async function listHttpApis(region: string): Promise<ApiListing[]> {
    const [client, sdk]: [ApiGatewayV2Client, Awaited<ReturnType<typeof v2Sdk>>] = await Promise.all([clientsIn(region).apiGatewayV2(), v2Sdk()])
    const items = await drainV2('/apis', (NextToken) => client.send(new sdk.GetApisCommand({NextToken, MaxResults: '500'})))
    return items.map((a) => ({
      apiId: a.ApiId ?? '',
      name: a.Name ?? '',
      type: a.ProtocolType === 'WEBSOCKET' ? 'websocket' : 'http',
      region,
      tags: {...(a.Tags ?? {})},
    }))
  }

  async function listRestApis(region: string): Promise<ApiListing[]> {
    const [client, sdk]: [APIGatewayClient, Awaited<ReturnType<typeof v1Sdk>>] = await Promise.all([clientsIn(region).apiGateway(), v1Sdk()])
    try {
      const items = await drainV1('/restapis', (position) => client.send(new sdk.GetRestApisCommand({position, limit: 500})))
      return items.map((a) => ({apiId: a.id ?? '', name: a.name ?? '', type: 'rest' as const, region, tags: {...(a.tags ?? {})}}))
    } catch (error) {
      // An AWS-compatible endpoint without API Gateway v1 (tracegate's emulator serves HTTP APIs only) has no
      // REST APIs; real AWS never answers this.
      if (errorName((error as {cause?: unknown}).cause ?? error) === 'UnknownOperationException') return []
      throw error
    }
  }

  async function describeHttp(api: ApiListing): Promise<ApiSnapshot> {
    const [client, sdk]: [ApiGatewayV2Client, Awaited<ReturnType<typeof v2Sdk>>] = await Promise.all([clientsIn(api.region).apiGatewayV2(), v2Sdk()])
    const base = `/apis/${api.apiId}`
    const [stages, routes, integrations] = await Promise.all([
      drainV2(`${base}/stages`, (NextToken) => client.send(new sdk.GetStagesCommand({ApiId: api.apiId, NextToken, MaxResults: '500'}))),
      drainV2(`${base}/routes`, (NextToken) => client.send(new sdk.GetRoutesCommand({ApiId: api.apiId, NextToken, MaxResults: '500'}))),
      drainV2(`${base}/integrations`, (NextToken) =>
        client.send(new sdk.GetIntegrationsCommand({ApiId: api.apiId, NextToken, MaxResults: '500'})),
      ),
    ])
    const byId = new Map(integrations.map((i) => [i.IntegrationId, i]))
    const routeFunctions: Record<string, string | null> = {}
    for (const r of routes) {
      if (!r.RouteKey) continue
      const id = r.Target?.startsWith('integrations/') ? r.Target.slice('integrations/'.length) : undefined
      const integration = id ? byId.get(id) : undefined
      routeFunctions[r.RouteKey] = integration ? functionOfIntegrationUri(integration.IntegrationUri, integration.IntegrationType) : null
    }
    return {
      apiId: api.apiId,
      type: api.type,
      name: api.name,
      region: api.region,
      stages: stages.map((s) => s.StageName ?? '').filter(Boolean),
      routeKeys: Object.keys(routeFunctions),
      routeFunctions,
    }
  }

  async function describeRest(api: ApiListing): Promise<ApiSnapshot> {
    const [client, sdk]: [APIGatewayClient, Awaited<ReturnType<typeof v1Sdk>>] = await Promise.all([clientsIn(api.region).apiGateway(), v1Sdk()])
    const base = `/restapis/${api.apiId}`
    const [stages, resources] = await Promise.all([
      call('apigateway:GET', `${base}/stages`, () => client.send(new sdk.GetStagesCommand({restApiId: api.apiId}))),
      // embed=methods returns each Method with its integration, so one paginated call reads every route.
      drainV1(`${base}/resources`, (position) =>
        client.send(new sdk.GetResourcesCommand({restApiId: api.apiId, position, limit: 500, embed: ['methods']})),
      ),
    ])
    const routeFunctions: Record<string, string | null> = {}
    for (const resource of resources) {
      for (const [verb, method] of Object.entries(resource.resourceMethods ?? {})) {
        const integration = method.methodIntegration
        routeFunctions[`${method.httpMethod ?? verb} ${resource.path ?? '/'}`] = integration
          ? functionOfIntegrationUri(integration.uri, integration.type)
          : null
      }
    }
    return {
      apiId: api.apiId,
      type: 'rest',
      name: api.name,
      region: api.region,
      stages: (stages.item ?? []).map((s) => s.stageName ?? '').filter(Boolean),
      routeKeys: Object.keys(routeFunctions),
      routeFunctions,
    }
  }

  // Bounded concurrency for describeApi: API Gateway's control plane throttles per account.
  let running = 0
  const waiting: Array<() => void> = []
  async function limited<T>(work: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await work()
    } finally {
      running--
      waiting.shift()?.()
    }
  }

  return {
    region: clients.region,
    requestCount: () => requests,

    async listFunctions() {
      const [client, sdk] = await lambda()
      const found: FunctionRef[] = []
      let marker: string | undefined
      do {
        const page = await call('lambda:ListFunctions', '*', () => client.send(new sdk.ListFunctionsCommand({Marker: marker, MaxItems: 50})))
        for (const f of page.Functions ?? []) {
          if (f.FunctionName && f.FunctionArn) found.push({name: f.FunctionName, arn: f.FunctionArn})
        }
        marker = page.NextMarker
      } while (marker)
      return found
    },

    async getFunction(name) {
      const [client, sdk] = await lambda()
      const config = await callOrMissing('lambda:GetFunctionConfiguration', name, () =>
        client.send(new sdk.GetFunctionConfigurationCommand({FunctionName: name})),
      )
      if (!config?.FunctionArn) return undefined
      return {name: config.FunctionName ?? name, arn: config.FunctionArn}
    },

    async listAliases(functionName) {
      const [client, sdk] = await lambda()
      return drainLambda(
        'lambda:ListAliases',
        functionName,
        (marker) => client.send(new sdk.ListAliasesCommand({FunctionName: functionName, Marker: marker})),
        (page) => (page.Aliases ?? []).flatMap((alias) => (alias.Name ? [alias.Name] : [])),
      )
    },

    async listVersions(functionName) {
      const [client, sdk] = await lambda()
      return drainLambda(
        'lambda:ListVersionsByFunction',
        functionName,
        (marker) => client.send(new sdk.ListVersionsByFunctionCommand({FunctionName: functionName, Marker: marker})),
        (page) => (page.Versions ?? []).flatMap((version) => (version.Version && version.Version !== '$LATEST' ? [version.Version] : [])),
      )
    },

    async getPolicy(functionName) {
      const [client, sdk] = await lambda()
      const response = await callOrMissing('lambda:GetPolicy', functionName, () => client.send(new sdk.GetPolicyCommand({FunctionName: functionName})))
      if (!response) return {}
      return {policy: response.Policy, revisionId: response.RevisionId}
    },

    async removePermission(functionName, statementId, revisionId) {
      const [client, sdk] = await lambda()
      try {
        await withRetry(
          count(() => client.send(new sdk.RemovePermissionCommand({FunctionName: functionName, StatementId: statementId, RevisionId: revisionId}))),
          {clock},
        )
        return 'removed'
      } catch (error) {
        // A stale RevisionId: someone changed the policy after we read it (aws-semantics §1.2, 412).
        if (errorName(error) === 'PreconditionFailedException') throw new PolicyChangedError(functionName, statementId, {cause: error})
        if (isNotFound(error)) return 'missing'
        throw toUserError(error, 'lambda:RemovePermission', functionName)
      }
    },

    async listApis(region) {
      const [http, rest] = await Promise.all([listHttpApis(region), listRestApis(region)])
      return [...http, ...rest].filter((a) => a.apiId)
    },

    describeApi(api) {
      if (api.type === 'websocket') {
        // Listed so their grants are never called stale; their routes are not audited.
        return Promise.resolve({apiId: api.apiId, type: 'websocket', name: api.name, region: api.region, stages: [], routeKeys: []})
      }
      return limited(() => (api.type === 'rest' ? describeRest(api) : describeHttp(api)))
    },
  }
}
