import {Flags} from '@oclif/core'
import {createPermissionsAws} from '../../aws/permissions.js'
import {AwsCommand} from '../../base-command.js'
import {type AuditReport, auditPermissions} from '../../permissions/service.js'
import {permissionsTarget, pruneCommand} from '../../permissions/target.js'
import {silentProgress} from '../../progress.js'
import {renderAudit} from '../../ui/permissions/render.js'

export default class Permissions extends AwsCommand<typeof Permissions> {
  static summary = 'Audit the lambda:InvokeFunction statements of resource policies: ok, stale, duplicate, over-broad'
  static description = `Reads the resource policy of each function (the project's, --function NAME, or --all-functions) and of each of its aliases (with --versions, of each published version too: an integration that names one needs its own grant), then the APIs of the region once, and classifies every statement:
  ok               grants API Gateway a route that exists and integrates with the function
  stale-api        the API no longer exists
  stale-stage      the stage no longer exists
  stale-route      no route the source ARN can match (or only routes of other functions)
  region-mismatch  the source ARN names a region the API is not in, so it never matches
  duplicate        another statement already grants the same routes or more
  over-broad       grants every method and path (apiId/*/*) or every API, beyond what the routes need
  foreign          another principal (S3, EventBridge, an account), a Deny, an authorizer, or no source ARN: never touched
  unparseable      a statement tracegate cannot read: never touched
It also lists the routes of the function that no statement grants (API Gateway answers them with 500), shows the policy size against Lambda's 20,480-byte limit (warning from 80 %), and marks the statements tracegate created (*).

Read-only. Remove what is stale with: tracegate permissions prune.`

  static examples = [
    '<%= config.bin %> permissions',
    '<%= config.bin %> permissions --function orders-getOrder --function orders-createOrder',
    '<%= config.bin %> permissions --all-functions --region eu-west-1',
    '<%= config.bin %> permissions --function orders-getOrder --versions',
    '<%= config.bin %> permissions --json | jq \'.functions[].statements[] | select(.status != "ok")\'',
  ]

  static flags = {
    function: Flags.string({
      char: 'f',
      multiple: true,
      summary: 'Audit this function (name or ARN; repeatable) instead of the project\'s functions.',
    }),
    'all-functions': Flags.boolean({summary: 'Audit every function of the region (ListFunctions).'}),
    'all-apis': Flags.boolean({
      summary: 'Read the routes of every API of the region, not only those a statement names or the project owns (finds more routes without a grant; 2-3 calls per API).',
    }),
    versions: Flags.boolean({summary: "Also audit each published version's own resource policy (one ListVersionsByFunction per function, then one GetPolicy per version)."}),
  }

  async run(): Promise<AuditReport> {
    const {flags} = this
    // tracegate.json is optional when the functions are named on the command line.
    const project = await this.optionalProject()
    const target = permissionsTarget(project, flags)
    const clients = await this.aws(project)
    const aws = await createPermissionsAws(clients, {profile: (flags as {profile?: string}).profile || process.env.AWS_PROFILE || undefined})
    const mode = this.outputMode()
    const report = await auditPermissions(aws, target, mode === 'json' ? silentProgress : await this.progress())
    this.report = report
    return report
  }

  private report?: AuditReport


  /** The table goes to stdout after the live step list (stderr) has finished, so no redraw erases it. */
  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error && this.report) await renderAudit(this.report, this.outputMode(), pruneCommand(this.flags))
    return done
  }
}
