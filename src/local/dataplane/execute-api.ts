/**
 * The execute-api data plane: each API answers at its `apiEndpoint`, path-based
 * (`{emulator}/_aws/execute-api/{apiId}/…`) and by Host header (`{apiId}.execute-api.localhost[:port]`), with
 * API Gateway's rules for the API's type, all taken from `src/gateway/` and `src/permissions/` so the rules
 * that explain a failure are the ones that produce it:
 *
 *   payload quota → stage (`$default` at the root, named stages under `/{stage}`) → route selection →
 *   stage/route throttling → integration → resource-policy check on the ARN API Gateway presents →
 *   event (payload format 2.0 or 1.0) → Lambda, raced against the integration timeout → response mapping.
 *
 * Each failure answers with the exact gateway response of aws-semantics §5 for the API type. HTTP API
 * responses carry `apigw-requestid`; REST ones `x-amzn-RequestId` and `x-amz-apigw-id`. Every response that
 * reached the function also carries the `x-amzn-trace-id` the function saw, so its trace can be looked up.
 *
 * This handler serves HTTP APIs. REST APIs (API Gateway v1: deployments, stage tracing) are answered by
 * `rest.ts`, to which requests for an API id this handler does not know are offered; both use the same
 * gateway rules (`src/gateway/`) with their API type.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {
  API_PAYLOAD_LIMIT_BYTES,
  type GatewayErrorCondition,
  gatewayErrorResponse,
  integrationTimeoutMs,
  LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES,
} from '../../gateway/errors.js'
import {buildEventV1, buildHttpEventV2, type GatewayRequest, withGatewayHeaders} from '../../gateway/events.js'
import {httpApiRequestId} from '../../gateway/ids.js'
import {matchHttpRoute, type RouteMatch, resolveStage} from '../../gateway/match.js'
import {interpretProxyResponse, type ProxyResponseResult} from '../../gateway/response.js'
import {presentedSourceArn} from '../../permissions/arn.js'
import {API_GATEWAY_PRINCIPAL, evaluateInvoke} from '../../permissions/policy.js'
import {EXECUTE_API_PREFIX} from '../constants.js'
import type {InvokeResult} from '../runtime/index.js'
import type {EmulatorRequest} from '../wire.js'
import type {CompiledApi, CompiledIntegration, DataPlaneCache, InvocationTarget} from './cache.js'
import {functionArnOf, type LambdaHost, withTraceRoot} from './host.js'
import {pooledRandom as random} from '../random.js'
import {headerOf, type OutgoingHeaders, writeResponse} from './respond.js'
import type {ThrottleBuckets} from './throttle.js'

export interface ExecuteApiDeps {
  host: LambdaHost
  cache: DataPlaneCache
  throttles: ThrottleBuckets
  accountId: string
  /** The port clients reach the emulator on (`X-Forwarded-Port`). */
  port: () => number
  onWarning?: (message: string) => void
}

/** Where a request is addressed: which API, and the raw path after the API's base URL. */
export interface ExecuteApiTarget {
  apiId: string
  /** Raw (percent-encoded) path after `/_aws/execute-api/{apiId}` or after the host; `''` for the bare API URL. */
  path: string
  rawQueryString: string
  domainName: string
}

const HOST_PATTERN = /^([a-z0-9]+)\.execute-api\.localhost(?::\d+)?$/i
const HOST_SUFFIX_LENGTH = '.execute-api.localhost'.length

/** Recognises an execute-api request, by path prefix or by Host header. */
export function executeApiTarget(rawUrl: string, host: string | undefined): ExecuteApiTarget | undefined {
  const q = rawUrl.indexOf('?')
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q)
  const rawQueryString = q < 0 ? '' : rawUrl.slice(q + 1)
  if (rawPath.startsWith(`${EXECUTE_API_PREFIX}/`)) {
    const rest = rawPath.slice(EXECUTE_API_PREFIX.length + 1)
    const slash = rest.indexOf('/')
    const apiId = slash < 0 ? rest : rest.slice(0, slash)
    if (apiId === '') return undefined
    return {apiId, path: slash < 0 ? '' : rest.slice(slash), rawQueryString, domainName: `${apiId}.execute-api.localhost`}
  }
  // Host names are case-insensitive; the length check keeps the regex off every control-plane request.
  if (host !== undefined && host.length > HOST_SUFFIX_LENGTH) {
    const match = HOST_PATTERN.exec(host)
    if (match) return {apiId: match[1].toLowerCase(), path: rawPath, rawQueryString, domainName: host.replace(/:\d+$/, '').toLowerCase()}
  }
  return undefined
}

