import {UserError} from '../errors.js'
import {parseRouteKey} from '../gateway/routes.js'
import {
  type ApiType,
  buildExecuteApiArn,
  type FunctionArnParts,
  parseFunctionArn,
  presentedSourceArn,
  qualifiedFunctionArn,
  REST_TEST_INVOKE_STAGE,
  sourceArnForRoute,
} from './arn.js'
import {globMatch, hasWildcard, splitArn, arnLike} from './arnlike.js'
import {
  API_GATEWAY_PRINCIPAL,
  actionMatches,
  evaluateInvoke,
  hasServicePrincipal,
  INVOKE_ACTION,
  type ParsedPolicy,
  type PolicyStatement,
  parsePolicy,
  POLICY_SIZE_LIMIT,
  POLICY_SIZE_WARN_RATIO,
  type Principal,
  sourceArnsOf,
} from './policy.js'
import {isTracegateStatement} from './statement-id.js'

/**
 * Classifies every statement of a function's resource policy against a snapshot of the APIs that exist,
 * so that prune removes only what is proven useless. Pure: the snapshot is read by the service.
 */

export type StatementStatus =
  | 'ok'
  | 'stale-api'
  | 'stale-stage'
  | 'stale-route'
  | 'region-mismatch'
  | 'duplicate'
  | 'over-broad'
  | 'foreign'
  | 'unparseable'

export const STATEMENT_STATUSES: readonly StatementStatus[] = [
  'ok',
  'stale-api',
  'stale-stage',
  'stale-route',
  'region-mismatch',
  'duplicate',
  'over-broad',
  'foreign',
  'unparseable',
]

export interface ApiSnapshot {
  apiId: string
  /** WebSocket APIs are listed so their grants are never called stale, but they are not audited. */
  type: ApiType | 'websocket'
  name?: string
  /** The API's region; defaults to the function's region. */
  region?: string
  /** Stage names (`$default` included as written). */
  stages: string[]
  /** Route keys; REST resources+methods as `METHOD /path` (`ANY /{proxy+}`). */
  routeKeys: string[]
  /**
   * The function each route integrates with (an ARN or a name, with the alias or version it names), when known. A route that
   * is missing here, or `null` (e.g. a stage-variable URI), may invoke any function: it keeps grants alive
   * but is never reported as uncovered.
   */
  routeFunctions?: Record<string, string | null>
  /**
   * `false` when only the API's existence is known (its stages and routes were not read because no statement
   * names it). Statements naming it are then left alone.
   */
  detailed?: boolean
}

export interface PermissionsSnapshot {
  apis: ApiSnapshot[]
  /** Regions whose APIs were read completely; defaults to the function's region. */
  regions?: string[]
}

export interface AuditInput {
  functionArn: string
  /** GetPolicy's `Policy` string (or already parsed); `undefined` when the function has no policy. */
  policy: string | ParsedPolicy | undefined
  revisionId?: string
  snapshot: PermissionsSnapshot
}

export interface RouteRef {
  apiId: string
  region: string
  stage: string
  routeKey: string
}

export interface StatementAudit {
  index: number
  sid?: string
  status: StatementStatus
  /** Why, precisely: which API/stage/route is gone, which statement is the superset, ... */
  reason: string
  effect?: 'Allow' | 'Deny'
  /** Principals as text: `apigateway.amazonaws.com`, `*`, `AWS:arn:aws:iam::...`. */
  principal: string
  sourceArns: string[]
  /** API ids the source ARNs name (literal ones only). */
  apiIds: string[]
  createdByTracegate: boolean
  /** Bytes of the statement's JSON in the policy. */
  bytes: number
  /** Routes of this function's APIs the statement grants (stage `test-invoke-stage` = REST console tests). */
  covers: RouteRef[]
  /** For `duplicate`: the statement (sid, or `#index`) that grants a superset. */
  duplicateOf?: string
}

