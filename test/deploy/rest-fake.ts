/**
 * The API Gateway v1 (REST API) part of the in-memory fake AWS (fake-aws.ts wires it to an APIGatewayClient
 * mock). It follows AWS where deploy depends on it: resources under an existing parent, one variable path part
 * per level, PutMethod refusing an existing method, PutIntegration replacing one, CreateDeployment refusing a
 * method without an integration and snapshotting the tree, stages serving a deployment, a deployment in use
 * by a stage not deletable, DeleteRestApi cascading. Error names are the SDK's (NotFoundException,
 * ConflictException, BadRequestException).
 */
import * as sdk from '@aws-sdk/client-api-gateway'

type Json = Record<string, unknown>
// biome-ignore lint/suspicious/noExplicitAny: each handler reads the fields of its own command
type Handler = (input: any) => unknown

export interface FakeMethod {
  httpMethod: string
  authorizationType: string
  apiKeyRequired: boolean
  methodIntegration?: {type: string; httpMethod?: string; uri?: string; timeoutInMillis: number}
}

export interface FakeResource {
  id: string
  parentId?: string
  pathPart?: string
  path: string
  methods: Map<string, FakeMethod>
}

export interface FakeDeployment {
  id: string
  description?: string
  createdDate: Date
  /** `METHOD path` → integration URI, as the tree was when the deployment was made. */
  routes: Record<string, string>
}

export interface FakeRestApi {
  id: string
  name: string
  tags: Record<string, string>
  createdDate: Date
  endpointTypes: string[]
  rootResourceId: string
  resources: Map<string, FakeResource>
  deployments: Map<string, FakeDeployment>
  stages: Map<string, {stageName: string; deploymentId: string; tracingEnabled: boolean; tags: Record<string, string>; createdDate: Date}>
}

function error(Ctor: new (options: {message: string; $metadata: {httpStatusCode: number}}) => Error, message: string, status: number): Error {
  return new Ctor({message, $metadata: {httpStatusCode: status}})
}
const notFound = (message: string) => error(sdk.NotFoundException, message, 404)
const badRequest = (message: string) => error(sdk.BadRequestException, message, 400)
const conflict = (message: string) => error(sdk.ConflictException, message, 409)

const LAMBDA_URI = /^arn:aws:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+\/invocations$/

export class FakeRestApis {
  readonly apis = new Map<string, FakeRestApi>()
  /** GetRestApis / GetResources page size (small, so pagination is exercised). */
  pageSize = 2
  private counter = 0

  constructor(readonly region: string) {}

  private id(length: number): string {
    this.counter++
    return `r${this.counter.toString(36)}`.padEnd(length, '0').slice(0, length)
  }

  handlers(): Record<string, [unknown, Handler]> {
    return {
      GetRestApis: [sdk.GetRestApisCommand, (i) => this.page([...this.apis.values()].map((a) => this.apiView(a)), i.position)],
      CreateRestApi: [sdk.CreateRestApiCommand, (i) => this.createRestApi(i)],
      DeleteRestApi: [sdk.DeleteRestApiCommand, (i) => void this.apis.delete(this.api(i.restApiId).id)],
      GetResources: [sdk.GetResourcesCommand, (i) => this.getResources(i)],
      CreateResource: [sdk.CreateResourceCommand, (i) => this.createResource(i)],
      DeleteResource: [sdk.DeleteResourceCommand, (i) => this.deleteResource(i)],
      PutMethod: [sdk.PutMethodCommand, (i) => this.putMethod(i)],
      DeleteMethod: [sdk.DeleteMethodCommand, (i) => this.deleteMethod(i)],
      PutIntegration: [sdk.PutIntegrationCommand, (i) => this.putIntegration(i)],
      GetDeployments: [sdk.GetDeploymentsCommand, (i) => this.page([...this.api(i.restApiId).deployments.values()].map((d) => this.deploymentView(d)), i.position)],
      CreateDeployment: [sdk.CreateDeploymentCommand, (i) => this.createDeployment(i)],
      DeleteDeployment: [sdk.DeleteDeploymentCommand, (i) => this.deleteDeployment(i)],
      GetStages: [sdk.GetStagesCommand, (i) => ({item: [...this.api(i.restApiId).stages.values()].map((s) => ({...s, tags: {...s.tags}}))})],
      CreateStage: [sdk.CreateStageCommand, (i) => this.createStage(i)],
      UpdateStage: [sdk.UpdateStageCommand, (i) => this.updateStage(i)],
      DeleteStage: [sdk.DeleteStageCommand, (i) => this.deleteStage(i)],
    }
  }

