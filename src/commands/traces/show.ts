import {Args, Flags} from '@oclif/core'
import {xrayReader} from '../../aws/xray.js'
import {AwsCommand} from '../../base-command.js'
import {UserError} from '../../errors.js'
import {deployedCodeSha256Reader, localSources} from '../../package/local-sources.js'
import {silentProgress} from '../../progress.js'
import {timeWindow, traceScope} from '../../traces/scope.js'
import {showTrace, type TraceSelector, type TraceView} from '../../traces/show.js'
import {paletteFor} from '../../ui/colors.js'
import {renderTraceView} from '../../ui/traces/render.js'

export default class TracesShow extends AwsCommand<typeof TracesShow> {
  static summary = 'Show one trace as a waterfall, with the exception that broke it'
  static description = `Fetches the trace with BatchGetTraces, builds its span tree (segments, subsegments, parents linked by parent_id; spans whose parent is missing are kept and marked [orphan]) and draws one row per span: offset, duration, HTTP status and a bar scaled to the terminal, coloured by outcome (green ok, yellow error, magenta throttle, red fault). Exceptions appear under the span that threw; run in the project, their frames name your own files and lines (a local source map of the deployed bundle, used only when the local source is the deployed code). The first line says what API Gateway answered and why.`

  static examples = [
    '<%= config.bin %> traces show 1-5759e988-bd862e3fe1be46a994272793',
    '<%= config.bin %> traces show --last-failed',
    '<%= config.bin %> traces show --last --details',
  ]

  static args = {
    traceId: Args.string({description: 'X-Ray trace id, e.g. 1-5759e988-bd862e3fe1be46a994272793 (tracegate traces lists them).'}),
  }

  static flags = {
    details: Flags.boolean({summary: 'Also show annotations and metadata under each span.'}),
    last: Flags.boolean({summary: "The app's most recent trace.", exclusive: ['last-failed']}),
    'last-failed': Flags.boolean({summary: "The app's most recent failed trace (fault, error or throttle)."}),
    since: Flags.string({summary: 'How far back --last / --last-failed look: a duration (1h, 1d) or an ISO-8601 time.', default: '1h'}),
  }

  public async run(): Promise<TraceView> {
    const {args, flags} = this
    const latest = flags['last-failed'] ? 'failed' : flags.last ? 'any' : undefined
    if (Boolean(args.traceId) === Boolean(latest)) {
      throw new UserError('TRACE_SELECTOR', args.traceId ? 'Give a trace id or --last/--last-failed, not both' : 'Which trace? Give a trace id, --last or --last-failed', {
        suggestion: 'tracegate traces show --last-failed (or list ids with: tracegate traces)',
      })
    }
    // A trace id needs no project (the config only supplies region and API type); --last needs its functions.
    const project = latest ? await this.project({checkHandlers: false}) : await this.optionalProject()
    const selector: TraceSelector = latest
      ? {latest, scope: traceScope(project!, {errors: latest === 'failed'}), window: timeWindow(flags.since, undefined, new Date())}
      : {traceId: args.traceId!}
    const mode = this.outputMode()
    const aws = await this.aws(project)
    const progress = mode === 'plain' ? await this.progress() : silentProgress
    // In a project, frames in a function's deployed bundle are shown in its own files when the local source is the deployed code.
    const sources = project ? {project, sources: localSources({project, deployedCodeSha256: deployedCodeSha256Reader(aws)})} : undefined
    const view = await showTrace({xray: xrayReader(await aws.xray()), selector, apiType: project?.api.type, progress, sources})
    await renderTraceView(view, mode, flags.details)
    if (mode !== 'json') {
      const c = paletteFor(process.stderr)
      for (const note of view.notes ?? []) process.stderr.write(`${c.dim(`› ${note}`)}\n`)
    }
    return view
  }
}
