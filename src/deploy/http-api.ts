/**
 * The HTTP API target (ApiGatewayV2, aws-semantics §1.3): one API `{project}` found by its tag, one
 * AWS_PROXY integration per function (payload format 2.0, integration URI = function ARN), one route per
 * route key, and the configured stage with auto-deploy (so route changes go live without deployments).
 */
import type {ApiGatewayV2Api, IntegrationState, RouteState, StageState} from '../aws/apigatewayv2.js'
import {PAYLOAD_FORMAT_VERSION} from '../aws/apigatewayv2.js'
import {parseFunctionArn} from '../permissions/arn.js'
import {type Progress, step} from '../progress.js'
import {type ApiApplyContext, type ApiApplyHandle, type ApiTarget, checkNameFree, type ObservedApis, projectApis, skip} from './api-target.js'
import {observed as quiet, settleAll} from './concurrency.js'
import type {ActionKind, ApiPlan, DesiredState, FunctionPlan, ObservedApi, ObservedState, PlanAction} from './model.js'
import {PROJECT_TAG, projectTags} from './model.js'

export interface HttpApiDetail {
  integrations: IntegrationState[]
  routes: RouteState[]
  stages: StageState[]
}

export interface IntegrationPlan {
  functionKey?: string
  functionName: string
  action: ActionKind
  reason: string
  changes: string[]
  integrationId?: string
}

export interface RoutePlan {
  routeKey: string
  functionKey?: string
  action: ActionKind
  reason: string
  routeId?: string
}

export interface HttpApiPlan extends ApiPlan {
  type: 'http'
  name: string
  apiAction: {action: ActionKind; reason: string}
  stageAction: {action: ActionKind; reason: string}
  staleStages: string[]
  integrations: IntegrationPlan[]
  routes: RoutePlan[]
}

/** The function an integration URI invokes: a function ARN, or the `…/functions/{arn}/invocations` form. */
export function functionNameOfIntegration(uri: string | undefined): string | undefined {
  if (!uri) return undefined
  const inner = /\/functions\/(arn:[^/]+)\/invocations$/.exec(uri)?.[1] ?? uri
  return parseFunctionArn(inner)?.functionName
}

function isOwnedIntegration(integration: IntegrationState, project: string): boolean {
  return integration.integrationType === 'AWS_PROXY' && Boolean(functionNameOfIntegration(integration.integrationUri)?.startsWith(`${project}-`))
}

const integrationIdOf = (target: string | undefined) => /^integrations\/(.+)$/.exec(target ?? '')?.[1]

