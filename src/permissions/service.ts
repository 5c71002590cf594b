import {PROJECT_TAG} from '../aws/lambda.js'
import type {ApiListing, FunctionRef, PermissionsAws} from '../aws/permissions.js'
import {PolicyChangedError} from '../aws/permissions.js'
import {UserError} from '../errors.js'
import {type Progress, step} from '../progress.js'
import {splitArn} from './arnlike.js'
import {type ApiSnapshot, auditPolicy, type FunctionAudit, type PermissionsSnapshot, type StatementStatus} from './audit.js'
import {API_GATEWAY_PRINCIPAL, hasServicePrincipal, type ParsedPolicy, parsePolicy, sourceArnsOf} from './policy.js'
import {type PlannedRemoval, type PrunePlan, type PruneOptions, planPrune, type SkippedStatement} from './prune.js'

/**
 * `tracegate permissions` and `tracegate permissions prune`: read policies first, then the APIs once per
 * region (so a grant added by a concurrent deploy always names an API we have listed), audit, plan, and
 * remove with RevisionId so a concurrent change makes us re-read and re-plan instead of removing the wrong
 * statement (aws-semantics §1.2: a stale RevisionId answers 412).
 */

export interface PermissionsTarget {
  /** Function names or ARNs (e.g. the project's `{name}-{function}`). */
  functions?: string[]
  /** Every function of the region (ListFunctions). */
  allFunctions?: boolean
  /** Project name: APIs tagged `tracegate:project={project}` are read in detail, so uncovered routes show. */
  project?: string
  /** Read the routes of every API of the region, not just those a statement names or the project owns. */
  allApis?: boolean
  /** Also audit each published version's own policy (ListVersionsByFunction, then one GetPolicy per version). */
  versions?: boolean
}

export interface ApiReadSummary {
  region: string
  listed: number
  described: number
}

export interface AuditReport {
  region: string
  functions: FunctionAudit[]
  /** Named functions that do not exist. */
  missingFunctions: string[]
  apis: ApiReadSummary[]
  /** AWS requests this audit made. */
  awsCalls: number
}

export interface PruneRequest extends PermissionsTarget, PruneOptions {
  dryRun?: boolean
  /** Asked once with every plan before anything is removed; `false` stops. Not called for a dry run. */
  confirm?: (plans: PrunePlan[]) => Promise<boolean>
  /** Re-plans allowed per function after 412s (default 5). */
  maxReplans?: number
}

export interface NotRemoved {
  sid: string
  reason: string
}

export interface FunctionPruneResult {
  functionName: string
  functionArn: string
  planned: PlannedRemoval[]
  removed: PlannedRemoval[]
  /** Planned statements someone else removed first. */
  alreadyGone: string[]
  /** Planned statements left in place, and why (no longer stale after a re-read, changed, an error). */
  notRemoved: NotRemoved[]
  skipped: SkippedStatement[]
  /** Times the plan was rebuilt after a 412 (the policy changed under us). */
  replans: number
  bytesBefore: number
  bytesAfter: number
  bytesFreed: number
  error?: {code: string; message: string}
}

export interface PruneReport {
  region: string
  dryRun: boolean
  /** False when the user declined (nothing was removed). */
  confirmed: boolean
  plans: PrunePlan[]
  functions: FunctionPruneResult[]
  missingFunctions: string[]
  totals: {planned: number; removed: number; bytesFreed: number; failed: number}
  awsCalls: number
}

// ---------------------------------------------------------------------------------------------------------

interface FunctionState {
  ref: FunctionRef
  revisionId?: string
  policy: ParsedPolicy
}

const REGION_LIKE = /^[a-z]{2}(-[a-z]+)+-\d+$/

/** API ids and regions the API Gateway statements of a policy name (literal ones only). */
function referencesOf(policy: ParsedPolicy): {apiIds: Set<string>; regions: Set<string>} {
  const apiIds = new Set<string>()
  const regions = new Set<string>()
  for (const s of policy.statements) {
    if (!s.parseable || !hasServicePrincipal(s, API_GATEWAY_PRINCIPAL)) continue
    for (const arn of sourceArnsOf(s)) {
      const parts = splitArn(arn)
      if (parts?.[2] !== 'execute-api') continue
      if (REGION_LIKE.test(parts[3])) regions.add(parts[3])
      const apiId = parts[5].split('/')[0]
      if (apiId && !/[*?]/.test(apiId)) apiIds.add(apiId)
    }
  }
  return {apiIds, regions}
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i])
    }
  })
  await Promise.all(workers)
  return results
}

/**
 * The target functions, each followed by its aliases and, with `versions`, its published versions (see
 * `withQualifiers`), and the named ones that do not exist.
 */