/** Header lines as the client sent them (order, casing and repeats kept), from Node's `rawHeaders`. */
export function headerPairs(rawHeaders: string[]): [string, string][] {
  const pairs: [string, string][] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i], rawHeaders[i + 1]])
  return pairs
}

/**
 * The request as API Gateway saw it, for either API type: method, the path under the stage, the client's header
 * lines, address and protocol, plus the headers API Gateway adds (`traceHeader` becomes `X-Amzn-Trace-Id`).
 */
export function gatewayRequestOf(
  request: EmulatorRequest,
  incoming: IncomingMessage,
  route: {method: string; path: string; rawQueryString: string},
  port: number,
  traceHeader: string,
): GatewayRequest {
  return withGatewayHeaders(
    {
      method: route.method,
      path: route.path,
      rawQueryString: route.rawQueryString,
      headers: headerPairs(incoming.rawHeaders),
      body: request.body,
      sourceIp: incoming.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${incoming.httpVersion}`,
    },
    {port, proto: 'http', traceHeader},
  )
}

interface RequestIds {
  /** `apigw-requestid` and `requestContext.requestId`. */
  requestId: string
  /** `requestContext.extendedRequestId` of payload 1.0 events (HTTP APIs repeat requestId). */
  extendedRequestId: string
}

function newIds(): RequestIds {
  const id = httpApiRequestId(random)
  return {requestId: id, extendedRequestId: id}
}

function writeGatewayError(
  response: ServerResponse,
  apiType: 'http' | 'rest',
  condition: GatewayErrorCondition,
  ids: RequestIds,
  traceHeader?: string,
): void {
  const error = gatewayErrorResponse(apiType, condition, ids)
  const headers: OutgoingHeaders = {...error.headers}
  if (traceHeader) headers['x-amzn-trace-id'] = traceHeader
  writeResponse(response, error.statusCode, headers, error.body)
}

/**
 * Groups the mapped response's header lines (a name may repeat, e.g. set-cookie) for `writeHead`; `names`
 * holds the lower-cased names present.
 */
export function outgoingHeaders(lines: [string, string][]): {headers: OutgoingHeaders; names: Map<string, string>} {
  const headers: OutgoingHeaders = {}
  const nameFor = new Map<string, string>()
  for (const [rawName, value] of lines) {
    const lower = rawName.toLowerCase()
    // API Gateway frames the response itself: a length or transfer coding from the function is not used.
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue
    const name = nameFor.get(lower) ?? rawName
    nameFor.set(lower, name)
    const previous = headers[name]
    if (previous === undefined) headers[name] = value
    else headers[name] = Array.isArray(previous) ? [...previous, value] : [previous, value]
  }
  return {headers, names: nameFor}
}

/** What the Lambda call came to: the function's output, or the gateway failure it maps to. */
type LambdaOutcome = {kind: 'mapped'; result: ProxyResponseResult} | {kind: 'failed'; condition: GatewayErrorCondition}

function outcomeOf(result: InvokeResult, api: CompiledApi, integration: CompiledIntegration, accept: string | undefined): LambdaOutcome {
  if (result.kind === 'throttled') return {kind: 'failed', condition: 'throttled'}
  const payload = result.payload.toString('utf8')
  if (result.functionError && payload.includes('"Function.ResponseSizeTooLarge"')) return {kind: 'failed', condition: 'response-too-large'}
  const mapped = interpretProxyResponse(api.apiType, integration.payloadFormatVersion, {payload, functionError: result.functionError}, {accept})
  if (mapped.kind === 'function-error') return {kind: 'failed', condition: 'function-error'}
  if (mapped.kind === 'malformed') return {kind: 'failed', condition: 'malformed-response'}
  return {kind: 'mapped', result: mapped}
}

/**
 * The event as the JSON text Lambda receives, or undefined when it is over Lambda's request limit. Handed to the
 * runtime as text, which it does not parse again (it serialised from an object, so it is JSON).
 */
export function eventPayload(event: object): string | undefined {
  const text = JSON.stringify(event)
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so only a long text needs its bytes counted.
  if (text.length * 3 > LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES && Buffer.byteLength(text, 'utf8') > LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES) return undefined
  return text
}

/** The invocation raced against the integration timeout; `undefined` when the timeout won. */
export function invokeWithin(host: LambdaHost, target: InvocationTarget, accountId: string, payload: Buffer | string, traceHeader: string, timeoutMs: number): Promise<InvokeResult | undefined> {
  const fn = target.run()
  // A qualified integration URI is what the handler sees as invokedFunctionArn (an alias's ARN, say).
  const invocation = host.invoke(
    fn,
    payload,
    target.qualifier === undefined ? {traceHeader} : {traceHeader, invokedFunctionArn: functionArnOf(fn.region, accountId, fn.name, target.qualifier)},
  )
  // One promise settled by whichever comes first (a race of two promises plus a finally cost three more per request).
  // The function keeps running after API Gateway gives up, as on AWS; only its answer (or failure) is dropped.
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs)
    invocation.then(
      (result) => {
        clearTimeout(timer)
        resolve(result)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * Answers an execute-api request for an HTTP API. A request for an API id this plane does not know is offered to
 * `otherApis` (the REST data plane); if nothing answers it, it is 404 Not Found.
 */
export async function handleExecuteApi(
  request: EmulatorRequest,
  response: ServerResponse,
  deps: ExecuteApiDeps,
  otherApis?: () => Promise<boolean>,
): Promise<boolean> {
  const incoming = response.req
  const target = executeApiTarget(incoming.url ?? request.path, headerOf(request.headers, 'host'))
  if (!target) return false
  const api = deps.cache.api(target.apiId)
  if (!api) {
    if (otherApis && (await otherApis())) return true
    // No such API: on AWS the host would not even resolve; the closest answer an HTTP client can get.
    writeGatewayError(response, 'http', 'route-not-found', newIds())
    return true
  }
  const ids = newIds()
  const apiType = api.apiType
  if (request.body.length > API_PAYLOAD_LIMIT_BYTES) {
    writeGatewayError(response, apiType, 'api-payload-too-large', ids)
    return true
  }
  const selection = resolveStage(apiType, target.path, api.stageNames)
  const stage = selection ? api.stages.get(selection.stage) : undefined
  if (!selection || !stage) {
    writeGatewayError(response, apiType, 'route-not-found', ids)
    return true
  }
  const method = request.method
  const table = stage.table
  const match: RouteMatch | undefined = deps.cache.match(table, `${method} ${selection.path}`, () => matchHttpRoute(table.routeKeys, method, selection.path))
  const route = match ? table.routes.get(match.routeKey) : undefined
  // A route without an integration cannot be invoked; HTTP APIs answer it like a missing route.
  if (!match || !route?.integration) {
    writeGatewayError(response, apiType, 'route-not-found', ids)
    return true
  }
  const throttleKey = `${api.apiId}/${stage.stageName}/${match.routeKey}`
  if (!deps.throttles.take(throttleKey, stage.routeThrottle.get(match.routeKey) ?? stage.throttle)) {
    writeGatewayError(response, apiType, 'stage-throttled', ids)
    return true
  }
  const integration = route.integration
  const lambda = integration.lambda
  if (!lambda) {
    deps.onWarning?.(`${integration.integrationType} integration ${integration.integrationId} of API ${api.apiId} is not served by the emulator (only Lambda proxy integrations are)`)
    writeGatewayError(response, apiType, 'lambda-service-error', ids)
    return true
  }
  if (integration.invocation === undefined) {
    integration.invocation = (lambda.accountId === deps.accountId ? deps.cache.invocationTarget(lambda.region, lambda.name, lambda.qualifier) : undefined) ?? null
  }
  const invocation = integration.invocation
  if (!invocation) {
    // Lambda answers 404 for the function (or its version or alias), which API Gateway reports as an integration failure.
    writeGatewayError(response, apiType, 'lambda-service-error', ids)
    return true
  }
  if (!integration.credentialsArn && !mayInvoke(deps, api, api.apiType, stage.stageName, match.routeKey, invocation)) {
    writeGatewayError(response, apiType, 'permission-denied', ids)
    return true
  }

  const trace = withTraceRoot(headerOf(request.headers, 'x-amzn-trace-id'))
  const gatewayRequest = gatewayRequestOf(request, incoming, {method, path: selection.path, rawQueryString: target.rawQueryString}, deps.port(), trace.header)
  const now = new Date()
  // Context literals written out (no spread of a shared part): spreading one into a literal with more keys cost
  // microseconds per request.
  const event =
    integration.payloadFormatVersion === '2.0'
      ? buildHttpEventV2(gatewayRequest, {
          accountId: deps.accountId,
          apiId: api.apiId,
          stage: stage.stageName,
          pathParameters: match.pathParameters,
          domainName: target.domainName,
          now,
          stageVariables: stage.stageVariables,
          routeKey: match.routeKey,
          requestId: ids.requestId,
        })
      : buildEventV1(gatewayRequest, {
          accountId: deps.accountId,
          apiId: api.apiId,
          stage: stage.stageName,
          pathParameters: match.pathParameters,
          domainName: target.domainName,
          now,
          stageVariables: stage.stageVariables,
          apiType,
          // HTTP APIs send the route's path (or `$default`) as the resource.
          resourcePath: parseRoutePath(match.routeKey) ?? '$default',
          resourceId: null,
          requestId: ids.requestId,
          extendedRequestId: ids.extendedRequestId,
        })
  const payload = eventPayload(event)
  if (payload === undefined) {
    writeGatewayError(response, apiType, 'request-too-large', ids)
    return true
  }

  let result: InvokeResult | undefined
  try {
    result = await invokeWithin(deps.host, invocation, deps.accountId, payload, trace.header, integrationTimeoutMs(apiType, integration.timeoutInMillis))
  } catch (error) {
    deps.onWarning?.(`invoking ${invocation.fn.name} for API ${api.apiId} failed: ${(error as Error).message}`)
    writeGatewayError(response, apiType, 'lambda-service-error', ids, trace.header)
    return true
  }
  if (!result) {
    writeGatewayError(response, apiType, 'integration-timeout', ids, trace.header)
    return true
  }
  const outcome = outcomeOf(result, api, integration, headerOf(request.headers, 'accept'))
  if (outcome.kind === 'failed') {
    writeGatewayError(response, apiType, outcome.condition, ids, trace.header)
    return true
  }
  const mapped = outcome.result as Extract<ProxyResponseResult, {kind: 'ok'}>
  const {headers, names} = outgoingHeaders(mapped.headers)
  headers['apigw-requestid'] = ids.requestId
  if (!names.has('x-amzn-trace-id')) headers['x-amzn-trace-id'] = trace.header
  writeResponse(response, mapped.statusCode, headers, mapped.body)
  return true
}

/** `/orders/{id}` of `GET /orders/{id}`; undefined for `$default`. */
function parseRoutePath(routeKey: string): string | undefined {
  const space = routeKey.indexOf(' ')
  return space < 0 ? undefined : routeKey.slice(space + 1)
}

/**
 * Whether the resource policy lets API Gateway invoke the integration's function for this route: the presented
 * source ARN (the API's region, the configured method and route path, aws-semantics §3) evaluated with IAM's
 * rules against the policy of what the integration names (the function's own, or its version's or alias's).
 * Decisions are cached with the policy and dropped with it on any control-plane change.
 */
export function mayInvoke(deps: ExecuteApiDeps, api: {apiId: string; region: string}, apiType: 'http' | 'rest', stageName: string, routeKey: string, target: InvocationTarget): boolean {
  const fn = target.fn
  const key = `${api.apiId}\u0000${stageName}\u0000${routeKey}\u0000${fn.region}\u0000${fn.name}\u0000${target.qualifier ?? ''}`
  return deps.cache.decision(key, () => {
    const sourceArn = presentedSourceArn({region: api.region, account: deps.accountId, apiId: api.apiId, stage: stageName, routeKey, apiType})
    const decision = evaluateInvoke(deps.cache.policy(fn.region, fn.name, target.policyKey), {
      principal: API_GATEWAY_PRINCIPAL,
      functionArn: functionArnOf(fn.region, deps.accountId, fn.name, target.qualifier),
      sourceArn,
      sourceAccount: deps.accountId,
    })
    return decision.allowed
  })
}
