import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {DATA_DIR_ENV, ensureEmulator, envHints, type EmulatorState, ISOLATION_ENV, SAMPLING_ENV, samplingText, serveEmulator} from '../../local/lifecycle.js'
import {DEFAULT_PORT} from '../../local/constants.js'
import type {Isolation} from '../../local/runtime/isolation.js'
import type {Sampling} from '../../local/runtime/sampling.js'

export interface LocalStartResult {
  endpoint: string
  port: number
  pid: number
  dataDir: string
  detached: boolean
  /** False when --detach found an emulator already running for the data directory. */
  started: boolean
  env: string[]
  notes: string[]
  /** What runs handlers: worker threads or child processes (absent for an older emulator found running). */
  isolation?: Isolation
  /** Which requests without a sampling decision are traced (absent for an older emulator found running). */
  sampling?: Sampling
}

export default class LocalStart extends BaseCommand<typeof LocalStart> {
  static summary = 'Start the embedded AWS-compatible emulator (Lambda, API Gateway v2, IAM, X-Ray) on 127.0.0.1'
  static description = `Serves the AWS APIs tracegate uses, for real SDK clients and the AWS CLI pointed at it with an endpoint URL and any credentials. State (functions, code, policies, APIs, roles, traces) lives in a SQLite store in the data directory and survives restarts.

Runs in the foreground until Ctrl-C (requests are logged to stderr), or in the background with --detach. Commands given --local start it in the background themselves when it is not running.`

  static examples = [
    '<%= config.bin %> local start',
    '<%= config.bin %> local start --detach',
    '<%= config.bin %> local start --port 0 --data-dir ./.emulator',
    '<%= config.bin %> local start --sampling aws',
  ]

  static flags = {
    port: Flags.integer({
      summary: `Port on 127.0.0.1 (default: ${DEFAULT_PORT}; 0 picks a free one).`,
      min: 0,
      max: 65535,
    }),
    'data-dir': Flags.string({summary: `Where the emulator keeps its state (default: ${DATA_DIR_ENV}, then ~/.tracegate/local).`}),
    detach: Flags.boolean({summary: 'Run in the background and return once it answers its health check.'}),
    'account-id': Flags.string({summary: 'Account id in the ARNs it returns (default: 000000000000).'}),
    quiet: Flags.boolean({summary: 'In the foreground, do not log each request to stderr.'}),
    isolation: Flags.option({options: ['thread', 'process'] as const})({
      summary: `What runs each execution environment (default: ${ISOLATION_ENV}, then thread).`,
      description:
        'thread: a worker thread per environment, with its own globals, environment variables, exit code and heap cap (the function\'s memory size); the fastest. process: a child process per environment, for handlers that need their own working directory, signals or native addons that are not context-aware.',
    }),
    sampling: Flags.option({options: ['all', 'aws'] as const})({
      summary: `Which requests traced functions and REST stages record (default: ${SAMPLING_ENV}, then aws).`,
      description:
        'Applies to requests that arrive without a sampling decision (an X-Amzn-Trace-Id with Sampled=1 or Sampled=0 is always followed, and `tracegate invoke` sends Sampled=1). aws: X-Ray\'s default rule, which Lambda and API Gateway apply: the first request each second, then 5 % of the rest, per function (per stage for REST APIs), so a request you make by hand is traced and a load test leaves what production would. all: every request to a function with TracingConfig Active, or to a REST stage with tracing enabled, leaves a trace; storing them costs about a quarter of the emulator\'s throughput.',
    }),
  }

  public async run(): Promise<LocalStartResult | undefined> {
    const {flags} = this
    if (flags.detach) {
      const result = await ensureEmulator({
        port: flags.port,
        dataDir: flags['data-dir'],
        accountId: flags['account-id'],
        isolation: flags.isolation,
        sampling: flags.sampling,
        progress: await this.progress(),
      })
      const out: LocalStartResult = {
        endpoint: result.endpoint,
        port: result.port,
        pid: result.pid,
        dataDir: result.dataDir,
        detached: true,
        started: result.started,
        env: envHints(result.endpoint),
        notes: result.notes,
        ...(result.isolation ? {isolation: result.isolation} : {}),
        ...(result.sampling ? {sampling: result.sampling} : {}),
      }
      this.print(out, result.started ? 'running in the background' : 'already running')
      this.out('Stop it with: tracegate local stop')
      return out
    }

    const stderr = process.stderr
    const serving = await serveEmulator({
      port: flags.port ?? DEFAULT_PORT,
      dataDir: flags['data-dir'],
      accountId: flags['account-id'],
      isolation: flags.isolation,
      sampling: flags.sampling,
      onRequest:
        flags.quiet || this.jsonEnabled()
          ? undefined
          : (entry) => {
              if (entry.service === 'tracegate') return
              const what = entry.operation ? `${entry.service} ${entry.operation}` : `${entry.method} ${entry.path}`
              stderr.write(`${new Date().toISOString().slice(11, 23)} ${entry.status} ${what} ${entry.durationMs} ms\n`)
            },
    })
    const result = this.resultFor(serving.state, serving.notes)
    if (this.jsonEnabled()) {
      // The foreground run only ends on a signal: print the result now, as one JSON line.
      process.stdout.write(`${JSON.stringify(result)}\n`)
    } else {
      this.print(result, 'listening')
      this.out('Or pass --local to any tracegate command. Ctrl-C stops it.')
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    await serving.stop()
    if (!this.jsonEnabled()) stderr.write('tracegate emulator stopped\n')
    return undefined
  }

  private resultFor(state: EmulatorState, notes: string[]): LocalStartResult {
    return {
      endpoint: state.url,
      port: state.port,
      pid: state.pid,
      dataDir: state.dataDir,
      detached: false,
      started: true,
      env: envHints(state.url),
      notes,
      ...(state.isolation ? {isolation: state.isolation} : {}),
      ...(state.sampling ? {sampling: state.sampling} : {}),
    }
  }

  private print(result: LocalStartResult, how: string): void {
    const c = this.palette()
    for (const note of result.notes) process.stderr.write(`Note: ${note}\n`)
    this.out(`tracegate emulator ${how} at ${c.bold(result.endpoint)} (pid ${result.pid})`)
    this.out(`Data: ${result.dataDir}`)
    if (result.isolation) this.out(`Handlers run in ${result.isolation === 'thread' ? 'worker threads' : 'child processes'} (--isolation ${result.isolation})`)
    if (result.sampling) this.out(`X-Ray: ${samplingText(result.sampling)}`)
    this.out('Point the AWS CLI and SDKs at it:')
    for (const line of result.env) this.out(`  ${line}`)
  }
}
