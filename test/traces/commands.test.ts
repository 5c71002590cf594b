import {BatchGetTracesCommand, GetTraceSummariesCommand, type TraceSummary, XRayClient} from '@aws-sdk/client-xray'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {traceSummaryFromSegments} from '../../src/traces/facts.js'
import {asDocuments, restTrace} from './builders.js'
import {emptyDir, projectDir, runCli} from './run-cli.js'

const xray = mockClient(XRayClient)

const PROJECT = {
  name: 'orders',
  region: 'us-east-2',
  api: {type: 'rest'},
  functions: {
    getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']},
    createOrder: {handler: 'src/create-order.handler', routes: ['POST /orders']},
  },
}

const env = {AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_ENDPOINT_URL: undefined, AWS_PROFILE: undefined, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y'}
const ID_FAILED = '1-5759e988-000000000000000000000001'
const ID_OK = '1-5759e987-000000000000000000000002'

function sdkSummary(id: string, outcome: 'ok' | 'error'): TraceSummary {
  // Each trace starts at its id's time, as on X-Ray (§6.1).
  const start = Number.parseInt(id.slice(2, 10), 16)
  const summary = traceSummaryFromSegments(id, asDocuments(restTrace({outcome, start, traceId: id, exception: {type: 'TypeError', message: 'x is undefined'}})))
  // The wire shape's AnnotationValue is the SDK's tagged union written out; the SDK parses one into the other.
  return {...summary, StartTime: new Date(summary.StartTime * 1000)} as unknown as TraceSummary
}

beforeEach(() => {
  xray.reset()
})

describe('tracegate traces', () => {
  test('--json returns the app-scoped list, newest first, with the root cause', async () => {
    xray.on(GetTraceSummariesCommand).resolves({TraceSummaries: [sdkSummary(ID_OK, 'ok'), sdkSummary(ID_FAILED, 'error')], TracesProcessedCount: 40})
    const {stdout, exitCode} = await runCli(['traces', '--json', '--errors'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.traces.map((t: {id: string}) => t.id)).toEqual([ID_FAILED, ID_OK])
    expect(result.traces[0]).toMatchObject({status: 502, badge: 'fault', method: 'GET', rootCause: {type: 'TypeError', message: 'x is undefined', service: 'orders-getOrder'}})
    expect(result.tracesProcessed).toBe(40)
    const input = xray.commandCalls(GetTraceSummariesCommand)[0].args[0].input
    expect(input.FilterExpression).toMatch(/^\(service\("orders-getOrder"\) OR service\("orders-createOrder"\)\) AND \(fault OR error OR throttle OR /)
    const span = (input.EndTime as Date).getTime() - (input.StartTime as Date).getTime()
    expect(span).toBe(15 * 60_000)
  })

  test('plain output: one line per trace on stdout, the search step on stderr', async () => {
    xray.on(GetTraceSummariesCommand).resolves({TraceSummaries: [sdkSummary(ID_FAILED, 'error')], TracesProcessedCount: 3})
    const {stdout, stderr, exitCode} = await runCli(['traces', '--since', '1h', '--route', 'GET /orders/{id}'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(/GET +\/dev\/orders\/42 +502 .*FAULT +TypeError: x is undefined \(orders-getOrder\)/)
    expect(stdout).toContain(`1 trace. Show one: tracegate traces show ${ID_FAILED}`)
    expect(stderr).toMatch(/✓ Search X-Ray traces of orders-getOrder \(1 found, 3 scanned\)/)
    expect(xray.commandCalls(GetTraceSummariesCommand)[0].args[0].input.FilterExpression).toBe(
      'service("orders-getOrder") AND http.method = "GET" AND http.url CONTAINS "/orders/"',
    )
  })

  test('an invalid --filter fails with exit 2 before any AWS call', async () => {
    const {stderr, exitCode} = await runCli(['traces', '--filter', 'http.method = GET'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(2)
    expect(stderr).toContain('[FILTER_INVALID]')
    expect(stderr).toContain('String values must be quoted')
    expect(xray).toHaveReceivedCommandTimes(GetTraceSummariesCommand, 0)
  })

  test('X-Ray rejecting the query is a usage error, in JSON too', async () => {
    xray.on(GetTraceSummariesCommand).rejects(Object.assign(new Error('Time range too large'), {name: 'InvalidRequestException', $metadata: {httpStatusCode: 400}}))
    const {stdout, exitCode} = await runCli(['traces', '--json', '--since', '30d'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(2)
    expect(JSON.parse(stdout)).toMatchObject({error: {code: 'XRAY_INVALID_REQUEST', message: 'X-Ray rejected the query: Time range too large'}})
  })

  test('--follow --json prints NDJSON, one object per trace as it arrives, and stops cleanly on Ctrl-C', async () => {
    let calls = 0
    xray.on(GetTraceSummariesCommand).callsFake(async () => {
      calls++
      if (calls === 1) return {TraceSummaries: [sdkSummary(ID_FAILED, 'error')]}
      if (calls === 2) return {TraceSummaries: [sdkSummary(ID_FAILED, 'error'), sdkSummary(ID_OK, 'ok')]}
      // The user presses Ctrl-C while the third poll is in flight.
      process.emit('SIGINT')
      return {TraceSummaries: []}
    })
    const started = Date.now()
    const {stdout, stderr, exitCode} = await runCli(['traces', '--follow', '--json', '--interval', '0.05'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(0)
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.kind, l.id])).toEqual([
      ['new', ID_FAILED],
      ['new', ID_OK],
    ])
    expect(stderr).toBe('')
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(process.listenerCount('SIGINT')).toBe(0)
  })
})

describe('tracegate traces show', () => {
  test('--json returns the waterfall rows and the classification', async () => {
    xray.on(BatchGetTracesCommand).resolves({
      Traces: [{Id: ID_FAILED, Duration: 0.05, Segments: asDocuments(restTrace({outcome: 'error', traceId: ID_FAILED})).map((Document, i) => ({Id: String(i), Document}))}],
    })
    const {stdout, exitCode} = await runCli(['traces', 'show', ID_FAILED, '--json'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(0)
    const view = JSON.parse(stdout)
    expect(view).toMatchObject({id: ID_FAILED, spanCount: 6, classification: {verdict: 'function-error', status: 502, apiType: 'rest'}})
    expect(view.waterfall.rows.map((r: {name: string}) => r.name)).toEqual(['orders/dev', 'Lambda', 'orders-getOrder', 'orders-getOrder', 'Invocation', 'Overhead'])
    expect(xray).toHaveReceivedCommandWith(BatchGetTracesCommand, {TraceIds: [ID_FAILED]})
  })

  test('plain output draws the waterfall with the exception', async () => {
    xray.on(BatchGetTracesCommand).resolves({
      Traces: [{Id: ID_FAILED, Segments: asDocuments(restTrace({outcome: 'error', traceId: ID_FAILED})).map((Document, i) => ({Id: String(i), Document}))}],
    })
    const {stdout, exitCode} = await runCli(['traces', 'show', ID_FAILED], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(/^Trace 1-5759e988-000000000000000000000001 · 502 function error in orders-getOrder/)
    expect(stdout).toMatch(/orders\/dev Stage .* 502 █+/)
    expect(stdout).toContain("✗ TypeError: Cannot read properties of undefined (reading 'id')")
  })

  test('--last-failed asks for the failure scope, then fetches the newest', async () => {
    xray.on(GetTraceSummariesCommand).resolves({TraceSummaries: [sdkSummary(ID_OK, 'error'), sdkSummary(ID_FAILED, 'error')]})
    xray.on(BatchGetTracesCommand).resolves({Traces: [{Id: ID_FAILED, Segments: [{Id: 'a', Document: asDocuments(restTrace({outcome: 'error', traceId: ID_FAILED}))[0]}]}]})
    const {exitCode} = await runCli(['traces', 'show', '--last-failed', '--json'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(0)
    expect(xray.commandCalls(GetTraceSummariesCommand)[0].args[0].input.FilterExpression).toContain('fault OR error OR throttle')
    expect(xray).toHaveReceivedCommandWith(BatchGetTracesCommand, {TraceIds: [ID_FAILED]})
  })

  test('without an id or --last it is a usage error', async () => {
    const {stderr, exitCode} = await runCli(['traces', 'show'], {cwd: projectDir(PROJECT), env})
    expect(exitCode).toBe(2)
    expect(stderr).toContain('Which trace? Give a trace id, --last or --last-failed')
  })

  test('a trace id works outside a project when the region comes from the environment', async () => {
    xray.on(BatchGetTracesCommand).resolves({Traces: []})
    const {stderr, exitCode} = await runCli(['traces', 'show', ID_FAILED], {cwd: emptyDir(), env: {...env, AWS_REGION: 'eu-west-1'}})
    expect(stderr).toContain('[TRACE_NOT_FOUND]')
    expect(exitCode).toBe(1)
  })
})