  private page<T>(all: T[], position: string | undefined) {
    const start = position ? Number(position) : 0
    return {items: all.slice(start, start + this.pageSize), position: start + this.pageSize < all.length ? String(start + this.pageSize) : undefined}
  }

  api(id: string): FakeRestApi {
    const api = this.apis.get(id)
    if (!api) throw notFound(`Invalid API identifier specified 123456789012:${id}`)
    return api
  }

  private apiView(a: FakeRestApi) {
    return {id: a.id, name: a.name, tags: {...a.tags}, createdDate: a.createdDate, endpointConfiguration: {types: [...a.endpointTypes]}, rootResourceId: a.rootResourceId}
  }

  private createRestApi(i: Json) {
    const id = this.id(10)
    const rootResourceId = this.id(10)
    const api: FakeRestApi = {
      id,
      name: i.name as string,
      tags: {...((i.tags as Record<string, string>) ?? {})},
      createdDate: new Date(1_700_000_000_000 + this.counter * 1000),
      endpointTypes: [...((i.endpointConfiguration as {types?: string[]})?.types ?? ['EDGE'])],
      rootResourceId,
      resources: new Map([[rootResourceId, {id: rootResourceId, path: '/', methods: new Map()}]]),
      deployments: new Map(),
      stages: new Map(),
    }
    this.apis.set(id, api)
    return this.apiView(api)
  }

  /** Adds a REST API as if created outside tracegate. */
  addForeign(name: string, tags: Record<string, string> = {}): string {
    return (this.createRestApi({name, tags}) as {id: string}).id
  }

  resource(api: FakeRestApi, id: string): FakeResource {
    const r = api.resources.get(id)
    if (!r) throw notFound(`Invalid Resource identifier specified ${id}`)
    return r
  }

  /** The resource at `path`, for tests that edit the tree by hand. */
  resourceAt(apiId: string, path: string): FakeResource | undefined {
    return [...this.api(apiId).resources.values()].find((r) => r.path === path)
  }

  private resourceView(r: FakeResource, embed: boolean) {
    const methods = Object.fromEntries([...r.methods.entries()].map(([verb, m]) => [verb, embed ? structuredClone(m) : {}]))
    return {id: r.id, parentId: r.parentId, pathPart: r.pathPart, path: r.path, ...(r.methods.size ? {resourceMethods: methods} : {})}
  }

  private getResources(i: Json) {
    const api = this.api(i.restApiId as string)
    const embed = ((i.embed as string[] | undefined) ?? []).includes('methods')
    return this.page([...api.resources.values()].map((r) => this.resourceView(r, embed)), i.position as string | undefined)
  }

