import {Args, Flags} from '@oclif/core'
import {AwsCommand} from '../base-command.js'
import {EXIT_CODES} from '../errors.js'
import {type InvokeResult, invokeEndpoint, isFailure} from '../invoke/invoke.js'
import {renderInvokeResult} from '../ui/invoke/render.js'

export default class Invoke extends AwsCommand<typeof Invoke> {
  static summary = 'Call an endpoint through API Gateway and, when it fails, explain why'
  static description = `Sends the request through the project's API (found by its tracegate:project tag, as deploy finds it) and shows the status, the time, the headers that matter (apigw-requestid, x-amzn-RequestId, x-amzn-ErrorType, X-Amzn-Trace-Id) and the body.

On a 4xx/5xx (or with --explain) it gathers evidence, each check within a time budget: the route match, the function's resource policy against the source ARN API Gateway presents, reserved concurrency, the request's X-Ray trace, and a replay — the function invoked directly with the event API Gateway would build, read with the API type's response rules. HTTP APIs answer 500 for nearly every failure, so the verdict comes from that evidence: invocation-rejected/permission, invocation-rejected/throttled, function-error, malformed-response, function-timeout, integration-timeout, route-not-found, payload-too-large, ok or unknown, with a confidence and the fix.

The replay runs the function again: it is automatic for GET, HEAD and OPTIONS, and needs --replay for anything else. A diagnosed failure exits with code ${EXIT_CODES.diagnosed}.

Stack frames in the function's deployed bundle are shown in your own files and lines (src/get-order.ts:14:11): the handler is bundled again locally with a source map, used only when that build is the deployed code (same CodeSha256); otherwise the frames stay the bundle's, with a note. --json keeps both (diagnosis.frames: {frame, deployedFrame}).`

  static examples = [
    '<%= config.bin %> invoke "GET /orders/42"',
    '<%= config.bin %> invoke "POST /orders" -d \'{"item":"book","qty":2}\' --replay',
    '<%= config.bin %> invoke /orders/42 -H "Authorization: Bearer $TOKEN" --stage prod',
    '<%= config.bin %> invoke https://abc123.execute-api.us-east-1.amazonaws.com/orders/42 --explain',
    '<%= config.bin %> invoke "GET /orders/42" --local --json | jq .diagnosis.verdict',
  ]

  static args = {
    target: Args.string({
      description: 'A route with concrete values ("GET /orders/42"), a path (/orders/42) or a full URL',
      required: true,
    }),
  }

  static flags = {
    request: Flags.string({char: 'X', summary: 'HTTP method (default: GET, or POST with a body; a route target names its own).'}),
    data: Flags.string({char: 'd', summary: 'Request body (sent as application/json when it is JSON and no Content-Type is given).', exclusive: ['data-file']}),
    'data-file': Flags.string({summary: 'Read the request body from this file.'}),
    header: Flags.string({char: 'H', summary: 'A request header, "Name: value"; repeat for more.', multiple: true}),
    stage: Flags.string({summary: 'Stage to call (default: "stage" in tracegate.json, else $default).'}),
    replay: Flags.boolean({
      summary: 'Allow the replay to run the function again for POST/PUT/PATCH/DELETE (--no-replay: never replay).',
      allowNo: true,
    }),
    explain: Flags.boolean({summary: 'Diagnose even when the endpoint answers 2xx/3xx.'}),
    'trace-wait': Flags.integer({
      summary: "Seconds to keep asking X-Ray for the request's trace, which takes a few seconds to appear (default 10; 2 with --local; 0: ask once).",
      min: 0,
      max: 120,
    }),
  }

  private result?: InvokeResult

  async run(): Promise<InvokeResult> {
    const {args, flags} = this
    const isUrl = /^(\s*[A-Za-z]+\s+)?https?:\/\//i.test(args.target)
    // A full URL works without a project (with less evidence); a route or a path needs one.
    const project = isUrl ? await this.optionalProject() : await this.project({checkHandlers: false})
    const result = await invokeEndpoint({
      target: args.target,
      request: {method: flags.request, data: flags.data, dataFile: flags['data-file'], headers: flags.header},
      stage: flags.stage,
      replay: flags.replay,
      explain: flags.explain,
      project,
      aws: () => this.aws(project),
      progress: await this.progress(),
      // The emulator stores segments as they arrive; X-Ray takes seconds to make a trace readable.
      budgets: {trace: (flags['trace-wait'] ?? ((this.flags as {local?: boolean}).local ? 2 : 10)) * 1000},
      // --json carries more of a huge body than a terminal should show.
      bodyLimit: this.outputMode() === 'json' ? 1024 * 1024 : 16 * 1024,
    })
    if (isFailure(result)) process.exitCode = EXIT_CODES.diagnosed
    this.result = result
    return result
  }

  /** The panels go to stdout once the live step list (stderr) has finished, so no redraw erases them. */
  protected async finally(error: Error | undefined): Promise<unknown> {
    const done = await super.finally(error)
    if (!error && this.result) await renderInvokeResult(this.result, this.outputMode())
    return done
  }
}
