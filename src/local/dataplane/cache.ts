/**
 * The data plane's read model of the store: APIs compiled into what routing needs (stage names, route keys,
 * each route's integration), functions, and parsed resource policies — read from SQLite once and reused, so
 * a request to a warm function touches no SQLite at all.
 *
 * Invalidation is coarse and safe: every control-plane write (any non-read request that is not an invocation
 * or an X-Ray upload) and every fault change drops the whole cache once it has answered, and a write made
 * through another connection to the same file is noticed through SQLite's `data_version`. The segment writer
 * thread is such a connection: under traced load its commits drop the cache a few times a second (at most once
 * per EXTERNAL_CHECK_INTERVAL_MS), which costs a recompile of the APIs in use, well under 1 % of the work.
 */
import type BetterSqlite3 from 'better-sqlite3'
import type {RouteMatch} from '../../gateway/match.js'
import {type ParsedPolicy, parsePolicy} from '../../permissions/policy.js'
import {policyDocument} from '../control/lambda-policy.js'
import {pickVersion, resolveQualifier, versionOf} from '../control/lambda-versions.js'
import type {FunctionRecord, Store, WireObject} from '../store.js'

export interface LambdaTarget {
  region: string
  accountId: string
  name: string
  /** A version or alias in the URI (`$LATEST`, `3`, `live`). */
  qualifier?: string
}

/** What an invocation of a function ARN, qualified or not, runs and which policy governs it. */
export interface InvocationTarget {
  /** The function (`$LATEST`'s record). */
  fn: FunctionRecord
  /** The resource policy that decides who may invoke: the function's own (`$LATEST`), or the version's or alias's. */
  policyKey: string
  /** The qualifier the caller named (undefined: none); an alias's ARN is the handler's `invokedFunctionArn`. */
  qualifier?: string
  /** The version one invocation runs: an alias with a routing configuration picks one per invocation. */
  run(): FunctionRecord
}

export interface CompiledIntegration {
  integrationId: string
  integrationType: string
  integrationUri: string
  payloadFormatVersion: '1.0' | '2.0'
  /** As configured; the effective value is `integrationTimeoutMs(apiType, …)`. */
  timeoutInMillis?: number
  /** With a role, API Gateway calls Lambda as that role and the resource policy is not consulted. */
  credentialsArn?: string
  /** The function of a Lambda proxy integration; undefined for other integration types. */
  lambda?: LambdaTarget
  /**
   * What `lambda` resolves to, once a request has asked (`null`: missing). Held here, not looked up per request:
   * the compiled integration is dropped with the rest of the cache on any change.
   */
  invocation?: InvocationTarget | null
}

export interface CompiledRoute {
  routeId: string
  routeKey: string
  /** undefined: the route has no integration attached. */
  integration?: CompiledIntegration
}

export interface ThrottleSettings {
  burstLimit?: number
  rateLimit?: number
}

/** The routes a stage serves, and the memo of route selection over them. */
export interface RouteTable {
  routeKeys: string[]
  routes: Map<string, CompiledRoute>
  /** Route selection results by `METHOD path`: the same request shape never runs the matcher twice. */
  matches: Map<string, RouteMatch | null>
}

export interface CompiledStage {
  stageName: string
  /**
   * What the stage serves: its deployment's routes and integrations. An auto-deploy stage is redeployed on every
   * change, so it serves the current ones; a stage that was never deployed serves none.
   */
  table: RouteTable
  stageVariables: Record<string, string>
  throttle: ThrottleSettings
  /** Per-route overrides (`routeSettings`), by route key. */
  routeThrottle: Map<string, ThrottleSettings>
}

export interface CompiledApi {
  apiId: string
  region: string
  /** REST APIs are compiled and answered by rest.ts (deployments, stage tracing); this view is HTTP APIs'. */
  apiType: 'http'
  name: string
  stageNames: string[]
  stages: Map<string, CompiledStage>
}

/** Another connection's writes are looked for at most this often (one pragma read each time). */
const EXTERNAL_CHECK_INTERVAL_MS = 250
/** How many distinct request shapes each API remembers the route for. */
const MATCH_MEMO_LIMIT = 2048

/**
 * The Lambda function an integration URI names: a function ARN (HTTP APIs), or the API Gateway service path
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations` (REST, and accepted
 * by HTTP APIs; aws-semantics §3).
 */
export function lambdaTargetOf(uri: string): LambdaTarget | undefined {
  const path = /^arn:aws[a-zA-Z-]*:apigateway:[^:]+:lambda:path\/[^/]+\/functions\/(.+?)\/invocations$/.exec(uri)
  const arn = path ? decodeURIComponent(path[1]) : uri
  const match = /^arn:aws[a-zA-Z-]*:lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/.exec(arn)
  if (!match) return undefined
  return {region: match[1], accountId: match[2], name: match[3], ...(match[4] ? {qualifier: match[4]} : {})}
}