  private createResource(i: Json) {
    const api = this.api(i.restApiId as string)
    const parent = this.resource(api, i.parentId as string)
    const part = i.pathPart as string
    const siblings = [...api.resources.values()].filter((r) => r.parentId === parent.id)
    if (siblings.some((s) => s.pathPart === part)) throw conflict(`Another resource with the same parent already has this name: ${part}`)
    if (part.startsWith('{')) {
      const variable = siblings.find((s) => s.pathPart?.startsWith('{'))
      if (variable) throw badRequest(`A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`)
    }
    if (parent.pathPart?.endsWith('+}')) throw badRequest(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`)
    const r: FakeResource = {id: this.id(6), parentId: parent.id, pathPart: part, path: `${parent.path === '/' ? '' : parent.path}/${part}`, methods: new Map()}
    api.resources.set(r.id, r)
    return this.resourceView(r, true)
  }

  private deleteResource(i: Json) {
    const api = this.api(i.restApiId as string)
    const r = this.resource(api, i.resourceId as string)
    if (r.id === api.rootResourceId) throw badRequest('Cannot delete the root resource')
    for (const other of [...api.resources.values()]) {
      if (other.path === r.path || other.path.startsWith(`${r.path}/`)) api.resources.delete(other.id)
    }
    return {}
  }

  private putMethod(i: Json) {
    const api = this.api(i.restApiId as string)
    const r = this.resource(api, i.resourceId as string)
    const verb = i.httpMethod as string
    if (r.methods.has(verb)) throw conflict('Method already exists for this resource')
    const method: FakeMethod = {httpMethod: verb, authorizationType: i.authorizationType as string, apiKeyRequired: Boolean(i.apiKeyRequired)}
    r.methods.set(verb, method)
    return structuredClone(method)
  }

  private deleteMethod(i: Json) {
    const api = this.api(i.restApiId as string)
    const r = this.resource(api, i.resourceId as string)
    if (!r.methods.delete(i.httpMethod as string)) throw notFound('Invalid Method identifier specified')
    return {}
  }

  private putIntegration(i: Json) {
    const api = this.api(i.restApiId as string)
    const r = this.resource(api, i.resourceId as string)
    const method = r.methods.get(i.httpMethod as string)
    if (!method) throw notFound('Invalid Method identifier specified')
    if (i.type === 'AWS_PROXY' || i.type === 'AWS') {
      if (!i.integrationHttpMethod) throw badRequest('Enumeration value for HttpMethod must be non-empty')
      if (!LAMBDA_URI.test(String(i.uri))) throw badRequest(`Invalid ARN specified in the request: ${i.uri}`)
    }
    method.methodIntegration = {type: i.type as string, httpMethod: i.integrationHttpMethod as string, uri: i.uri as string, timeoutInMillis: 29000}
    return structuredClone(method.methodIntegration)
  }

  private deploymentView(d: FakeDeployment) {
    return {id: d.id, description: d.description, createdDate: d.createdDate}
  }

  private createDeployment(i: Json) {
    const api = this.api(i.restApiId as string)
    const routes: Record<string, string> = {}
    for (const r of api.resources.values()) {
      for (const m of r.methods.values()) {
        if (!m.methodIntegration) throw badRequest('No integration defined for method')
        routes[`${m.httpMethod} ${r.path}`] = m.methodIntegration.uri ?? ''
      }
    }
    if (Object.keys(routes).length === 0) throw badRequest("The REST API doesn't contain any methods")
    const d: FakeDeployment = {id: this.id(6), description: i.description as string | undefined, createdDate: new Date(1_700_000_000_000 + this.counter * 1000), routes}
    api.deployments.set(d.id, d)
    return this.deploymentView(d)
  }

  private deleteDeployment(i: Json) {
    const api = this.api(i.restApiId as string)
    if (!api.deployments.has(i.deploymentId as string)) throw notFound(`Invalid Deployment identifier specified`)
    if ([...api.stages.values()].some((s) => s.deploymentId === i.deploymentId)) throw badRequest('Active stages pointing to this deployment must be moved or deleted')
    api.deployments.delete(i.deploymentId as string)
    return {}
  }

  private createStage(i: Json) {
    const api = this.api(i.restApiId as string)
    const name = i.stageName as string
    if (!api.deployments.has(i.deploymentId as string)) throw notFound('Invalid deployment identifier specified')
    if (api.stages.has(name)) throw conflict('Stage already exists')
    const stage = {stageName: name, deploymentId: i.deploymentId as string, tracingEnabled: Boolean(i.tracingEnabled), tags: {...((i.tags as Record<string, string>) ?? {})}, createdDate: new Date()}
    api.stages.set(name, stage)
    return {...stage}
  }

  private updateStage(i: Json) {
    const api = this.api(i.restApiId as string)
    const stage = api.stages.get(i.stageName as string)
    if (!stage) throw notFound('Invalid Stage identifier specified')
    for (const op of (i.patchOperations as Array<{op: string; path: string; value?: string}>) ?? []) {
      if (op.op !== 'replace') throw badRequest(`Invalid patch operation specified. Must be one of: [replace]`)
      if (op.path === '/deploymentId') {
        if (!api.deployments.has(op.value ?? '')) throw notFound('Invalid deployment identifier specified')
        stage.deploymentId = op.value!
      } else if (op.path === '/tracingEnabled') {
        stage.tracingEnabled = op.value === 'true'
      } else {
        throw badRequest(`Invalid patch path ${op.path}`)
      }
    }
    return {...stage}
  }

  private deleteStage(i: Json) {
    const api = this.api(i.restApiId as string)
    if (!api.stages.delete(i.stageName as string)) throw notFound('Invalid Stage identifier specified')
    return {}
  }

  /**
   * The state that matters, ids left out: what each stage serves (its deployment's routes), and the tree.
   * Deployments themselves are not compared: an interrupted run may leave one more in the history.
   */
  snapshot(): Json[] {
    return [...this.apis.values()].map((a) => ({
      name: a.name,
      tags: a.tags,
      endpointTypes: a.endpointTypes,
      tree: [...a.resources.values()]
        .map((r) => ({
          path: r.path,
          methods: [...r.methods.values()].map((m) => ({...m, methodIntegration: m.methodIntegration && {...m.methodIntegration, uri: m.methodIntegration.uri}})).sort((x, y) => x.httpMethod.localeCompare(y.httpMethod)),
        }))
        .sort((x, y) => x.path.localeCompare(y.path)),
      stages: [...a.stages.values()]
        .map((s) => ({stageName: s.stageName, tracingEnabled: s.tracingEnabled, tags: s.tags, serves: a.deployments.get(s.deploymentId)?.routes, description: a.deployments.get(s.deploymentId)?.description}))
        .sort((x, y) => x.stageName.localeCompare(y.stageName)),
    }))
  }
}