async function resolveFunctions(aws: PermissionsAws, target: PermissionsTarget, progress: Progress): Promise<{refs: FunctionRef[]; missing: string[]}> {
  const {refs, missing} = await findFunctions(aws, target, progress)
  return {refs: refs.length > 0 ? await withQualifiers(aws, refs, progress, target.versions ?? false) : refs, missing}
}

async function findFunctions(aws: PermissionsAws, target: PermissionsTarget, progress: Progress): Promise<{refs: FunctionRef[]; missing: string[]}> {
  if (target.allFunctions) {
    const refs = await step(progress, 'functions', `List functions in ${aws.region}`, () => aws.listFunctions(), (r) => `${r.length}`)
    return {refs, missing: []}
  }
  const names = [...new Set(target.functions ?? [])]
  if (names.length === 0) {
    throw new UserError('NO_FUNCTIONS', 'No function to audit', {
      suggestion: 'Run it in a tracegate project, name functions with --function NAME, or pass --all-functions',
    })
  }
  const found = await step(
    progress,
    'functions',
    `Find ${names.length} function${names.length === 1 ? '' : 's'}`,
    () => mapLimited(names, 8, (name) => aws.getFunction(name)),
    (r) => `${r.filter(Boolean).length} found`,
  )
  const refs = found.filter((r): r is FunctionRef => r !== undefined)
  const missing = names.filter((_, i) => found[i] === undefined)
  for (const name of missing) {
    progress.emit({step: `missing:${name}`, status: 'warn', label: `Function ${name} does not exist in ${aws.region}`})
  }
  return {refs, missing}
}

/** A kind of qualifier whose resource policies the audit reads: how to list them, and what to say when it may not. */
interface QualifierListing {
  kind: 'aliases' | 'versions'
  action: string
  list: (functionName: string) => Promise<string[] | undefined>
}

/**
 * The functions and, after each, its aliases, then (with `versions`) its published versions: each has a resource
 * policy of its own, which API Gateway needs when an integration names it (`orders:live`, `orders:3`). A function
 * whose aliases or versions may not be listed is audited without them, with a warning.
 */
async function withQualifiers(aws: PermissionsAws, refs: FunctionRef[], progress: Progress, versions: boolean): Promise<FunctionRef[]> {
  const listings: QualifierListing[] = [{kind: 'aliases', action: 'lambda:ListAliases', list: (name) => aws.listAliases(name)}]
  if (versions) listings.push({kind: 'versions', action: 'lambda:ListVersionsByFunction', list: (name) => aws.listVersions(name)})
  const found: (string[] | undefined)[][] = []
  for (const listing of listings) {
    found.push(
      await step(
        progress,
        listing.kind,
        `List the ${listing.kind} of ${refs.length} function${refs.length === 1 ? '' : 's'}`,
        () => mapLimited(refs, 8, (ref) => listing.list(ref.name)),
        (lists) => `${lists.reduce((n, names) => n + (names?.length ?? 0), 0)}`,
      ),
    )
  }
  const expanded: FunctionRef[] = []
  refs.forEach((ref, i) => {
    expanded.push(ref)
    listings.forEach((listing, l) => {
      const qualifiers = found[l][i]
      if (qualifiers === undefined) {
        progress.emit({
          step: `${listing.kind}:${ref.name}`,
          status: 'warn',
          label: `Not allowed to list the ${listing.kind} of ${ref.name} (${listing.action}): their policies are not audited`,
        })
        return
      }
      for (const qualifier of qualifiers) expanded.push({name: `${ref.name}:${qualifier}`, arn: `${ref.arn}:${qualifier}`})
    })
  })
  return expanded
}

async function readPolicies(aws: PermissionsAws, refs: FunctionRef[], progress: Progress): Promise<FunctionState[]> {
  return step(
    progress,
    'policies',
    `Read ${refs.length} resource polic${refs.length === 1 ? 'y' : 'ies'}`,
    () =>
      mapLimited(refs, 8, async (ref) => {
        const {policy, revisionId} = await aws.getPolicy(ref.name)
        return {ref, revisionId, policy: parsePolicy(policy)}
      }),
    (states) => `${states.reduce((n, s) => n + s.policy.statements.length, 0)} statements`,
  )
}

/**
 * Lists the APIs of every region the policies name (plus the functions' own), once per region, then reads
 * the stages and routes of the APIs that matter: those a statement names, the project's, or all.
 */