/**
 * The integration URI with each `${stageVariables.name}` replaced by the stage's value, as API Gateway substitutes
 * them (the documented way to point each stage at its own Lambda alias: `function:orders:${stageVariables.alias}`).
 * A variable the stage does not define becomes empty, which leaves a function that cannot be found.
 */
export function withStageVariables(uri: string, variables: Record<string, string>): string {
  if (!uri.includes('${stageVariables.')) return uri
  return uri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_whole, name: string) => variables[name] ?? '')
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function throttleOf(settings: unknown): ThrottleSettings {
  const s = (settings ?? {}) as {throttlingBurstLimit?: unknown; throttlingRateLimit?: unknown}
  return {burstLimit: optionalNumber(s.throttlingBurstLimit), rateLimit: optionalNumber(s.throttlingRateLimit)}
}

function compileIntegration(data: WireObject, stageVariables: Record<string, string>): CompiledIntegration {
  const uri = typeof data.integrationUri === 'string' ? data.integrationUri : ''
  const type = String(data.integrationType ?? '')
  return {
    integrationId: String(data.integrationId),
    integrationType: type,
    integrationUri: uri,
    // HTTP_PROXY integrations default to 1.0; AWS_PROXY ones always carry a version (CreateIntegration requires it).
    payloadFormatVersion: data.payloadFormatVersion === '2.0' ? '2.0' : '1.0',
    timeoutInMillis: optionalNumber(data.timeoutInMillis),
    credentialsArn: typeof data.credentialsArn === 'string' ? data.credentialsArn : undefined,
    lambda: type === 'AWS_PROXY' ? lambdaTargetOf(withStageVariables(uri, stageVariables)) : undefined,
  }
}

/** Routes with their integrations, from the stored (or deployed) resources, for a stage with these variables. */
function compileTable(integrationsData: WireObject[], routesData: WireObject[], stageVariables: Record<string, string>): RouteTable {
  const integrations = new Map<string, CompiledIntegration>()
  for (const data of integrationsData) integrations.set(String(data.integrationId), compileIntegration(data, stageVariables))
  const routes = new Map<string, CompiledRoute>()
  for (const data of routesData) {
    const routeKey = String(data.routeKey)
    const target = typeof data.target === 'string' ? /^integrations\/(.+)$/.exec(data.target)?.[1] : undefined
    routes.set(routeKey, {routeId: String(data.routeId), routeKey, integration: target ? integrations.get(target) : undefined})
  }
  return {routeKeys: [...routes.keys()], routes, matches: new Map()}
}

function stageVariablesOf(data: WireObject): Record<string, string> {
  return (data.stageVariables as Record<string, string> | undefined) ?? {}
}

function compileStage(data: WireObject, table: RouteTable): CompiledStage {
  const routeThrottle = new Map<string, ThrottleSettings>()
  const routeSettings = data.routeSettings
  if (routeSettings && typeof routeSettings === 'object') {
    for (const [routeKey, settings] of Object.entries(routeSettings as Record<string, unknown>)) {
      routeThrottle.set(routeKey, throttleOf(settings))
    }
  }
  return {
    stageName: String(data.stageName),
    table,
    stageVariables: stageVariablesOf(data),
    throttle: throttleOf(data.defaultRouteSettings),
    routeThrottle,
  }
}

export class DataPlaneCache {
  private readonly store: Store
  private readonly dataVersion: BetterSqlite3.Statement
  private lastDataVersion: number
  private lastCheckMs = 0
  private apis = new Map<string, CompiledApi | null>()
  private functions = new Map<string, FunctionRecord | null>()
  private targets = new Map<string, InvocationTarget | null>()
  private policies = new Map<string, ParsedPolicy>()
  private decisions = new Map<string, boolean>()

  constructor(store: Store) {
    this.store = store
    this.dataVersion = store.db.prepare('PRAGMA data_version').pluck()
    this.lastDataVersion = this.dataVersion.get() as number
  }

  invalidate(): void {
    this.apis = new Map()
    this.functions = new Map()
    this.targets = new Map()
    this.policies = new Map()
    this.decisions = new Map()
  }

  /**
   * Drops everything when another connection committed since the last look. The emulator's own writes are
   * handled by `invalidate`; other writers to the same file (there is at most one emulator per data directory,
   * so only tools and tests) are noticed within EXTERNAL_CHECK_INTERVAL_MS.
   */
  refresh(nowMs = performance.now()): void {
    if (nowMs - this.lastCheckMs < EXTERNAL_CHECK_INTERVAL_MS || !this.store.db.open) return
    this.lastCheckMs = nowMs
    const version = this.dataVersion.get() as number
    if (version !== this.lastDataVersion) {
      this.lastDataVersion = version
      this.invalidate()
    }
  }

