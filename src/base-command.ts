import {Command, Flags, type Interfaces} from '@oclif/core'
import {type AwsClients, createAwsClients} from './aws/clients.js'
import {profileRegion} from './aws/profile-region.js'
import type {ProjectConfig} from './config/schema.js'
import {EXIT_CODES, isUserError, UserError} from './errors.js'
import type {Progress} from './progress.js'
import {paletteFor} from './ui/colors.js'
import {detectOutputMode, type OutputMode} from './ui/mode.js'
import {createProgressRenderer, type ProgressRenderer} from './ui/render.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * Every command: --json (oclif's enableJsonFlag), output-mode detection at run time, progress rendering,
 * and one error policy (UserError → message + "Try:" + its exit code; anything else is reported as a bug).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static enableJsonFlag = true
  static baseFlags = {}

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  private renderer?: ProgressRenderer
  /** Result lines written while an Ink render is live; Ink would erase them with its next frame. */
  private heldOutput: string[] = []

  public async init(): Promise<void> {
    await super.init()
    const {args, flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
  }

  /** `json` with --json; `ink` on an interactive terminal; `plain` in pipes and CI. */
  protected outputMode(): OutputMode {
    return detectOutputMode(this.jsonEnabled())
  }

  /** The progress sink for this run (created on first use; Ink is imported only in `ink` mode). */
  protected async progress(): Promise<Progress> {
    this.renderer ??= await createProgressRenderer(this.outputMode())
    return this.renderer.progress
  }

  /** Colours for stdout (none when piped or NO_COLOR is set). */
  protected palette() {
    return paletteFor(process.stdout)
  }

  /** Writes a result line to stdout (never in --json mode, where the returned value is the output). */
  protected out(text: string): void {
    if (this.jsonEnabled()) return
    const line = text.endsWith('\n') ? text : `${text}\n`
    if (this.renderer?.live) this.heldOutput.push(line)
    else process.stdout.write(line)
  }

  /** Ends the progress render (Ink releases the terminal) and prints any result lines held meanwhile. */
  protected async finishProgress(): Promise<void> {
    const renderer = this.renderer
    this.renderer = undefined
    await renderer?.finish()
    for (const line of this.heldOutput.splice(0)) process.stdout.write(line)
  }

  /**
   * Loads tracegate.json from the working directory (or --config when the command has it). The loader (and
   * zod with it) is imported here, not at start-up: commands that need no project never pay for it.
   */
  protected async project(options?: {checkHandlers?: boolean}): Promise<ProjectConfig> {
    const flags = this.flags as {config?: string}
    const {loadProject} = await import('./config/loader.js')
    return loadProject(flags.config ?? process.cwd(), options)
  }

  /** tracegate.json when there is one, `undefined` when there is none; a broken one is still an error. */
  protected async optionalProject(options: {checkHandlers?: boolean} = {checkHandlers: false}): Promise<ProjectConfig | undefined> {
    try {
      return await this.project(options)
    } catch (error) {
      if (isUserError(error) && error.code === 'CONFIG_NOT_FOUND') return undefined
      throw error
    }
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    await this.finishProgress()
    return super.finally(error)
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    await this.finishProgress()
    if (isUserError(error)) {
      process.exitCode = error.exitCode
      if (this.jsonEnabled()) {
        this.logJson({error: error.toJSON()})
      } else {
        const c = paletteFor(process.stderr)
        process.stderr.write(`${c.red('Error')} ${c.dim(`[${error.code}]`)} ${error.message}\n`)
        if (error.suggestion) process.stderr.write(`${c.dim('Try:')} ${error.suggestion}\n`)
      }
      return undefined
    }
    // oclif's own parse errors (unknown flag, missing arg) are usage errors: exit 2.
    if (error.oclif?.exit !== undefined || error.name === 'CLIError' || /Parse|Flag|Arg/.test(error.constructor?.name ?? '')) {
      if (error.oclif?.exit === 0) return super.catch(error)
      process.exitCode = EXIT_CODES.usage
      if (this.jsonEnabled()) {
        this.logJson({error: {code: 'USAGE', message: error.message}})
        return undefined
      }
      process.stderr.write(`Error [USAGE] ${error.message}\nTry: ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help\n`)
      return undefined
    }
    process.exitCode = EXIT_CODES.failure
    if (this.jsonEnabled()) {
      this.logJson({error: {code: 'BUG', message: error.message}})
    } else {
      process.stderr.write(
        `Error [BUG] ${error.message}\nThis is a bug in tracegate. Please report it with the output of: ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} ${process.env.DEBUG ? '' : '(run again with DEBUG=* for the stack)'}\n`,
      )
      if (process.env.DEBUG) process.stderr.write(`${error.stack}\n`)
    }
    return undefined
  }
}