export function httpApiTarget(apigw: ApiGatewayV2Api): ApiTarget<HttpApiDetail, HttpApiPlan> {
  function url(endpoint: string, stage: string): string {
    const base = endpoint.replace(/\/+$/, '')
    return stage === '$default' ? base : `${base}/${stage}`
  }

  return {
    type: 'http',
    url,

    async observe(project) {
      const apis = (await apigw.listApis()).filter((a) => a.protocolType === 'HTTP')
      const {tagged, foreignApis} = projectApis(apis, project, (a) => a.apiId)
      const toObserved = (a: (typeof apis)[number], detail: HttpApiDetail): ObservedApi<HttpApiDetail> => ({
        apiId: a.apiId,
        name: a.name,
        endpoint: a.apiEndpoint,
        tags: a.tags,
        detail,
      })
      const result: ObservedApis<HttpApiDetail> = {
        extraApis: tagged.slice(1).map((a) => toObserved(a, {integrations: [], routes: [], stages: []})),
        foreignApis,
      }
      const chosen = tagged[0]
      if (chosen) {
        const [integrations, routes, stages] = await Promise.all([
          apigw.getIntegrations(chosen.apiId),
          apigw.getRoutes(chosen.apiId),
          apigw.getStages(chosen.apiId),
        ])
        result.api = toObserved(chosen, {integrations, routes, stages})
      }
      return result
    },

    plan(desired: DesiredState, observed: ObservedState<HttpApiDetail>, functions: FunctionPlan[]): HttpApiPlan {
      const project = desired.project
      const stageName = desired.api.stage
      const api = observed.api
      const withRoutes = desired.functions.filter((f) => f.routes.length > 0)
      const plan: HttpApiPlan = {
        type: 'http',
        name: desired.api.name,
        apiId: api?.apiId,
        endpoint: api?.endpoint,
        stage: stageName,
        creates: !api,
        actions: [],
        apiAction: {action: 'noop', reason: 'unchanged'},
        stageAction: {action: 'noop', reason: 'unchanged'},
        staleStages: [],
        integrations: [],
        routes: [],
      }

      if (!api) {
        checkNameFree(observed, desired, {label: 'An HTTP API', cli: 'apigatewayv2', arnPath: 'apis'})
        plan.apiAction = {action: 'create', reason: 'not in AWS yet'}
        plan.stageAction = {action: 'create', reason: 'new API'}
        for (const fn of withRoutes) {
          plan.integrations.push({functionKey: fn.key, functionName: fn.name, action: 'create', reason: 'new API', changes: []})
        }
        for (const route of desired.api.routes) {
          plan.routes.push({routeKey: route.routeKey, functionKey: route.functionKey, action: 'create', reason: 'new API'})
        }
      } else {
        const {integrations, routes, stages} = api.detail
        // Stage
        const stage = stages.find((s) => s.stageName === stageName)
        if (!stage) plan.stageAction = {action: 'create', reason: 'not in AWS yet'}
        else if (!stage.autoDeploy) plan.stageAction = {action: 'update', reason: 'auto-deploy is off'}
        plan.staleStages = stages.filter((s) => s.stageName !== stageName).map((s) => s.stageName)

        // Integrations: one per function with routes; others pointing at this project's functions are pruned.
        const owned = integrations.filter((i) => isOwnedIntegration(i, project))
        const referenced = new Set(routes.map((r) => integrationIdOf(r.target)).filter(Boolean) as string[])
        const chosen = new Map<string, IntegrationState>()
        for (const fn of withRoutes) {
          const candidates = owned
            .filter((i) => functionNameOfIntegration(i.integrationUri) === fn.name)
            .sort((a, b) => Number(referenced.has(b.integrationId)) - Number(referenced.has(a.integrationId)) || a.integrationId.localeCompare(b.integrationId))
          const existing = candidates[0]
          if (!existing) {
            plan.integrations.push({functionKey: fn.key, functionName: fn.name, action: 'create', reason: 'not in AWS yet', changes: []})
            continue
          }
          chosen.set(fn.key, existing)
          const changes: string[] = []
          if (existing.payloadFormatVersion !== PAYLOAD_FORMAT_VERSION) changes.push(`payload format ${existing.payloadFormatVersion ?? '?'} → ${PAYLOAD_FORMAT_VERSION}`)
          const arn = functions.find((f) => f.key === fn.key)?.arn
          if (arn && existing.integrationUri !== arn) changes.push(`integration URI → ${arn}`)
          plan.integrations.push({
            functionKey: fn.key,
            functionName: fn.name,
            action: changes.length ? 'update' : 'noop',
            reason: changes.length ? changes.join(', ') : 'unchanged',
            changes,
            integrationId: existing.integrationId,
          })
        }
        const chosenIds = new Set([...chosen.values()].map((i) => i.integrationId))
        const desiredNames = new Set(desired.functions.map((f) => f.name))
        for (const integration of owned) {
          if (chosenIds.has(integration.integrationId)) continue
          const fnName = functionNameOfIntegration(integration.integrationUri) ?? '?'
          plan.integrations.push({
            functionName: fnName,
            action: 'delete',
            reason: !desiredNames.has(fnName) ? 'its function left tracegate.json' : withRoutes.some((f) => f.name === fnName) ? 'duplicate integration' : 'its function has no routes',
            changes: [],
            integrationId: integration.integrationId,
          })
        }

        // Routes
        const ownedIds = new Set(owned.map((i) => i.integrationId))
        const desiredKeys = new Set(desired.api.routes.map((r) => r.routeKey))
        for (const route of desired.api.routes) {
          const existing = routes.find((r) => r.routeKey === route.routeKey)
          const integration = chosen.get(route.functionKey)
          if (!existing) {
            plan.routes.push({routeKey: route.routeKey, functionKey: route.functionKey, action: 'create', reason: 'not in AWS yet'})
          } else if (integration && existing.target === `integrations/${integration.integrationId}`) {
            plan.routes.push({routeKey: route.routeKey, functionKey: route.functionKey, action: 'noop', reason: 'unchanged', routeId: existing.routeId})
          } else {
            plan.routes.push({
              routeKey: route.routeKey,
              functionKey: route.functionKey,
              action: 'update',
              reason: `now served by ${route.functionName}`,
              routeId: existing.routeId,
            })
          }
        }
        for (const route of routes) {
          if (desiredKeys.has(route.routeKey)) continue
          const target = integrationIdOf(route.target)
          // Routes someone added by hand to other backends are left alone.
          if (target !== undefined && !ownedIds.has(target)) continue
          plan.routes.push({routeKey: route.routeKey, action: 'delete', reason: 'not in tracegate.json', routeId: route.routeId})
        }
      }

      plan.actions = [
        {resource: 'api', name: plan.name, action: plan.apiAction.action, reason: plan.apiAction.reason},
        {resource: 'stage', name: stageName, action: plan.stageAction.action, reason: plan.stageAction.reason},
        ...plan.staleStages.map((s): PlanAction => ({resource: 'stage', name: s, action: 'delete', reason: `not in tracegate.json (the stage is "${stageName}")`})),
        ...plan.integrations.map((i): PlanAction => ({
          resource: 'integration',
          name: i.functionName,
          action: i.action,
          reason: i.reason,
          ...(i.changes.length ? {changes: i.changes} : {}),
        })),
        ...plan.routes.map((r): PlanAction => ({resource: 'route', name: r.routeKey, action: r.action, reason: r.reason})),
      ]
      return plan
    },

    apply(plan, context: ApiApplyContext): ApiApplyHandle {
      const {progress} = context
      const apiReady: Promise<{apiId: string; endpoint: string}> = quiet(
        plan.apiAction.action === 'create'
          ? step(progress, 'api', `Create HTTP API ${plan.name}`, () => apigw.createApi({name: plan.name, tags: projectTags(plan.name)}), (a) => a.apiId).then(
              (a) => ({apiId: a.apiId, endpoint: a.apiEndpoint}),
            )
          : Promise.resolve({apiId: plan.apiId!, endpoint: plan.endpoint!}),
      )
      if (plan.apiAction.action === 'noop') skip(progress, 'api', `HTTP API ${plan.name}`, plan.apiId)
      const apiId = quiet(apiReady.then((a) => a.apiId))

      const tasks: Array<Promise<unknown>> = [apiReady]

      // Stage
      if (plan.stageAction.action === 'create') {
        tasks.push(
          apiId.then((id) => step(progress, `stage:${plan.stage}`, `Create stage ${plan.stage}`, () => apigw.createStage(id, {stageName: plan.stage, autoDeploy: true}))),
        )
      } else if (plan.stageAction.action === 'update') {
        tasks.push(
          apiId.then((id) =>
            step(progress, `stage:${plan.stage}`, `Turn on auto-deploy for stage ${plan.stage}`, () => apigw.updateStage(id, plan.stage, {autoDeploy: true})),
          ),
        )
      } else {
        skip(progress, `stage:${plan.stage}`, `Stage ${plan.stage}`)
      }
      for (const stale of plan.staleStages) {
        tasks.push(apiId.then((id) => step(progress, `delete-stage:${stale}`, `Delete stage ${stale}`, () => apigw.deleteStage(id, stale))))
      }

      // Integrations for functions with routes: the id each route targets.
      const integrationIds = new Map<string, Promise<string>>()
      for (const i of plan.integrations) {
        if (i.action === 'delete' || !i.functionKey) continue
        const key = i.functionKey
        let id: Promise<string>
        if (i.action === 'create') {
          id = Promise.all([apiId, context.functionArn(key)]).then(([api, arn]) =>
            step(progress, `integration:${key}`, `Create integration for ${i.functionName}`, () => apigw.createIntegration(api, {functionArn: arn})).then(
              (created) => created.integrationId,
            ),
          )
        } else if (i.action === 'update') {
          id = Promise.all([apiId, context.functionArn(key)]).then(([api, arn]) =>
            step(progress, `integration:${key}`, `Update integration for ${i.functionName}`, () => apigw.updateIntegration(api, i.integrationId!, {functionArn: arn})).then(
              () => i.integrationId!,
            ),
          )
        } else {
          skip(progress, `integration:${key}`, `Integration for ${i.functionName}`)
          id = Promise.resolve(i.integrationId!)
        }
        integrationIds.set(key, quiet(id))
        tasks.push(id)
      }

      // Routes
      const routeChanges: Array<Promise<unknown>> = []
      for (const r of plan.routes) {
        const id = `route:${r.routeKey}`
        if (r.action === 'create' || r.action === 'update') {
          const integrationId = integrationIds.get(r.functionKey!)!
          const work = Promise.all([apiId, integrationId]).then(([api, integration]) =>
            r.action === 'create'
              ? step(progress, id, `Create route ${r.routeKey}`, () => apigw.createRoute(api, {routeKey: r.routeKey, integrationId: integration}))
              : step(progress, id, `Update route ${r.routeKey}`, () => apigw.updateRoute(api, r.routeId!, {integrationId: integration})),
          )
          routeChanges.push(work)
        } else if (r.action === 'delete') {
          routeChanges.push(apiId.then((api) => step(progress, `delete-${id}`, `Delete route ${r.routeKey}`, () => apigw.deleteRoute(api, r.routeId!))))
        } else {
          skip(progress, id, `Route ${r.routeKey}`)
        }
      }
      tasks.push(...routeChanges)

      // An integration still targeted by a route cannot be deleted: prune integrations after the routes moved.
      for (const i of plan.integrations) {
        if (i.action !== 'delete') continue
        tasks.push(
          settleAll(routeChanges).then(() =>
            apiId.then((api) =>
              step(progress, `delete-integration:${i.integrationId}`, `Delete integration for ${i.functionName}`, () => apigw.deleteIntegration(api, i.integrationId!)),
            ),
          ),
        )
      }

      return {
        apiId,
        endpoint: quiet(apiReady.then((a) => a.endpoint)),
        done: settleAll(tasks).then(() => undefined),
      }
    },

    destroyActions(api) {
      const {integrations, routes, stages} = api.detail
      const withApi = 'deleted with the API'
      return [
        {resource: 'api', name: `${api.name} (${api.apiId})`, action: 'delete', reason: `tagged ${PROJECT_TAG}=${api.tags[PROJECT_TAG]}`},
        ...stages.map((s): PlanAction => ({resource: 'stage', name: s.stageName, action: 'delete', reason: withApi})),
        ...routes.map((r): PlanAction => ({resource: 'route', name: r.routeKey, action: 'delete', reason: withApi})),
        ...integrations.map((i): PlanAction => ({
          resource: 'integration',
          name: functionNameOfIntegration(i.integrationUri) ?? i.integrationId,
          action: 'delete',
          reason: withApi,
        })),
      ]
    },

    async destroy(api, progress: Progress) {
      // DeleteApi removes the API's routes, integrations and stages with it: one call instead of one per resource.
      await step(progress, `delete-api:${api.apiId}`, `Delete HTTP API ${api.name} (${api.apiId})`, () => apigw.deleteApi(api.apiId))
    },
  }
}
