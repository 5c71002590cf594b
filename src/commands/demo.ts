import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {type DemoResult, runDemo} from '../demo/demo.js'
import {EXIT_CODES} from '../errors.js'
import {formatDemoResult} from '../ui/demo-format.js'

export default class Demo extends BaseCommand<typeof Demo> {
  static summary = 'Run the whole story on the embedded emulator: deploy, break, call, diagnose, trace, prune, destroy'
  static description = `Needs no AWS account. In a temporary directory, tracegate scaffolds a project with four endpoints (one fine, one that throws, one that returns a malformed response, one whose invoke permission it removes), deploys them to the embedded emulator (reusing a running one, else starting a private one), calls each through the gateway and diagnoses the answer, shows the trace waterfall of the failure, attaches a second API to a function and deletes it to prune the stale permission, destroys everything, and stops the emulator if it started it. Nothing is left behind.`

  static examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --json | jq .calls']

  static flags = {
    keep: Flags.boolean({summary: 'Keep the temporary project directory (its path is printed).'}),
    port: Flags.integer({summary: 'Port for the emulator the demo starts (default: a free one).', min: 0, max: 65535}),
  }

  private report?: string

  async run(): Promise<DemoResult> {
    const progress = await this.progress()
    const result = await runDemo({progress, keep: this.flags.keep, port: this.flags.port})
    if (!result.allExpected) process.exitCode = EXIT_CODES.failure
    const width = process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 100
    this.report = formatDemoResult(result, this.palette(), width)
    return result
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error && this.report) this.out(this.report)
    return done
  }
}