export interface RouteCoverage extends RouteRef {
  apiType: ApiType
  /** The source ARN API Gateway presents for this route. */
  presentedArn: string
  /** The statement (sid, or `#index`) that lets it invoke. */
  grantedBy?: string
  /** The Deny statement that refuses it. */
  deniedBy?: string
  /** The grant tracegate would add for it. */
  suggestedSourceArn: string
}

export interface PolicySize {
  bytes: number
  limit: number
  /** bytes / limit. */
  ratio: number
  /** At or above 80 % of the limit. */
  nearLimit: boolean
  overLimit: boolean
}

export interface FunctionAudit {
  functionArn: string
  functionName: string
  region: string
  account: string
  revisionId?: string
  size: PolicySize
  /** Set when the policy document itself could not be read. */
  policyProblem?: string
  statements: StatementAudit[]
  /** Every (stage, route) known to integrate with this function, and what grants it. */
  routes: RouteCoverage[]
  /** Routes that integrate with this function but that no statement lets API Gateway invoke (they answer 500). */
  uncoveredRoutes: RouteCoverage[]
  counts: Record<StatementStatus, number>
  tracegateStatements: number
}

// ---------------------------------------------------------------------------------------------------------

interface PresentedRoute extends RouteRef {
  arn: string
  /** Might invoke this function (integration is this function or unknown). */
  relevant: boolean
  /** Known to integrate with this function. */
  forFunction: boolean
  /** A REST console test invocation, not a real stage. */
  console: boolean
}

interface ApiEntry {
  api: ApiSnapshot & {type: ApiType}
  region: string
  stages: string[]
  routes: PresentedRoute[]
  /** A route that catches every method and path ($default, ANY /{proxy+}): a full wildcard grant is needed. */
  catchAll: boolean
}

interface Context {
  fn: FunctionArnParts
  regionsRead: string[]
  /** region → apiId → entry */
  apis: Map<string, Map<string, ApiEntry>>
}

interface PatternResult {
  status: StatementStatus
  reason: string
  apiId?: string
  covers: PresentedRoute[]
}

const refKey = (r: RouteRef): string => `${r.region}|${r.apiId}|${r.stage}|${r.routeKey}`
const statementName = (s: {sid?: string; index: number}): string => s.sid ?? `#${s.index}`

function listText(items: string[], max = 4): string {
  const unique = [...new Set(items)]
  if (unique.length <= max) return unique.join(', ')
  return `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`
}

function functionNameOf(target: string): {name: string; region?: string; account?: string; qualifier?: string} {
  const parsed = parseFunctionArn(target)
  if (parsed) return {name: parsed.functionName, region: parsed.region, account: parsed.account, qualifier: parsed.qualifier}
  // A partial ARN `123456789012:function:name[:qualifier]` or a bare `name[:qualifier]`.
  const partial = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/.exec(target)
  if (partial) return {name: partial[2], account: partial[1], qualifier: partial[3]}
  const [name, qualifier] = target.split(':')
  return {name, qualifier}
}

/** `$LATEST` and no qualifier are the same policy: the function's own. */
const policyQualifier = (qualifier: string | undefined): string | undefined => (qualifier === '$LATEST' ? undefined : qualifier)

/**
 * `exact` when the route invokes what this policy belongs to (the function, or the alias or version audited);
 * `qualified` when it invokes the same function through another qualifier, whose own policy Lambda evaluates
 * instead (so the route keeps grants alive here, to be safe, but is never reported uncovered by this policy);
 * `false` for another function.
 */
function targetsFunction(target: string, fn: FunctionArnParts): 'exact' | 'qualified' | false {
  const t = functionNameOf(target)
  if (t.name !== fn.functionName) return false
  if (t.region && t.region !== fn.region) return false
  if (t.account && t.account !== fn.account) return false
  return policyQualifier(t.qualifier) === policyQualifier(fn.qualifier) ? 'exact' : 'qualified'
}

