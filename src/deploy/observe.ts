/**
 * Reads what AWS has for the project, all reads concurrent (one round trip deep where possible): the role,
 * each configured function with its policy, functions tagged for the project that left the config, the API.
 * There is no local state file: names and tags are the state (DESIGN.md "Project config").
 */
import type {FunctionState} from '../aws/lambda.js'
import type {ApiTarget} from './api-target.js'
import {type DeployApis, type ObservedRole, type ObservedState, PROJECT_TAG} from './model.js'

export interface ObserveInput {
  project: string
  /** Names of the configured functions (`{project}-{key}`). */
  functionNames: string[]
  /** Read the role `roleName` (false when a role ARN is given). */
  roleName?: string
}

export async function observeRole(apis: DeployApis, roleName: string): Promise<ObservedRole | undefined> {
  const role = await apis.iam.getRole(roleName)
  if (!role) return undefined
  return {...role, attachedPolicies: await apis.iam.listAttachedPolicies(roleName)}
}

/** Functions named `{project}-…` and tagged for the project, other than `exclude`. */
export async function observeTaggedFunctions(apis: DeployApis, project: string, exclude: ReadonlySet<string>): Promise<FunctionState[]> {
  const candidates = (await apis.lambda.listFunctions(`${project}-`)).filter((f) => !exclude.has(f.name))
  const found = await Promise.all(candidates.map((f) => apis.lambda.getFunction(f.name)))
  return found.filter((f): f is FunctionState => f?.tags[PROJECT_TAG] === project)
}

export async function observe<D>(apis: DeployApis, target: ApiTarget<D>, input: ObserveInput): Promise<ObservedState<D>> {
  const configured = new Set(input.functionNames)
  const [role, functions, strays, api] = await Promise.all([
    input.roleName ? observeRole(apis, input.roleName) : Promise.resolve(undefined),
    Promise.all(
      input.functionNames.map(async (name) => {
        const [fn, policy] = await Promise.all([apis.lambda.getFunction(name), apis.lambda.getPolicy(name)])
        return {name, fn, policy}
      }),
    ),
    observeTaggedFunctions(apis, input.project, configured),
    target.observe(input.project),
  ])
  const state: ObservedState<D> = {role, functions: {}, strays, policies: {}, ...api}
  for (const {name, fn, policy} of functions) {
    if (!fn) continue
    state.functions[name] = fn
    state.policies[name] = policy
  }
  return state
}
