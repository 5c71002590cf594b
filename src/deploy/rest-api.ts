/**
 * The REST API target (API Gateway v1): one REGIONAL REST API `{project}` found by its tag, a resource per
 * path prefix of the routes (`/orders`, `/orders/{id}`, `/{proxy+}`), one method per route (authorization
 * NONE; `ANY` stays `ANY`) with an AWS_PROXY integration (integration method POST, URI
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`, aws-semantics §3),
 * a deployment, and the configured stage pointing at it with X-Ray tracing on (§6.4).
 *
 * Unlike an HTTP API's auto-deploy stage, a REST stage serves a *deployment*: a snapshot taken by
 * CreateDeployment. Edits to resources and methods are invisible until the next deployment, so they can be
 * made in any order (deletions first: REST refuses two variable siblings such as `{id}` and `{orderId}`).
 * tracegate has no state file, so the deployment's description carries a fingerprint of the routes it was
 * taken for (`tracegate routes {hash}`): the stage is up to date when its deployment's description is the
 * fingerprint of the config. That makes a no-op redeploy free (no new deployment) and an interrupted one
 * converge: a run that stopped before CreateDeployment leaves the stage on an older fingerprint, and one that
 * stopped after it reuses the deployment it made. Old deployments are kept (the console's rollback history).
 *
 * The API is the project's (tagged); methods that integrate with other backends, added by hand, are left
 * alone, as are the resources they live on.
 */
import {createHash} from 'node:crypto'
import {type ApiGatewayApi, lambdaInvocationUri, type RestDeploymentState, type RestResourceState, type RestStageState} from '../aws/apigateway.js'
import {UserError} from '../errors.js'
import {parseRouteKey} from '../gateway/routes.js'
import {type Progress, step} from '../progress.js'
import {type ApiApplyContext, type ApiApplyHandle, type ApiTarget, checkNameFree, type ObservedApis, projectApis, skip} from './api-target.js'
import {observed as quiet, settleAll} from './concurrency.js'
import {functionNameOfIntegration} from './http-api.js'
import type {ActionKind, ApiPlan, DesiredState, FunctionPlan, ObservedApi, ObservedState, PlanAction} from './model.js'
import {PROJECT_TAG, projectTags} from './model.js'

export interface RestApiDetail {
  /** The id of the `/` resource. */
  rootResourceId?: string
  resources: RestResourceState[]
  deployments: RestDeploymentState[]
  stages: RestStageState[]
}

/** One route = one method on one resource. */
export interface RestMethodPlan {
  routeKey: string
  /** The resource path (`/orders/{id}`). */
  path: string
  httpMethod: string
  functionKey?: string
  functionName: string
  action: ActionKind
  reason: string
  changes: string[]
  /** Known when the resource exists. */
  resourceId?: string
  /** For updates: PutMethod again (after DeleteMethod) or only PutIntegration. */
  recreate?: boolean
}

export interface RestResourcePlan {
  path: string
  action: 'create' | 'delete' | 'noop'
  reason: string
  resourceId?: string
}

export interface RestApiPlan extends ApiPlan {
  type: 'rest'
  name: string
  apiAction: {action: ActionKind; reason: string}
  rootResourceId?: string
  /** Resources to create (parents before children), to keep, and the top-most ones to delete with their subtree. */
  resources: RestResourcePlan[]
  methods: RestMethodPlan[]
  /** `create`: a new deployment; `noop`: `deploymentId` (the stage's, or one an interrupted run made) is current. */
  deployment: {action: 'create' | 'noop'; reason: string; description: string; deploymentId?: string}
  stageAction: {action: ActionKind; reason: string; changes: string[]}
  staleStages: string[]
}

/** Lambda proxies always use format 1.0 on REST APIs; the integration calls Lambda with POST (aws-semantics §3, §4.1). */
const INTEGRATION_TYPE = 'AWS_PROXY'
const INTEGRATION_METHOD = 'POST'

interface DesiredMethod {
  routeKey: string
  path: string
  httpMethod: string
  functionKey: string
  functionName: string
}

function desiredMethods(desired: DesiredState): DesiredMethod[] {
  return desired.api.routes.map((r) => {
    const route = parseRouteKey(r.routeKey)
    if (route.isDefault || !route.path) {
      // The config loader refuses this for REST projects already; a DesiredState built elsewhere must too.
      throw new UserError('ROUTE_INVALID', 'REST APIs have no "$default" route', {suggestion: 'Use "ANY /{proxy+}" to catch every path'})
    }
    return {routeKey: route.key, path: route.path, httpMethod: route.method, functionKey: r.functionKey, functionName: r.functionName}
  })
}

