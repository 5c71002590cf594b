/**
 * The REST API (API Gateway v1) data plane: `{emulator}/_aws/execute-api/{apiId}/{stage}/…` (and Host
 * `{apiId}.execute-api.localhost`), with REST's rules from `src/gateway/` and `src/permissions/`:
 *
 *   payload quota → stage (the first path segment must name one, else 403) → resource + method of the
 *   stage's *deployment* (not the live tree) → stage/method throttling (`methodSettings`) → integration →
 *   resource-policy check on the ARN API Gateway presents (`{apiId}/{stage}/{configured method}/{resource}`,
 *   `ANY` stays `ANY`, aws-semantics §3) → payload format 1.0 event → Lambda, raced against 29 s → REST
 *   response rules (§4.2 first column) and REST statuses (§5: 500 for a rejected invocation, 502 for a function
 *   error or a malformed response, 504 at 29 s, 403 Missing Authentication Token for an unknown route).
 *
 * Every answer carries `x-amzn-RequestId`, `x-amz-apigw-id` and `X-Amzn-Trace-Id`. With tracing enabled on
 * the stage, the request is sampled (unless the caller sent `Sampled=0`) and the stage emits its segment
 * (§6.4): `{restApiName}/{stage}`, origin `AWS::ApiGateway::Stage`, with one `Lambda` subsegment (namespace
 * `aws`, operation `Invoke`) whose id is the `Parent` of the trace header Lambda receives, so Lambda's
 * `AWS::Lambda` segment hangs under it: stage → Lambda subsegment → AWS::Lambda → AWS::Lambda::Function.
 *
 * HTTP APIs are served by `execute-api.ts`; this handler answers only for REST API ids and returns false
 * otherwise. The REST view of an API is read from `rest-store.ts` and cached until the store changes.
 */
import {randomBytes} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type BetterSqlite3 from 'better-sqlite3'
import {API_PAYLOAD_LIMIT_BYTES, type GatewayErrorCondition, gatewayErrorResponse, integrationTimeoutMs} from '../../gateway/errors.js'
import {buildEventV1} from '../../gateway/events.js'
import {restExtendedRequestId, restRequestId} from '../../gateway/ids.js'
import {matchRestRoute, type RestRouteMatch, resolveStage} from '../../gateway/match.js'
import {interpretProxyResponse, type ProxyResponseResult} from '../../gateway/response.js'
import type {SnapshotResource} from '../control/apigateway.js'
import {restStore} from '../rest-store.js'
import {decideTrace, type InvokeResult, newSegmentId, parseTraceHeader, type Sampler} from '../runtime/index.js'
import type {Store, WireObject} from '../store.js'
import type {EmulatorRequest} from '../wire.js'
import {type LambdaTarget, lambdaTargetOf, type ThrottleSettings, withStageVariables} from './cache.js'
import {type ExecuteApiDeps, eventPayload, executeApiTarget, gatewayRequestOf, invokeWithin, mayInvoke, outgoingHeaders} from './execute-api.js'
import {functionArnOf} from './host.js'
import {headerOf, type OutgoingHeaders, writeResponse} from './respond.js'

// ---- the REST view of the store -------------------------------------------------------------------------------

export interface RestRoute {
  routeKey: string
  resourceId: string
  resourcePath: string
  httpMethod: string
  integrationType?: string
  lambda?: LambdaTarget
  timeoutInMillis?: number
  /** An integration role: API Gateway invokes as that role and the resource policy is not consulted. */
  credentials?: string
}

export interface RestStageView {
  stageName: string
  deploymentId: string
  tracingEnabled: boolean
  variables: Record<string, string>
  /** `methodSettings['*\/*']` throttling, for every method of the stage. */
  throttle: ThrottleSettings
  /** Per-method overrides by route key (`GET /orders`). */
  methodThrottle: Map<string, ThrottleSettings>
  routeKeys: string[]
  routes: Map<string, RestRoute>
}

