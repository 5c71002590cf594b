/**
 * `tracegate destroy` as a service: find what tracegate created for the project (by the tracegate:project tag,
 * never by name alone), then delete it. Deleting a function deletes its resource policy (the statements
 * tracegate added); deleting the API deletes its routes, integrations and stages.
 */
import type {FunctionState} from '../aws/lambda.js'
import {type Progress, silentProgress, step} from '../progress.js'
import type {ObservedApis} from './api-target.js'
import {settleAll} from './concurrency.js'
import {type DeployApis, type ObservedApi, type ObservedRole, type PlanAction, PROJECT_TAG, roleNameFor} from './model.js'
import {observeRole, observeTaggedFunctions} from './observe.js'
import {type PlanSummary, summarize} from './plan.js'
import {targetFor} from './targets.js'

export interface DestroyInput {
  project: {name: string; api: {type: 'http' | 'rest'}}
  apis: DeployApis
  region: string
  progress?: Progress
}

export interface DestroyPlan {
  project: string
  region: string
  apis: ObservedApi[]
  functions: FunctionState[]
  /** The role, only when tracegate created it (tagged). */
  role?: ObservedRole
  actions: PlanAction[]
  summary: PlanSummary
}

export interface DestroyResult {
  project: string
  region: string
  dryRun: boolean
  plan: PlanAction[]
  summary: PlanSummary
  apiIds: string[]
  functions: string[]
  role?: string
}

export async function planDestroy(input: DestroyInput): Promise<DestroyPlan> {
  const {apis, project} = input
  const progress = input.progress ?? silentProgress
  const target = targetFor(project.api.type, apis)
  const roleName = roleNameFor(project.name)
  const [found, functions, role] = await step(progress, 'observe', `Find resources tagged ${PROJECT_TAG}=${project.name} in ${input.region}`, () =>
    Promise.all([
      target.observe(project.name) as Promise<ObservedApis<unknown>>,
      observeTaggedFunctions(apis, project.name, new Set()),
      observeRole(apis, roleName).then((r) => (r && r.tags[PROJECT_TAG] === project.name ? r : undefined)),
    ]),
  )
  const apiList = [...(found.api ? [found.api] : []), ...found.extraApis]
  const actions: PlanAction[] = [
    ...apiList.flatMap((a) => target.destroyActions(a)),
    ...functions.map((f): PlanAction => ({resource: 'function', name: f.name, action: 'delete', reason: `tagged ${PROJECT_TAG}=${project.name}; its invoke permissions go with it`})),
    ...(role ? [{resource: 'role', name: role.name, action: 'delete', reason: `tagged ${PROJECT_TAG}=${project.name} (created by tracegate)`} satisfies PlanAction] : []),
  ]
  return {project: project.name, region: input.region, apis: apiList, functions, role, actions, summary: summarize(actions)}
}

export async function applyDestroy(plan: DestroyPlan, input: DestroyInput): Promise<void> {
  const {apis} = input
  const progress = input.progress ?? silentProgress
  const target = targetFor(input.project.api.type, apis)
  const deletions = [
    ...plan.apis.map((a) => target.destroy(a, progress)),
    ...plan.functions.map((f) => step(progress, `delete-function:${f.name}`, `Delete function ${f.name}`, () => apis.lambda.deleteFunction(f.name))),
  ]
  // The role goes last, so no function is left without its role; IAM refuses to delete a role with policies.
  const role = plan.role
  await settleAll([
    ...deletions,
    ...(role
      ? [
          settleAll(deletions)
            .catch(() => {})
            .then(() =>
              step(progress, `delete-role:${role.name}`, `Delete role ${role.name}`, async () => {
                await settleAll(role.attachedPolicies.map((p) => apis.iam.detachPolicy(role.name, p)))
                await apis.iam.deleteRole(role.name)
              }),
            ),
        ]
      : []),
  ])
}

export function destroyResult(plan: DestroyPlan, dryRun: boolean): DestroyResult {
  return {
    project: plan.project,
    region: plan.region,
    dryRun,
    plan: plan.actions,
    summary: plan.summary,
    apiIds: plan.apis.map((a) => a.apiId),
    functions: plan.functions.map((f) => f.name),
    ...(plan.role ? {role: plan.role.name} : {}),
  }
}
