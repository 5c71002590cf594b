/**
 * `tracegate deploy` as a service: package and observe (concurrently), plan, then apply unless it is a dry
 * run. Returns a typed result; never prints (progress events only).
 */
import type {ProjectConfig} from '../config/schema.js'
import {isUserError, UserError} from '../errors.js'
import {type Progress, silentProgress, step} from '../progress.js'
import {type FunctionPackage, formatBytes, type PackageOptions, packageFunction} from '../package/package.js'
import {applyPlan} from './apply.js'
import {settleAll} from './concurrency.js'
import {checkDeployFlags, desiredState} from './desired.js'
import type {DeployApis, PlanAction} from './model.js'
import {observe} from './observe.js'
import {planActions, planDeploy, type PlanSummary, summarize} from './plan.js'
import {routeUrl, targetFor} from './targets.js'

export interface DeployOptions {
  project: ProjectConfig
  apis: DeployApis
  region: string
  progress?: Progress
  /** Plan only: reads, no write call. */
  dryRun?: boolean
  /** Overrides the config's stage. */
  stage?: string
  /** Overrides the config's role. */
  roleArn?: string
  packageOptions?: PackageOptions
}

export interface DeployedRoute {
  routeKey: string
  function: string
  /** Full URL (path parameters left as `{name}`); undefined in a dry run before the API exists. */
  url?: string
}

export interface DeployedFunction {
  key: string
  name: string
  arn?: string
  codeSha256: string
  zipBytes: number
  bundleBytes: number
  action: PlanAction['action']
}

export interface DeployResult {
  project: string
  region: string
  dryRun: boolean
  plan: PlanAction[]
  summary: PlanSummary
  apiId?: string
  url?: string
  stage: string
  routes: DeployedRoute[]
  functions: DeployedFunction[]
  warnings: string[]
}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const {project, apis, region} = options
  const progress = options.progress ?? silentProgress
  // Everything that can be wrong with the input fails here, before any AWS call.
  checkDeployFlags(project, {stage: options.stage, roleArn: options.roleArn})
  const target = targetFor(project.api.type, apis)
  const roleArn = options.roleArn ?? project.role

  const packaging = project.functions.map((fn) =>
    step(
      progress,
      `package:${fn.key}`,
      `Package ${fn.key}`,
      () => packageFunction(project.dir, fn, options.packageOptions),
      (p) => `${formatBytes(p.bundleSize)} bundle, ${formatBytes(p.zip.length)} zip`,
    ),
  )
  const observing = step(progress, 'observe', `Read ${project.name} in ${region}`, () =>
    observe(apis, target, {project: project.name, functionNames: project.functions.map((f) => f.name), roleName: roleArn ? undefined : `${project.name}-lambda`}),
  )
  // Both run to the end; a packaging error (the user's code) is reported before an AWS one.
  const [packaged, observedResult] = await Promise.allSettled([settleAll(packaging), observing])
  if (packaged.status === 'rejected') throw packaged.reason
  if (observedResult.status === 'rejected') throw observedResult.reason
  const packages = packaged.value
  const observed = observedResult.value
  const byKey = new Map<string, FunctionPackage>(packages.map((p) => [p.key, p]))
  const warnings = packages.flatMap((p) => p.warnings.map((w) => `${p.key}: ${w}`))

  const desired = desiredState(project, byKey, {region, stage: options.stage, roleArn: options.roleArn})
  const plan = planDeploy(desired, observed, target)
  warnings.push(...plan.warnings)
  for (const w of warnings) progress.emit({step: 'warning', status: 'warn', label: w})
  const actions = planActions(plan)
  const summary = summarize(actions)

  const functions = (arns: Record<string, string | undefined>): DeployedFunction[] =>
    desired.functions.map((fn) => ({
      key: fn.key,
      name: fn.name,
      arn: arns[fn.key],
      codeSha256: fn.codeSha256,
      zipBytes: fn.zipSize,
      bundleBytes: byKey.get(fn.key)!.bundleSize,
      action: plan.functions.find((f) => f.key === fn.key)!.action,
    }))
  const routes = (url: string | undefined): DeployedRoute[] =>
    desired.api.routes.map((r) => ({routeKey: r.routeKey, function: r.functionName, url: url === undefined ? undefined : routeUrl(url, r.routeKey)}))
  const base = {project: project.name, region, plan: actions, summary, stage: desired.api.stage, warnings}

  if (options.dryRun) {
    const url = plan.api.endpoint ? target.url(plan.api.endpoint, desired.api.stage) : undefined
    return {
      ...base,
      dryRun: true,
      apiId: plan.api.apiId,
      url,
      routes: routes(url),
      functions: functions(Object.fromEntries(plan.functions.filter((f) => f.key).map((f) => [f.key!, f.arn]))),
    }
  }

  // Count finished writes: a failure after some of them is "partial" (exit 4), and says a re-run continues.
  let written = 0
  const counting: Progress = {
    emit(event) {
      if (event.status === 'done') written++
      progress.emit(event)
    },
  }
  let applied: Awaited<ReturnType<typeof applyPlan>>
  try {
    applied = await applyPlan(plan, desired, {apis, target, progress: counting})
  } catch (error) {
    if (written > 0 && isUserError(error)) {
      throw new UserError(error.code, error.message, {
        exit: 'partial',
        suggestion: `${error.suggestion ? `${error.suggestion}; then run` : 'Run'} deploy again: ${written} change${written === 1 ? ' was' : 's were'} applied, and deploy continues from where it stopped`,
        details: {...error.details, appliedSteps: written},
        cause: error,
      })
    }
    throw error
  }
  const url = target.url(applied.endpoint, desired.api.stage)
  return {
    ...base,
    dryRun: false,
    apiId: applied.apiId,
    url,
    routes: routes(url),
    functions: functions(Object.fromEntries(Object.entries(applied.functions).map(([k, f]) => [k, f.arn]))),
  }
}
