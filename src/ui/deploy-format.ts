/**
 * Human views of deploy and destroy results (the --json view is the result object itself). Pure strings, so
 * they are tested without a terminal.
 */
import type {DeployResult} from '../deploy/deploy.js'
import type {DestroyResult} from '../deploy/destroy.js'
import type {ActionKind, PlanAction} from '../deploy/model.js'
import type {Palette} from './colors.js'

const SYMBOL: Record<ActionKind, string> = {create: '+', update: '~', delete: '-', noop: '='}
const VERB: Record<ActionKind, string> = {create: 'create', update: 'update', delete: 'delete', noop: 'unchanged'}

function colour(c: Palette, action: ActionKind): (s: string) => string {
  return action === 'create' ? c.green : action === 'update' ? c.yellow : action === 'delete' ? c.red : c.dim
}

/** One line per planned action: `+ create     function     orders-getOrder   not in AWS yet`. */
export function formatPlan(actions: readonly PlanAction[], c: Palette, options: {hideUnchanged?: boolean} = {}): string[] {
  const shown = options.hideUnchanged ? actions.filter((a) => a.action !== 'noop') : actions
  const nameWidth = Math.min(48, Math.max(0, ...shown.map((a) => a.name.length)))
  return shown.map((a) => {
    const paint = colour(c, a.action)
    const reason = a.action === 'noop' && a.reason === 'unchanged' ? '' : a.reason
    return `  ${paint(`${SYMBOL[a.action]} ${VERB[a.action].padEnd(9)}`)} ${a.resource.padEnd(11)} ${a.name.padEnd(nameWidth)}  ${c.dim(reason)}`.trimEnd()
  })
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function routeLines(result: DeployResult, c: Palette): string[] {
  if (result.routes.length === 0) return []
  const keyWidth = Math.max(...result.routes.map((r) => r.routeKey.length))
  const urlWidth = Math.max(...result.routes.map((r) => (r.url ?? '').length))
  return [
    c.bold('Routes'),
    ...result.routes.map((r) => `  ${r.routeKey.padEnd(keyWidth)}  ${(r.url ?? c.dim('(after deploy)')).padEnd(urlWidth)}  ${c.dim(`→ ${r.function}`)}`),
  ]
}

export function formatDeployResult(result: DeployResult, c: Palette): string {
  const s = result.summary
  const lines: string[] = []
  if (result.dryRun) {
    lines.push(`${c.bold('Plan')} for ${result.project} in ${result.region} ${c.dim('(dry run: nothing was changed)')}`)
    lines.push(...formatPlan(result.plan, c))
    lines.push(
      s.changes === 0
        ? c.green('No changes: AWS already matches tracegate.json.')
        : `${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.noop} unchanged. Run without --dry-run to apply.`,
    )
  } else if (s.changes === 0) {
    lines.push(`${c.green('✓')} No changes: ${result.project} in ${result.region} is up to date ${c.dim(`(${plural(s.noop, 'resource')} unchanged)`)}`)
  } else {
    const parts = [s.create && `${s.create} created`, s.update && `${s.update} updated`, s.delete && `${s.delete} deleted`, s.noop && `${s.noop} unchanged`].filter(Boolean)
    lines.push(`${c.green('✓')} Deployed ${result.project} to ${result.region}: ${parts.join(', ')}`)
  }
  for (const w of result.warnings) lines.push(`${c.yellow('!')} ${w}`)
  if (result.url) lines.push('', `${c.bold('URL')}  ${c.cyan(result.url)}`)
  if (!result.dryRun || result.url) lines.push(...routeLines(result, c))
  return lines.join('\n')
}

export function formatDestroyPlan(result: Pick<DestroyResult, 'project' | 'region' | 'plan'>, c: Palette): string {
  return [`${c.bold('Destroy')} ${result.project} in ${result.region}: these resources will be deleted`, ...formatPlan(result.plan, c)].join('\n')
}

export function formatDestroyResult(result: DestroyResult & {cancelled?: boolean}, c: Palette): string {
  const s = result.summary
  if (s.changes === 0) return `${c.green('✓')} Nothing to destroy: no resources tagged tracegate:project=${result.project} in ${result.region}`
  if (result.cancelled) return `${c.yellow('!')} Cancelled: nothing was deleted.`
  if (result.dryRun) return `${formatDestroyPlan(result, c)}\n${c.dim('(dry run: nothing was deleted; run without --dry-run to delete)')}`
  const parts = [
    result.apiIds.length && plural(result.apiIds.length, 'API'),
    result.functions.length && plural(result.functions.length, 'function'),
    result.role && `role ${result.role}`,
  ].filter(Boolean)
  return `${c.green('✓')} Destroyed ${result.project} in ${result.region}: ${parts.join(', ')}`
}
