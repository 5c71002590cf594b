import {UserError} from '../errors.js'
import {parseRouteKey, type RouteKey} from '../gateway/routes.js'
import {splitArn} from './arnlike.js'

/**
 * execute-api ARNs (aws-semantics §3): `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`.
 *
 * Two different ARNs matter:
 * - the **grant** (`sourceArnForRoute`): the `SourceArn` tracegate puts in `AddPermission`;
 * - the **presented** ARN (`presentedSourceArn`): what API Gateway sends as `AWS:SourceArn` when a matched
 *   route invokes the function. Lambda evaluates the grant against it with `ArnLike`.
 * Every grant tracegate builds must match the ARN presented for its route; the tests check the pair.
 */

export type ApiType = 'http' | 'rest'

export interface ExecuteApiArn {
  partition: string
  region: string
  account: string
  /** First segment of the resource part (may be a wildcard pattern when parsing a grant). */
  apiId: string
  stage?: string
  /** Method slot: `GET`, `ANY`, `*`, or `$default` for the HTTP API default route. */
  method?: string
  /** Resource path with a leading slash (`/orders/*`, `/` for the root), when the ARN has one. */
  path?: string
  /** The whole resource part after the account: `{apiId}/{stage}/{METHOD}/{path}`. */
  resource: string
}

export interface RouteArnInput {
  region: string
  account: string
  apiId: string
  stage: string
  /** A route key (`GET /orders/{id}`, `$default`) or an already parsed one. */
  routeKey: string | RouteKey
  apiType: ApiType
  /** Defaults to the partition of `region` (`aws`, `aws-cn`, `aws-us-gov`, ...). */
  partition?: string
}

/** Stage REST API consoles use for "Test" invocations (they present `{apiId}/test-invoke-stage/...`). */
export const REST_TEST_INVOKE_STAGE = 'test-invoke-stage'

function arnError(input: string, reason: string, suggestion: string): UserError {
  const shown = input.length > 200 ? `${input.slice(0, 197)}...` : input
  return new UserError('ARN_INVALID', `"${shown}" is not a valid execute-api ARN: ${reason}`, {
    suggestion,
    details: {arn: shown, reason},
  })
}

/** The AWS partition a region belongs to. */
export function partitionForRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  if (region.startsWith('us-isob-')) return 'aws-iso-b'
  if (region.startsWith('us-iso-')) return 'aws-iso'
  return 'aws'
}

/** Parses an execute-api ARN or ARN pattern. Wildcards are kept as written. */
export function parseExecuteApiArn(arn: string): ExecuteApiArn {
  const parsed = tryParseExecuteApiArn(arn)
  if (parsed) return parsed
  const parts = typeof arn === 'string' ? splitArn(arn) : undefined
  if (parts?.[0] !== 'arn') {
    throw arnError(String(arn), 'expected arn:partition:execute-api:region:account:apiId/stage/METHOD/path', 'Copy the ARN from the API\'s "Execution ARN"')
  }
  if (parts[2] !== 'execute-api') {
    throw arnError(arn, `the service is "${parts[2]}", not "execute-api"`, 'Use an API Gateway execute-api ARN')
  }
  throw arnError(arn, 'it names no API id', 'Add the API id after the account, e.g. ":abc123/*"')
}

/** Like `parseExecuteApiArn`, but `undefined` instead of an error. */
export function tryParseExecuteApiArn(arn: string): ExecuteApiArn | undefined {
  if (typeof arn !== 'string') return undefined
  const parts = splitArn(arn)
  if (parts?.[0] !== 'arn' || parts[2] !== 'execute-api' || parts[5] === '') return undefined
  const [, partition, , region, account, resource] = parts
  const slash = resource.split('/')
  const result: ExecuteApiArn = {partition, region, account, apiId: slash[0], resource}
  if (slash.length > 1) result.stage = slash[1]
  if (slash.length > 2) result.method = slash[2]
  if (slash.length > 3) result.path = `/${slash.slice(3).join('/')}`
  return result
}

export interface ExecuteApiArnParts {
  partition?: string
  region: string
  account: string
  apiId: string
  stage?: string
  method?: string
  /** With or without the leading slash; `/` (or '') for the root. */
  path?: string
}

/** Builds `arn:{partition}:execute-api:{region}:{account}:{apiId}[/{stage}[/{method}[/{path}]]]`. */
export function buildExecuteApiArn(parts: ExecuteApiArnParts): string {
  const shown = `${parts.apiId}/${parts.stage ?? ''}`
  if (!parts.region || parts.region.includes(':')) {
    throw arnError(shown, `region "${parts.region}" is not valid`, 'Pass the function\'s region, e.g. "us-east-2"')
  }
  if (!/^(\d{12}|\*)$/.test(parts.account)) {
    throw arnError(shown, `account "${parts.account}" is not a 12-digit AWS account id`, 'Use the account id of the function\'s ARN')
  }
  if (!parts.apiId || /[/:]/.test(parts.apiId)) {
    throw arnError(shown, `API id "${parts.apiId}" is not valid`, 'Use the API id, e.g. "a1b2c3d4e5"')
  }
  let resource = parts.apiId
  if (parts.stage !== undefined) {
    if (!parts.stage || parts.stage.includes('/')) {
      throw arnError(shown, `stage "${parts.stage}" is not valid`, 'Use the stage name, e.g. "prod" or "$default"')
    }
    resource += `/${parts.stage}`
    if (parts.method !== undefined) {
      resource += `/${parts.method}`
      if (parts.path !== undefined) resource += `/${parts.path.replace(/^\//, '')}`
    }
  }
  return `arn:${parts.partition ?? partitionForRegion(parts.region)}:execute-api:${parts.region}:${parts.account}:${resource}`
}

