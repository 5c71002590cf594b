import {Help} from '@oclif/core/help'
import {exitCodeTable} from './errors.js'

/** Root help with the exit-code table (STYLE rule 9: exit codes in one table, printed in help). */
export default class TracegateHelp extends Help {
  protected async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(`${this.section('EXIT CODES', exitCodeTable())}\n`)
  }
}
