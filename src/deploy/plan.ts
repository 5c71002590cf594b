/**
 * Pure planning: desired state (tracegate.json + packages) and observed state (AWS) in, a plan out. No I/O,
 * so every decision is tested with plain data. Apply (apply.ts) executes the plan.
 */
import type {FunctionState} from '../aws/lambda.js'
import {UserError} from '../errors.js'
import {buildExecuteApiArn, parseFunctionArn, partitionForRegion, sourceArnForRoute} from '../permissions/arn.js'
import {API_GATEWAY_PRINCIPAL, hasServicePrincipal, INVOKE_ACTION, type PolicyStatement, sourceArnsOf} from '../permissions/policy.js'
import {apiIdOfStatement, isTracegateStatement, statementIdFor} from '../permissions/statement-id.js'
import type {ApiTarget} from './api-target.js'
import {
  type ActionKind,
  type ApiPlan,
  type DeployPlan,
  type DesiredFunction,
  type DesiredState,
  type FunctionPlan,
  managedPolicyArns,
  type ObservedState,
  type PermissionPlan,
  type PlanAction,
  PROJECT_TAG,
  type RolePlan,
} from './model.js'

/** The route key of the one API-wide grant per function (`"permissions": "api"`). */
export const API_WIDE = '*'

export function planDeploy<D, P extends ApiPlan>(desired: DesiredState, observed: ObservedState<D>, target: ApiTarget<D, P>): DeployPlan<P> {
  const role = planRole(desired, observed)
  const functions = planFunctions(desired, observed, role)
  const api = target.plan(desired, observed, functions)
  const permissions = planPermissions(desired, observed, functions, api)
  const warnings = observed.extraApis.map(
    (a) => `Another API (${a.apiId}) is also tagged ${PROJECT_TAG}=${desired.project}; tracegate uses the oldest (${observed.api?.apiId}). Delete the extra one in the console if it is unused.`,
  )
  return {project: desired.project, region: desired.region, role, functions, api, permissions, warnings}
}

