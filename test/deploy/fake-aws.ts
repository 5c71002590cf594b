/**
 * A small in-memory AWS (Lambda, ApiGatewayV2, IAM) behind aws-sdk-client-mock, so deploy tests can run
 * deploy twice, interrupt it anywhere, and compare final states. It follows the reference's semantics where
 * deploy depends on them (aws-semantics §1.2, §1.3, §1.5, §3): error names and messages, 404 vs 409,
 * "update in progress" conflicts while a function is Pending or updating, CodeSha256 as base64 SHA-256,
 * policies as JSON strings, DeleteApi cascading, integrations that cannot be deleted while routed to.
 *
 * Functions become Active (and updates Successful) on the first read after the write, so the SDK waiters
 * finish on their first poll and tests never sleep.
 */
import {createHash} from 'node:crypto'
import * as apigw from '@aws-sdk/client-apigatewayv2'
import * as iam from '@aws-sdk/client-iam'
import * as lambda from '@aws-sdk/client-lambda'
import type {AwsStub} from 'aws-sdk-client-mock'
import {FakeRestApis} from './rest-fake.js'

type Json = Record<string, unknown>
// biome-ignore lint/suspicious/noExplicitAny: one stub type for three differently typed clients
type Stub = AwsStub<any, any, any>
// biome-ignore lint/suspicious/noExplicitAny: each handler reads the fields of its own command
type Handler = (input: any) => unknown

export interface FakeFunction {
  config: {
    FunctionName: string
    FunctionArn: string
    Runtime: string
    Role: string
    Handler: string
    MemorySize: number
    Timeout: number
    Environment: {Variables: Record<string, string>}
    TracingConfig: {Mode: string}
    Description: string
    CodeSha256: string
    CodeSize: number
    State: string
    LastUpdateStatus: string
  }
  tags: Record<string, string>
  zip: Uint8Array
  policy: Json[]
}

export interface FakeApi {
  ApiId: string
  Name: string
  ProtocolType: string
  ApiEndpoint: string
  Tags: Record<string, string>
  CreatedDate: Date
  integrations: Map<string, Json>
  routes: Map<string, Json>
  stages: Map<string, Json>
}

export interface FakeRole {
  RoleName: string
  Arn: string
  Tags: Array<{Key: string; Value: string}>
  AssumeRolePolicyDocument: string
  attached: Set<string>
  inline: Set<string>
}

export interface Call {
  service: 'lambda' | 'apigatewayv2' | 'iam' | 'apigateway'
  command: string
  input: Json
}

export interface FailurePlan {
  /** 1-based index of the write call to fail. */
  at: number
  /** `before`: the call has no effect; `after`: it takes effect but the caller sees an error (a lost response). */
  mode: 'before' | 'after'
}

const READ = /^(Get|List)/

/** An SDK exception as the client would throw it (name, message, $metadata). */
function sdkError(Ctor: new (options: {message: string; $metadata: {httpStatusCode: number}}) => Error, message: string, status: number): Error {
  return new Ctor({message, $metadata: {httpStatusCode: status}})
}

export class FakeAws {
  readonly region: string
  readonly account = '123456789012'
  readonly functions = new Map<string, FakeFunction>()
  readonly apis = new Map<string, FakeApi>()
  readonly roles = new Map<string, FakeRole>()
  /** REST APIs (API Gateway v1), served when `install` gets a `restApi` stub. */
  readonly rest: FakeRestApis
  readonly calls: Call[] = []
  failure?: FailurePlan
  /** CreateFunction attempts to refuse with "cannot be assumed" after each CreateRole (IAM propagation). */
  roleDelayAttempts = 0
  private roleNotReady = new Map<string, number>()
  /** Per command name, errors to throw on the next calls (throttling, conflicts, access denied). */
  readonly injected = new Map<string, Error[]>()
  private writes = 0
  private counter = 0
  /** ListFunctions / GetApis page size (small, so pagination is exercised). */
  pageSize = 2

