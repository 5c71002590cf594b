import {Flags} from '@oclif/core'
import {createPermissionsAws} from '../../aws/permissions.js'
import {AwsCommand} from '../../base-command.js'
import {EXIT_CODES, UserError} from '../../errors.js'
import type {PrunePlan} from '../../permissions/prune.js'
import {type PruneReport, prunePermissions} from '../../permissions/service.js'
import {permissionsTarget} from '../../permissions/target.js'
import {type Progress, silentProgress} from '../../progress.js'
import {paletteFor} from '../../ui/colors.js'
import {canAsk, confirm} from '../../ui/deploy-confirm.js'
import {formatPrunePlans, formatPruneReport} from '../../ui/permissions/format.js'

export default class PermissionsPrune extends AwsCommand<typeof PermissionsPrune> {
  static summary = 'Remove the invoke statements the audit proved stale, and nothing else'
  static description = `Audits like "tracegate permissions", then removes the statements that are stale-api, stale-stage, stale-route, region-mismatch or duplicate (and over-broad ones with --include over-broad, unless one is the only grant for a route). Foreign and unparseable statements are never touched.

Shows the plan and asks on a terminal; without one it requires --yes. Every removal carries the policy's RevisionId: if the policy changes meanwhile (a concurrent deploy), Lambda refuses (412) and prune re-reads the policy and the APIs and plans again, removing only statements you confirmed that are still stale. Reports the bytes freed.`

  static examples = [
    '<%= config.bin %> permissions prune --dry-run',
    '<%= config.bin %> permissions prune',
    '<%= config.bin %> permissions prune --yes --include over-broad',
    '<%= config.bin %> permissions prune --all-functions --yes --json',
  ]

  static flags = {
    function: Flags.string({char: 'f', multiple: true, summary: 'Prune this function\'s policy (name or ARN; repeatable) instead of the project\'s functions.'}),
    'all-functions': Flags.boolean({summary: 'Prune the policies of every function of the region.'}),
    'all-apis': Flags.boolean({summary: 'Read the routes of every API of the region, not only those a statement names or the project owns.'}),
    versions: Flags.boolean({summary: "Also prune each published version's own resource policy (one ListVersionsByFunction per function, then one GetPolicy per version)."}),
    yes: Flags.boolean({char: 'y', summary: 'Remove without asking (required when there is no terminal to ask on).'}),
    'dry-run': Flags.boolean({summary: 'Show what would be removed and remove nothing.'}),
    include: Flags.string({
      multiple: true,
      options: ['over-broad'],
      summary: 'Also remove statements of this status (only over-broad; a statement that is the only grant for a route is kept).',
    }),
  }

  private report?: PruneReport

  async run(): Promise<PruneReport> {
    const {flags} = this
    // tracegate.json is optional when the functions are named on the command line.
    const project = await this.optionalProject()
    const target = permissionsTarget(project, flags)
    const ask = !flags.yes && !flags['dry-run']
    const mode = this.outputMode()
    const clients = await this.aws(project)
    const aws = await createPermissionsAws(clients, {profile: (flags as {profile?: string}).profile || process.env.AWS_PROFILE || undefined})

    // While a question may be pending, no live Ink step list runs (it would redraw over the prompt); plain
    // progress lines are fine. After the answer, progress goes to the command's renderer.
    let current: Progress = mode === 'json' || (ask && mode === 'ink') ? silentProgress : await this.progress()
    const progress: Progress = {emit: (event) => current.emit(event)}
    const confirmPlans = async (plans: PrunePlan[]): Promise<boolean> => {
      if (ask) {
        const total = plans.reduce((n, p) => n + p.removals.length, 0)
        if (!canAsk()) {
          throw new UserError('CONFIRMATION_REQUIRED', `prune would remove ${total} statement${total === 1 ? '' : 's'} and needs a confirmation, but there is no terminal to ask on`, {
            suggestion: 'Look first with --dry-run, then run again with --yes',
          })
        }
        process.stderr.write(formatPrunePlans(plans, paletteFor(process.stderr)))
        if (!(await confirm(`Remove these ${total} statement${total === 1 ? '' : 's'}?`))) return false
      }
      if (mode !== 'json') current = await this.progress()
      return true
    }

    const report = await prunePermissions(
      aws,
      {...target, include: flags.include as 'over-broad'[] | undefined, dryRun: flags['dry-run'], confirm: confirmPlans},
      progress,
    )
    if (report.totals.failed > 0) process.exitCode = report.totals.removed > 0 ? EXIT_CODES.partial : EXIT_CODES.failure
    this.report = report
    return report
  }


  /** The result goes to stdout once the live step list (stderr) has finished, so no redraw erases it. */
  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error && this.report) this.out(formatPruneReport(this.report, this.palette()))
    return done
  }
}
