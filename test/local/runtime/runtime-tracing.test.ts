import {build} from 'esbuild'
import {afterAll, beforeAll, beforeEach, describe, expect, test} from 'vitest'
import {startXrayDaemon, type XrayDaemon} from '../../../src/local/runtime/daemon.js'
import {createRuntime} from '../../../src/local/runtime/pool.js'
import type {Runtime} from '../../../src/local/runtime/types.js'
import {eventually, FIXTURES, functionSpec, json, tempDir, zipFiles} from './helpers.js'

type Doc = Record<string, unknown> & {subsegments?: Doc[]}

const ROOT = '1-5759e988-bd862e3fe1be46a994272793'
const PARENT = '53995c3f42cd8ad8'
const payload = (value: unknown) => Buffer.from(JSON.stringify(value))
const HEX16 = /^[0-9a-f]{16}$/

describe('tracing of invocations', () => {
  const dir = tempDir()
  const lambdaDocs: Doc[] = []
  const daemonDocs: Doc[] = []
  let runtime: Runtime
  let daemon: XrayDaemon

  beforeAll(async () => {
    daemon = await startXrayDaemon({onSegments: (documents) => daemonDocs.push(...(documents as Doc[]))})
    runtime = createRuntime({tmpDir: dir.path, daemonAddress: daemon.address, onSegments: (documents) => lambdaDocs.push(...(documents as Doc[]))})
  })

  afterAll(async () => {
    await runtime.close()
    await daemon.close()
    dir.remove()
  })

  beforeEach(() => {
    lambdaDocs.length = 0
    daemonDocs.length = 0
  })

  const byOrigin = (origin: string) => lambdaDocs.find((doc) => doc.origin === origin)!

  test('an Active function emits the service and function segments, linked by ids, with Lambda’s fields', async () => {
    const fn = functionSpec({functionName: 'traced', tracingMode: 'Active'})
    const result = await runtime.invoke(fn, payload({}), {requestId: 'req-traced'})
    expect(result.sampled).toBe(true)
    expect(lambdaDocs).toHaveLength(2)
    const service = byOrigin('AWS::Lambda')
    const fnSegment = byOrigin('AWS::Lambda::Function')
    expect(service).toMatchObject({
      name: 'traced',
      trace_id: result.traceId,
      http: {response: {status: 200}},
      aws: {request_id: 'req-traced'},
      resource_arn: 'arn:aws:lambda:us-east-2:123456789012:function:traced',
    })
    expect(service.parent_id).toBeUndefined()
    expect(fnSegment).toMatchObject({
      name: 'traced',
      trace_id: result.traceId,
      parent_id: service.id,
      aws: {account_id: '123456789012', function_arn: fn.functionArn, resource_names: ['traced']},
    })
    for (const doc of [service, fnSegment, ...(fnSegment.subsegments ?? [])]) expect(doc.id).toMatch(HEX16)
    const [initialization, invocation, overhead] = fnSegment.subsegments!
    expect([initialization.name, invocation.name, overhead.name]).toEqual(['Initialization', 'Invocation', 'Overhead'])
    const t = (doc: Doc, key: 'start_time' | 'end_time') => doc[key] as number
    // Epoch seconds, in order: request, init, invoke, overhead.
    expect(t(service, 'start_time')).toBeGreaterThan(1_600_000_000)
    expect(t(service, 'start_time')).toBeLessThanOrEqual(t(initialization, 'start_time'))
    expect(t(initialization, 'end_time')).toBeLessThanOrEqual(t(invocation, 'start_time'))
    expect(t(fnSegment, 'start_time')).toBe(t(invocation, 'start_time'))
    expect(t(invocation, 'end_time')).toBeLessThanOrEqual(t(overhead, 'end_time'))
    expect(t(fnSegment, 'end_time')).toBe(t(overhead, 'end_time'))
    expect(result.log).toContain(`XRAY TraceId: ${result.traceId}\tSegmentId: ${fnSegment.id}\tSampled: true\t`)
  })

  test('a warm invocation has no Initialization subsegment', async () => {
    const fn = functionSpec({functionName: 'traced-warm', tracingMode: 'Active'})
    await runtime.invoke(fn, payload({}))
    lambdaDocs.length = 0
    await runtime.invoke(fn, payload({}))
    expect(byOrigin('AWS::Lambda::Function').subsegments!.map((s) => s.name)).toEqual(['Invocation', 'Overhead'])
  })

  test('an incoming Sampled=1 header is followed: its Root is the trace, its Parent the service segment’s parent', async () => {
    const fn = functionSpec({functionName: 'pass-through', tracingMode: 'PassThrough'})
    const result = await runtime.invoke(fn, payload({}), {traceHeader: `Root=${ROOT};Parent=${PARENT};Sampled=1`})
    expect(result.traceId).toBe(ROOT)
    expect(byOrigin('AWS::Lambda')).toMatchObject({trace_id: ROOT, parent_id: PARENT})
    expect(byOrigin('AWS::Lambda::Function').trace_id).toBe(ROOT)
  })

  test('Sampled=0 produces nothing, even for an Active function', async () => {
    const fn = functionSpec({functionName: 'not-sampled', tracingMode: 'Active'})
    const result = await runtime.invoke(fn, payload({}), {traceHeader: `Root=${ROOT};Parent=${PARENT};Sampled=0`})
    expect(result.sampled).toBe(false)
    expect(lambdaDocs).toEqual([])
    expect(result.log).not.toContain('XRAY TraceId')
  })

  test('PassThrough without a header produces nothing', async () => {
    await runtime.invoke(functionSpec({functionName: 'untraced'}), payload({}))
    expect(lambdaDocs).toEqual([])
  })

  test('a function error puts the exception on the function segment', async () => {
    const fn = functionSpec({functionName: 'traced-error', handler: 'index.throws', tracingMode: 'Active'})
    const result = await runtime.invoke(fn, payload({}))
    expect(result.functionError).toBe('Unhandled')
    const service = byOrigin('AWS::Lambda')
    const fnSegment = byOrigin('AWS::Lambda::Function')
    expect(service.http).toEqual({response: {status: 200}})
    expect(fnSegment.fault).toBe(true)
    const cause = fnSegment.cause as {working_directory: string; exceptions: {id: string; type: string; message: string; stack: {path: string; line: number; label: string}[]}[]}
    expect(cause.exceptions).toHaveLength(1)
    expect(cause.exceptions[0]).toMatchObject({id: expect.stringMatching(HEX16), type: 'OrderNotFound', message: 'order 42 does not exist'})
    // Paths as a deployed function shows them: the code under /var/task, no emulator temp directory.
    expect(cause.exceptions[0].stack[0]).toMatchObject({label: 'exports.throws', path: '/var/task/index.js', line: expect.any(Number)})
    expect(cause.working_directory).toBe('/var/task')
    const body = JSON.parse(result.payload.toString()) as {trace: string[]}
    expect(body.trace[1]).toMatch(/\(\/var\/task\/index\.js:\d+:\d+\)$/)
    expect(body.trace.join('\n')).not.toContain('/code/')
    // The stack ends at the runtime's frame, as on Lambda: no frames of the emulator's own message dispatch.
    expect(body.trace.at(-1)).toMatch(/^ {4}at Runtime\.handleOnceNonStreaming \(file:\/\/\/var\/runtime\/index\.mjs:\d+:\d+\)$/)
    expect(body.trace.join('\n')).not.toContain('node:internal')
    expect(cause.exceptions[0].stack.at(-1)).toMatchObject({path: 'file', label: 'Runtime.handleOnceNonStreaming'})
  })

  test('a timeout is a fault with a Sandbox.Timedout exception', async () => {
    const fn = functionSpec({functionName: 'traced-timeout', handler: 'index.slow', tracingMode: 'Active', timeoutSec: 1})
    await runtime.invoke(fn, payload({ms: 3000}))
    const fnSegment = byOrigin('AWS::Lambda::Function')
    expect(fnSegment.fault).toBe(true)
    expect((fnSegment.cause as {exceptions: {type: string}[]}).exceptions[0].type).toBe('Sandbox.Timedout')
  })

  test('a throttled invocation leaves a 429 service segment only', async () => {
    await runtime.invoke(functionSpec({functionName: 'traced-throttle', tracingMode: 'Active', reservedConcurrency: 0}), payload({}))
    expect(lambdaDocs).toHaveLength(1)
    expect(lambdaDocs[0]).toMatchObject({origin: 'AWS::Lambda', throttle: true, error: true, http: {response: {status: 429}}})
  })

  test('a subsegment from the official X-Ray SDK arrives through the daemon under the Invocation subsegment', async () => {
    const bundle = await build({
      entryPoints: [`${FIXTURES}xray/index.js`],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    })
    const zip = zipFiles({'index.js': bundle.outputFiles[0].text})
    const fn = functionSpec({functionName: 'xray-sdk', handler: 'index.handler', tracingMode: 'Active', zip})
    const result = await runtime.invoke(fn, payload({orderId: 'o-42'}))
    expect(json(result.payload)).toEqual({traced: true})
    const subsegment = await eventually(() => daemonDocs.find((doc) => doc.name === 'load-order'))
    const invocation = byOrigin('AWS::Lambda::Function').subsegments!.find((s) => s.name === 'Invocation')!
    expect(subsegment).toMatchObject({
      type: 'subsegment',
      trace_id: result.traceId,
      parent_id: invocation.id,
      annotations: {orderId: 'o-42'},
    })
    expect(subsegment.id).toMatch(HEX16)
    expect(subsegment.end_time as number).toBeLessThanOrEqual(invocation.end_time as number)
    // The SDK found everything it needs in the environment: no complaint in the function's log.
    expect(result.log).not.toMatch(/missing|error/i)
  })
})
