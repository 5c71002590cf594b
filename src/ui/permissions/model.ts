/**
 * What the permission views show, as plain data: the plain-text formatter and the Ink table both render this,
 * so the wording is tested once without a terminal (STYLE rule 4).
 */
import type {FunctionAudit, StatementAudit, StatementStatus} from '../../permissions/audit.js'
import {DEFAULT_PRUNE_STATUSES} from '../../permissions/prune.js'
import type {AuditReport} from '../../permissions/service.js'

export type Tone = 'ok' | 'stale' | 'warn' | 'dim' | 'bad'

export const STATUS_TONE: Record<StatementStatus, Tone> = {
  ok: 'ok',
  'stale-api': 'stale',
  'stale-stage': 'stale',
  'stale-route': 'stale',
  'region-mismatch': 'stale',
  duplicate: 'stale',
  'over-broad': 'warn',
  foreign: 'dim',
  unparseable: 'bad',
}

export interface StatementRow {
  status: StatementStatus
  tone: Tone
  /** Sid, or `#index` when the statement has none. */
  sid: string
  mine: boolean
  /** What it grants, short: the execute-api resource (`abc/prod/GET/x`), or the principal for foreign ones. */
  grant: string
  reason: string
  prunable: boolean
}

export interface RouteRow {
  route: string
  stage: string
  api: string
  add: string
  deniedBy?: string
}

export interface FunctionView {
  name: string
  region: string
  /** `19,850 / 20,480 bytes (97 %)` */
  size: string
  sizeTone: Tone
  rows: StatementRow[]
  uncovered: RouteRow[]
  /** `3 ok, 1 stale-api, 2 foreign · 2 by tracegate` */
  summary: string
  prunable: number
  problem?: string
}

const number = (n: number) => n.toLocaleString('en-US')

/** The execute-api resource part (after the account), with the region when it is not the function's. */
function shortGrant(s: StatementAudit, region: string): string {
  if (s.sourceArns.length === 0) return s.principal || '-'
  return s.sourceArns
    .map((arn) => {
      const parts = arn.split(':')
      if (parts.length < 6 || parts[2] !== 'execute-api') return arn
      const resource = parts.slice(5).join(':')
      return parts[3] === region ? resource : `${parts[3]}:${resource}`
    })
    .join(', ')
}

export function sizeText(bytes: number, limit: number): string {
  return `${number(bytes)} / ${number(limit)} bytes (${Math.round((bytes / limit) * 100)} %)`
}

export function functionView(audit: FunctionAudit, options: {includeOverBroad?: boolean} = {}): FunctionView {
  const prunableStatuses = new Set<StatementStatus>([...DEFAULT_PRUNE_STATUSES, ...(options.includeOverBroad ? (['over-broad'] as const) : [])])
  const rows = audit.statements.map<StatementRow>((s) => ({
    status: s.status,
    tone: STATUS_TONE[s.status],
    sid: s.sid ?? `#${s.index}`,
    mine: s.createdByTracegate,
    grant: shortGrant(s, audit.region),
    reason: s.reason,
    prunable: prunableStatuses.has(s.status) && s.sid !== undefined,
  }))
  const counts = Object.entries(audit.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
  const summary = [
    counts.length ? counts.join(', ') : 'no statements',
    `${audit.tracegateStatements} by tracegate`,
  ].join(' · ')
  return {
    name: audit.functionName,
    region: audit.region,
    size: sizeText(audit.size.bytes, audit.size.limit),
    sizeTone: audit.size.overLimit ? 'bad' : audit.size.nearLimit ? 'warn' : 'dim',
    rows,
    uncovered: audit.uncoveredRoutes.map((r) => ({
      route: r.routeKey,
      stage: r.stage,
      api: r.apiId,
      add: r.suggestedSourceArn,
      deniedBy: r.deniedBy,
    })),
    summary,
    prunable: rows.filter((r) => r.prunable).length,
    problem: audit.policyProblem,
  }
}

export interface AuditView {
  functions: FunctionView[]
  missing: string[]
  /** The closing line: what to do next. */
  footer: string
}

/** `prune` is the command that prunes what this audit covered (`pruneCommand`), shown when there is something to prune. */
export function auditView(report: AuditReport, prune = 'tracegate permissions prune'): AuditView {
  const functions = report.functions.map((f) => functionView(f))
  const prunable = functions.reduce((n, f) => n + f.prunable, 0)
  const uncovered = functions.reduce((n, f) => n + f.uncovered.length, 0)
  const near = report.functions.filter((f) => f.size.nearLimit).length
  const parts: string[] = []
  parts.push(
    `${functions.length} function${functions.length === 1 ? '' : 's'} audited with ${report.awsCalls} AWS call${report.awsCalls === 1 ? '' : 's'}`,
  )
  if (near) parts.push(`${near} near the 20,480-byte limit`)
  if (uncovered) parts.push(`${uncovered} route${uncovered === 1 ? '' : 's'} without a grant (they answer 500: run tracegate deploy)`)
  parts.push(prunable ? `${prunable} statement${prunable === 1 ? '' : 's'} to prune: ${prune}` : 'nothing to prune')
  return {functions, missing: report.missingFunctions, footer: parts.join('; ')}
}