export interface RestApiView {
  apiId: string
  region: string
  name: string
  binaryMediaTypes: string[]
  stages: Map<string, RestStageView>
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function throttleOf(setting: unknown): ThrottleSettings {
  const s = (setting ?? {}) as {throttlingBurstLimit?: unknown; throttlingRateLimit?: unknown}
  return {burstLimit: optionalNumber(s.throttlingBurstLimit), rateLimit: optionalNumber(s.throttlingRateLimit)}
}

function compileStage(stage: WireObject, snapshot: SnapshotResource[]): RestStageView {
  const variables = (stage.variables as Record<string, string> | undefined) ?? {}
  const routes = new Map<string, RestRoute>()
  for (const resource of snapshot) {
    for (const [verb, method] of Object.entries(resource.resourceMethods)) {
      const integration = (method.methodIntegration ?? {}) as {type?: string; uri?: string; timeoutInMillis?: unknown; credentials?: unknown}
      const routeKey = `${verb} ${resource.path}`
      routes.set(routeKey, {
        routeKey,
        resourceId: resource.id,
        resourcePath: resource.path,
        httpMethod: verb,
        integrationType: integration.type,
        lambda: integration.type === 'AWS_PROXY' && integration.uri ? lambdaTargetOf(withStageVariables(integration.uri, variables)) : undefined,
        timeoutInMillis: optionalNumber(integration.timeoutInMillis),
        credentials: typeof integration.credentials === 'string' ? integration.credentials : undefined,
      })
    }
  }
  // methodSettings keys are `{resource path with "/" as "~1", no leading slash}/{METHOD}`, or `*/*`.
  const settings = (stage.methodSettings ?? {}) as Record<string, unknown>
  const methodThrottle = new Map<string, ThrottleSettings>()
  for (const [key, setting] of Object.entries(settings)) {
    if (key === '*/*') continue
    const cut = key.lastIndexOf('/')
    methodThrottle.set(`${key.slice(cut + 1)} ${key.slice(0, cut).replaceAll('~1', '/')}`, throttleOf(setting))
  }
  return {
    stageName: String(stage.stageName),
    deploymentId: String(stage.deploymentId),
    tracingEnabled: stage.tracingEnabled === true,
    variables,
    throttle: throttleOf(settings['*/*']),
    methodThrottle,
    routeKeys: [...routes.keys()],
    routes,
  }
}

/** Reads one REST API as the data plane serves it: each stage with its deployment's snapshot. */
export function compileRestApi(store: Store, apiId: string): RestApiView | undefined {
  const rest = restStore(store)
  const api = rest.getApi(apiId)
  if (!api) return undefined
  const stages = new Map<string, RestStageView>()
  for (const stage of rest.allChildren('stages', apiId)) {
    const deployment = rest.getChild('deployments', apiId, String(stage.deploymentId))
    const snapshot = (deployment?.snapshot as SnapshotResource[] | undefined) ?? []
    stages.set(String(stage.stageName), compileStage(stage, snapshot))
  }
  return {
    apiId,
    region: api.region,
    name: String(api.data.name ?? apiId),
    binaryMediaTypes: Array.isArray(api.data.binaryMediaTypes) ? (api.data.binaryMediaTypes as string[]) : [],
    stages,
  }
}

/** Compiled REST APIs, dropped whenever anything was written to the store (this connection or another). */
class RestViews {
  private readonly version: BetterSqlite3.Statement
  private readonly changes: BetterSqlite3.Statement
  private stamp = ''
  private views = new Map<string, RestApiView | null>()

  constructor(private readonly store: Store) {
    this.version = store.db.prepare('PRAGMA data_version').pluck()
    this.changes = store.db.prepare('SELECT total_changes()').pluck()
  }

