/**
 * One API type behind one interface, so the deploy orchestration (observe → plan → apply, permissions,
 * functions) does not care whether routes live in an HTTP API (ApiGatewayV2) or, later, a REST API
 * (API Gateway v1: resources, methods, deployments). The HTTP API target is http-api.ts.
 */
import type {ApiType} from '../permissions/arn.js'
import type {Progress} from '../progress.js'
import type {ApiPlan, DesiredState, FunctionPlan, ObservedApi, ObservedState, PlanAction} from './model.js'

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
