import type {FunctionAudit, RouteCoverage, StatementStatus} from './audit.js'
import {API_GATEWAY_PRINCIPAL, evaluateInvoke, type ParsedPolicy, policyBytesWithout} from './policy.js'

/**
 * The prune plan: which statements `tracegate permissions prune` removes. Only what the audit proved
 * useless (stale-*, region-mismatch, duplicate), plus over-broad grants when asked; never foreign or
 * unparseable statements. An over-broad grant that is the only thing letting a route invoke is kept, so a
 * prune never turns a working route into a 500.
 */

export type PrunableStatus = Extract<StatementStatus, 'stale-api' | 'stale-stage' | 'stale-route' | 'region-mismatch' | 'duplicate' | 'over-broad'>

export const DEFAULT_PRUNE_STATUSES: readonly PrunableStatus[] = ['stale-api', 'stale-stage', 'stale-route', 'region-mismatch', 'duplicate']

export interface PruneOptions {
  /** Extra statuses to remove; only `over-broad` is allowed. */
  include?: readonly 'over-broad'[]
}

export interface PlannedRemoval {
  sid: string
  index: number
  status: PrunableStatus
  reason: string
  bytes: number
  sourceArns: string[]
  createdByTracegate: boolean
}

export interface SkippedStatement {
  index: number
  sid?: string
  status: StatementStatus
  /** Why it stays although its status is prunable. */
  reason: string
}

export interface PrunePlan {
  functionArn: string
  functionName: string
  region: string
  /** The policy revision the plan was made from; every removal is conditional on it. */
  revisionId?: string
  removals: PlannedRemoval[]
  skipped: SkippedStatement[]
  bytesBefore: number
  bytesAfter: number
  bytesFreed: number
}

function uncoveredBy(audit: FunctionAudit, policy: ParsedPolicy, removed: ReadonlySet<number>): RouteCoverage[] {
  const remaining: ParsedPolicy = {...policy, statements: policy.statements.filter((s) => !removed.has(s.index))}
  return audit.routes.filter(
    (route) =>
      route.grantedBy !== undefined &&
      !evaluateInvoke(remaining, {
        principal: API_GATEWAY_PRINCIPAL,
        functionArn: audit.functionArn,
        sourceArn: route.presentedArn,
        sourceAccount: audit.account,
      }).allowed,
  )
}

/** Plans the removals for one audited function. `policy` is the parsed policy the audit was made from. */
export function planPrune(audit: FunctionAudit, policy: ParsedPolicy, options: PruneOptions = {}): PrunePlan {
  const statuses = new Set<StatementStatus>([...DEFAULT_PRUNE_STATUSES, ...(options.include ?? [])])
  const removals: PlannedRemoval[] = []
  const skipped: SkippedStatement[] = []
  const removed = new Set<number>()
  const toRemoval = (s: FunctionAudit['statements'][number]): PlannedRemoval => ({
    sid: s.sid!,
    index: s.index,
    status: s.status as PrunableStatus,
    reason: s.reason,
    bytes: s.bytes,
    sourceArns: s.sourceArns,
    createdByTracegate: s.createdByTracegate,
  })

  const candidates = audit.statements.filter((s) => statuses.has(s.status))
  // Proven-useless statements first; over-broad ones are then checked one by one against what is left.
  for (const s of candidates.filter((c) => c.status !== 'over-broad')) {
    if (!s.sid) {
      skipped.push({index: s.index, status: s.status, reason: 'it has no Sid, and RemovePermission needs a statement id'})
      continue
    }
    removals.push(toRemoval(s))
    removed.add(s.index)
  }
  for (const s of candidates.filter((c) => c.status === 'over-broad')) {
    if (!s.sid) {
      skipped.push({index: s.index, status: s.status, reason: 'it has no Sid, and RemovePermission needs a statement id'})
      continue
    }
    const attempt = new Set([...removed, s.index])
    const lost = uncoveredBy(audit, policy, attempt)
    if (lost.length > 0) {
      const routes = [...new Set(lost.map((r) => `${r.routeKey} on ${r.stage}`))]
      skipped.push({
        index: s.index,
        sid: s.sid,
        status: s.status,
        reason: `it is the only grant for ${routes.slice(0, 4).join(', ')}${routes.length > 4 ? ` and ${routes.length - 4} more` : ''}; run tracegate deploy to add per-route grants first`,
      })
      continue
    }
    removals.push(toRemoval(s))
    removed.add(s.index)
  }
  removals.sort((a, b) => a.index - b.index)
  const bytesAfter = policyBytesWithout(policy, removed)
  return {
    functionArn: audit.functionArn,
    functionName: audit.functionName,
    region: audit.region,
    ...(audit.revisionId ? {revisionId: audit.revisionId} : {}),
    removals,
    skipped,
    bytesBefore: policy.bytes,
    bytesAfter,
    bytesFreed: policy.bytes - bytesAfter,
  }
}
