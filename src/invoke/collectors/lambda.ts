import type {FunctionConfigurationInfo} from '../../aws/invoke.js'
import {grantFor} from '../../deploy/plan.js'
import type {FunctionEvidence, PermissionEvidence, ThrottlingEvidence} from '../../diagnose/evidence.js'
import {parseFunctionArn, presentedSourceArn, qualifiedFunctionArn} from '../../permissions/arn.js'
import {API_GATEWAY_PRINCIPAL, evaluateInvoke, parsePolicy} from '../../permissions/policy.js'
import {NotSeen} from './budget.js'
import type {CollectContext, RouteTarget} from './context.js'

/** GetFunctionConfiguration: does the function exist, is it Active, its timeout and tracing mode. */
export async function collectFunction(
  ctx: CollectContext,
  functionName: string,
  lookup: Promise<FunctionConfigurationInfo | undefined>,
): Promise<FunctionEvidence> {
  const info = await lookup
  const configKey = ctx.project?.functions.find((f) => f.name === functionName)?.key
  if (!info) return {source: 'function', status: 'seen', facts: {functionName, exists: false, configKey}}
  return {
    source: 'function',
    status: 'seen',
    facts: {
      functionName,
      exists: true,
      timeoutSeconds: info.timeoutSeconds,
      memoryMb: info.memoryMb,
      state: info.state,
      lastUpdateStatus: info.lastUpdateStatus,
      tracingMode: info.tracingMode,
      configKey,
    },
  }
}

/** GetFunctionConcurrency: reserved concurrency 0 throttles every invocation. */
export async function collectThrottling(ctx: CollectContext, functionName: string, signal: AbortSignal): Promise<ThrottlingEvidence> {
  const reservedConcurrency = await ctx.aws.getReservedConcurrency(functionName, signal)
  return {source: 'throttling', status: 'seen', facts: {functionName, reservedConcurrency}}
}

/**
 * GetPolicy, then the same evaluation as the emulator and `tracegate permissions` (src/permissions/policy.ts)
 * against the source ARN API Gateway presents for the matched route (aws-semantics §3). A miss names the
 * statement deploy would add (src/deploy/plan.ts `grantFor`).
 *
 * An integration that invokes an alias or a version (`…:function:orders:live`) is governed by that qualifier's own
 * policy, not the function's: Lambda checks the alias's statements only, so that policy is the one read and the
 * statement that fixes a miss is added for the alias (`--function-name orders:live`).
 */
export async function collectPermission(
  ctx: CollectContext,
  target: RouteTarget,
  lookup: Promise<FunctionConfigurationInfo | undefined>,
  signal: AbortSignal,
): Promise<PermissionEvidence> {
  const functionName = target.functionName
  if (!functionName || !target.routeKey) throw new NotSeen('no route matched, so no function to check')
  if (!ctx.apiId) throw new NotSeen('the API id is not known, so the source ARN API Gateway presents is not either')
  // The ARN (for the account) from the configuration, else from the integration URI when that read failed.
  const arnOf = lookup.then(
    (info) => {
      if (!info) throw new NotSeen(`${functionName} does not exist`)
      return info.arn
    },
    (error) => {
      if (target.functionArn) return target.functionArn
      throw error
    },
  )
  const qualifier = invokedQualifier(target.functionArn)
  const policyOwner = qualifier ? `${functionName}:${qualifier}` : functionName
  const [arn, policyText] = await Promise.all([arnOf, ctx.aws.getPolicy(policyOwner, signal)])
  const fn = parseFunctionArn(arn)
  if (!fn) throw new NotSeen(`${functionName} has no usable ARN (${arn || 'none'})`)
  const invokedArn = qualifiedFunctionArn(fn, qualifier)
  // The ARN carries the API's region; tracegate deploys the API and its functions in one region (§3).
  const sourceArn = presentedSourceArn({
    partition: fn.partition,
    region: ctx.region,
    account: fn.account,
    apiId: ctx.apiId,
    stage: ctx.stage,
    routeKey: target.routeKey,
    apiType: ctx.apiType,
  })
  const policy = parsePolicy(policyText)
  const decision = evaluateInvoke(policy, {principal: API_GATEWAY_PRINCIPAL, functionArn: invokedArn, sourceArn})
  const grant = grantFor({
    functionArn: invokedArn,
    apiId: ctx.apiId,
    stage: ctx.stage,
    routeKey: ctx.project?.api.permissions === 'api' ? '*' : target.routeKey,
    apiType: ctx.apiType,
  })
  return {
    source: 'permission',
    status: 'seen',
    note: decision.reason === 'explicit-deny' ? `statement ${decision.statementSid ?? '(unnamed)'} explicitly denies it` : undefined,
    facts: {
      functionName,
      ...(qualifier ? {qualifier} : {}),
      sourceArn,
      policyExists: policyText !== undefined,
      allowed: decision.allowed,
      statementId: decision.allowed ? decision.statementSid : undefined,
      grant: decision.allowed ? undefined : {functionName: policyOwner, statementId: grant.statementId, sourceArn: grant.sourceArn, region: fn.region},
    },
  }
}

/**
 * The alias or version an integration's function ARN names (undefined: the function itself, `$LATEST` included). A
 * stage variable in its place (`${stageVariables.alias}`) is resolved by API Gateway per stage; that is not followed
 * here, so the permission is not judged.
 */
function invokedQualifier(functionArn: string | undefined): string | undefined {
  const qualifier = functionArn ? parseFunctionArn(functionArn)?.qualifier : undefined
  if (qualifier === undefined || qualifier === '$LATEST') return undefined
  if (qualifier.includes('${')) throw new NotSeen(`the integration names its alias through a stage variable (${qualifier}), which tracegate does not resolve`)
  return qualifier
}