async function readSnapshot(
  aws: PermissionsAws,
  policies: ParsedPolicy[],
  target: PermissionsTarget,
  progress: Progress,
  stepId = 'apis',
): Promise<{snapshot: PermissionsSnapshot; summary: ApiReadSummary[]}> {
  const apiIds = new Set<string>()
  const regions = new Set<string>([aws.region])
  for (const policy of policies) {
    const refs = referencesOf(policy)
    for (const id of refs.apiIds) apiIds.add(id)
    for (const r of refs.regions) regions.add(r)
  }
  const listings = await step(
    progress,
    `${stepId}:list`,
    `List APIs in ${[...regions].join(', ')}`,
    async () => (await Promise.all([...regions].map((r) => aws.listApis(r)))).flat(),
    (l) => `${l.length}`,
  )
  const wanted = (api: ApiListing) =>
    target.allApis || apiIds.has(api.apiId) || (target.project !== undefined && api.region === aws.region && api.tags[PROJECT_TAG] === target.project)
  const toDescribe = listings.filter(wanted)
  const described = await step(
    progress,
    `${stepId}:describe`,
    `Read stages and routes of ${toDescribe.length} API${toDescribe.length === 1 ? '' : 's'}`,
    () => Promise.all(toDescribe.map((api) => aws.describeApi(api))),
  )
  const byKey = new Map(described.map((d) => [`${d.region}|${d.apiId}`, d]))
  const apis: ApiSnapshot[] = listings.map(
    (l) =>
      byKey.get(`${l.region}|${l.apiId}`) ?? {apiId: l.apiId, type: l.type, name: l.name, region: l.region, stages: [], routeKeys: [], detailed: false},
  )
  const summary = [...regions].map((region) => ({
    region,
    listed: listings.filter((l) => l.region === region).length,
    described: toDescribe.filter((l) => l.region === region).length,
  }))
  return {snapshot: {apis, regions: [...regions]}, summary}
}

function auditOne(state: FunctionState, snapshot: PermissionsSnapshot): FunctionAudit {
  return auditPolicy({functionArn: state.ref.arn, policy: state.policy, revisionId: state.revisionId, snapshot})
}

function warnSize(audit: FunctionAudit, progress: Progress): void {
  if (!audit.size.nearLimit) return
  progress.emit({
    step: `size:${audit.functionName}`,
    status: 'warn',
    label: `The policy of ${audit.functionName} is at ${Math.round(audit.size.ratio * 100)} % of Lambda's 20,480-byte limit`,
    detail: `${audit.size.bytes} bytes`,
  })
}

/** `tracegate permissions`: audit the resource policies of the target functions. */
export async function auditPermissions(aws: PermissionsAws, target: PermissionsTarget, progress: Progress): Promise<AuditReport> {
  const {refs, missing} = await resolveFunctions(aws, target, progress)
  const states = await readPolicies(aws, refs, progress)
  const {snapshot, summary} = await readSnapshot(
    aws,
    states.map((s) => s.policy),
    target,
    progress,
  )
  const functions = states.map((s) => auditOne(s, snapshot))
  for (const audit of functions) warnSize(audit, progress)
  return {region: aws.region, functions, missingFunctions: missing, apis: summary, awsCalls: aws.requestCount()}
}

// ---------------------------------------------------------------------------------------------------------

const statementText = (policy: ParsedPolicy, sid: string): string | undefined => {
  const s = policy.statements.find((x) => x.sid === sid)
  return s ? JSON.stringify(s.raw) : undefined
}

