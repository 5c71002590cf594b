import {functionNameOfIntegration} from '../../deploy/http-api.js'
import type {MatchedRoute, RouteEvidence} from '../../diagnose/evidence.js'
import {matchHttpRoute, matchRestRoute, nearestRoutes} from '../../gateway/match.js'
import {parseFunctionArn} from '../../permissions/arn.js'
import {describeFailure} from './budget.js'
import type {CollectContext, RouteTarget} from './context.js'

/** The route a request matches in a list of route keys, by the API type's own matching rules. */
function matchRoute(apiType: 'http' | 'rest', routeKeys: string[], method: string, path: string) {
  if (apiType === 'rest') {
    const m = matchRestRoute(routeKeys, method, path)
    return m ? {routeKey: m.routeKey, pathParameters: m.pathParameters, resourcePath: m.resourcePath} : undefined
  }
  const m = matchHttpRoute(routeKeys, method, path)
  if (!m) return undefined
  const resourcePath = m.routeKey === '$default' ? '$default' : m.routeKey.slice(m.routeKey.indexOf(' ') + 1)
  return {routeKey: m.routeKey, pathParameters: m.pathParameters, resourcePath}
}

/** The function ARN an integration URI invokes: the ARN itself (HTTP APIs) or REST's `…/functions/{arn}/invocations`. */
function functionArnOfIntegration(uri: string | undefined): string | undefined {
  if (!uri) return undefined
  const inner = /\/functions\/(arn:[^/]+)\/invocations$/.exec(uri)?.[1] ?? uri
  return parseFunctionArn(inner) ? inner : undefined
}

/** The project function that serves a route key in tracegate.json. */
function configFunctionFor(ctx: CollectContext, routeKey: string): string | undefined {
  return ctx.project?.functions.find((f) => f.routes.includes(routeKey))?.name
}

/**
 * The route check: does any deployed route match the request? (aws-semantics §5: no match is HTTP 404 /
 * REST 403.) It uses the routes read when the API was found, so it costs one call at most: GetIntegration,
 * for the matched integration's timeout. When the deployed routes cannot be read, the project's config still
 * names the function for the other collectors, but the check itself reports what it could not see.
 */
export async function collectRoute(ctx: CollectContext, signal: AbortSignal): Promise<{evidence: RouteEvidence; target: RouteTarget}> {
  const {method} = ctx.request
  const path = ctx.request.path
  const defaultFormat = ctx.apiType === 'rest' ? '1.0' : '2.0'
  const api = ctx.api
  if (!api) {
    // Fall back on tracegate.json for the function, so permission, trace and replay can still run.
    const configRoutes = ctx.project?.functions.flatMap((f) => f.routes) ?? []
    const m = matchRoute(ctx.apiType, configRoutes, method, path)
    const target: RouteTarget = {payloadFormatVersion: defaultFormat}
    if (m) Object.assign(target, {routeKey: m.routeKey, functionName: configFunctionFor(ctx, m.routeKey), pathParameters: m.pathParameters, resourcePath: m.resourcePath})
    return {evidence: {source: 'route', status: 'error', note: ctx.apiProblem ?? 'the deployed API could not be read'}, target}
  }

  const routeKeys = api.routes.map((r) => r.routeKey)
  const stageExists = api.stages.includes(ctx.stage)
  const m = stageExists ? matchRoute(ctx.apiType, routeKeys, method, path) : undefined
  if (!m) {
    const configRoutes = ctx.project?.functions.flatMap((f) => f.routes) ?? []
    const inConfig = matchRoute(ctx.apiType, configRoutes, method, path)
    const nearest = nearestRoutes(routeKeys, method, path, 3).map((r) => r.routeKey)
    return {
      evidence: {
        source: 'route',
        status: 'seen',
        facts: {
          stage: ctx.stage,
          stageExists,
          stages: api.stages,
          apiId: api.apiId,
          nearest,
          undeployedConfigRoute: inConfig && !routeKeys.includes(inConfig.routeKey) ? inConfig.routeKey : undefined,
        },
      },
      target: {payloadFormatVersion: defaultFormat},
    }
  }

  const route = api.routes.find((r) => r.routeKey === m.routeKey)
  const integration = api.integrations.find((i) => i.integrationId === route?.integrationId)
  const functionName = functionNameOfIntegration(integration?.integrationUri) ?? configFunctionFor(ctx, m.routeKey)
  const format = integration?.payloadFormatVersion === '1.0' ? '1.0' : defaultFormat
  let integrationTimeoutMs: number | undefined
  let note: string | undefined
  integrationTimeoutMs = integration?.timeoutInMillis
  // HTTP API integrations come without their timeout from the list call: one GetIntegration for it.
  if (integration && ctx.apiType === 'http' && integrationTimeoutMs === undefined) {
    try {
      integrationTimeoutMs = (await ctx.aws.getIntegration(api.apiId, integration.integrationId, signal))?.timeoutInMillis
    } catch (error) {
      note = `integration timeout not read (${describeFailure(error, 'apigateway:GET')}); assuming the default`
    }
  }
  const functionArn = functionArnOfIntegration(integration?.integrationUri)
  const matched = {
    routeKey: m.routeKey,
    functionName,
    functionArn,
    integrationId: integration?.integrationId,
    payloadFormatVersion: format,
    integrationTimeoutMs,
  } satisfies MatchedRoute
  const target: RouteTarget = {...matched, pathParameters: m.pathParameters, resourcePath: m.resourcePath}
  return {
    evidence: {
      source: 'route',
      status: 'seen',
      note,
      facts: {
        stage: ctx.stage,
        stageExists,
        stages: api.stages,
        apiId: api.apiId,
        nearest: [],
        matched,
      },
    },
    target,
  }
}