  api(apiId: string): CompiledApi | undefined {
    let api = this.apis.get(apiId)
    if (api === undefined) {
      api = this.compileApi(apiId)
      this.apis.set(apiId, api)
    }
    return api ?? undefined
  }

  functionRecord(region: string, name: string): FunctionRecord | undefined {
    const key = `${region}\u0000${name}`
    let fn = this.functions.get(key)
    if (fn === undefined) {
      fn = this.store.getFunction(region, name) ?? null
      this.functions.set(key, fn)
    }
    return fn ?? undefined
  }

  /** What invoking the function with `qualifier` runs; undefined when the function, version or alias is missing. */
  invocationTarget(region: string, name: string, qualifier: string | undefined): InvocationTarget | undefined {
    const key = `${region}\u0000${name}\u0000${qualifier ?? ''}`
    let target = this.targets.get(key)
    if (target === undefined) {
      target = this.resolve(region, name, qualifier) ?? null
      this.targets.set(key, target)
    }
    return target ?? undefined
  }

  private resolve(region: string, name: string, qualifier: string | undefined): InvocationTarget | undefined {
    const fn = this.functionRecord(region, name)
    if (!fn) return undefined
    const resolved = resolveQualifier(this.store, fn, qualifier)
    if (resolved.kind === 'missing-version' || resolved.kind === 'missing-alias') return undefined
    const primary = resolved.target
    const policyKey = resolved.kind === 'latest' ? '$LATEST' : qualifier!
    if (resolved.kind !== 'alias' || !resolved.alias.weights) return {fn, policyKey, qualifier, run: () => primary}
    const alias = resolved.alias
    const views = new Map<string, FunctionRecord>([[alias.functionVersion, primary]])
    for (const version of Object.keys(alias.weights ?? {})) views.set(version, versionOf(this.store, fn, version) ?? primary)
    return {fn, policyKey, qualifier, run: () => views.get(pickVersion(alias, Math.random())) ?? primary}
  }

  /**
   * A resource policy as GetPolicy would return it, parsed (no statements: an empty policy): the function's own
   * (`$LATEST`), or a version's or alias's.
   */
  policy(region: string, name: string, qualifier = '$LATEST'): ParsedPolicy {
    const key = `${region}\u0000${name}\u0000${qualifier}`
    let policy = this.policies.get(key)
    if (!policy) {
      const statements = this.store.listPolicyStatements(region, name, qualifier)
      policy = parsePolicy(statements.length === 0 ? undefined : JSON.stringify(policyDocument(statements.map((s) => s.statement))))
      this.policies.set(key, policy)
    }
    return policy
  }

  /** A memoised yes/no (permission decisions), dropped with everything else on invalidation. */
  decision(key: string, decide: () => boolean): boolean {
    let allowed = this.decisions.get(key)
    if (allowed === undefined) {
      allowed = decide()
      this.decisions.set(key, allowed)
    }
    return allowed
  }

  /** Memoised route selection over the routes one stage serves. */
  match(table: RouteTable, key: string, select: () => RouteMatch | undefined): RouteMatch | undefined {
    const known = table.matches.get(key)
    if (known !== undefined) return known ?? undefined
    const found = select()
    if (table.matches.size >= MATCH_MEMO_LIMIT) table.matches.clear()
    table.matches.set(key, found ?? null)
    return found
  }

  private compileApi(apiId: string): CompiledApi | null {
    const record = this.store.getApi(apiId)
    // WebSocket APIs have no HTTP data plane (and are not part of tracegate's story).
    if (record?.data.protocolType !== 'HTTP') return null
    const integrations = this.store.allChildren('integrations', apiId)
    const routes = this.store.allChildren('routes', apiId)
    const stages = new Map<string, CompiledStage>()
    // Each stage its own table: integration URIs may name stage variables.
    for (const data of this.store.allChildren('stages', apiId)) {
      const variables = stageVariablesOf(data)
      const table = data.autoDeploy === true ? compileTable(integrations, routes, variables) : this.deployedTable(apiId, data.deploymentId, variables)
      const stage = compileStage(data, table)
      stages.set(stage.stageName, stage)
    }
    return {
      apiId,
      region: record.region,
      apiType: 'http',
      name: String(record.data.name ?? apiId),
      stageNames: [...stages.keys()],
      stages,
    }
  }

  /** The routes a deployment was made from; none for a stage without one. */
  private deployedTable(apiId: string, deploymentId: unknown, stageVariables: Record<string, string>): RouteTable {
    const deployment = typeof deploymentId === 'string' ? this.store.getChild('deployments', apiId, deploymentId) : undefined
    const snapshot = deployment?.snapshot as {routes?: WireObject[]; integrations?: WireObject[]} | undefined
    return compileTable(snapshot?.integrations ?? [], snapshot?.routes ?? [], stageVariables)
  }
}
