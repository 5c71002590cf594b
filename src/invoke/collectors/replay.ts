import {randomBytes} from 'node:crypto'
import type {FunctionConfigurationInfo} from '../../aws/invoke.js'
import type {FunctionErrorFacts, ReplayEvidence} from '../../diagnose/evidence.js'
import {isResponseTooLargeMessage, isTimeoutMessage} from '../../diagnose/findings.js'
import {integrationTimeoutMs} from '../../gateway/errors.js'
import {buildEventV1, buildHttpEventV2, type GatewayRequest, withGatewayHeaders} from '../../gateway/events.js'
import {httpApiRequestId, restExtendedRequestId, restRequestId} from '../../gateway/ids.js'
import {interpretProxyResponse} from '../../gateway/response.js'
import {parseFunctionArn} from '../../permissions/arn.js'
import {NotSeen} from './budget.js'
import type {CollectContext, RouteTarget} from './context.js'

/** Methods a replay may repeat on its own: they should not change anything (RFC 9110 safe methods). */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS']

/**
 * May the replay run the function again? Automatically for safe methods; otherwise only with --replay,
 * because a POST/PUT/PATCH/DELETE handler may create, charge or delete something a second time.
 * `flag` is --replay (true), --no-replay (false) or absent (undefined).
 */
export function replayDecision(method: string, flag: boolean | undefined): {allowed: boolean; reason: string} {
  if (flag === false) return {allowed: false, reason: 'skipped: --no-replay'}
  if (flag === true) return {allowed: true, reason: '--replay'}
  if (SAFE_METHODS.includes(method.toUpperCase())) return {allowed: true, reason: `${method} is safe to repeat`}
  return {allowed: false, reason: `skipped: a replay runs the function again, and ${method} may change data; pass --replay to allow it`}
}

/** A Lambda function-error payload (`{"errorType","errorMessage","trace":[]}`, aws-semantics §1.2) as facts. */
export function functionErrorFacts(errorType: string | undefined, errorMessage: string | undefined, trace: readonly string[] | undefined): FunctionErrorFacts {
  const type = errorType ?? 'Error'
  const message = errorMessage ?? ''
  const frames = (trace ?? [])
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, 3)
  return {type, message, frames, timedOut: isTimeoutMessage(type, message), responseTooLarge: isResponseTooLargeMessage(type, message)}
}

/** The event API Gateway would send for this request, built by the emulator's own builders (src/gateway/events.ts). */
export function replayEvent(ctx: CollectContext, target: RouteTarget, accountId: string, now: Date): unknown {
  const url = new URL(ctx.request.url)
  const headers: [string, string][] = [['Host', url.host], ...ctx.request.headers.filter(([n]) => n.toLowerCase() !== 'host')]
  if (ctx.request.body) headers.push(['Content-Length', String(ctx.request.body.length)])
  const request: GatewayRequest = withGatewayHeaders(
    {
      method: ctx.request.method,
      path: ctx.request.path,
      rawQueryString: ctx.request.query,
      headers,
      body: ctx.request.body ?? Buffer.alloc(0),
      // The address API Gateway would see is this machine's public one, which we do not know.
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
    },
    {port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), proto: url.protocol === 'https:' ? 'https' : 'http', traceHeader: ctx.traceHeader},
  )
  const random = (n: number) => randomBytes(n)
  const common = {accountId, apiId: ctx.apiId ?? '', stage: ctx.stage, pathParameters: target.pathParameters, domainName: url.hostname, now}
  if (ctx.apiType === 'http' && target.payloadFormatVersion === '2.0') {
    return buildHttpEventV2(request, {...common, routeKey: target.routeKey ?? '$default', requestId: httpApiRequestId(random)})
  }
  return buildEventV1(request, {
    ...common,
    apiType: ctx.apiType,
    resourcePath: target.resourcePath ?? ctx.request.path,
    requestId: ctx.apiType === 'rest' ? restRequestId(random) : httpApiRequestId(random),
    extendedRequestId: restExtendedRequestId(random),
  })
}

/**
 * The replay: invoke the function directly with the event the gateway would build, then read the output
 * with the API type's response rules (src/gateway/response.ts). It waits at most for the function's timeout
 * capped at the integration timeout (plus slack): past the integration timeout API Gateway has given up.
 */
export async function collectReplay(
  ctx: CollectContext,
  target: RouteTarget,
  lookup: Promise<FunctionConfigurationInfo | undefined>,
  signal: AbortSignal,
): Promise<ReplayEvidence> {
  if (!ctx.replay.allowed) throw new NotSeen(ctx.replay.reason)
  const functionName = target.functionName
  if (!functionName) throw new NotSeen('no route matched, so there is no function to replay')
  const info = await lookup.catch(() => undefined)
  const accountId = (info && parseFunctionArn(info.arn)?.account) ?? ''
  const event = replayEvent(ctx, target, accountId, new Date(ctx.clock.now()))
  const waitMs = integrationTimeoutMs(ctx.apiType, target.integrationTimeoutMs)
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), waitMs + ctx.budgets.replaySlack / 2)
  const onAbort = () => deadline.abort()
  signal.addEventListener('abort', onAbort)
  const started = performance.now()
  try {
    const outcome = await ctx.aws.invoke(functionName, JSON.stringify(event), deadline.signal)
    const durationMs = Math.round(performance.now() - started)
    if (outcome.kind === 'rejected') {
      return {source: 'replay', status: 'seen', facts: {functionName, durationMs, outcome: 'rejected', rejection: outcome.rejection}}
    }
    const answer = outcome.answer
    const read = interpretProxyResponse(ctx.apiType, target.payloadFormatVersion, {payload: answer.payload, functionError: answer.functionError})
    if (read.kind === 'function-error') {
      return {
        source: 'replay',
        status: 'seen',
        facts: {functionName, durationMs, outcome: 'function-error', functionError: functionErrorFacts(read.errorType, read.errorMessage, read.trace), responseBytes: answer.payloadBytes},
      }
    }
    if (read.kind === 'malformed') {
      return {
        source: 'replay',
        status: 'seen',
        facts: {functionName, durationMs, outcome: 'malformed', malformedRule: read.rule, malformedField: read.field, responseBytes: answer.payloadBytes},
      }
    }
    return {source: 'replay', status: 'seen', facts: {functionName, durationMs, outcome: 'ok', statusCode: read.statusCode, responseBytes: answer.payloadBytes}}
  } catch (error) {
    // We stopped waiting, not the collector's budget: that the function ran this long is the evidence.
    if (deadline.signal.aborted && !signal.aborted) {
      return {source: 'replay', status: 'seen', facts: {functionName, durationMs: Math.round(performance.now() - started), outcome: 'unfinished'}}
    }
    throw error
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}