function parentPath(path: string): string {
  const cut = path.lastIndexOf('/')
  return cut <= 0 ? '/' : path.slice(0, cut)
}

function pathPart(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** Every resource path the routes need, parents before children (`/` excluded: every REST API has it). */
export function resourcePathsFor(paths: readonly string[]): string[] {
  const all = new Set<string>()
  for (const path of paths) {
    let p = path
    while (p !== '/' && p !== '') {
      all.add(p)
      p = parentPath(p)
    }
  }
  return [...all].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))
}

const isVariable = (part: string) => part.startsWith('{')

/**
 * REST APIs allow one variable path part among siblings ("A sibling ({id}) of this resource already has a
 * variable path part -- only one is allowed"); HTTP APIs accept `/orders/{id}` next to `/orders/{orderId}`.
 * Refused before any AWS call.
 */
export function checkRestPaths(paths: readonly string[]): void {
  const variableChild = new Map<string, string>()
  for (const path of resourcePathsFor(paths)) {
    const part = pathPart(path)
    if (!isVariable(part)) continue
    const parent = parentPath(path)
    const other = variableChild.get(parent)
    if (other && other !== part) {
      throw new UserError('ROUTE_CONFLICT', `REST APIs allow one variable path part per level: ${parent === '/' ? '' : parent}/${other} and ${parent === '/' ? '' : parent}/${part} conflict`, {
        suggestion: `Use the same parameter name in every route under ${parent} (e.g. ${other} in both)`,
        details: {parent, parts: [other, part]},
      })
    }
    variableChild.set(parent, part)
  }
}

/** The description a deployment of these routes carries; equal descriptions mean equal routes. */
export function deploymentDescription(methods: ReadonlyArray<{httpMethod: string; path: string; functionName: string}>): string {
  const lines = methods.map((m) => `${m.httpMethod} ${m.path} ${m.functionName}`).sort()
  const hash = createHash('sha256').update(`v1\n${lines.join('\n')}`, 'utf8').digest('hex').slice(0, 16)
  return `tracegate routes ${hash}`
}

function isOwnedMethod(method: {integration?: {type?: string; uri?: string}}, project: string): boolean {
  return method.integration?.type === INTEGRATION_TYPE && Boolean(functionNameOfIntegration(method.integration.uri)?.startsWith(`${project}-`))
}

/** `GET /orders/{id}` for a method on a resource. */
const routeKeyOf = (httpMethod: string, path: string) => `${httpMethod} ${path}`

