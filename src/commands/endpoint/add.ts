import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {type AddEndpointResult, addEndpoint} from '../../scaffold/add-endpoint.js'
import {describeEndpoint} from '../../scaffold/summary.js'
import {HANDLER_VARIANTS, LANGS} from '../../scaffold/types.js'

export default class EndpointAdd extends BaseCommand<typeof EndpointAdd> {
  static summary = 'Add an endpoint: a handler from the template, its test and sample event, and the route in tracegate.json'
  static description = `The function name comes from the route unless --function is given ("POST /orders" → postOrders, "GET /orders/{id}" → getOrdersById). Naming an existing function adds the route to it (with a sample event and a test). tracegate.json keeps its key order and formatting.`
  static examples = [
    '<%= config.bin %> endpoint add "POST /orders"',
    '<%= config.bin %> endpoint add "GET /orders/{id}" --function getOrder --lang ts',
    '<%= config.bin %> endpoint add "DELETE /orders/{id}" --function getOrder',
    '<%= config.bin %> endpoint add "PUT /orders/{id}" --variant error-formatting',
  ]

  static args = {
    route: Args.string({description: 'Route key: "METHOD /path" with {param} segments, e.g. "GET /orders/{id}"', required: true}),
  }

  static flags = {
    function: Flags.string({summary: 'Function name in tracegate.json; an existing one gets the route added (default: derived from the route).'}),
    lang: Flags.option({options: LANGS, summary: 'Language of a new handler (default: the language of the existing handlers).'})(),
    variant: Flags.option({
      options: HANDLER_VARIANTS,
      default: 'basic' as const,
      summary: 'Handler template: basic, or error-formatting (catches errors, answers its own status and x-amzn-ErrorType).',
    })(),
  }

  /** Result lines, printed once the progress display has finished (an Ink frame redraw would erase them). */
  private summaryLines: string[] = []

  async run(): Promise<AddEndpointResult> {
    const result = await addEndpoint({
      route: this.args.route,
      functionKey: this.flags.function,
      lang: this.flags.lang,
      variant: this.flags.variant,
      cwd: process.cwd(),
      progress: await this.progress(),
    })
    this.summaryLines = describeEndpoint(result, this.palette())
    return result
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error) for (const line of this.summaryLines) this.out(line)
    return done
  }
}
