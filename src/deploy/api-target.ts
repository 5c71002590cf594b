/**
 * One API type behind one interface, so the deploy orchestration (observe → plan → apply, permissions,
 * functions) does not care whether routes live in an HTTP API (ApiGatewayV2) or, later, a REST API
 * (API Gateway v1: resources, methods, deployments). The targets are http-api.ts and rest-api.ts; what both
 * decide the same way (which listed API is the project's, the name-taken refusal) lives here.
 */
import {UserError} from '../errors.js'
import type {ApiType} from '../permissions/arn.js'
import type {Progress} from '../progress.js'
import {type ApiPlan, type DesiredState, type FunctionPlan, type ObservedApi, type ObservedState, PROJECT_TAG, type PlanAction} from './model.js'

export interface ObservedApis<Detail> {
  api?: ObservedApi<Detail>
  extraApis: ObservedApi<Detail>[]
  foreignApis: Array<{apiId: string; name: string}>
}

export interface ApiApplyContext {
  /** The function's ARN once it exists (created or found); rejects if its creation failed. */
  functionArn(functionKey: string): Promise<string>
  progress: Progress
}

export interface ApiApplyHandle {
  apiId: Promise<string>
  endpoint: Promise<string>
  /** Every API change (creates, updates and deletions) is done. */
  done: Promise<void>
}

export interface ApiTarget<Detail = unknown, P extends ApiPlan = ApiPlan> {
  readonly type: ApiType
  /** Finds the project's API by its `tracegate:project` tag (reads only). */
  observe(project: string): Promise<ObservedApis<Detail>>
  /** Pure: the API changes that bring `observed` to `desired`. Throws a UserError for a conflict it must not resolve. */
  plan(desired: DesiredState, observed: ObservedState<Detail>, functions: FunctionPlan[]): P
  /** Applies the API part of a plan, as concurrently as its dependencies allow. */
  apply(plan: P, context: ApiApplyContext): ApiApplyHandle
  /** The base URL clients call: `apiEndpoint` plus `/{stage}` for a named stage. */
  url(endpoint: string, stage: string): string
  /** What destroy removes for this API (display only). */
  destroyActions(api: ObservedApi<Detail>): PlanAction[]
  /** Deletes the API with everything in it. */
  destroy(api: ObservedApi<Detail>, progress: Progress): Promise<void>
}

interface ListedApi {
  name: string
  tags: Record<string, string>
  createdDate?: Date
}

/**
 * Splits listed APIs into the project's (tagged `tracegate:project`, oldest first: the oldest is used, the
 * rest are duplicates from a retried create) and the foreign ones that merely share its name (never adopted).
 */
export function projectApis<A extends ListedApi>(apis: readonly A[], project: string, idOf: (api: A) => string): {tagged: A[]; foreignApis: ObservedApis<unknown>['foreignApis']} {
  const tagged = apis
    .filter((a) => a.tags[PROJECT_TAG] === project)
    .sort((a, b) => (a.createdDate?.getTime() ?? 0) - (b.createdDate?.getTime() ?? 0) || idOf(a).localeCompare(idOf(b)))
  const foreignApis = apis.filter((a) => a.name === project && a.tags[PROJECT_TAG] !== project).map((a) => ({apiId: idOf(a), name: a.name}))
  return {tagged, foreignApis}
}

/** Refuses to create an API whose name an untagged API already has; says how to adopt it on purpose. */
export function checkNameFree(observed: ObservedApis<unknown>, desired: DesiredState, api: {label: 'An HTTP API' | 'A REST API'; cli: 'apigatewayv2' | 'apigateway'; arnPath: 'apis' | 'restapis'}): void {
  const foreign = observed.foreignApis
  if (foreign.length === 0) return
  const project = desired.project
  const ids = foreign.map((a) => a.apiId).join(', ')
  throw new UserError('API_NAME_TAKEN', `${api.label} named "${project}" exists (${ids}) but was not created by tracegate for this project (no ${PROJECT_TAG}=${project} tag)`, {
    suggestion: `tracegate does not adopt APIs it did not create: delete or rename that API, or change "name" in tracegate.json. To adopt it on purpose, tag it: aws ${api.cli} tag-resource --resource-arn arn:aws:apigateway:${desired.region}::/${api.arnPath}/${foreign[0].apiId} --tags ${PROJECT_TAG}=${project}`,
    details: {apis: foreign},
  })
}

export function skip(progress: Progress, id: string, label: string, detail = 'unchanged'): void {
  progress.emit({step: id, status: 'skip', label, detail})
}
