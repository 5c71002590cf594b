import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {applyFaultChange, describeFault, type FaultChange, type FaultResult, parseDelay} from '../../local/fault.js'
import {DATA_DIR_ENV} from '../../local/lifecycle.js'

export default class LocalFault extends BaseCommand<typeof LocalFault> {
  static summary = 'Make a function of the local emulator throttle or be slow, to reproduce 500 and 503 answers on purpose'
  static description = `--throttle: every invocation answers 429 TooManyRequestsException, which an HTTP API turns into 500 Internal Server Error.
--delay: each invocation waits before the handler runs; past the integration timeout an HTTP API answers 503 Service Unavailable, past the function timeout the invocation times out.
The fault stays until --clear (it survives emulator restarts). Needs a running emulator (tracegate local start).`

  static examples = [
    '<%= config.bin %> local fault --function orders-getOrder --throttle',
    '<%= config.bin %> local fault --function orders-getOrder --delay 5s',
    '<%= config.bin %> local fault --function orders-getOrder --clear --json',
  ]

  static flags = {
    function: Flags.string({char: 'f', summary: 'The function name as deployed ({project}-{function}).', required: true}),
    throttle: Flags.boolean({summary: 'Throttle every invocation (429 TooManyRequestsException).', exactlyOne: ['throttle', 'delay', 'clear']}),
    delay: Flags.string({summary: 'Wait this long before the handler runs, e.g. 5s, 500ms, 1m.', exactlyOne: ['throttle', 'delay', 'clear']}),
    clear: Flags.boolean({summary: 'Remove the fault.', exactlyOne: ['throttle', 'delay', 'clear']}),
    region: Flags.string({summary: 'The function\'s region, when the name exists in several.'}),
    'data-dir': Flags.string({summary: `The emulator's data directory (default: ${DATA_DIR_ENV}, then ~/.tracegate/local).`}),
  }

  public async run(): Promise<FaultResult> {
    const {flags} = this
    const change: FaultChange = flags.throttle ? {kind: 'throttle'} : flags.delay !== undefined ? {kind: 'delay', delayMs: parseDelay(flags.delay)} : {kind: 'clear'}
    const result = await applyFaultChange({functionName: flags.function, change, region: flags.region, dataDir: flags['data-dir']})
    this.out(describeFault(result))
    return result
  }
}
