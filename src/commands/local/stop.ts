import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {DATA_DIR_ENV, type StopResult, stopEmulator} from '../../local/lifecycle.js'

export default class LocalStop extends BaseCommand<typeof LocalStop> {
  static summary = 'Stop the embedded emulator (its state stays in the data directory)'
  static examples = ['<%= config.bin %> local stop', '<%= config.bin %> local stop --data-dir ./.emulator']

  static flags = {
    'data-dir': Flags.string({summary: `The emulator's data directory (default: ${DATA_DIR_ENV}, then ~/.tracegate/local).`}),
  }

  public async run(): Promise<StopResult> {
    const result = await stopEmulator({dataDir: this.flags['data-dir']})
    for (const note of result.notes) process.stderr.write(`${result.stopped ? 'Note: ' : ''}${note}\n`)
    if (result.stopped) this.out(`Stopped the emulator (pid ${result.pid}); its state stays in ${result.dataDir}`)
    return result
  }
}