/** The presented ARN, tolerating route keys our parser rejects (a REST path with odd characters). */
function presentedFor(fn: FunctionArnParts, region: string, api: ApiSnapshot & {type: ApiType}, stage: string, routeKey: string): string {
  try {
    return presentedSourceArn({partition: fn.partition, region, account: fn.account, apiId: api.apiId, stage, routeKey, apiType: api.type})
  } catch {
    const [method, path = '/'] = routeKey.trim().split(/\s+/)
    return buildExecuteApiArn({partition: fn.partition, region, account: fn.account, apiId: api.apiId, stage, method, path})
  }
}

function isCatchAll(routeKey: string): boolean {
  try {
    const route = parseRouteKey(routeKey)
    if (route.isDefault) return true
    return route.method === 'ANY' && route.segments.length === 1 && route.segments[0].kind === 'greedy'
  } catch {
    return false
  }
}

function buildContext(fn: FunctionArnParts, snapshot: PermissionsSnapshot): Context {
  const apis = new Map<string, Map<string, ApiEntry>>()
  for (const snapshotApi of snapshot.apis) {
    const region = snapshotApi.region ?? fn.region
    const stages = [...new Set(snapshotApi.stages)]
    const routes: PresentedRoute[] = []
    const audited = snapshotApi.type !== 'websocket' && snapshotApi.detailed !== false
    const api = snapshotApi as ApiSnapshot & {type: ApiType}
    const routeStages = api.type === 'rest' ? [...stages, REST_TEST_INVOKE_STAGE] : stages
    for (const routeKey of audited ? api.routeKeys : []) {
      const target = api.routeFunctions?.[routeKey]
      const targets = typeof target === 'string' ? targetsFunction(target, fn) : false
      const forFunction = targets === 'exact'
      const relevant = target === undefined || target === null || targets !== false
      for (const stage of routeStages) {
        routes.push({
          apiId: api.apiId,
          region,
          stage,
          routeKey,
          arn: presentedFor(fn, region, api, stage, routeKey),
          relevant,
          forFunction,
          console: stage === REST_TEST_INVOKE_STAGE && !stages.includes(REST_TEST_INVOKE_STAGE),
        })
      }
    }
    let byId = apis.get(region)
    if (!byId) apis.set(region, (byId = new Map()))
    byId.set(api.apiId, {api, region, stages, routes, catchAll: audited && api.routeKeys.some(isCatchAll)})
  }
  const regionsRead = [...new Set([fn.region, ...(snapshot.regions ?? []), ...apis.keys()])]
  return {fn, regionsRead, apis}
}

function routeList(routes: PresentedRoute[]): string {
  return listText(routes.filter((r) => !r.console).map((r) => r.routeKey))
}

function stageList(routes: PresentedRoute[]): string {
  return listText(routes.map((r) => (r.console ? `${r.stage} (console tests)` : r.stage)))
}