export function restApiTarget(apigw: ApiGatewayApi): ApiTarget<RestApiDetail, RestApiPlan> {
  function url(endpoint: string, stage: string): string {
    return `${endpoint.replace(/\/+$/, '')}/${stage}`
  }

  return {
    type: 'rest',
    url,

    async observe(project) {
      const apis = await apigw.listRestApis()
      const {tagged, foreignApis} = projectApis(apis, project, (a) => a.id)
      const toObserved = (a: (typeof apis)[number], detail: RestApiDetail): ObservedApi<RestApiDetail> => ({
        apiId: a.id,
        name: a.name,
        endpoint: apigw.endpointOf(a.id),
        tags: a.tags,
        detail,
      })
      const result: ObservedApis<RestApiDetail> = {
        extraApis: tagged.slice(1).map((a) => toObserved(a, {rootResourceId: a.rootResourceId, resources: [], deployments: [], stages: []})),
        foreignApis,
      }
      const chosen = tagged[0]
      if (chosen) {
        const [resources, deployments, stages] = await Promise.all([
          apigw.getResources(chosen.id),
          apigw.getDeployments(chosen.id),
          apigw.getStages(chosen.id),
        ])
        const rootResourceId = resources.find((r) => r.path === '/')?.id ?? chosen.rootResourceId
        result.api = toObserved(chosen, {rootResourceId, resources, deployments, stages})
      }
      return result
    },

    plan(desired: DesiredState, observed: ObservedState<RestApiDetail>, functions: FunctionPlan[]): RestApiPlan {
      const project = desired.project
      const stageName = desired.api.stage
      const api = observed.api
      const methods = desiredMethods(desired)
      checkRestPaths(methods.map((m) => m.path))
      const description = deploymentDescription(methods)
      const plan: RestApiPlan = {
        type: 'rest',
        name: desired.api.name,
        apiId: api?.apiId,
        endpoint: api?.endpoint,
        stage: stageName,
        creates: !api,
        actions: [],
        apiAction: {action: 'noop', reason: 'unchanged'},
        rootResourceId: api?.detail.rootResourceId,
        resources: [],
        methods: [],
        deployment: {action: 'create', reason: 'new API', description},
        stageAction: {action: 'create', reason: 'new API', changes: []},
        staleStages: [],
      }
      const wantedPaths = resourcePathsFor(methods.map((m) => m.path))

      if (!api) {
        checkNameFree(observed, desired, {label: 'A REST API', cli: 'apigateway', arnPath: 'restapis'})
        plan.apiAction = {action: 'create', reason: 'not in AWS yet'}
        for (const path of wantedPaths) plan.resources.push({path, action: 'create', reason: 'new API'})
        for (const m of methods) plan.methods.push({...m, action: 'create', reason: 'new API', changes: []})
      } else {
        const {resources, deployments, stages} = api.detail
        const byPath = new Map(resources.map((r) => [r.path, r]))
        const wanted = new Set(wantedPaths)
        const desiredKeys = new Set(methods.map((m) => routeKeyOf(m.httpMethod, m.path)))

        // Methods this run keeps: the desired ones and those integrating with other backends (hand-made).
        const kept = new Set<string>()
        for (const r of resources) {
          for (const m of Object.values(r.methods)) {
            const key = routeKeyOf(m.httpMethod, r.path)
            if (desiredKeys.has(key)) kept.add(key)
            else if (m.integration && !isOwnedMethod(m, project)) kept.add(key)
          }
        }
        // Resources to delete: not needed by a route and nothing kept below them; only the top-most of each
        // subtree is deleted (DeleteResource takes the subtree with it).
        const keepsSomething = (path: string) => [...kept].some((key) => {
          const p = key.slice(key.indexOf(' ') + 1)
          return p === path || p.startsWith(`${path}/`)
        })
        const prunable = new Set(resources.filter((r) => r.path !== '/' && !wanted.has(r.path) && !keepsSomething(r.path)).map((r) => r.path))
        for (const r of resources) {
          if (!prunable.has(r.path) || prunable.has(parentPath(r.path))) continue
          plan.resources.push({path: r.path, action: 'delete', reason: Object.keys(r.methods).length ? 'not in tracegate.json' : 'no route uses it', resourceId: r.id})
        }
        for (const path of wantedPaths) {
          const existing = byPath.get(path)
          plan.resources.push(existing ? {path, action: 'noop', reason: 'unchanged', resourceId: existing.id} : {path, action: 'create', reason: 'not in AWS yet'})
        }

        // Methods
        for (const m of methods) {
          const resource = byPath.get(m.path)
          const existing = resource?.methods[m.httpMethod]
          const base = {...m, resourceId: resource?.id}
          if (!existing) {
            plan.methods.push({...base, action: 'create', reason: 'not in AWS yet', changes: []})
            continue
          }
          const changes: string[] = []
          let recreate = false
          if ((existing.authorizationType ?? 'NONE') !== 'NONE') {
            changes.push(`authorization ${existing.authorizationType} → NONE`)
            recreate = true
          }
          const integration = existing.integration
          const arn = functions.find((f) => f.key === m.functionKey)?.arn
          if (!integration) changes.push('no integration yet')
          else {
            if (integration.type !== INTEGRATION_TYPE) changes.push(`integration type ${integration.type ?? '?'} → ${INTEGRATION_TYPE}`)
            if (integration.httpMethod !== INTEGRATION_METHOD) changes.push(`integration method ${integration.httpMethod ?? '?'} → ${INTEGRATION_METHOD}`)
            const uriDiffers = arn ? integration.uri !== lambdaInvocationUri(arn) : functionNameOfIntegration(integration.uri) !== m.functionName
            if (uriDiffers) changes.push(`now served by ${m.functionName}`)
          }
          plan.methods.push({
            ...base,
            action: changes.length ? 'update' : 'noop',
            reason: changes.length ? changes.join(', ') : 'unchanged',
            changes,
            ...(recreate ? {recreate} : {}),
          })
        }
        for (const r of resources) {
          for (const m of Object.values(r.methods)) {
            const key = routeKeyOf(m.httpMethod, r.path)
            if (kept.has(key)) continue
            // Under a resource that goes anyway: deleted with it.
            if ([...prunable].some((p) => r.path === p || r.path.startsWith(`${p}/`))) continue
            plan.methods.push({
              routeKey: key,
              path: r.path,
              httpMethod: m.httpMethod,
              functionName: functionNameOfIntegration(m.integration?.uri) ?? '?',
              action: 'delete',
              // A method without an integration makes CreateDeployment fail ("No integration defined for method").
              reason: m.integration ? 'not in tracegate.json' : 'has no integration (left by an interrupted deploy)',
              changes: [],
              resourceId: r.id,
            })
          }
        }
        // Routes that go with a deleted resource are shown as deleted routes too.
        for (const r of resources) {
          if (![...prunable].some((p) => r.path === p || r.path.startsWith(`${p}/`))) continue
          for (const m of Object.values(r.methods)) {
            plan.methods.push({
              routeKey: routeKeyOf(m.httpMethod, r.path),
              path: r.path,
              httpMethod: m.httpMethod,
              functionName: functionNameOfIntegration(m.integration?.uri) ?? '?',
              action: 'delete',
              reason: 'not in tracegate.json',
              changes: [],
              resourceId: r.id,
            })
          }
        }

        // Deployment and stage
        const treeChanges = plan.resources.some((r) => r.action !== 'noop') || plan.methods.some((m) => m.action !== 'noop')
        const stage = stages.find((s) => s.stageName === stageName)
        const current = stage?.deploymentId ? deployments.find((d) => d.id === stage.deploymentId) : undefined
        if (current?.description === description && !treeChanges) {
          plan.deployment = {action: 'noop', reason: 'unchanged', description, deploymentId: current.id}
        } else if (!treeChanges) {
          // An interrupted run may have made the deployment and stopped before the stage moved to it.
          const made = deployments
            .filter((d) => d.description === description)
            .sort((a, b) => (b.createdDate?.getTime() ?? 0) - (a.createdDate?.getTime() ?? 0) || b.id.localeCompare(a.id))[0]
          plan.deployment = made
            ? {action: 'noop', reason: 'made by an earlier run', description, deploymentId: made.id}
            : {action: 'create', reason: stage ? 'the stage serves other routes' : 'no stage yet', description}
        } else {
          plan.deployment = {action: 'create', reason: 'routes changed', description}
        }

        if (!stage) {
          plan.stageAction = {action: 'create', reason: 'not in AWS yet', changes: []}
        } else {
          const changes: string[] = []
          if (plan.deployment.action === 'create' || stage.deploymentId !== plan.deployment.deploymentId) changes.push('new deployment')
          if (!stage.tracingEnabled) changes.push('X-Ray tracing on')
          plan.stageAction = changes.length ? {action: 'update', reason: changes.join(', '), changes} : {action: 'noop', reason: 'unchanged', changes}
        }
        plan.staleStages = stages.filter((s) => s.stageName !== stageName).map((s) => s.stageName)
      }

      plan.actions = [
        {resource: 'api', name: plan.name, action: plan.apiAction.action, reason: plan.apiAction.reason},
        {resource: 'stage', name: stageName, action: plan.stageAction.action, reason: stageReason(plan)},
        ...plan.staleStages.map((s): PlanAction => ({resource: 'stage', name: s, action: 'delete', reason: `not in tracegate.json (the stage is "${stageName}")`})),
        ...plan.methods.map((m): PlanAction => ({
          resource: 'route',
          name: m.routeKey,
          action: m.action,
          reason: m.action === 'create' ? withNewResources(m, plan) : m.reason,
          ...(m.changes.length ? {changes: m.changes} : {}),
        })),
        // A resource deleted with no route on it (an empty leftover) still shows, by its path.
        ...plan.resources
          .filter((r) => r.action === 'delete' && !plan.methods.some((m) => m.action === 'delete' && (m.path === r.path || m.path.startsWith(`${r.path}/`))))
          .map((r): PlanAction => ({resource: 'route', name: r.path, action: 'delete', reason: r.reason})),
      ]
      return plan
    },

    apply(plan, context: ApiApplyContext): ApiApplyHandle {
      const {progress} = context
      // API Gateway's control plane answers concurrent writes to one REST API with "concurrent modification"
      // conflicts and throttles at a few calls per second: its writes go one at a time.
      const serial = serialQueue()
      const apiReady: Promise<{apiId: string; rootResourceId: string}> = quiet(
        plan.apiAction.action === 'create'
          ? step(progress, 'api', `Create REST API ${plan.name}`, () => serial(() => apigw.createRestApi({name: plan.name, tags: projectTags(plan.name)})), (a) => a.id).then((a) => {
              if (!a.rootResourceId) throw new Error(`CreateRestApi returned no rootResourceId for ${a.id}`)
              return {apiId: a.id, rootResourceId: a.rootResourceId}
            })
          : Promise.resolve({apiId: plan.apiId!, rootResourceId: plan.rootResourceId ?? ''}),
      )
      if (plan.apiAction.action === 'noop') skip(progress, 'api', `REST API ${plan.name}`, plan.apiId)
      const apiId = quiet(apiReady.then((a) => a.apiId))
      const tasks: Array<Promise<unknown>> = [apiReady]

      // Deletions first: REST refuses a variable sibling (`{id}`) next to an old one (`{orderId}`) until it is gone.
      const deletions: Array<Promise<unknown>> = []
      for (const r of plan.resources.filter((x) => x.action === 'delete')) {
        deletions.push(apiId.then((api) => step(progress, `delete-resource:${r.path}`, `Delete resource ${r.path}`, () => serial(() => apigw.deleteResource(api, r.resourceId!)))))
      }
      for (const m of plan.methods.filter((x) => x.action === 'delete')) {
        if (plan.resources.some((r) => r.action === 'delete' && (m.path === r.path || m.path.startsWith(`${r.path}/`)))) continue
        deletions.push(
          apiId.then((api) => step(progress, `delete-route:${m.routeKey}`, `Delete route ${m.routeKey}`, () => serial(() => apigw.deleteMethod(api, m.resourceId!, m.httpMethod)))),
        )
      }
      tasks.push(...deletions)
      const pruned = quiet(settleAll(deletions).then(() => apiReady))

      // Resources, parents before children; each resolves to its id.
      const resourceIds = new Map<string, Promise<string>>()
      const resourceId = (path: string): Promise<string> => {
        if (path === '/') return apiReady.then((a) => a.rootResourceId)
        const known = resourceIds.get(path)
        if (known) return known
        throw new Error(`no resource planned for ${path}`)
      }
      for (const r of plan.resources) {
        if (r.action === 'delete') continue
        let id: Promise<string>
        if (r.action === 'create') {
          const parent = parentPath(r.path)
          id = Promise.all([pruned, resourceId(parent)]).then(([api, parentId]) =>
            step(progress, `resource:${r.path}`, `Create resource ${r.path}`, () => serial(() => apigw.createResource(api.apiId, parentId, pathPart(r.path)))).then((c) => c.id),
          )
          tasks.push(id)
        } else {
          id = Promise.resolve(r.resourceId!)
        }
        resourceIds.set(r.path, quiet(id))
      }

      // Methods and their integrations.
      for (const m of plan.methods) {
        if (m.action === 'delete') continue
        const id = `route:${m.routeKey}`
        if (m.action === 'noop') {
          skip(progress, id, `Route ${m.routeKey}`)
          continue
        }
        const key = m.functionKey!
        const work = Promise.all([pruned, resourceId(m.path)]).then(async ([api, resource]) => {
          const label = m.action === 'create' ? `Create route ${m.routeKey}` : `Update route ${m.routeKey}`
          if (m.action === 'create' || m.recreate) {
            await step(progress, id, label, async () => {
              if (m.recreate) await serial(() => apigw.deleteMethod(api.apiId, resource, m.httpMethod))
              return serial(() => apigw.putMethod(api.apiId, resource, m.httpMethod))
            })
          }
          const arn = await context.functionArn(key)
          await step(progress, `integration:${m.routeKey}`, `Integrate ${m.routeKey} with ${m.functionName}`, () =>
            serial(() => apigw.putIntegration(api.apiId, resource, m.httpMethod, {uri: lambdaInvocationUri(arn)})),
          )
        })
        tasks.push(work)
      }

      // The deployment: once every change to the tree is in (it snapshots the tree as it is then).
      const treeWrites = [...tasks]
      let deploymentId: Promise<string>
      if (plan.deployment.action === 'create') {
        deploymentId = settleAll(treeWrites).then(() =>
          apiId.then((api) =>
            step(progress, 'deployment', `Deploy the routes of ${plan.name}`, () => serial(() => apigw.createDeployment(api, {description: plan.deployment.description})), (d) => d.id).then(
              (d) => d.id,
            ),
          ),
        )
        tasks.push(deploymentId)
      } else {
        deploymentId = Promise.resolve(plan.deployment.deploymentId!)
      }
      quiet(deploymentId)

      // Stage
      const stageId = `stage:${plan.stage}`
      if (plan.stageAction.action === 'create') {
        tasks.push(
          Promise.all([apiId, deploymentId]).then(([api, deployment]) =>
            step(progress, stageId, `Create stage ${plan.stage} (X-Ray tracing on)`, () =>
              serial(() => apigw.createStage(api, {stageName: plan.stage, deploymentId: deployment, tracingEnabled: true, tags: projectTags(plan.name)})),
            ),
          ),
        )
      } else if (plan.stageAction.action === 'update') {
        tasks.push(
          Promise.all([apiId, deploymentId]).then(([api, deployment]) =>
            step(progress, stageId, `Update stage ${plan.stage}`, () => serial(() => apigw.updateStage(api, plan.stage, {deploymentId: deployment, tracingEnabled: true})), () =>
              plan.stageAction.changes.join(', '),
            ),
          ),
        )
      } else {
        skip(progress, stageId, `Stage ${plan.stage}`)
      }
      for (const stale of plan.staleStages) {
        tasks.push(apiId.then((api) => step(progress, `delete-stage:${stale}`, `Delete stage ${stale}`, () => serial(() => apigw.deleteStage(api, stale)))))
      }

      return {
        apiId,
        endpoint: quiet(apiId.then((id) => apigw.endpointOf(id))),
        done: settleAll(tasks).then(() => undefined),
      }
    },

    destroyActions(api) {
      const {resources, stages} = api.detail
      const withApi = 'deleted with the API'
      return [
        {resource: 'api', name: `${api.name} (${api.apiId})`, action: 'delete', reason: `tagged ${PROJECT_TAG}=${api.tags[PROJECT_TAG]}`},
        ...stages.map((s): PlanAction => ({resource: 'stage', name: s.stageName, action: 'delete', reason: withApi})),
        ...[...resources]
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
          .flatMap((r) =>
            Object.values(r.methods).map((m): PlanAction => ({resource: 'route', name: routeKeyOf(m.httpMethod, r.path), action: 'delete', reason: withApi})),
          ),
      ]
    },

    async destroy(api, progress: Progress) {
      // DeleteRestApi removes resources, methods, deployments and stages with it.
      await step(progress, `delete-api:${api.apiId}`, `Delete REST API ${api.name} (${api.apiId})`, () => apigw.deleteRestApi(api.apiId))
    },
  }
}

