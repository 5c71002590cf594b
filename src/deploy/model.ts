/**
 * The deploy model: what the config wants (desired), what AWS has (observed), and the plan between them.
 * Everything here is plain data; plan.ts turns desired + observed into a plan without any I/O.
 */
import type {ApiGatewayV2Api} from '../aws/apigatewayv2.js'
import type {IamApi, RoleState} from '../aws/iam.js'
import type {FunctionSettings, FunctionState, LambdaApi} from '../aws/lambda.js'
import type {ApiType} from '../permissions/arn.js'
import type {PolicyStatement} from '../permissions/policy.js'

export {PROJECT_TAG} from '../aws/lambda.js'

/** The narrow AWS interfaces deploy and destroy need (built by `createDeployApis`, mocked in tests). */
export interface DeployApis {
  lambda: LambdaApi
  iam: IamApi
  apiGatewayV2: ApiGatewayV2Api
}

export type ActionKind = 'create' | 'update' | 'noop' | 'delete'
export type ResourceKind = 'role' | 'function' | 'api' | 'stage' | 'integration' | 'route' | 'permission'

/** One line of the plan, as shown by --dry-run and returned in --json. */
export interface PlanAction {
  resource: ResourceKind
  /** The resource's name: `orders-getOrder`, `GET /orders/{id}`, a statement id. */
  name: string
  action: ActionKind
  /** Why: `not in AWS yet`, `code changed`, `not in tracegate.json`, `unchanged`. */
  reason: string
  /** What differs, for updates: `code`, `memory 256 → 512`. */
  changes?: string[]
}

// ---------------------------------------------------------------- desired

export interface DesiredFunction {
  key: string
  name: string
  /** Everything except the role, which is resolved at apply time when tracegate creates it. */
  settings: Omit<FunctionSettings, 'role'>
  codeSha256: string
  zip: Buffer
  zipSize: number
  routes: string[]
}

export interface DesiredRoute {
  routeKey: string
  functionKey: string
  functionName: string
}

export interface DesiredState {
  project: string
  region: string
  /** A role ARN from the config or --role; otherwise tracegate manages `{project}-lambda`. */
  roleArn?: string
  roleName: string
  functions: DesiredFunction[]
  api: {type: ApiType; name: string; stage: string; permissions: 'route' | 'api'; routes: DesiredRoute[]}
}

// ---------------------------------------------------------------- observed

export interface ObservedRole extends RoleState {
  attachedPolicies: string[]
}

/** What the API target found; `detail` is the target's own (HTTP: integrations, routes, stages). */
export interface ObservedApi<Detail = unknown> {
  apiId: string
  name: string
  endpoint: string
  tags: Record<string, string>
  detail: Detail
}

export interface ObservedState<ApiDetail = unknown> {
  /** Only read when tracegate manages the role (no role ARN given). */
  role?: ObservedRole
  /** Configured functions that exist, by name. */
  functions: Record<string, FunctionState>
  /** Functions tagged for this project that the config no longer has. */
  strays: FunctionState[]
  /** Resource-policy statements, by function name. */
  policies: Record<string, PolicyStatement[]>
  api?: ObservedApi<ApiDetail>
  /** More APIs tagged for the project (a duplicate from a retried create); the oldest is used. */
  extraApis: ObservedApi<ApiDetail>[]
  /** APIs named like the project but not tagged for it: never adopted. */
  foreignApis: Array<{apiId: string; name: string}>
}

// ---------------------------------------------------------------- plan

export interface RolePlan {
  name: string
  action: ActionKind
  reason: string
  /** Known unless the role is to be created. */
  arn?: string
  /** Managed by tracegate (false: a role ARN was given). */
  managed: boolean
  /** Managed policies to attach. */
  attach: string[]
}

export interface FunctionPlan {
  key?: string
  name: string
  action: ActionKind
  reason: string
  changes: string[]
  code: boolean
  configuration: boolean
  /** Known for existing functions. */
  arn?: string
}

export interface PermissionPlan {
  functionKey: string
  functionName: string
  /** The route the grant is for (`*` for one API-wide grant per function). */
  routeKey: string
  action: ActionKind
  reason: string
  /** Known when the API and the function exist; otherwise computed at apply time. */
  statementId?: string
  sourceArn?: string
}

/** The API part of a plan; each API type has its own (http-api.ts). */
export interface ApiPlan {
  type: ApiType
  /** Known when the API exists. */
  apiId?: string
  endpoint?: string
  stage: string
  actions: PlanAction[]
  /** Whether the API itself is created (then every statement is new). */
  creates: boolean
}

export interface DeployPlan<A extends ApiPlan = ApiPlan> {
  project: string
  region: string
  role: RolePlan
  functions: FunctionPlan[]
  api: A
  permissions: PermissionPlan[]
  /** Warnings the plan found (e.g. a duplicate API). */
  warnings: string[]
}

/** Lambda's managed policies for the execution role: CloudWatch Logs, and X-Ray for active tracing. */
export function managedPolicyArns(partition: string): string[] {
  return [
    `arn:${partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
    `arn:${partition}:iam::aws:policy/AWSXRayDaemonWriteAccess`,
  ]
}

export const LAMBDA_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}],
} as const

export function roleNameFor(project: string): string {
  return `${project}-lambda`
}

export function projectTags(project: string): Record<string, string> {
  return {'tracegate:project': project}
}
