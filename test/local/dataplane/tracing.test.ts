/**
 * X-Ray through the emulator: traced requests leave the documents Lambda sends (read back with the real
 * `@aws-sdk/client-xray`), and a handler instrumented with the official `aws-xray-sdk-core` adds its
 * subsegments through the UDP daemon.
 */
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {build} from 'esbuild'
import {strToU8, zipSync} from 'fflate'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from '../helpers.js'
import {createRestApi} from '../rest-helpers.js'
import {behave, call, createFunction, createHttpApi, HELLO_SOURCE, rootOf, type SegmentDoc, traceDocuments, traceSummaries} from './helpers.js'

let t: TestEmulator

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

const byOrigin = (docs: SegmentDoc[], origin: string) => docs.find((d) => d.origin === origin)

describe('traces of requests through execute-api', () => {
  test('a throwing function answers 500 and its trace has the exception on the function segment', async () => {
    const fn = await createFunction(t, {tracing: 'Active'})
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /orders', functionArn: fn.arn}]})
    const answer = await behave(`${api.endpoint}/orders`, {throw: 'order store unavailable'})
    expect(answer.status).toBe(500)
    const traceId = rootOf(answer.headers.get('x-amzn-trace-id'))

    // The root is Lambda's service segment (HTTP 200: the function error is not an HTTP error for Lambda), so
    // the summary is not HasFault (that flag describes the root segment); the fault and its exception are in
    // the function segment, which the root causes and a service filter find.
    const summary = (await traceSummaries(t, `service("${fn.name}") { fault }`)).find((s) => s.Id === traceId)
    expect(summary).toBeDefined()
    expect(JSON.stringify(summary?.FaultRootCauses)).toContain('order store unavailable')

    const docs = await traceDocuments(t, traceId, (d) => d.length >= 2)
    const service = byOrigin(docs, 'AWS::Lambda')
    const fnSegment = byOrigin(docs, 'AWS::Lambda::Function')
    expect(service).toMatchObject({name: fn.name, http: {response: {status: 200}}, resource_arn: fn.arn})
    expect(fnSegment).toMatchObject({name: fn.name, parent_id: service?.id, fault: true})
    const cause = fnSegment?.cause as {exceptions: {type: string; message: string; stack: unknown[]}[]} | undefined
    const exception = cause?.exceptions[0]
    expect(exception).toMatchObject({type: 'Error', message: 'order store unavailable'})
    expect(exception?.stack.length).toBeGreaterThan(0)
    expect(fnSegment?.subsegments?.map((s) => s.name)).toEqual(['Initialization', 'Invocation', 'Overhead'])
  })

  test('a successful traced request is found by its trace id; a PassThrough function leaves no trace', async () => {
    const traced = await createFunction(t, {tracing: 'Active'})
    const untraced = await createFunction(t, {tracing: 'PassThrough'})
    const api = await createHttpApi(t, {
      routes: [
        {routeKey: 'POST /traced', functionArn: traced.arn},
        {routeKey: 'POST /untraced', functionArn: untraced.arn},
      ],
    })
    const ok = await behave(`${api.endpoint}/traced`, {return: {statusCode: 200, body: 'ok'}})
    const docs = await traceDocuments(t, rootOf(ok.headers.get('x-amzn-trace-id')), (d) => d.length >= 2)
    expect(byOrigin(docs, 'AWS::Lambda::Function')?.fault).toBeUndefined()

    const quiet = await behave(`${api.endpoint}/untraced`, {return: {statusCode: 200}})
    const untracedId = rootOf(quiet.headers.get('x-amzn-trace-id'))
    await behave(`${api.endpoint}/traced`, {return: {statusCode: 200}}) // a later trace that is stored
    expect((await traceSummaries(t)).map((s) => s.Id)).not.toContain(untracedId)
  })

  test('a trace header with Sampled=0 suppresses the trace even for an Active function', async () => {
    const fn = await createFunction(t, {tracing: 'Active'})
    const api = await createHttpApi(t, {routes: [{routeKey: 'GET /x', functionArn: fn.arn}]})
    const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-aaaaaaaaaaaaaaaaaaaaaaaa`
    const answer = await call(`${api.endpoint}/x`, {headers: {'x-amzn-trace-id': `Root=${root};Sampled=0`}})
    expect(answer.status).toBe(200)
    await call(`${api.endpoint}/x`)
    expect((await traceSummaries(t)).map((s) => s.Id)).not.toContain(root)
  })
})

describe('the UDP X-Ray daemon', () => {
  test('a handler using the official aws-xray-sdk-core adds a custom subsegment that BatchGetTraces returns', async () => {
    const require = createRequire(import.meta.url)
    const sdkDir = dirname(require.resolve('aws-xray-sdk-core/package.json'))
    // Bundled into the zip, as users deploy instrumented handlers.
    const bundle = await build({
      stdin: {
        contents: `
          const AWSXRay = require('aws-xray-sdk-core')
          exports.handler = async (event) => {
            await new Promise((resolve) => {
              AWSXRay.captureAsyncFunc('load-order', (subsegment) => {
                subsegment.addAnnotation('orderId', event.pathParameters.id)
                setTimeout(() => { subsegment.close(); resolve() }, 5)
              })
            })
            return {statusCode: 200, body: 'traced'}
          }`,
        resolveDir: dirname(sdkDir),
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    })
    const zip = zipSync({'index.js': strToU8(bundle.outputFiles[0].text)}, {mtime: new Date(2020, 0, 1)})
    const fn = await createFunction(t, {zip, tracing: 'Active', timeout: 10})
    const api = await createHttpApi(t, {routes: [{routeKey: 'GET /orders/{id}', functionArn: fn.arn}]})
    const answer = await call(`${api.endpoint}/orders/o-77`)
    expect([answer.status, answer.body]).toEqual([200, 'traced'])
    const traceId = rootOf(answer.headers.get('x-amzn-trace-id'))

    // BatchGetTraces returns the subsegment folded into its parent, the Invocation subsegment (§6.3).
    const invocationOf = (docs: SegmentDoc[]) => byOrigin(docs, 'AWS::Lambda::Function')?.subsegments?.find((s) => s.name === 'Invocation')
    const docs = await traceDocuments(t, traceId, (d) => Boolean(invocationOf(d)?.subsegments?.length))
    const custom = invocationOf(docs)?.subsegments?.find((s) => s.name === 'load-order')
    expect(custom).toMatchObject({annotations: {orderId: 'o-77'}})
    expect(custom?.id).toMatch(/^[0-9a-f]{16}$/)

    const summary = (await traceSummaries(t, 'annotation.orderId = "o-77"')).find((s) => s.Id === traceId)
    expect(summary).toBeDefined()
  })
})

describe('with --sampling aws (X-Ray default rule: 1 request per second plus 5 %)', () => {
  let sampled: TestEmulator

  beforeAll(async () => {
    sampled = await startTestEmulator({dataPlane: {sampling: 'aws'}})
  })
  afterAll(async () => {
    await sampled.stop()
  })

  test('a burst to an Active function leaves the first request of its second and few others; Sampled=1 is always traced', async () => {
    const fn = await createFunction(sampled, {tracing: 'Active', source: HELLO_SOURCE})
    const api = await createHttpApi(sampled, {routes: [{routeKey: 'GET /hello', functionArn: fn.arn}]})
    await call(`${api.endpoint}/hello`) // cold start, outside the counted burst
    await new Promise((resolve) => setTimeout(resolve, 1020 - (Date.now() % 1000))) // the burst opens a second

    const burst: string[] = []
    for (let i = 0; i < 20; i++) burst.push(rootOf((await call(`${api.endpoint}/hello`)).headers.get('x-amzn-trace-id')))
    const stored = new Set((await traceSummaries(sampled, `service("${fn.name}")`)).map((s) => s.Id))
    const tracedInBurst = burst.filter((id) => stored.has(id))
    // The reservoir traces the burst's first request; 19 draws at 5 % trace more than 8 with odds under 1 in 10^6.
    expect(tracedInBurst[0]).toBe(burst[0])
    expect(tracedInBurst.length).toBeGreaterThanOrEqual(1)
    expect(tracedInBurst.length).toBeLessThanOrEqual(9)

    // A caller's decision is followed whatever the reservoir says.
    const decided: string[] = []
    for (let i = 0; i < 5; i++) {
      const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-0123456789abcdef0123456${i}`
      decided.push(rootOf((await call(`${api.endpoint}/hello`, {headers: {'x-amzn-trace-id': `Root=${root};Sampled=1`}})).headers.get('x-amzn-trace-id')))
    }
    const after = new Set((await traceSummaries(sampled, `service("${fn.name}")`)).map((s) => s.Id))
    expect(decided.filter((id) => after.has(id))).toEqual(decided)
  })
  test('a request an Active function samples out gives its handler Root, a Parent of its own and Sampled=0, as on Lambda', async () => {
    const fn = await createFunction(sampled, {tracing: 'Active', source: `exports.handler = async () => ({statusCode: 200, body: process.env._X_AMZN_TRACE_ID})`})
    const api = await createHttpApi(sampled, {routes: [{routeKey: 'GET /id', functionArn: fn.arn}]})
    await call(`${api.endpoint}/id`) // cold start; it also takes this second's reservoir
    // After the reservoir, 5 % are traced: 30 requests all traced has odds of 1 in 10^39.
    let seen: {body: string; root: string} | undefined
    for (let i = 0; i < 30 && !seen; i++) {
      const answer = await call(`${api.endpoint}/id`)
      if (answer.body.endsWith(';Sampled=0')) seen = {body: answer.body, root: rootOf(answer.headers.get('x-amzn-trace-id'))}
    }
    // An X-Ray SDK of any version reads this as "not sampled" and records nothing; a root alone is PassThrough's.
    expect(seen?.body).toMatch(new RegExp(`^Root=${seen?.root};Parent=[0-9a-f]{16};Sampled=0$`))
  })
  test('a burst to a traced REST stage: the first request of its second is sampled, few others; the answer says which', async () => {
    const fn = await createFunction(sampled, {source: HELLO_SOURCE})
    const rest = await createRestApi(sampled, {routes: [{routeKey: 'GET /hello', functionArn: fn.arn}], tracing: true})
    await call(`${rest.url}/hello`) // cold start, outside the counted burst
    await new Promise((resolve) => setTimeout(resolve, 1020 - (Date.now() % 1000)))

    const answers: string[] = []
    for (let i = 0; i < 20; i++) answers.push((await call(`${rest.url}/hello`)).headers.get('x-amzn-trace-id') ?? '')
    const sampledOnes = answers.filter((header) => header.endsWith(';Sampled=1'))
    expect(answers.every((header) => /;Sampled=[01]$/.test(header))).toBe(true)
    expect(answers[0]).toMatch(/;Sampled=1$/)
    expect(sampledOnes.length).toBeLessThanOrEqual(9)
    // What the stage sampled is stored; what it did not is not.
    const stored = new Set((await traceSummaries(sampled)).map((s) => s.Id))
    expect(answers.filter((header) => stored.has(rootOf(header)))).toEqual(sampledOnes)
  })
})