  constructor(region = 'us-east-2') {
    this.region = region
    this.rest = new FakeRestApis(region)
  }

  get writeCalls(): Call[] {
    return this.calls.filter((c) => !READ.test(c.command))
  }

  inject(command: string, ...errors: Error[]): void {
    this.injected.set(command, [...(this.injected.get(command) ?? []), ...errors])
  }

  private id(prefix: string): string {
    this.counter++
    return `${prefix}${this.counter.toString(36).padStart(7 - prefix.length, '0')}`.slice(0, 10)
  }

  /** Routes each command of the three clients to this fake. */
  install(mocks: {lambda: Stub; apigw: Stub; iam: Stub; restApi?: Stub}): void {
    const wire = (service: Call['service'], stub: Stub, handlers: Record<string, [unknown, Handler]>) => {
      for (const [name, [Command, handler]] of Object.entries(handlers)) {
        stub.on(Command as Parameters<Stub['on']>[0]).callsFake(async (input: Json) => {
          this.calls.push({service, command: name, input})
          // A read takes a moment (a macrotask), so a write issued while a waiter is still polling sees the
          // function Pending or InProgress, as it would in AWS, instead of winning a microtask race.
          if (name === 'GetFunction') await new Promise((resolve) => setImmediate(resolve))
          const queued = this.injected.get(name)
          if (queued?.length) throw queued.shift()
          if (!READ.test(name)) {
            this.writes++
            if (this.failure && this.failure.at === this.writes) {
              const error = Object.assign(new Error(`injected failure at write ${this.writes} (${name})`), {
                name: 'ServiceException',
                $metadata: {httpStatusCode: 500},
              })
              if (this.failure.mode === 'after') handler(input)
              throw error
            }
          }
          return handler(input)
        })
      }
    }
    wire('lambda', mocks.lambda, {
      CreateFunction: [lambda.CreateFunctionCommand, (i) => this.createFunction(i)],
      GetFunction: [lambda.GetFunctionCommand, (i) => this.getFunction(i)],
      UpdateFunctionCode: [lambda.UpdateFunctionCodeCommand, (i) => this.updateFunctionCode(i)],
      UpdateFunctionConfiguration: [lambda.UpdateFunctionConfigurationCommand, (i) => this.updateFunctionConfiguration(i)],
      DeleteFunction: [lambda.DeleteFunctionCommand, (i) => this.deleteFunction(i)],
      ListFunctions: [lambda.ListFunctionsCommand, (i) => this.listFunctions(i)],
      GetPolicy: [lambda.GetPolicyCommand, (i) => this.getPolicy(i)],
      AddPermission: [lambda.AddPermissionCommand, (i) => this.addPermission(i)],
      RemovePermission: [lambda.RemovePermissionCommand, (i) => this.removePermission(i)],
    })
    wire('apigatewayv2', mocks.apigw, {
      GetApis: [apigw.GetApisCommand, (i) => this.getApis(i)],
      CreateApi: [apigw.CreateApiCommand, (i) => this.createApi(i)],
      DeleteApi: [apigw.DeleteApiCommand, (i) => this.deleteApi(i)],
      GetIntegrations: [apigw.GetIntegrationsCommand, (i) => ({Items: [...this.api(i.ApiId).integrations.values()]})],
      GetRoutes: [apigw.GetRoutesCommand, (i) => ({Items: [...this.api(i.ApiId).routes.values()]})],
      GetStages: [apigw.GetStagesCommand, (i) => ({Items: [...this.api(i.ApiId).stages.values()]})],
      CreateIntegration: [apigw.CreateIntegrationCommand, (i) => this.createIntegration(i)],
      UpdateIntegration: [apigw.UpdateIntegrationCommand, (i) => this.updateIntegration(i)],
      DeleteIntegration: [apigw.DeleteIntegrationCommand, (i) => this.deleteIntegration(i)],
      CreateRoute: [apigw.CreateRouteCommand, (i) => this.createRoute(i)],
      UpdateRoute: [apigw.UpdateRouteCommand, (i) => this.updateRoute(i)],
      DeleteRoute: [apigw.DeleteRouteCommand, (i) => this.deleteRoute(i)],
      CreateStage: [apigw.CreateStageCommand, (i) => this.createStage(i)],
      UpdateStage: [apigw.UpdateStageCommand, (i) => this.updateStage(i)],
      DeleteStage: [apigw.DeleteStageCommand, (i) => this.deleteStage(i)],
    })
    if (mocks.restApi) wire('apigateway', mocks.restApi, this.rest.handlers())
    wire('iam', mocks.iam, {
      GetRole: [iam.GetRoleCommand, (i) => ({Role: this.role(i.RoleName)})],
      CreateRole: [iam.CreateRoleCommand, (i) => this.createRole(i)],
      ListAttachedRolePolicies: [
        iam.ListAttachedRolePoliciesCommand,
        (i) => ({AttachedPolicies: [...this.role(i.RoleName).attached].map((PolicyArn) => ({PolicyArn, PolicyName: PolicyArn.replace(/^.*\//, '')})), IsTruncated: false}),
      ],
      ListRolePolicies: [iam.ListRolePoliciesCommand, (i) => ({PolicyNames: [...this.role(i.RoleName).inline], IsTruncated: false})],
      AttachRolePolicy: [iam.AttachRolePolicyCommand, (i) => void this.role(i.RoleName).attached.add(i.PolicyArn)],
      DetachRolePolicy: [iam.DetachRolePolicyCommand, (i) => void this.role(i.RoleName).attached.delete(i.PolicyArn)],
      DeleteRolePolicy: [iam.DeleteRolePolicyCommand, (i) => void this.role(i.RoleName).inline.delete(i.PolicyName)],
      DeleteRole: [iam.DeleteRoleCommand, (i) => this.deleteRole(i)],
    })
  }

  // ------------------------------------------------------------------ Lambda

  private fn(name: string): FakeFunction {
    const short = name.replace(/^arn:.*:function:/, '')
    const fn = this.functions.get(short)
    if (!fn) throw sdkError(lambda.ResourceNotFoundException, `Function not found: arn:aws:lambda:${this.region}:${this.account}:function:${short}`, 404)
    return fn
  }

  private assertWritable(fn: FakeFunction): void {
    if (fn.config.State === 'Pending' || fn.config.LastUpdateStatus === 'InProgress') {
      throw sdkError(
        lambda.ResourceConflictException,
        `The operation cannot be performed at this time. An update is in progress for resource: ${fn.config.FunctionArn}`,
        409,
      )
    }
  }

  private createFunction(i: Json) {
    const name = i.FunctionName as string
    if (this.functions.has(name)) throw sdkError(lambda.ResourceConflictException, `Function already exist: ${name}`, 409)
    const roleName = String(i.Role).replace(/^.*:role\//, '')
    const left = this.roleNotReady.get(roleName) ?? 0
    if (!this.roles.has(roleName) || left > 0) {
      this.roleNotReady.set(roleName, Math.max(0, left - 1))
      throw sdkError(lambda.InvalidParameterValueException, 'The role defined for the function cannot be assumed by Lambda.', 400)
    }
    const zip = (i.Code as {ZipFile: Uint8Array}).ZipFile
    const fn: FakeFunction = {
      config: {
        FunctionName: name,
        FunctionArn: `arn:aws:lambda:${this.region}:${this.account}:function:${name}`,
        Runtime: i.Runtime as string,
        Role: i.Role as string,
        Handler: i.Handler as string,
        MemorySize: (i.MemorySize as number) ?? 128,
        Timeout: (i.Timeout as number) ?? 3,
        Environment: {Variables: {...((i.Environment as {Variables?: Record<string, string>})?.Variables ?? {})}},
        TracingConfig: {Mode: (i.TracingConfig as {Mode?: string})?.Mode ?? 'PassThrough'},
        Description: (i.Description as string) ?? '',
        CodeSha256: createHash('sha256').update(zip).digest('base64'),
        CodeSize: zip.length,
        State: 'Pending',
        LastUpdateStatus: 'Successful',
      },
      tags: {...((i.Tags as Record<string, string>) ?? {})},
      zip,
      policy: [],
    }
    this.functions.set(name, fn)
    return {...fn.config}
  }

  private getFunction(i: Json) {
    const fn = this.fn(i.FunctionName as string)
    // The change finishes "in the background" by the time anyone looks: the first read after it sees it done.
    if (fn.config.State === 'Pending') fn.config.State = 'Active'
    if (fn.config.LastUpdateStatus === 'InProgress') fn.config.LastUpdateStatus = 'Successful'
    return {Configuration: {...fn.config}, Code: {RepositoryType: 'S3'}, Tags: {...fn.tags}}
  }

  private updateFunctionCode(i: Json) {
    const fn = this.fn(i.FunctionName as string)
    this.assertWritable(fn)
    const zip = i.ZipFile as Uint8Array
    fn.zip = zip
    fn.config.CodeSha256 = createHash('sha256').update(zip).digest('base64')
    fn.config.CodeSize = zip.length
    fn.config.LastUpdateStatus = 'InProgress'
    return {...fn.config}
  }

  private updateFunctionConfiguration(i: Json) {
    const fn = this.fn(i.FunctionName as string)
    this.assertWritable(fn)
    const c = fn.config
    if (i.Role !== undefined) c.Role = i.Role as string
    if (i.Runtime !== undefined) c.Runtime = i.Runtime as string
    if (i.Handler !== undefined) c.Handler = i.Handler as string
    if (i.MemorySize !== undefined) c.MemorySize = i.MemorySize as number
    if (i.Timeout !== undefined) c.Timeout = i.Timeout as number
    if (i.Environment !== undefined) c.Environment = {Variables: {...((i.Environment as {Variables?: Record<string, string>}).Variables ?? {})}}
    if (i.TracingConfig !== undefined) c.TracingConfig = {Mode: (i.TracingConfig as {Mode: string}).Mode}
    if (i.Description !== undefined) c.Description = i.Description as string
    c.LastUpdateStatus = 'InProgress'
    return {...c}
  }

  private deleteFunction(i: Json) {
    const fn = this.fn(i.FunctionName as string)
    this.functions.delete(fn.config.FunctionName)
    return {StatusCode: 204}
  }

  private listFunctions(i: Json) {
    const all = [...this.functions.values()].map((f) => ({...f.config})).sort((a, b) => a.FunctionName.localeCompare(b.FunctionName))
    const start = i.Marker ? Number(i.Marker) : 0
    const page = all.slice(start, start + this.pageSize)
    return {Functions: page, NextMarker: start + this.pageSize < all.length ? String(start + this.pageSize) : undefined}
  }

  private getPolicy(i: Json) {
    const fn = this.fn(i.FunctionName as string)
    if (fn.policy.length === 0) throw sdkError(lambda.ResourceNotFoundException, 'The resource you requested does not exist.', 404)
    return {Policy: JSON.stringify({Version: '2012-10-17', Id: 'default', Statement: fn.policy}), RevisionId: `rev-${this.counter}`}
  }

  private addPermission(i: Json) {
    const fn = this.fn(i.FunctionName as string)
    this.assertWritable(fn)
    const sid = i.StatementId as string
    if (fn.policy.some((s) => s.Sid === sid)) {
      throw sdkError(lambda.ResourceConflictException, `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`, 409)
    }
    const principal = i.Principal as string
    const statement: Json = {
      Sid: sid,
      Effect: 'Allow',
      Principal: principal.endsWith('.amazonaws.com') ? {Service: principal} : {AWS: principal},
      Action: i.Action,
      Resource: fn.config.FunctionArn,
      ...(i.SourceArn ? {Condition: {ArnLike: {'AWS:SourceArn': i.SourceArn}}} : {}),
    }
    fn.policy.push(statement)
    return {Statement: JSON.stringify(statement)}
  }

  private removePermission(i: Json) {
    const fn = this.fn(i.FunctionName as string)
    const index = fn.policy.findIndex((s) => s.Sid === i.StatementId)
    if (index < 0) throw sdkError(lambda.ResourceNotFoundException, `Statement ${i.StatementId} is not found in resource policy.`, 404)
    fn.policy.splice(index, 1)
    return {}
  }

  // ------------------------------------------------------------------ ApiGatewayV2

  private api(apiId: string): FakeApi {
    const api = this.apis.get(apiId)
    if (!api) throw sdkError(apigw.NotFoundException, `Invalid API identifier specified ${this.account}:${apiId}`, 404)
    return api
  }

  private apiView(a: FakeApi) {
    return {ApiId: a.ApiId, Name: a.Name, ProtocolType: a.ProtocolType, ApiEndpoint: a.ApiEndpoint, Tags: {...a.Tags}, CreatedDate: a.CreatedDate}
  }

  private getApis(i: Json) {
    const all = [...this.apis.values()].map((a) => this.apiView(a))
    const start = i.NextToken ? Number(i.NextToken) : 0
    return {Items: all.slice(start, start + this.pageSize), NextToken: start + this.pageSize < all.length ? String(start + this.pageSize) : undefined}
  }

  private createApi(i: Json) {
    const apiId = this.id('a')
    const api: FakeApi = {
      ApiId: apiId,
      Name: i.Name as string,
      ProtocolType: i.ProtocolType as string,
      ApiEndpoint: `https://${apiId}.execute-api.${this.region}.amazonaws.com`,
      Tags: {...((i.Tags as Record<string, string>) ?? {})},
      CreatedDate: new Date(1_700_000_000_000 + this.counter * 1000),
      integrations: new Map(),
      routes: new Map(),
      stages: new Map(),
    }
    this.apis.set(apiId, api)
    return this.apiView(api)
  }

  /** Adds an API as if created outside tracegate. */
  addForeignApi(name: string, tags: Record<string, string> = {}): string {
    return (this.createApi({Name: name, ProtocolType: 'HTTP', Tags: tags}) as {ApiId: string}).ApiId
  }

  private deleteApi(i: Json) {
    this.api(i.ApiId as string)
    this.apis.delete(i.ApiId as string)
    return {}
  }

  private checkIntegration(i: Json) {
    if (i.IntegrationType === 'AWS_PROXY' && !i.PayloadFormatVersion) {
      throw sdkError(apigw.BadRequestException, 'PayloadFormatVersion is required for AWS_PROXY integrations', 400)
    }
    if (!/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+$/.test(String(i.IntegrationUri))) {
      throw sdkError(apigw.BadRequestException, `Invalid integration URI specified ${i.IntegrationUri}`, 400)
    }
  }

  private createIntegration(i: Json) {
    const api = this.api(i.ApiId as string)
    this.checkIntegration(i)
    const integration = {
      IntegrationId: this.id('i'),
      IntegrationType: i.IntegrationType,
      IntegrationUri: i.IntegrationUri,
      PayloadFormatVersion: i.PayloadFormatVersion,
      IntegrationMethod: 'POST',
      TimeoutInMillis: 30000,
    }
    api.integrations.set(integration.IntegrationId, integration)
    return {...integration}
  }

  private integration(api: FakeApi, id: string): Json {
    const integration = api.integrations.get(id)
    if (!integration) throw sdkError(apigw.NotFoundException, `Invalid Integration identifier specified ${id}`, 404)
    return integration
  }

  private updateIntegration(i: Json) {
    const api = this.api(i.ApiId as string)
    const integration = this.integration(api, i.IntegrationId as string)
    for (const k of ['IntegrationType', 'IntegrationUri', 'PayloadFormatVersion']) if (i[k] !== undefined) integration[k] = i[k]
    this.checkIntegration(integration)
    return {...integration}
  }

  private deleteIntegration(i: Json) {
    const api = this.api(i.ApiId as string)
    this.integration(api, i.IntegrationId as string)
    if ([...api.routes.values()].some((r) => r.Target === `integrations/${i.IntegrationId}`)) {
      throw sdkError(apigw.ConflictException, `Integration ${i.IntegrationId} is in use by a route`, 409)
    }
    api.integrations.delete(i.IntegrationId as string)
    return {}
  }

  private checkTarget(api: FakeApi, target: unknown) {
    const id = /^integrations\/(.+)$/.exec(String(target ?? ''))?.[1]
    if (target !== undefined && (!id || !api.integrations.has(id))) throw sdkError(apigw.NotFoundException, `Invalid integration target ${target}`, 404)
  }

  private createRoute(i: Json) {
    const api = this.api(i.ApiId as string)
    if ([...api.routes.values()].some((r) => r.RouteKey === i.RouteKey)) {
      throw sdkError(apigw.ConflictException, `Unable to create route ${i.RouteKey}. Route key already exists`, 409)
    }
    this.checkTarget(api, i.Target)
    const route = {RouteId: this.id('r'), RouteKey: i.RouteKey, Target: i.Target, AuthorizationType: i.AuthorizationType ?? 'NONE', ApiKeyRequired: false}
    api.routes.set(route.RouteId, route)
    return {...route}
  }

  private updateRoute(i: Json) {
    const api = this.api(i.ApiId as string)
    const route = api.routes.get(i.RouteId as string)
    if (!route) throw sdkError(apigw.NotFoundException, `Invalid Route identifier specified ${i.RouteId}`, 404)
    this.checkTarget(api, i.Target)
    if (i.Target !== undefined) route.Target = i.Target
    return {...route}
  }

  private deleteRoute(i: Json) {
    const api = this.api(i.ApiId as string)
    if (!api.routes.delete(i.RouteId as string)) throw sdkError(apigw.NotFoundException, `Invalid Route identifier specified ${i.RouteId}`, 404)
    return {}
  }

  private createStage(i: Json) {
    const api = this.api(i.ApiId as string)
    if (api.stages.has(i.StageName as string)) throw sdkError(apigw.ConflictException, `Stage already exist: ${i.StageName}`, 409)
    const stage = {StageName: i.StageName, AutoDeploy: Boolean(i.AutoDeploy)}
    api.stages.set(i.StageName as string, stage)
    return {...stage}
  }

  private updateStage(i: Json) {
    const api = this.api(i.ApiId as string)
    const stage = api.stages.get(i.StageName as string)
    if (!stage) throw sdkError(apigw.NotFoundException, `Invalid stage identifier specified ${i.StageName}`, 404)
    if (i.AutoDeploy !== undefined) stage.AutoDeploy = i.AutoDeploy
    return {...stage}
  }

  private deleteStage(i: Json) {
    const api = this.api(i.ApiId as string)
    if (!api.stages.delete(i.StageName as string)) throw sdkError(apigw.NotFoundException, `Invalid stage identifier specified ${i.StageName}`, 404)
    return {}
  }

  // ------------------------------------------------------------------ IAM

  private role(name: string): FakeRole {
    const role = this.roles.get(name)
    if (!role) throw sdkError(iam.NoSuchEntityException, `The role with name ${name} cannot be found.`, 404)
    return role
  }

  private createRole(i: Json) {
    const name = i.RoleName as string
    if (this.roles.has(name)) throw sdkError(iam.EntityAlreadyExistsException, `Role with name ${name} already exists.`, 409)
    const role: FakeRole = {
      RoleName: name,
      Arn: `arn:aws:iam::${this.account}:role/${name}`,
      Tags: [...((i.Tags as Array<{Key: string; Value: string}>) ?? [])],
      AssumeRolePolicyDocument: i.AssumeRolePolicyDocument as string,
      attached: new Set(),
      inline: new Set(),
    }
    this.roles.set(name, role)
    this.roleNotReady.set(name, this.roleDelayAttempts)
    return {Role: {...role, attached: undefined, inline: undefined}}
  }

  /** A role made outside tracegate (e.g. one given with --role); returns its ARN. */
  addRole(name: string, tags: Array<{Key: string; Value: string}> = []): string {
    this.createRole({RoleName: name, AssumeRolePolicyDocument: '{}', Tags: tags})
    this.roleNotReady.set(name, 0)
    return this.roles.get(name)!.Arn
  }

  private deleteRole(i: Json) {
    const role = this.role(i.RoleName as string)
    if (role.attached.size || role.inline.size) {
      throw sdkError(iam.DeleteConflictException, 'Cannot delete entity, must detach all policies first.', 409)
    }
    this.roles.delete(role.RoleName)
    return {}
  }

  // ------------------------------------------------------------------ helpers for tests

  /** The state with generated ids replaced, so two runs (or two fakes) compare equal when they converged. */
  snapshot(): Json {
    const apiIds = [...this.apis.keys()]
    const norm = (s: unknown) => {
      let text = String(s ?? '')
      for (const [n, id] of apiIds.entries()) text = text.replaceAll(id, `API${n}`)
      return text
    }
    const functions: Json = {}
    for (const [name, f] of [...this.functions.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const {State: _s, LastUpdateStatus: _l, ...config} = f.config
      functions[name] = {
        ...config,
        tags: f.tags,
        policy: f.policy
          // The id's hash covers the source ARN, which holds the API id: compare the ARN, not the hash.
          .map((s) => ({...s, Sid: norm(s.Sid).replace(/-[0-9a-f]{12}$/, '-HASH'), Condition: JSON.parse(norm(JSON.stringify(s.Condition ?? {})))}))
          .sort((a, b) => String(a.Sid).localeCompare(String(b.Sid))),
      }
    }
    const apis = [...this.apis.values()].map((a) => {
      const fnOf = (target: unknown) => {
        const id = /^integrations\/(.+)$/.exec(String(target ?? ''))?.[1]
        return String(a.integrations.get(id ?? '')?.IntegrationUri ?? target ?? '').replace(/^.*:function:/, '')
      }
      return {
        name: a.Name,
        tags: a.Tags,
        endpoint: norm(a.ApiEndpoint),
        stages: [...a.stages.values()].sort((x, y) => String(x.StageName).localeCompare(String(y.StageName))),
        integrations: [...a.integrations.values()]
          .map((i) => ({type: i.IntegrationType, uri: i.IntegrationUri, format: i.PayloadFormatVersion}))
          .sort((x, y) => String(x.uri).localeCompare(String(y.uri))),
        routes: [...a.routes.values()].map((r) => ({routeKey: r.RouteKey, function: fnOf(r.Target)})).sort((x, y) => String(x.routeKey).localeCompare(String(y.routeKey))),
      }
    })
    const roles: Json = {}
    for (const [name, r] of this.roles) {
      roles[name] = {tags: r.Tags, trust: JSON.parse(r.AssumeRolePolicyDocument), attached: [...r.attached].sort(), inline: [...r.inline].sort()}
    }
    return {functions, apis, roles}
  }
}

/** A clock whose sleeps return at once and advance its time (retries and backoff without waiting). */
export function fakeClock(): {now(): number; sleep(ms: number): Promise<void>; slept: number[]} {
  let t = 0
  const slept: number[] = []
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
    slept,
  }
}