function stageReason(plan: RestApiPlan): string {
  if (plan.stageAction.action !== 'create') return plan.stageAction.reason
  return `${plan.stageAction.reason}; with X-Ray tracing, serving a new deployment`
}

function withNewResources(m: RestMethodPlan, plan: RestApiPlan): string {
  const created = plan.resources.filter((r) => r.action === 'create' && (m.path === r.path || m.path.startsWith(`${r.path}/`))).map((r) => r.path)
  return created.length ? `${m.reason} (resource ${created.join(', ')})` : m.reason
}

/** Runs the works it is given one after another, in call order; a failure does not stop the ones after it. */
function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(work: () => Promise<T>) => {
    const run = tail.then(work, work)
    tail = run.catch(() => {})
    return run
  }
}

/**
 * The API Gateway v1 interface REST deploys need. It rides along with `DeployApis` (built by
 * `createDeployApis`) without being part of its type, which predates REST support.
 */
export interface RestDeployApis {
  apiGateway: ApiGatewayApi
}

export function apiGatewayOf(apis: object): ApiGatewayApi {
  const apiGateway = (apis as Partial<RestDeployApis>).apiGateway
  if (!apiGateway) throw new Error('REST APIs need the API Gateway v1 interface: build the deploy APIs with createDeployApis')
  return apiGateway
}
