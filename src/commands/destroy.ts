import {Flags} from '@oclif/core'
import {AwsCommand} from '../base-command.js'
import {createDeployApis} from '../deploy/apis.js'
import {applyDestroy, type DestroyResult, destroyResult, planDestroy} from '../deploy/destroy.js'
import {UserError} from '../errors.js'
import {silentProgress} from '../progress.js'
import {paletteFor} from '../ui/colors.js'
import {canAsk, confirm} from '../ui/deploy-confirm.js'
import {formatDestroyPlan, formatDestroyResult} from '../ui/deploy-format.js'

export default class Destroy extends AwsCommand<typeof Destroy> {
  static summary = 'Remove what tracegate created for this project (found by its tracegate:project tag)'
  static description = `Deletes, for this project only: the HTTP API (with its routes, integrations and stages), every Lambda function tagged tracegate:project={name} (with the invoke statements tracegate added), and the execution role {name}-lambda if tracegate created it. Nothing without the project's tag is touched. Running it again reports nothing to do.

Asks for confirmation on a terminal; without one it requires --yes.`

  static examples = ['<%= config.bin %> destroy', '<%= config.bin %> destroy --dry-run', '<%= config.bin %> destroy --yes --json']

  static flags = {
    yes: Flags.boolean({char: 'y', summary: 'Delete without asking (required when there is no terminal to ask on).'}),
    'dry-run': Flags.boolean({summary: 'List what would be deleted and delete nothing.'}),
  }

  private resultText?: string

  async run(): Promise<DestroyResult & {cancelled?: boolean}> {
    const {flags} = this
    const project = await this.project({checkHandlers: false})
    const ask = !flags.yes && !flags['dry-run']
    if (ask && !canAsk()) {
      throw new UserError('CONFIRMATION_REQUIRED', `destroy deletes AWS resources of "${project.name}" and needs a confirmation, but there is no terminal to ask on`, {
        suggestion: 'Run again with --yes (or look first with --dry-run)',
      })
    }
    const aws = await this.aws(project)
    const apis = await createDeployApis(aws)
    const input = {project, apis, region: aws.region}
    // While a question is pending no live step list runs (it would redraw over the prompt).
    const plan = await planDestroy({...input, progress: ask ? silentProgress : await this.progress()})
    let result: DestroyResult & {cancelled?: boolean} = destroyResult(plan, Boolean(flags['dry-run']))
    if (plan.summary.changes > 0 && !flags['dry-run']) {
      if (ask) {
        process.stderr.write(`${formatDestroyPlan(result, paletteFor(process.stderr))}\n`)
        if (!(await confirm(`Delete these ${plan.summary.changes} resources?`))) {
          result = {...result, cancelled: true}
          this.resultText = formatDestroyResult(result, this.palette())
          return result
        }
      }
      await applyDestroy(plan, {...input, progress: await this.progress()})
    }
    this.resultText = formatDestroyResult(result, this.palette())
    return result
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error && this.resultText) this.out(this.resultText)
    return done
  }
}
