import {Flags} from '@oclif/core'
import {xrayReader} from '../../aws/xray.js'
import {AwsCommand} from '../../base-command.js'
import {UserError} from '../../errors.js'
import {silentProgress} from '../../progress.js'
import {followTraces} from '../../traces/follow.js'
import {listTraces, type TraceListResult} from '../../traces/list.js'
import {timeWindow, traceScope} from '../../traces/scope.js'
import {createFollowRenderer, type FollowRenderer, renderTraceList} from '../../ui/traces/render.js'

export default class Traces extends AwsCommand<typeof Traces> {
  static summary = "List or tail the X-Ray traces of this app's functions"
  static description = `Searches X-Ray for traces that went through this project's functions only (a service("{project}-{function}") filter X-Ray evaluates server-side), newest first: time, method, path, status, duration, a fault/error/throttle badge and the root-cause exception.

With --follow, polls every 2 s (--interval) with overlapping windows, prints each trace once, prints it again (↻) when an in-progress trace completes, backs off while X-Ray throttles, and stops on Ctrl-C. With --json, --follow prints one JSON object per trace (NDJSON).`

  static examples = [
    '<%= config.bin %> traces',
    '<%= config.bin %> traces --errors --since 1h',
    '<%= config.bin %> traces --route "GET /orders/{id}" --status 502',
    '<%= config.bin %> traces --filter \'responsetime > 1\'',
    '<%= config.bin %> traces --follow --json | jq .rootCause',
  ]

  static flags = {
    since: Flags.string({summary: 'Start of the window: a duration before now (15m, 2h, 1h30m, 1d) or an ISO-8601 time.', default: '15m'}),
    until: Flags.string({summary: 'End of the window (default: now); same forms as --since.'}),
    errors: Flags.boolean({summary: 'Only failed requests: fault, error or throttle, on the trace or one of the app\'s functions.'}),
    faults: Flags.boolean({summary: 'Only faults (5xx), on the trace or one of the app\'s functions.', exclusive: ['errors']}),
    status: Flags.integer({summary: 'Only traces whose recorded HTTP status is this (REST stages record it; HTTP APIs emit no segment).'}),
    route: Flags.string({summary: 'Only the function serving this route of tracegate.json, e.g. "GET /orders/{id}".'}),
    filter: Flags.string({summary: 'An X-Ray filter expression ANDed with the app scope, e.g. \'responsetime > 1\'.'}),
    limit: Flags.integer({summary: 'Most recent traces to list (not used with --follow).', default: 50, min: 1}),
    follow: Flags.boolean({char: 'f', summary: 'Keep polling and print new traces as they arrive (Ctrl-C to stop).'}),
    interval: Flags.string({summary: 'Seconds between --follow polls (X-Ray rate-limits GetTraceSummaries; backoff doubles it while throttled).', default: '2'}),
  }

  public async run(): Promise<TraceListResult | undefined> {
    const {flags} = this
    const project = await this.project({checkHandlers: false})
    const scope = traceScope(project, {
      errors: flags.errors,
      faults: flags.faults,
      status: flags.status,
      route: flags.route,
      filter: flags.filter,
    })
    const now = new Date()
    const window = timeWindow(flags.since, flags.follow ? undefined : flags.until, now)
    const intervalMs = Number(flags.interval) * 1000
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new UserError('INTERVAL_INVALID', `--interval ${flags.interval} is not a positive number of seconds`, {suggestion: 'e.g. --interval 5'})
    }
    const mode = this.outputMode()
    const aws = await this.aws(project)

    if (flags.follow) {
      // Backoff on throttling is follow's own (it keeps polling); one attempt per poll here.
      const xray = xrayReader(await aws.xray(), {retry: {maxAttempts: 1}})
      const controller = new AbortController()
      let renderer: FollowRenderer | undefined
      // Registered before the renderer: Ink unmounts on SIGINT too, and the last frame should say "Stopped".
      const stop = () => {
        renderer?.stop()
        controller.abort()
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      try {
        renderer = await createFollowRenderer(mode, {functions: scope.functions})
        const sink = renderer
        await followTraces({
          xray,
          filterExpression: scope.expression,
          since: window.start,
          signal: controller.signal,
          intervalMs,
          apiType: project.api.type,
          onTrace: (event) => sink.onTrace(event),
          progress: sink.progress,
        })
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        await renderer?.finish()
      }
      return undefined
    }

    const xray = xrayReader(await aws.xray())
    // Step lines only in plain mode: a live Ink step list on stderr would redraw over the list on stdout.
    const progress = mode === 'plain' ? await this.progress() : silentProgress
    const result = await listTraces({xray, scope, window, limit: flags.limit, progress, apiType: project.api.type})
    await renderTraceList(result, mode)
    return result
  }
}