/** Commands that talk to AWS (or the emulator): --region, --profile, --endpoint-url, --local. */
export abstract class AwsCommand<T extends typeof Command> extends BaseCommand<T> {
  static baseFlags = {
    ...BaseCommand.baseFlags,
    region: Flags.string({
      summary: "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, \"region\" in tracegate.json, then the profile's region in ~/.aws/config).",
      helpGroup: 'AWS',
    }),
    profile: Flags.string({summary: 'Named AWS profile (default: AWS_PROFILE).', helpGroup: 'AWS'}),
    'endpoint-url': Flags.string({
      summary: 'Send every AWS call to this endpoint, e.g. LocalStack (default: AWS_ENDPOINT_URL).',
      helpGroup: 'AWS',
    }),
    local: Flags.boolean({
      summary: "Use tracegate's embedded emulator (started in the background if it is not running).",
      helpGroup: 'AWS',
    }),
  }

  /**
   * Region from flags, the environment (as the AWS CLI does), the project config, then the profile's region in
   * ~/.aws/config (the emulator defaults to us-east-1).
   */
  protected resolveRegion(project?: {region?: string}): string | undefined {
    const flags = this.flags as {region?: string; profile?: string; local?: boolean}
    return (
      flags.region ||
      process.env.AWS_REGION ||
      process.env.AWS_DEFAULT_REGION ||
      project?.region ||
      (flags.local ? 'us-east-1' : profileRegion(flags.profile))
    )
  }

  /** AWS clients for this run; with --local, makes sure the emulator is running first. */
  protected async aws(project?: {region?: string}): Promise<AwsClients> {
    const flags = this.flags as {region?: string; profile?: string; 'endpoint-url'?: string; local?: boolean}
    const region = this.resolveRegion(project)
    if (!region) {
      throw new UserError('REGION_MISSING', 'No AWS region is set', {
        suggestion: 'Pass --region us-east-1, set AWS_REGION, add "region" to tracegate.json, or set region in ~/.aws/config',
      })
    }
    if (flags.local && flags['endpoint-url']) {
      throw new UserError('FLAGS_CONFLICT', '--local and --endpoint-url cannot be used together', {
        suggestion: '--local already points every call at the embedded emulator; drop one of them',
      })
    }
    if (flags.local) {
      const {ensureEmulator} = await import('./local/lifecycle.js')
      // TRACEGATE_LOCAL_PORT / TRACEGATE_LOCAL_DIR let tests and the demo run an emulator of their own.
      const port = process.env.TRACEGATE_LOCAL_PORT ? Number(process.env.TRACEGATE_LOCAL_PORT) : undefined
      const emulator = await ensureEmulator({progress: await this.progress(), port})
      return createAwsClients({region, endpoint: emulator.endpoint, local: true})
    }
    const endpoint = flags['endpoint-url'] || process.env.AWS_ENDPOINT_URL || undefined
    return createAwsClients({region, profile: flags.profile || process.env.AWS_PROFILE || undefined, endpoint})
  }
}