  get(apiId: string): RestApiView | undefined {
    if (!this.store.db.open) return undefined
    const stamp = `${this.version.get()}:${this.changes.get()}`
    if (stamp !== this.stamp) {
      this.stamp = stamp
      this.views = new Map()
    }
    let view = this.views.get(apiId)
    if (view === undefined) {
      view = compileRestApi(this.store, apiId) ?? null
      this.views.set(apiId, view)
    }
    return view ?? undefined
  }
}

const views = new WeakMap<Store, RestViews>()

function viewsOf(store: Store): RestViews {
  let v = views.get(store)
  if (!v) {
    v = new RestViews(store)
    views.set(store, v)
  }
  return v
}

// ---- the stage segment ------------------------------------------------------------------------------------------

export interface StageTrace {
  traceId: string
  /** The caller's segment (`Parent=` of its trace header), if any. */
  upstreamParent?: string
  sampled: boolean
  /** Ids of the stage segment and its `Lambda` subsegment. */
  stageId: string
  lambdaId: string
}

export interface StageSegmentInput {
  trace: StageTrace
  api: {apiId: string; name: string; region: string; accountId: string}
  stage: string
  requestId: string
  extendedRequestId: string
  request: {method: string; url: string; userAgent?: string; clientIp: string; forwardedFor?: boolean}
  response: {status: number; contentLength: number}
  /** Epoch milliseconds. */
  startMs: number
  endMs: number
  /** Present when API Gateway called Lambda. */
  lambda?: {
    functionArn: string
    functionName: string
    startMs: number
    endMs: number
    /** Lambda's answer: 200 (also for function errors), 403 (no permission), 429 (throttled); absent on timeout. */
    status?: number
    requestId?: string
    /** What went wrong on the way, for the subsegment's cause. */
    failure?: string
  }
}

function statusFlags(status: number): Record<string, boolean> {
  if (status === 429) return {error: true, throttle: true}
  if (status >= 500) return {fault: true}
  if (status >= 400) return {error: true}
  return {}
}

/** The segment document a traced REST stage sends for one request (aws-semantics §6.4). */
export function restStageSegment(input: StageSegmentInput): Record<string, unknown> {
  const {trace, api, stage} = input
  const segment: Record<string, unknown> = {
    id: trace.stageId,
    trace_id: trace.traceId,
    ...(trace.upstreamParent ? {parent_id: trace.upstreamParent} : {}),
    name: `${api.name}/${stage}`,
    origin: 'AWS::ApiGateway::Stage',
    resource_arn: `arn:aws:apigateway:${api.region}::/restapis/${api.apiId}/stages/${stage}`,
    start_time: input.startMs / 1000,
    end_time: input.endMs / 1000,
    http: {
      request: {
        url: input.request.url,
        method: input.request.method,
        ...(input.request.userAgent ? {user_agent: input.request.userAgent} : {}),
        client_ip: input.request.clientIp,
        ...(input.request.forwardedFor ? {x_forwarded_for: true} : {}),
      },
      response: {status: input.response.status, content_length: input.response.contentLength},
    },
    aws: {
      xray: {sampling_rule_name: 'Default'},
      api_gateway: {account_id: api.accountId, rest_api_id: api.apiId, stage, request_id: input.requestId},
    },
    annotations: {'aws:api_id': api.apiId, 'aws:api_stage': stage},
    metadata: {default: {extended_request_id: input.extendedRequestId, request_id: input.requestId}},
    ...statusFlags(input.response.status),
  }
  const lambda = input.lambda
  if (lambda) {
    const subsegment: Record<string, unknown> = {
      id: trace.lambdaId,
      name: 'Lambda',
      namespace: 'aws',
      start_time: lambda.startMs / 1000,
      end_time: lambda.endMs / 1000,
      http: {
        request: {url: `https://lambda.${api.region}.amazonaws.com/2015-03-31/functions/${lambda.functionArn}/invocations`, method: 'POST'},
        ...(lambda.status !== undefined ? {response: {status: lambda.status}} : {}),
      },
      aws: {
        function_name: lambda.functionName,
        region: api.region,
        operation: 'Invoke',
        resource_names: [lambda.functionName],
        ...(lambda.requestId ? {request_id: lambda.requestId} : {}),
      },
      ...(lambda.status !== undefined ? statusFlags(lambda.status) : {fault: true}),
    }
    if (lambda.failure) {
      subsegment.cause = {exceptions: [{id: newSegmentId(), message: lambda.failure, remote: true}]}
    }
    segment.subsegments = [subsegment]
  }
  return segment
}

// ---- the handler ------------------------------------------------------------------------------------------------

const random = (size: number) => randomBytes(size)

/**
 * The stage's sampling decision, by Lambda's rules for the trace header (`decideTrace`): a traced stage follows
 * the caller's `Sampled=1` / `Sampled=0` and asks `sample` (the emulator's `--sampling` rule, see
 * runtime/sampling.ts) about an undecided request, or traces every one without `sample`; a stage without tracing
 * records nothing and asks nothing. `incoming` is the caller's header when its root was kept.
 */
export function decideStageTrace(header: string | undefined, tracingEnabled: boolean, sample?: () => boolean): StageTrace & {incoming?: string} {
  const decision = decideTrace(tracingEnabled ? 'Active' : 'PassThrough', header, Date.now(), sample)
  return {
    traceId: decision.traceId,
    upstreamParent: decision.upstreamParent,
    sampled: tracingEnabled && decision.sampled,
    stageId: newSegmentId(),
    lambdaId: newSegmentId(),
    incoming: header !== undefined && parseTraceHeader(header).root === decision.traceId ? header : undefined,
  }
}

export interface RestDataPlaneDeps extends ExecuteApiDeps {
  store: Store
  /** Decides undecided requests to a traced stage, keyed by `{apiId}/{stage}`; default: every one. */
  sampler?: Sampler
}

/** Answers a request to a REST API and returns true; false when the request is not for a REST API. */
export async function handleRestExecuteApi(request: EmulatorRequest, response: ServerResponse, deps: RestDataPlaneDeps): Promise<boolean> {
  const incoming = response.req
  const target = executeApiTarget(incoming.url ?? request.path, headerOf(request.headers, 'host'))
  if (!target) return false
  const api = viewsOf(deps.store).get(target.apiId)
  if (!api) return false

  const startMs = Date.now()
  const ids = {requestId: restRequestId(random), extendedRequestId: restExtendedRequestId(random)}
  const selection = resolveStage('rest', target.path, [...api.stages.keys()])
  const stage = selection ? api.stages.get(selection.stage) : undefined
  const sampler = deps.sampler
  const trace = decideStageTrace(
    headerOf(request.headers, 'x-amzn-trace-id'),
    stage?.tracingEnabled ?? false,
    sampler && selection ? () => sampler(`${target.apiId}/${selection.stage}`, startMs) : undefined,
  )
  const responseTraceHeader = `Root=${trace.traceId};Sampled=${trace.sampled ? 1 : 0}`
  let lambdaPart: StageSegmentInput['lambda']

  const finish = (status: number, headers: OutgoingHeaders, body: Buffer | string) => {
    headers['x-amzn-RequestId'] = ids.requestId
    headers['x-amz-apigw-id'] = ids.extendedRequestId
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'x-amzn-trace-id')) headers['X-Amzn-Trace-Id'] = responseTraceHeader
    writeResponse(response, status, headers, body)
    if (stage && trace.sampled) {
      const host = headerOf(request.headers, 'host') ?? `127.0.0.1:${deps.port()}`
      deps.host.segments.traceRegion(trace.traceId, api.region)
      deps.host.segments.add(
        [
          restStageSegment({
            trace,
            api: {apiId: api.apiId, name: api.name, region: api.region, accountId: deps.accountId},
            stage: stage.stageName,
            requestId: ids.requestId,
            extendedRequestId: ids.extendedRequestId,
            request: {
              method: request.method,
              url: `http://${host}${incoming.url ?? request.path}`,
              userAgent: headerOf(request.headers, 'user-agent'),
              clientIp: incoming.socket.remoteAddress ?? '127.0.0.1',
              forwardedFor: headerOf(request.headers, 'x-forwarded-for') !== undefined,
            },
            response: {status, contentLength: Buffer.byteLength(body)},
            startMs,
            endMs: Date.now(),
            lambda: lambdaPart,
          }),
        ],
        api.region,
      )
    }
  }
  /** Answers with the gateway response for `condition`; true, for `return fail(…)`. */
  const fail = (condition: GatewayErrorCondition): true => {
    const error = gatewayErrorResponse('rest', condition, ids)
    finish(error.statusCode, {...error.headers}, error.body)
    return true
  }

  if (request.body.length > API_PAYLOAD_LIMIT_BYTES) return fail('api-payload-too-large')
  if (!selection || !stage) return fail('route-not-found')
  const method = request.method
  const match: RestRouteMatch | undefined = matchRestRoute(stage.routeKeys, method, selection.path)
  const route = match ? stage.routes.get(match.routeKey) : undefined
  if (!match || !route) return fail('route-not-found')
  if (!deps.throttles.take(`${api.apiId}/${stage.stageName}/${route.routeKey}`, stage.methodThrottle.get(route.routeKey) ?? stage.throttle)) return fail('stage-throttled')
  const lambda = route.lambda
  if (!lambda) {
    deps.onWarning?.(`${route.integrationType ?? 'missing'} integration of ${route.routeKey} in REST API ${api.apiId} is not served by the emulator (only Lambda proxy integrations are)`)
    return fail('lambda-service-error')
  }
  // What the integration URI invokes, alias or version included: the Lambda subsegment's URL and Lambda's 404 name it.
  const functionArn = functionArnOf(lambda.region, lambda.accountId, lambda.name, lambda.qualifier)
  const invocation = lambda.accountId === deps.accountId ? deps.cache.invocationTarget(lambda.region, lambda.name, lambda.qualifier) : undefined
  const lambdaStart = Date.now()
  if (!invocation) {
    // Lambda answers 404 for the function, which API Gateway reports as an integration failure.
    lambdaPart = {functionArn, functionName: lambda.name, startMs: lambdaStart, endMs: Date.now(), status: 404, failure: `Function not found: ${functionArn}`}
    return fail('lambda-service-error')
  }
  const fn = invocation.fn
  if (!route.credentials && !mayInvoke(deps, api, 'rest', stage.stageName, route.routeKey, invocation)) {
    // Lambda refuses the call (AccessDeniedException); the execution log says "Invalid permissions on Lambda function".
    lambdaPart = {functionArn, functionName: fn.name, startMs: lambdaStart, endMs: Date.now(), status: 403, failure: 'Invalid permissions on Lambda function'}
    return fail('permission-denied')
  }

  const lambdaHeader = trace.sampled ? `Root=${trace.traceId};Parent=${trace.lambdaId};Sampled=1` : (trace.incoming ?? `Root=${trace.traceId}`)
  const gatewayRequest = gatewayRequestOf(request, incoming, {method, path: selection.path, rawQueryString: target.rawQueryString}, deps.port(), lambdaHeader)
  const event = buildEventV1(gatewayRequest, {
    apiType: 'rest',
    accountId: deps.accountId,
    apiId: api.apiId,
    stage: stage.stageName,
    resourcePath: match.resourcePath,
    resourceId: route.resourceId,
    pathParameters: match.pathParameters,
    requestId: ids.requestId,
    extendedRequestId: ids.extendedRequestId,
    domainName: target.domainName,
    now: new Date(startMs),
    stageVariables: stage.variables,
    deploymentId: stage.deploymentId,
    binaryMediaTypes: api.binaryMediaTypes,
  })
  const payload = eventPayload(event)
  if (payload === undefined) return fail('request-too-large')

  let result: InvokeResult | undefined
  const invokeStart = Date.now()
  try {
    result = await invokeWithin(deps.host, invocation, deps.accountId, payload, lambdaHeader, integrationTimeoutMs('rest', route.timeoutInMillis))
  } catch (error) {
    deps.onWarning?.(`invoking ${fn.name} for REST API ${api.apiId} failed: ${(error as Error).message}`)
    lambdaPart = {functionArn, functionName: fn.name, startMs: invokeStart, endMs: Date.now(), status: 500, failure: (error as Error).message}
    return fail('lambda-service-error')
  }
  const lambdaEnd = Date.now()
  if (!result) {
    lambdaPart = {functionArn, functionName: fn.name, startMs: invokeStart, endMs: lambdaEnd, failure: 'Endpoint request timed out'}
    return fail('integration-timeout')
  }
  lambdaPart = {
    functionArn,
    functionName: fn.name,
    startMs: invokeStart,
    endMs: lambdaEnd,
    status: result.kind === 'throttled' ? 429 : 200,
    requestId: result.requestId,
    ...(result.kind === 'throttled' ? {failure: 'Rate Exceeded.'} : {}),
  }
  if (result.kind === 'throttled') return fail('throttled')
  const text = result.payload.toString('utf8')
  if (result.functionError && text.includes('"Function.ResponseSizeTooLarge"')) return fail('response-too-large')
  const mapped: ProxyResponseResult = interpretProxyResponse(
    'rest',
    '1.0',
    {payload: text, functionError: result.functionError},
    {binaryMediaTypes: api.binaryMediaTypes, accept: headerOf(request.headers, 'accept')},
  )
  if (mapped.kind === 'function-error') return fail('function-error')
  if (mapped.kind === 'malformed') return fail('malformed-response')
  finish(mapped.statusCode, outgoingHeaders(mapped.headers).headers, mapped.body)
  return true
}