function classifyAgainstApi(pattern: string, resource: string, entry: ApiEntry, ctx: Context): PatternResult {
  const {api} = entry
  const apiId = api.apiId
  const name = api.name ? ` (${api.name})` : ''
  const segments = resource.split('/')
  if ((api.type as string) === 'websocket') {
    return {status: 'foreign', apiId, covers: [], reason: `API ${apiId}${name} is a WebSocket API; tracegate audits HTTP and REST APIs only and leaves it alone`}
  }
  if (api.detailed === false) {
    return {status: 'foreign', apiId, covers: [], reason: `the stages and routes of API ${apiId}${name} were not read; left alone`}
  }
  if (segments[1] === 'authorizers') {
    return {status: 'foreign', apiId, covers: [], reason: `Lambda authorizer grant for API ${apiId}${name}; tracegate audits integration grants only and leaves it alone`}
  }
  if (entry.stages.length === 0) {
    return {status: 'stale-stage', apiId, covers: [], reason: `API ${apiId}${name} has no stage, so nothing can invoke through it`}
  }
  const matched = entry.routes.filter((r) => arnLike(pattern, r.arn))
  if (matched.length === 0) {
    const stage = segments[1]
    const stageKnown = entry.stages.includes(stage) || (api.type === 'rest' && stage === REST_TEST_INVOKE_STAGE)
    if (stage !== undefined && stage !== '' && !hasWildcard(stage) && !stageKnown) {
      return {
        status: 'stale-stage',
        apiId,
        covers: [],
        reason: `stage "${stage}" no longer exists on API ${apiId}${name} (stages: ${listText(entry.stages)})`,
      }
    }
    const routes = api.routeKeys.length ? listText(api.routeKeys) : 'none'
    return {
      status: 'stale-route',
      apiId,
      covers: [],
      reason: `no route of API ${apiId}${name} matches "${segments.slice(1).join('/') || resource}" (routes: ${routes})`,
    }
  }
  const relevant = matched.filter((r) => r.relevant)
  if (relevant.length === 0) {
    const others = matched.map((r) => `${r.routeKey} → ${functionNameOf(api.routeFunctions?.[r.routeKey] ?? '?').name}`)
    return {
      status: 'stale-route',
      apiId,
      covers: [],
      reason: `matches only routes of API ${apiId}${name} that integrate with other functions (${listText(others)})`,
    }
  }
  if (!entry.catchAll) {
    const broadOn = entry.stages.filter((stage) =>
      arnLike(
        pattern,
        buildExecuteApiArn({
          partition: ctx.fn.partition,
          region: entry.region,
          account: ctx.fn.account,
          apiId,
          stage,
          method: 'TRACEGATE-PROBE',
          path: '/tracegate-probe/not-a-route',
        }),
      ),
    )
    if (broadOn.length > 0) {
      const example = relevant.find((r) => !r.console) ?? relevant[0]
      let suggestion = ''
      try {
        suggestion = `; a per-route grant such as ${sourceArnForRoute({partition: ctx.fn.partition, region: entry.region, account: ctx.fn.account, apiId, stage: example.stage, routeKey: example.routeKey, apiType: api.type})} is enough`
      } catch {}
      return {
        status: 'over-broad',
        apiId,
        covers: relevant,
        reason: `grants every method and path of API ${apiId}${name} on stage ${listText(broadOn)}, but its routes are ${routeList(relevant) || listText(api.routeKeys)}${suggestion}`,
      }
    }
  }
  const cross = entry.region === ctx.fn.region ? '' : ` (API in ${entry.region}, a cross-region integration)`
  return {
    status: 'ok',
    apiId,
    covers: relevant,
    reason: `grants ${routeList(relevant) || 'console tests'} on stage ${stageList(relevant)} of API ${apiId}${name}${cross}`,
  }
}

