import {Flags} from '@oclif/core'
import {AwsCommand} from '../base-command.js'
import {createDeployApis} from '../deploy/apis.js'
import {type DeployResult, deploy} from '../deploy/deploy.js'
import {checkDeployFlags} from '../deploy/desired.js'
import {formatDeployResult} from '../ui/deploy-format.js'

export default class Deploy extends AwsCommand<typeof Deploy> {
  static summary = 'Plan, then converge AWS to tracegate.json: functions, HTTP API, routes, permissions; prints the URL'
  static description = `Straight through the AWS SDKs (no CloudFormation, no state file): bundles each handler with esbuild into a reproducible zip, ensures the execution role {name}-lambda (unless "role" or --role is given), creates or updates only what differs in each function {name}-{function}, the HTTP API {name} (found by its tracegate:project tag), one Lambda proxy integration per function (payload 2.0), one route per route key, the stage, and one lambda:InvokeFunction statement per route scoped to its execute-api ARN with a deterministic id. What the config no longer has (routes, integrations, statements, functions tagged for the project) is removed.

Re-running is safe: unchanged code and settings make no write call, and an interrupted deploy converges when run again. --dry-run prints the plan and changes nothing.`

  static examples = [
    '<%= config.bin %> deploy',
    '<%= config.bin %> deploy --dry-run',
    '<%= config.bin %> deploy --stage prod --region eu-west-1',
    '<%= config.bin %> deploy --local',
    '<%= config.bin %> deploy --json | jq -r .url',
  ]

  static flags = {
    stage: Flags.string({summary: 'Stage to deploy to (default: "stage" in tracegate.json, else $default; a named stage is served under /{stage}).'}),
    'dry-run': Flags.boolean({summary: 'Print the plan (create / update / unchanged / delete, with reasons) and make no write call.'}),
    role: Flags.string({summary: 'Execution role ARN for the functions (default: "role" in tracegate.json, else tracegate manages {name}-lambda).'}),
  }

  private resultText?: string

  async run(): Promise<DeployResult> {
    const {flags} = this
    const project = await this.project()
    // Flags are checked before any AWS call (the service checks again; this keeps --local from starting the emulator).
    checkDeployFlags(project, {stage: flags.stage, roleArn: flags.role})
    const aws = await this.aws(project)
    const result = await deploy({
      project,
      apis: await createDeployApis(aws),
      region: aws.region,
      progress: await this.progress(),
      dryRun: flags['dry-run'],
      stage: flags.stage,
      roleArn: flags.role,
    })
    this.resultText = formatDeployResult(result, this.palette())
    return result
  }

  /** The result goes to stdout once the live step list (stderr) has finished, so no redraw erases it. */
  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error && this.resultText) this.out(this.resultText)
    return done
  }
}