async function pruneFunction(
  aws: PermissionsAws,
  initial: FunctionState,
  initialSnapshot: PermissionsSnapshot,
  plan: PrunePlan,
  request: PruneRequest,
  progress: Progress,
): Promise<FunctionPruneResult> {
  const name = initial.ref.name
  const maxReplans = request.maxReplans ?? 5
  // What the user confirmed: these statements, exactly as they read when planned.
  const confirmed = new Map(plan.removals.map((r) => [r.sid, statementText(initial.policy, r.sid)]))
  const result: FunctionPruneResult = {
    functionName: name,
    functionArn: initial.ref.arn,
    planned: plan.removals,
    removed: [],
    alreadyGone: [],
    notRemoved: [],
    skipped: plan.skipped,
    replans: 0,
    bytesBefore: initial.policy.bytes,
    bytesAfter: initial.policy.bytes,
    bytesFreed: 0,
  }
  const settled = new Set<string>()
  let policy = initial.policy
  let revisionId = initial.revisionId
  let snapshot = initialSnapshot
  let pending = plan.removals

  while (pending.length > 0) {
    const next = pending[0]
    let changedByOthers = false
    try {
      const outcome = await step(progress, `remove:${name}:${next.sid}`, `Remove ${next.sid} from ${name}`, () =>
        aws.removePermission(name, next.sid, revisionId),
      (o) => (o === 'missing' ? 'already gone' : `${next.status}, ${next.bytes} bytes`))
      settled.add(next.sid)
      if (outcome === 'removed') result.removed.push(next)
      else result.alreadyGone.push(next.sid)
    } catch (error) {
      if (!(error instanceof PolicyChangedError)) {
        const e = error as {code?: string; message?: string}
        result.error = {code: e.code ?? 'AWS_ERROR', message: e.message ?? String(error)}
        for (const r of pending) result.notRemoved.push({sid: r.sid, reason: `not attempted after an error: ${result.error.message}`})
        break
      }
      result.replans++
      if (result.replans > maxReplans) {
        result.error = {code: 'POLICY_KEEPS_CHANGING', message: `The policy of ${name} changed ${result.replans} times during the prune`}
        for (const r of pending) result.notRemoved.push({sid: r.sid, reason: 'the policy kept changing; run prune again later'})
        break
      }
      progress.emit({
        step: `replan:${name}:${result.replans}`,
        status: 'warn',
        label: `The policy of ${name} changed during the prune (412); re-reading it and planning again`,
      })
      changedByOthers = true
    }

    // RemovePermission returns no RevisionId: read the policy again for the next removal, and re-plan from
    // what is really there now.
    const fresh = await aws.getPolicy(name)
    const freshPolicy = parsePolicy(fresh.policy)
    const known = new Set(policy.statements.map((s) => JSON.stringify(s.raw)))
    const added = freshPolicy.statements.some((s) => !known.has(JSON.stringify(s.raw)))
    if (changedByOthers || added) {
      // New statements may name APIs created since we listed them: list again before judging them.
      snapshot = (await readSnapshot(aws, [freshPolicy], {...request, allApis: false}, progress, `apis:${name}:${result.replans}`)).snapshot
    }
    policy = freshPolicy
    revisionId = fresh.revisionId
    const state: FunctionState = {ref: initial.ref, revisionId, policy}
    const audit = auditOne(state, snapshot)
    const replan = planPrune(audit, policy, request)
    const stillPlanned = new Map(replan.removals.map((r) => [r.sid, r]))
    pending = []
    for (const [sid, text] of confirmed) {
      if (settled.has(sid)) continue
      const now = statementText(policy, sid)
      if (now === undefined) {
        settled.add(sid)
        result.alreadyGone.push(sid)
        continue
      }
      const r = stillPlanned.get(sid)
      if (now !== text) {
        settled.add(sid)
        result.notRemoved.push({sid, reason: 'the statement changed since the plan; left in place'})
      } else if (!r) {
        settled.add(sid)
        const status: StatementStatus | undefined = audit.statements.find((s) => s.sid === sid)?.status
        result.notRemoved.push({sid, reason: `no longer prunable after re-reading the policy (now ${status ?? 'unknown'})`})
      } else {
        pending.push(r)
      }
    }
    result.bytesAfter = policy.bytes
  }
  result.bytesFreed = result.bytesBefore - result.bytesAfter
  return result
}

/** `tracegate permissions prune`: plan, confirm, then remove exactly the planned statements. */
export async function prunePermissions(aws: PermissionsAws, request: PruneRequest, progress: Progress): Promise<PruneReport> {
  const {refs, missing} = await resolveFunctions(aws, request, progress)
  const states = await readPolicies(aws, refs, progress)
  const {snapshot} = await readSnapshot(
    aws,
    states.map((s) => s.policy),
    request,
    progress,
  )
  const plans = states.map((s) => planPrune(auditOne(s, snapshot), s.policy, request))
  const planned = plans.reduce((n, p) => n + p.removals.length, 0)
  const report: PruneReport = {
    region: aws.region,
    dryRun: Boolean(request.dryRun),
    confirmed: false,
    plans,
    functions: [],
    missingFunctions: missing,
    totals: {planned, removed: 0, bytesFreed: 0, failed: 0},
    awsCalls: 0,
  }
  if (request.dryRun || planned === 0) {
    report.awsCalls = aws.requestCount()
    return report
  }
  if (request.confirm && !(await request.confirm(plans))) {
    report.awsCalls = aws.requestCount()
    return report
  }
  report.confirmed = true
  for (const [i, plan] of plans.entries()) {
    if (plan.removals.length === 0) continue
    const outcome = await pruneFunction(aws, states[i], snapshot, plan, request, progress)
    report.functions.push(outcome)
    report.totals.removed += outcome.removed.length
    report.totals.bytesFreed += outcome.bytesFreed
    if (outcome.error) report.totals.failed++
  }
  report.awsCalls = aws.requestCount()
  return report
}