export function planRole(desired: DesiredState, observed: ObservedState<unknown>): RolePlan {
  if (desired.roleArn) {
    return {name: desired.roleArn.replace(/^.*:role\//, ''), arn: desired.roleArn, managed: false, action: 'noop', reason: 'role given in tracegate.json or --role', attach: []}
  }
  const policies = managedPolicyArns(partitionForRegion(desired.region))
  const role = observed.role
  if (!role) return {name: desired.roleName, managed: true, action: 'create', reason: 'not in AWS yet', attach: policies}
  if (role.tags[PROJECT_TAG] !== desired.project) {
    throw new UserError('ROLE_NOT_OURS', `The IAM role ${desired.roleName} exists but was not created by tracegate for this project (no ${PROJECT_TAG}=${desired.project} tag)`, {
      suggestion: `Use it explicitly with --role ${role.arn} (or "role" in tracegate.json), or delete or rename it`,
    })
  }
  const missing = policies.filter((p) => !role.attachedPolicies.includes(p))
  return {
    name: desired.roleName,
    arn: role.arn,
    managed: true,
    action: missing.length ? 'update' : 'noop',
    reason: missing.length ? `attach ${missing.map((p) => p.replace(/^.*\//, '')).join(', ')}` : 'unchanged',
    attach: missing,
  }
}

function sameEnvironment(a: Record<string, string>, b: Record<string, string>): string | undefined {
  const added = Object.keys(a).filter((k) => !(k in b))
  const removed = Object.keys(b).filter((k) => !(k in a))
  const changed = Object.keys(a).filter((k) => k in b && a[k] !== b[k])
  if (!added.length && !removed.length && !changed.length) return undefined
  const parts = [...added.map((k) => `+${k}`), ...changed.map((k) => `~${k}`), ...removed.map((k) => `-${k}`)]
  // Values are never shown: environment variables often hold secrets.
  return `environment ${parts.sort().join(' ')}`
}

/** What differs between the function in AWS and the config: `code`, `memory 256 → 512`, … */
export function functionChanges(desired: DesiredFunction, current: FunctionState, role: RolePlan): {code: boolean; configuration: string[]} {
  const s = desired.settings
  const changes: string[] = []
  const diff = (label: string, want: unknown, have: unknown) => {
    if (want !== have) changes.push(`${label} ${have ?? '(unset)'} → ${want}`)
  }
  diff('runtime', s.runtime, current.runtime)
  diff('handler', s.handler, current.handler)
  diff('memory', s.memory, current.memory)
  diff('timeout', s.timeout, current.timeout)
  diff('tracing', s.tracing, current.tracing ?? 'PassThrough')
  if ((s.description ?? '') !== current.description) changes.push('description')
  const env = sameEnvironment(s.environment, current.environment)
  if (env) changes.push(env)
  const roleMatches = role.arn ? current.role === role.arn : Boolean(current.role?.endsWith(`/${role.name}`))
  if (!roleMatches) changes.push(`role → ${role.arn ?? role.name}`)
  return {code: current.codeSha256 !== desired.codeSha256, configuration: changes}
}

export function planFunctions(desired: DesiredState, observed: ObservedState<unknown>, role: RolePlan): FunctionPlan[] {
  const plans: FunctionPlan[] = []
  for (const fn of desired.functions) {
    const current = observed.functions[fn.name]
    if (!current) {
      plans.push({key: fn.key, name: fn.name, action: 'create', reason: 'not in AWS yet', changes: [], code: true, configuration: true})
      continue
    }
    if (current.tags[PROJECT_TAG] !== desired.project) {
      throw new UserError('FUNCTION_NOT_OURS', `The Lambda function ${fn.name} exists but was not created by tracegate for this project (no ${PROJECT_TAG}=${desired.project} tag)`, {
        suggestion: `Delete or rename that function, or rename "${fn.key}" (or "name") in tracegate.json`,
      })
    }
    const {code, configuration} = functionChanges(fn, current, role)
    const changes = [...(code ? ['code'] : []), ...configuration]
    plans.push({
      key: fn.key,
      name: fn.name,
      arn: current.arn,
      action: changes.length ? 'update' : 'noop',
      reason: changes.length ? changes.join(', ') : 'unchanged',
      changes,
      code,
      configuration: configuration.length > 0,
    })
  }
  for (const stray of observed.strays) {
    plans.push({
      name: stray.name,
      arn: stray.arn,
      action: 'delete',
      reason: `not in tracegate.json (tagged ${PROJECT_TAG}=${desired.project}); its invoke permissions go with it`,
      changes: [],
      code: false,
      configuration: false,
    })
  }
  return plans
}

/** The grant for one route of one function: the execute-api source ARN (function's region) and its statement id. */
export function grantFor(input: {functionArn: string; apiId: string; stage: string; routeKey: string; apiType: 'http' | 'rest'}): {sourceArn: string; statementId: string} {
  const fn = parseFunctionArn(input.functionArn)
  if (!fn) throw new Error(`not a function ARN: ${input.functionArn}`)
  const sourceArn =
    input.routeKey === API_WIDE
      ? buildExecuteApiArn({partition: fn.partition, region: fn.region, account: fn.account, apiId: input.apiId, stage: '*'})
      : sourceArnForRoute({partition: fn.partition, region: fn.region, account: fn.account, apiId: input.apiId, stage: input.stage, routeKey: input.routeKey, apiType: input.apiType})
  return {sourceArn, statementId: statementIdFor(input.apiId, sourceArn)}
}

/** The execute-api ARN a statement is scoped to (the first, as AddPermission writes one). */
const sourceArnOf = (statement: PolicyStatement): string | undefined => (statement.parseable ? sourceArnsOf(statement)[0] : undefined)

function isExactGrant(statement: PolicyStatement, sourceArn: string): boolean {
  return (
    statement.parseable &&
    statement.effect === 'Allow' &&
    hasServicePrincipal(statement, API_GATEWAY_PRINCIPAL) &&
    statement.actions.length === 1 &&
    statement.actions[0] === INVOKE_ACTION &&
    sourceArnOf(statement) === sourceArn
  )
}

export function planPermissions(desired: DesiredState, observed: ObservedState<unknown>, functions: FunctionPlan[], api: ApiPlan): PermissionPlan[] {
  const plans: PermissionPlan[] = []
  for (const fn of desired.functions) {
    const fnPlan = functions.find((f) => f.key === fn.key)!
    const routeKeys = fn.routes.length === 0 ? [] : desired.api.permissions === 'api' ? [API_WIDE] : fn.routes
    const ours = (fnPlan.action === 'create' ? [] : (observed.policies[fn.name] ?? [])).filter((s): s is PolicyStatement & {sid: string} => isTracegateStatement(s.sid))
    const base = {functionKey: fn.key, functionName: fn.name}
    if (fnPlan.action === 'create' || api.creates || !api.apiId || !fnPlan.arn) {
      const reason = fnPlan.action === 'create' ? 'new function' : 'new API'
      for (const routeKey of routeKeys) plans.push({...base, routeKey, action: 'create', reason})
      for (const s of ours) plans.push({...base, routeKey: routeOfStatement(s), action: 'delete', reason: `grants API ${apiIdOfStatement(s.sid)}, which is gone`, statementId: s.sid, sourceArn: sourceArnOf(s)})
      continue
    }
    const wanted = new Set<string>()
    for (const routeKey of routeKeys) {
      const grant = grantFor({functionArn: fnPlan.arn, apiId: api.apiId, stage: api.stage, routeKey, apiType: api.type})
      wanted.add(grant.statementId)
      const existing = ours.find((s) => s.sid === grant.statementId)
      let action: ActionKind = 'create'
      let reason = 'not in the policy yet'
      if (existing && isExactGrant(existing, grant.sourceArn)) {
        action = 'noop'
        reason = 'unchanged'
      } else if (existing) {
        action = 'update'
        reason = 'statement differs (replaced)'
      }
      plans.push({...base, routeKey, action, reason, ...grant})
    }
    for (const s of ours) {
      if (wanted.has(s.sid)) continue
      const forApi = apiIdOfStatement(s.sid)
      const reason = forApi && forApi !== api.apiId ? `grants API ${forApi}, not ${api.apiId}` : 'its route left tracegate.json'
      plans.push({...base, routeKey: routeOfStatement(s), action: 'delete', reason, statementId: s.sid, sourceArn: sourceArnOf(s)})
    }
  }
  return plans
}

/** A readable name for an existing statement: the method and path of its source ARN (`GET /orders/*`). */
function routeOfStatement(s: PolicyStatement): string {
  const parts = (sourceArnOf(s)?.split(':').slice(5).join(':') ?? '').split('/')
  if (parts.length === 3) return parts[2]
  if (parts.length > 3) return `${parts[2]} /${parts.slice(3).join('/')}`
  return s.sid ?? ''
}

/** The plan as a flat list of actions, in the order they are shown. */
export function planActions(plan: DeployPlan): PlanAction[] {
  const actions: PlanAction[] = []
  if (plan.role.managed || plan.role.action !== 'noop') {
    actions.push({resource: 'role', name: plan.role.name, action: plan.role.action, reason: plan.role.reason})
  }
  for (const f of plan.functions) {
    actions.push({resource: 'function', name: f.name, action: f.action, reason: f.reason, ...(f.changes.length ? {changes: f.changes} : {})})
  }
  actions.push(...plan.api.actions)
  for (const p of plan.permissions) {
    actions.push({resource: 'permission', name: `${p.functionName} ${p.routeKey}`, action: p.action, reason: p.reason})
  }
  return actions
}

export interface PlanSummary {
  create: number
  update: number
  delete: number
  noop: number
  /** create + update + delete: zero means no write call. */
  changes: number
}

export function summarize(actions: readonly PlanAction[]): PlanSummary {
  const count = (a: ActionKind) => actions.filter((x) => x.action === a).length
  const summary = {create: count('create'), update: count('update'), delete: count('delete'), noop: count('noop')}
  return {...summary, changes: summary.create + summary.update + summary.delete}
}