function classifyPattern(pattern: string, ctx: Context): PatternResult {
  const {fn} = ctx
  const parts = splitArn(pattern)
  if (parts?.[0] !== 'arn') {
    return {status: 'unparseable', covers: [], reason: `AWS:SourceArn "${pattern}" is not an ARN (arn:partition:service:region:account:resource)`}
  }
  const [, , service, region, account, resource] = parts
  if (!globMatch(service, 'execute-api')) {
    return {status: 'foreign', covers: [], reason: `its source ARN is for service "${service}", not API Gateway (execute-api)`}
  }
  if (!globMatch(account, fn.account)) {
    return {
      status: 'foreign',
      covers: [],
      reason: `grants API Gateway in account ${account || '(empty)'}; tracegate can only check APIs of the function's account ${fn.account}`,
    }
  }
  const apiIdPart = resource.split('/')[0]
  if (apiIdPart === '') return {status: 'unparseable', covers: [], reason: `source ARN "${pattern}" names no API id`}

  // Regions the pattern selects, among those whose APIs were read. The function's region comes first.
  const candidateRegions = ctx.regionsRead.filter((r) => globMatch(region, r))
  const regionText = region || '(empty)'

  if (hasWildcard(apiIdPart)) {
    if (candidateRegions.length === 0) {
      return {
        status: 'region-mismatch',
        covers: [],
        reason: `source ARN region ${regionText} differs from the function's region ${fn.region}; API Gateway presents the API's region, so it never matches here (aws-semantics §3)`,
      }
    }
    const covers: PresentedRoute[] = []
    for (const r of candidateRegions) {
      for (const entry of ctx.apis.get(r)?.values() ?? []) {
        covers.push(...entry.routes.filter((route) => route.relevant && arnLike(pattern, route.arn)))
      }
    }
    return {
      status: 'over-broad',
      covers,
      reason: `grants every API${apiIdPart === '*' ? '' : ` whose id matches "${apiIdPart}"`} in ${region === '*' ? 'every region' : regionText}; grant per API and route instead`,
    }
  }

  for (const r of candidateRegions) {
    const entry = ctx.apis.get(r)?.get(apiIdPart)
    if (entry) return classifyAgainstApi(pattern, resource, entry, ctx)
  }
  const elsewhere = ctx.regionsRead.find((r) => !globMatch(region, r) && ctx.apis.get(r)?.has(apiIdPart))
  if (elsewhere) {
    return {
      status: 'region-mismatch',
      apiId: apiIdPart,
      covers: [],
      reason: `source ARN names region ${regionText}, but API ${apiIdPart} is in ${elsewhere}; API Gateway presents the API's own region, so this grant never matches (aws-semantics §3)`,
    }
  }
  if (candidateRegions.length === 0) {
    return {
      status: 'region-mismatch',
      apiId: apiIdPart,
      covers: [],
      reason: `source ARN region ${regionText} differs from the function's region ${fn.region}, and API ${apiIdPart} is not in ${listText(ctx.regionsRead)}`,
    }
  }
  return {status: 'stale-api', apiId: apiIdPart, covers: [], reason: `API ${apiIdPart} no longer exists in ${listText(candidateRegions)}`}
}

function principalText(principals: Principal[]): string {
  return principals.map((p) => (p.kind === 'any' ? '*' : p.kind === 'service' ? p.value : `${p.kind.toUpperCase()}:${p.value}`)).join(', ')
}

function combine(results: PatternResult[]): PatternResult {
  // A statement is removed whole: if any of its source ARNs still grants something, it is kept.
  const live = results.filter((r) => r.status === 'ok' || r.status === 'over-broad')
  if (live.length > 0) {
    const status = live.some((r) => r.status === 'over-broad') ? 'over-broad' : 'ok'
    return {status, covers: live.flatMap((r) => r.covers), reason: live.map((r) => r.reason).join('; ')}
  }
  const keep = results.find((r) => r.status === 'foreign' || r.status === 'unparseable')
  if (keep) return {...keep, reason: results.map((r) => r.reason).join('; ')}
  return {status: results[0].status, covers: [], reason: results.map((r) => r.reason).join('; ')}
}

function auditStatement(statement: PolicyStatement, ctx: Context): StatementAudit {
  // Built in a fixed key order: status and reason first, as --json readers scan them.
  const make = (
    status: StatementStatus,
    reason: string,
    rest: {effect?: 'Allow' | 'Deny'; principal: string; sourceArns: string[]; apiIds?: string[]; covers?: RouteRef[]},
  ): StatementAudit => ({
    index: statement.index,
    sid: statement.sid,
    status,
    reason,
    ...(rest.effect ? {effect: rest.effect} : {}),
    principal: rest.principal,
    sourceArns: rest.sourceArns,
    apiIds: rest.apiIds ?? [],
    createdByTracegate: isTracegateStatement(statement.sid),
    bytes: statement.bytes,
    covers: rest.covers ?? [],
  })
  if (!statement.parseable) return make('unparseable', statement.problem, {principal: '', sourceArns: []})
  const sourceArns = sourceArnsOf(statement)
  const head = {effect: statement.effect, principal: principalText(statement.principals), sourceArns}
  const foreign = (reason: string) => make('foreign', reason, head)
  if (statement.effect === 'Deny') return foreign('a Deny statement; tracegate audits Allow grants and never removes a Deny')
  if (!hasServicePrincipal(statement, API_GATEWAY_PRINCIPAL)) {
    return foreign(`principal ${head.principal} is not API Gateway (${API_GATEWAY_PRINCIPAL})`)
  }
  if (!actionMatches(statement, INVOKE_ACTION)) {
    return foreign(`action ${statement.actions.join(', ')} is not ${INVOKE_ACTION}`)
  }
  if (sourceArns.length === 0) {
    return foreign('grants API Gateway without an AWS:SourceArn condition (any API can invoke); tracegate cannot tell which API it serves and leaves it alone')
  }
  const result = combine(sourceArns.map((arn) => classifyPattern(arn, ctx)))
  const apiIds = [...new Set(sourceArns.map((arn) => splitArn(arn)?.[5].split('/')[0]).filter((id): id is string => !!id && !hasWildcard(id)))]
  return make(result.status, result.reason, {...head, apiIds, covers: dedupeRoutes(result.covers)})
}

