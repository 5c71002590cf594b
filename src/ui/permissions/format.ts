/**
 * Plain-text views of `tracegate permissions` and `tracegate permissions prune` (pipes, CI, NO_COLOR). The
 * --json view is the result object itself.
 */
import type {PrunePlan} from '../../permissions/prune.js'
import type {AuditReport, PruneReport} from '../../permissions/service.js'
import type {Palette} from '../colors.js'
import {type AuditView, auditView, type FunctionView, sizeText, type Tone} from './model.js'

export function paint(c: Palette, tone: Tone): (s: string) => string {
  switch (tone) {
    case 'ok':
      return c.green
    case 'stale':
      return c.red
    case 'warn':
      return c.yellow
    case 'bad':
      return c.magenta
    case 'dim':
      return c.dim
  }
}

const STATUS_WIDTH = 15
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
const number = (n: number) => n.toLocaleString('en-US')

export function formatFunctionView(view: FunctionView, c: Palette): string[] {
  const lines = [`${c.bold(view.name)} ${c.dim(view.region)}  policy ${paint(c, view.sizeTone)(view.size)}`]
  if (view.problem) lines.push(`  ${c.magenta('!')} the policy could not be read: ${view.problem}`)
  if (view.rows.length === 0 && !view.problem) lines.push(c.dim('  no resource policy'))
  const sidWidth = Math.min(40, Math.max(0, ...view.rows.map((r) => r.sid.length + (r.mine ? 2 : 0))))
  for (const row of view.rows) {
    const sid = `${row.sid}${row.mine ? ' *' : ''}`
    lines.push(`  ${paint(c, row.tone)(row.status.padEnd(STATUS_WIDTH))} ${sid.padEnd(sidWidth)}  ${row.grant}`)
    lines.push(`  ${' '.repeat(STATUS_WIDTH)} ${c.dim(row.reason)}`)
  }
  if (view.uncovered.length > 0) {
    lines.push(`  ${c.yellow(`${plural(view.uncovered.length, 'route')} no statement grants (API Gateway answers 500):`)}`)
    for (const r of view.uncovered) {
      const denied = r.deniedBy ? c.dim(` (denied by ${r.deniedBy})`) : ''
      lines.push(`    ${r.route} on ${r.stage} of API ${r.api}${denied}  ${c.dim(`grant: ${r.add}`)}`)
    }
  }
  lines.push(`  ${c.dim(view.summary)}`)
  return lines
}

export function formatAuditView(view: AuditView, c: Palette): string {
  const lines: string[] = []
  for (const f of view.functions) lines.push(...formatFunctionView(f, c), '')
  for (const name of view.missing) lines.push(`${c.yellow('!')} function ${name} does not exist`)
  if (view.functions.some((f) => f.rows.some((r) => r.mine))) lines.push(c.dim('* created by tracegate'))
  lines.push(view.footer)
  return `${lines.join('\n')}\n`
}

export function formatAuditReport(report: AuditReport, c: Palette): string {
  return formatAuditView(auditView(report), c)
}

/** The plan shown before asking (and for --dry-run). */
export function formatPrunePlans(plans: readonly PrunePlan[], c: Palette): string {
  const lines: string[] = []
  for (const plan of plans) {
    if (plan.removals.length === 0 && plan.skipped.length === 0) continue
    lines.push(
      `${c.bold(plan.functionName)} ${c.dim(plan.region)}  policy ${number(plan.bytesBefore)} → ${number(plan.bytesAfter)} bytes ${c.green(`(frees ${number(plan.bytesFreed)})`)}`,
    )
    const sidWidth = Math.min(40, Math.max(0, ...plan.removals.map((r) => r.sid.length)))
    for (const r of plan.removals) {
      lines.push(`  ${c.red('-')} ${r.status.padEnd(STATUS_WIDTH)} ${r.sid.padEnd(sidWidth)}  ${c.dim(r.reason)}`)
    }
    for (const s of plan.skipped) {
      lines.push(`  ${c.yellow('=')} ${s.status.padEnd(STATUS_WIDTH)} ${(s.sid ?? `#${s.index}`).padEnd(sidWidth)}  ${c.dim(`kept: ${s.reason}`)}`)
    }
  }
  const total = plans.reduce((n, p) => n + p.removals.length, 0)
  const freed = plans.reduce((n, p) => n + p.bytesFreed, 0)
  if (total === 0) lines.push(c.green('Nothing to prune: every statement is in use, foreign, or was not proven stale.'))
  else lines.push(`${plural(total, 'statement')} to remove, ${number(freed)} bytes freed.`)
  return `${lines.join('\n')}\n`
}

export function formatPruneReport(report: PruneReport, c: Palette): string {
  if (report.dryRun || report.totals.planned === 0) {
    const plan = formatPrunePlans(report.plans, c)
    return report.dryRun && report.totals.planned > 0 ? `${plan}${c.dim('Dry run: nothing was removed. Run without --dry-run to remove them.')}\n` : plan
  }
  if (!report.confirmed) return `${c.yellow('Cancelled:')} nothing was removed.\n`
  const lines: string[] = []
  for (const f of report.functions) {
    const mark = f.error ? c.yellow('!') : c.green('✓')
    lines.push(
      `${mark} ${f.functionName}: removed ${plural(f.removed.length, 'statement')}, ${sizeText(f.bytesAfter, 20_480)} ${c.dim(`(freed ${number(f.bytesFreed)} bytes)`)}`,
    )
    if (f.replans) lines.push(`  ${c.dim(`the policy changed during the prune; re-read and re-planned ${plural(f.replans, 'time')}`)}`)
    if (f.alreadyGone.length) lines.push(`  ${c.dim(`already removed by someone else: ${f.alreadyGone.join(', ')}`)}`)
    for (const n of f.notRemoved) lines.push(`  ${c.yellow('=')} ${n.sid}: ${n.reason}`)
    if (f.error) lines.push(`  ${c.red(f.error.message)}`)
  }
  lines.push(
    `${plural(report.totals.removed, 'statement')} removed, ${number(report.totals.bytesFreed)} bytes freed${report.totals.failed ? `; ${plural(report.totals.failed, 'function')} not finished` : ''}.`,
  )
  return `${lines.join('\n')}\n`
}
