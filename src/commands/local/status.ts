import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {EXIT_CODES} from '../../errors.js'
import {DATA_DIR_ENV, type EmulatorStatus, emulatorStatus, samplingText} from '../../local/lifecycle.js'

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`
}

export default class LocalStatus extends BaseCommand<typeof LocalStatus> {
  static summary = 'Show whether the embedded emulator runs: port, pid, data dir, counts, uptime'
  static description = `Exits with code ${EXIT_CODES.emulator} when no emulator is running for the data directory.`
  static examples = ['<%= config.bin %> local status', '<%= config.bin %> local status --json']

  static flags = {
    'data-dir': Flags.string({summary: `The emulator's data directory (default: ${DATA_DIR_ENV}, then ~/.tracegate/local).`}),
  }

  public async run(): Promise<EmulatorStatus> {
    const status = await emulatorStatus({dataDir: this.flags['data-dir']})
    if (!status.running) process.exitCode = EXIT_CODES.emulator
    if (this.jsonEnabled()) return status
    if (!status.running) {
      this.out(`Not running (data dir ${status.dataDir})`)
    } else {
      const counts = status.counts!
      this.out(`Running at ${status.url} (pid ${status.pid}, ${status.detached ? 'background' : 'foreground'})`)
      this.out(`  port       ${status.port}`)
      this.out(`  data dir   ${status.dataDir}`)
      this.out(`  uptime     ${duration(status.uptimeSeconds ?? 0)}`)
      if (status.isolation) this.out(`  handlers   ${status.isolation === 'thread' ? 'worker threads' : 'child processes'} (--isolation ${status.isolation})`)
      if (status.sampling) this.out(`  sampling   ${samplingText(status.sampling)}`)
      this.out(`  functions  ${counts.functions}`)
      // Emulators older than the REST tables report only `apis`.
      const split = counts as {httpApis?: number; restApis?: number}
      const kinds = split.httpApis === undefined || split.restApis === undefined ? '' : ` (${split.httpApis} HTTP, ${split.restApis} REST)`
      this.out(`  APIs       ${counts.apis}${kinds}`)
      this.out(`  traces     ${counts.traces}`)
      this.out(`  version    ${status.version}`)
    }
    for (const note of status.notes) process.stderr.write(`Note: ${note}\n`)
    return status
  }
}