function dedupeRoutes(routes: RouteRef[]): RouteRef[] {
  const seen = new Map<string, RouteRef>()
  for (const r of routes) {
    const key = refKey(r)
    if (!seen.has(key)) seen.set(key, {apiId: r.apiId, region: r.region, stage: r.stage, routeKey: r.routeKey})
  }
  return [...seen.values()]
}

/**
 * `duplicate`: an `ok` statement whose routes another `ok` statement also grants (a superset, judged on the
 * routes that exist). Over-broad statements never make another one a duplicate: pruning over-broad ones
 * must not leave routes uncovered. Ties keep tracegate's own statement (deploy would re-add it), then the
 * earlier one; a tracegate statement is not called a duplicate of a strictly larger foreign-made grant,
 * since deploy would only add it back.
 */
function markDuplicates(audits: StatementAudit[]): void {
  const candidates = audits
    .filter((a) => a.status === 'ok' && a.covers.length > 0)
    .map((a) => ({audit: a, keys: new Set(a.covers.map(refKey))}))
    .sort(
      (a, b) =>
        b.keys.size - a.keys.size ||
        Number(b.audit.createdByTracegate) - Number(a.audit.createdByTracegate) ||
        a.audit.index - b.audit.index,
    )
  const kept: typeof candidates = []
  for (const candidate of candidates) {
    const superset = kept.find((k) => [...candidate.keys].every((key) => k.keys.has(key)))
    if (!superset) {
      kept.push(candidate)
      continue
    }
    const equal = superset.keys.size === candidate.keys.size
    if (candidate.audit.createdByTracegate && !superset.audit.createdByTracegate && !equal) {
      candidate.audit.reason += `; also granted by ${statementName(superset.audit)}, kept because deploy would add it back`
      kept.push(candidate)
      continue
    }
    candidate.audit.status = 'duplicate'
    candidate.audit.duplicateOf = statementName(superset.audit)
    candidate.audit.reason = `${statementName(superset.audit)} already grants ${equal ? 'the same routes' : 'a superset of its routes'} (${listText(candidate.audit.covers.map((c) => `${c.routeKey} on ${c.stage}`))})`
  }
}

/** The characters of a pattern before its first wildcard. */
const literalPrefix = (pattern: string): string => pattern.slice(0, pattern.search(/[*?]/) === -1 ? pattern.length : pattern.search(/[*?]/))

const REQUIRED_SOURCE_OPERATORS = new Set(['ArnLike', 'ArnEquals', 'StringEquals', 'StringLike'])

/**
 * The statements that can apply to some route of an API: a statement that requires `AWS:SourceArn` to match
 * one of its patterns cannot apply when no pattern's literal prefix is compatible with the API's ARN prefix
 * (for ArnLike as for StringLike, the text before the first wildcard must appear verbatim). Exact, and it
 * keeps the audit linear in routes instead of routes x statements.
 */
function statementsFor(policy: ParsedPolicy, apiPrefix: string): ParsedPolicy {
  const statements = policy.statements.filter((s) => {
    if (!s.parseable) return false
    return s.conditions.every((c) => {
      if (c.key.toLowerCase() !== 'aws:sourcearn' || !REQUIRED_SOURCE_OPERATORS.has(c.base)) return true
      return c.values.some((v) => {
        const prefix = literalPrefix(v)
        return apiPrefix.startsWith(prefix) || prefix.startsWith(apiPrefix)
      })
    })
  })
  return {...policy, statements}
}

