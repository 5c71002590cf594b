import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {createProject, FIRST_ROUTE, type NewProjectResult} from '../scaffold/new-project.js'
import {API_TEMPLATES, LANGS} from '../scaffold/types.js'
import {describeNewProject} from '../scaffold/summary.js'

export default class New extends BaseCommand<typeof New> {
  static summary = `Create a project: tracegate.json, a first endpoint (${FIRST_ROUTE}) with its handler, test and sample events`
  static description = `Scaffolds a project whose own "npm test" passes at once (Node's built-in test runner; no install needed for JavaScript). Refuses a non-empty directory unless --force, and never overwrites an existing file.`
  static examples = [
    '<%= config.bin %> new demo-app',
    '<%= config.bin %> new orders --template rest-api --lang ts --region us-east-2',
  ]

  static args = {
    dir: Args.string({description: 'Directory to create the project in (created if missing)', required: true}),
  }

  static flags = {
    name: Flags.string({summary: 'Project name; prefixes every Lambda function name (default: the directory name).'}),
    template: Flags.option({
      options: API_TEMPLATES,
      default: 'http-api' as const,
      summary: 'API type: http-api (HTTP API, payload 2.0) or rest-api (REST API, payload 1.0).',
    })(),
    lang: Flags.option({options: LANGS, default: 'js' as const, summary: 'Handler language: js (ES modules, .mjs) or ts.'})(),
    region: Flags.string({summary: 'AWS region to write into tracegate.json.'}),
    force: Flags.boolean({summary: 'Scaffold into a non-empty directory (existing files are still never overwritten).'}),
  }

  /** Result lines, printed once the progress display has finished (an Ink frame redraw would erase them). */
  private summaryLines: string[] = []

  async run(): Promise<NewProjectResult> {
    const result = await createProject({
      dir: this.args.dir,
      name: this.flags.name,
      template: this.flags.template,
      lang: this.flags.lang,
      region: this.flags.region,
      force: this.flags.force,
      progress: await this.progress(),
    })
    this.summaryLines = describeNewProject(result, this.palette())
    return result
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error) for (const line of this.summaryLines) this.out(line)
    return done
  }
}