function routeOf(input: RouteArnInput): RouteKey {
  const route = typeof input.routeKey === 'string' ? parseRouteKey(input.routeKey) : input.routeKey
  if (route.isDefault && input.apiType === 'rest') {
    throw new UserError('ROUTE_INVALID', 'REST APIs have no "$default" route', {
      suggestion: 'Use a catch-all resource instead, e.g. "ANY /{proxy+}"',
    })
  }
  return route
}

/**
 * The `SourceArn` tracegate grants for one route (DESIGN.md conventions):
 * - the function's region and account (the caller passes them), the API id and the configured stage;
 * - path parameters and greedy segments become `*` (SAM's convention): whether API Gateway presents the path
 *   template or the request path, `*` matches both, and `*` crosses `/` inside the resource part;
 * - the method is the route's method, except `ANY` → `*` (SAM's fix for aws-sam-cli#289: a grant scoped to
 *   one verb does not let an `ANY` method invoke, and HTTP APIs are unconfirmed on this point, §3);
 * - the root path yields a trailing slash: `{apiId}/{stage}/GET/`;
 * - the HTTP API `$default` route → `{apiId}/*\/$default`: two parts after the API id, the grant the console
 *   itself suggests (aws/serverless-application-model#1860, §3). Its stage is `*` because that is the
 *   verified form; every other route is scoped to the configured stage, including the `$default` stage,
 *   whose name API Gateway presents literally (the documented grant is `{apiId}/$default/$default`, §3).
 * REST consoles' "Test" button presents stage `test-invoke-stage`; a stage-scoped grant does not cover it.
 */
export function sourceArnForRoute(input: RouteArnInput): string {
  const route = routeOf(input)
  const base = {partition: input.partition, region: input.region, account: input.account, apiId: input.apiId}
  if (route.isDefault) return buildExecuteApiArn({...base, stage: '*', method: '$default'})
  const method = route.method === 'ANY' ? '*' : route.method
  const path = route.segments.map((s) => (s.kind === 'literal' ? s.value : '*')).join('/')
  return buildExecuteApiArn({...base, stage: input.stage, method, path})
}

/**
 * The `AWS:SourceArn` API Gateway presents when a matched route invokes the function: the configured
 * method (`ANY` stays `ANY`, aws-sam-cli#289) and the route's path template, braces included
 * (`{apiId}/{stage}/GET/orders/{id}`), as LocalStack's AWS-parity implementation builds it (§3).
 * For the HTTP API `$default` route: `{apiId}/{stage}/$default`. The emulator's data plane and
 * `tracegate invoke` evaluate the resource policy against this ARN.
 */
export function presentedSourceArn(input: RouteArnInput): string {
  const route = routeOf(input)
  const base = {partition: input.partition, region: input.region, account: input.account, apiId: input.apiId}
  if (route.isDefault) return buildExecuteApiArn({...base, stage: input.stage, method: '$default'})
  return buildExecuteApiArn({...base, stage: input.stage, method: route.method, path: route.path ?? '/'})
}

export interface FunctionArnParts {
  partition: string
  region: string
  account: string
  functionName: string
  qualifier?: string
  /** The ARN without a qualifier. */
  unqualifiedArn: string
}

/**
 * The ARN Lambda evaluates a resource policy for when `qualifier` is invoked: the alias's or version's own
 * (`…:function:orders:live`), or the function's for none or `$LATEST` (the same policy).
 */
export function qualifiedFunctionArn(fn: Pick<FunctionArnParts, 'unqualifiedArn'>, qualifier: string | undefined): string {
  return qualifier === undefined || qualifier === '$LATEST' ? fn.unqualifiedArn : `${fn.unqualifiedArn}:${qualifier}`
}

/** Parses `arn:{partition}:lambda:{region}:{account}:function:{name}[:{qualifier}]`. */
export function parseFunctionArn(arn: string): FunctionArnParts | undefined {
  const parts = typeof arn === 'string' ? splitArn(arn) : undefined
  if (parts?.[0] !== 'arn' || parts[2] !== 'lambda') return undefined
  const [, partition, , region, account, resource] = parts
  const match = /^function:([^:]+)(?::([^:]+))?$/.exec(resource)
  if (!match || !region || !account) return undefined
  return {
    partition,
    region,
    account,
    functionName: match[1],
    qualifier: match[2],
    unqualifiedArn: `arn:${partition}:lambda:${region}:${account}:function:${match[1]}`,
  }
}