function routeCoverage(ctx: Context, policy: ParsedPolicy): RouteCoverage[] {
  const {fn} = ctx
  const coverage: RouteCoverage[] = []
  for (const byId of ctx.apis.values()) {
    for (const entry of byId.values()) {
      const apiPrefix = buildExecuteApiArn({partition: fn.partition, region: entry.region, account: fn.account, apiId: entry.api.apiId, stage: 'x'}).slice(0, -1)
      let candidates: ParsedPolicy | undefined
      for (const route of entry.routes) {
        if (!route.forFunction || route.console) continue
        candidates ??= statementsFor(policy, apiPrefix)
        const decision = evaluateInvoke(candidates, {
          principal: API_GATEWAY_PRINCIPAL,
          functionArn: qualifiedFunctionArn(fn, fn.qualifier),
          sourceArn: route.arn,
          sourceAccount: fn.account,
        })
        const by = decision.statementIndex === undefined ? undefined : (decision.statementSid ?? `#${decision.statementIndex}`)
        let suggestedSourceArn = route.arn
        try {
          suggestedSourceArn = sourceArnForRoute({
            partition: fn.partition,
            region: entry.region,
            account: fn.account,
            apiId: route.apiId,
            stage: route.stage,
            routeKey: route.routeKey,
            apiType: entry.api.type,
          })
        } catch {}
        coverage.push({
          apiId: route.apiId,
          region: route.region,
          stage: route.stage,
          routeKey: route.routeKey,
          apiType: entry.api.type,
          presentedArn: route.arn,
          ...(decision.allowed ? {grantedBy: by} : by ? {deniedBy: by} : {}),
          suggestedSourceArn,
        })
      }
    }
  }
  return coverage
}

export function policySize(bytes: number): PolicySize {
  const ratio = bytes / POLICY_SIZE_LIMIT
  return {bytes, limit: POLICY_SIZE_LIMIT, ratio, nearLimit: ratio >= POLICY_SIZE_WARN_RATIO, overLimit: bytes > POLICY_SIZE_LIMIT}
}

/** Audits one function's resource policy against the APIs that exist. */
export function auditPolicy(input: AuditInput): FunctionAudit {
  const fn = parseFunctionArn(input.functionArn)
  if (!fn) {
    throw new UserError('ARN_INVALID', `"${input.functionArn}" is not a Lambda function ARN`, {
      suggestion: 'Use arn:aws:lambda:{region}:{account}:function:{name}',
    })
  }
  const policy = typeof input.policy === 'object' ? input.policy : parsePolicy(input.policy)
  const ctx = buildContext(fn, input.snapshot)
  const statements = policy.statements.map((s) => auditStatement(s, ctx))
  markDuplicates(statements)
  const routes = routeCoverage(ctx, policy)
  const counts = Object.fromEntries(STATEMENT_STATUSES.map((s) => [s, 0])) as Record<StatementStatus, number>
  for (const s of statements) counts[s.status]++
  const qualifier = policyQualifier(fn.qualifier)
  return {
    // An alias's or version's policy is reported as `orders:live` or `orders:3`, with its own ARN.
    functionArn: qualifiedFunctionArn(fn, fn.qualifier),
    functionName: qualifier ? `${fn.functionName}:${qualifier}` : fn.functionName,
    region: fn.region,
    account: fn.account,
    ...(input.revisionId ? {revisionId: input.revisionId} : {}),
    size: policySize(policy.bytes),
    ...(policy.problem ? {policyProblem: policy.problem} : {}),
    statements,
    routes,
    uncoveredRoutes: routes.filter((r) => !r.grantedBy),
    counts,
    tracegateStatements: statements.filter((s) => s.createdByTracegate).length,
  }
}

