/**
 * End to end against the embedded emulator's X-Ray API: segments go in with PutTraceSegments (as Lambda and
 * the daemon send them), then `tracegate traces` and `traces show` read them back over the wire
 * (GetTraceSummaries with the app-scope filter, BatchGetTraces).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PutTraceSegmentsCommand, XRayClient} from '@aws-sdk/client-xray'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {type RunningEmulator, startEmulator} from '../../src/local/server.js'
import {stripAnsi} from '../../src/ui/colors.js'
import {asDocuments, lambdaSegments, sdkCall} from './builders.js'
import {projectDir, runCli} from './run-cli.js'

let emulator: RunningEmulator
let dataDir: string
const now = Math.floor(Date.now() / 1000) - 30
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
const FAILED = `1-${hex(now, 8)}-${hex(0xfa11ed, 24)}`
const OK = `1-${hex(now - 5, 8)}-${hex(0x0c, 24)}`
const OTHER_APP = `1-${hex(now - 2, 8)}-${hex(0xb111, 24)}`

const PROJECT = {
  name: 'orders',
  region: 'us-east-1',
  functions: {
    getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']},
    createOrder: {handler: 'src/create-order.handler', routes: ['POST /orders']},
  },
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tracegate-traces-e2e-'))
  emulator = await startEmulator({port: 0, dataDir})
  const client = new XRayClient({endpoint: emulator.url, region: 'us-east-1', credentials: {accessKeyId: 'a', secretAccessKey: 'b'}, maxAttempts: 1})
  const documents = [
    ...asDocuments(
      lambdaSegments({
        traceId: FAILED,
        start: now,
        functionName: 'orders-createOrder',
        outcome: 'error',
        exception: {type: 'ValidationError', message: 'body.items must be an array'},
        calls: [sdkCall({start_time: now + 0.01, end_time: now + 0.02})],
      }),
    ),
    ...asDocuments(lambdaSegments({traceId: OK, start: now - 5, functionName: 'orders-getOrder'})),
    ...asDocuments(lambdaSegments({traceId: OTHER_APP, start: now - 2, functionName: 'billing-charge', outcome: 'error'})),
  ]
  const result = await client.send(new PutTraceSegmentsCommand({TraceSegmentDocuments: documents}))
  expect(result.UnprocessedTraceSegments ?? []).toEqual([])
  client.destroy()
})

afterAll(async () => {
  await emulator?.close()
  rmSync(dataDir, {recursive: true, force: true})
})

const env = () => ({AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_REGION: undefined, AWS_PROFILE: undefined, AWS_ENDPOINT_URL: emulator.url})

describe('traces against the emulator', () => {
  test("`traces --errors --json` lists the app's failed request with its exception, and not other apps' traces", async () => {
    const {stdout, exitCode} = await runCli(['traces', '--errors', '--json'], {cwd: projectDir(PROJECT), env: env()})
    expect(exitCode).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.traces.map((t: {id: string}) => t.id)).toEqual([FAILED])
    expect(result.traces[0]).toMatchObject({
      functions: ['orders-createOrder'],
      rootCause: {service: 'orders-createOrder', type: 'ValidationError', message: 'body.items must be an array'},
    })
  })

  test('`traces --json` without --errors lists both of the app traces, newest first', async () => {
    const {stdout} = await runCli(['traces', '--json'], {cwd: projectDir(PROJECT), env: env()})
    expect(JSON.parse(stdout).traces.map((t: {id: string}) => t.id)).toEqual([FAILED, OK])
  })

  test('`traces show` renders the waterfall of the failed trace with the exception', async () => {
    const {stdout, exitCode} = await runCli(['traces', 'show', FAILED], {cwd: projectDir(PROJECT), env: env()})
    expect(exitCode).toBe(0)
    const text = stripAnsi(stdout)
    expect(text).toMatch(new RegExp(`^Trace ${FAILED} · 500\\* function error in orders-createOrder: ValidationError: body.items must be an array`))
    expect(text).toMatch(/orders-createOrder Lambda .*█/)
    expect(text).toMatch(/ {6}DynamoDB GetItem .* 200 /)
    expect(text).toContain('✗ ValidationError: body.items must be an array')
    expect(text).toContain('at handler (/var/task/src/get-order.js:12)')
  })

  test('`traces show --last-failed --json` finds the same trace', async () => {
    const {stdout, exitCode} = await runCli(['traces', 'show', '--last-failed', '--json'], {cwd: projectDir(PROJECT), env: env()})
    expect(exitCode).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({id: FAILED, classification: {verdict: 'function-error', status: 500, statusInferred: true}})
  })
})
