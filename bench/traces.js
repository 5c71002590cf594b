// Traces: (1) build and render a 5,000-span trace (parse documents → span tree → classification → waterfall
// → coloured text at 160 columns; target < 200 ms), and a typical 60-span trace through the Ink component; (2) BatchGetTraces
// for 100 traces against a mocked X-Ray client with a fixed latency per call: number of calls and wall time,
// against one call at a time. Runs against dist/ (npm run build); TRACEGATE_DIST points elsewhere.
//   node bench/traces.js
import {EventEmitter} from 'node:events'
import {pathToFileURL} from 'node:url'
import {median, report} from './lib.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const dist = process.env.TRACEGATE_DIST ? pathToFileURL(`${process.env.TRACEGATE_DIST.replace(/\/$/, '')}/`) : new URL('../dist/', import.meta.url)
const load = (path) => import(new URL(path, dist).href)

const runs = Number(process.env.BENCH_RUNS ?? 15)
const LATENCY_MS = Number(process.env.BENCH_XRAY_LATENCY_MS ?? 50)

const {traceViewFromDocuments} = await load('traces/show.js')
const {plainWaterfall} = await load('ui/traces/plain.js')
const {paletteFor} = await load('ui/colors.js')
const {xrayReader} = await load('aws/xray.js')

// ---- 1. A 5,000-span trace, shaped like a busy Lambda invocation behind a REST stage -----------------------
const T0 = Math.floor(Date.now() / 1000) - 60
const TRACE_ID = `1-${T0.toString(16)}-${'ab'.repeat(12)}`
const hex = (n) => n.toString(16).padStart(16, '0')

function bigTrace(spans) {
  let next = 1
  const id = () => hex(next++)
  const stageId = id()
  const lambdaSubId = id()
  const serviceId = id()
  const fnId = id()
  const invocationId = id()
  // Five spans of scaffolding (stage, its Lambda subsegment, the two Lambda segments, Invocation); the rest
  // are SDK calls in groups: one "batch" subsegment holding up to 9 DynamoDB calls, one of them failing.
  const groups = []
  let count = 5
  let t = T0 + 0.01
  while (count < spans) {
    const group = {id: id(), name: 'batch', start_time: t, end_time: t + 0.02, subsegments: []}
    count++
    for (let i = 0; i < 9 && count < spans; i++, count++) {
      const failed = i === 4
      group.subsegments.push({
        id: id(),
        name: 'DynamoDB',
        namespace: 'aws',
        start_time: t + i * 0.001,
        end_time: t + i * 0.001 + 0.0008,
        aws: {operation: 'GetItem', table_name: 'orders'},
        http: {response: {status: failed ? 400 : 200}},
        ...(failed ? {error: true, cause: {exceptions: [{id: id(), type: 'ConditionalCheckFailedException', message: 'The conditional request failed', remote: true}]}} : {}),
      })
    }
    groups.push(group)
    t += 0.0005
  }
  const end = t + 0.05
  const stage = {
    id: stageId,
    trace_id: TRACE_ID,
    name: 'orders/prod',
    origin: 'AWS::ApiGateway::Stage',
    start_time: T0,
    end_time: end + 0.003,
    http: {request: {method: 'GET', url: 'https://a1b2c3d4e5.execute-api.us-east-2.amazonaws.com/prod/orders/42'}, response: {status: 200}},
    subsegments: [{id: lambdaSubId, name: 'Lambda', namespace: 'aws', start_time: T0 + 0.001, end_time: end + 0.002, aws: {operation: 'Invoke'}}],
  }
  const service = {id: serviceId, trace_id: TRACE_ID, parent_id: lambdaSubId, name: 'orders-getOrder', origin: 'AWS::Lambda', start_time: T0 + 0.002, end_time: end + 0.001}
  const fn = {
    id: fnId,
    trace_id: TRACE_ID,
    parent_id: serviceId,
    name: 'orders-getOrder',
    origin: 'AWS::Lambda::Function',
    start_time: T0 + 0.003,
    end_time: end,
    subsegments: [{id: invocationId, name: 'Invocation', start_time: T0 + 0.004, end_time: end - 0.001, subsegments: groups}],
  }
  return [stage, service, fn].map((d) => JSON.stringify(d))
}

const documents = bigTrace(5000)
// With colour, as a terminal gets it.
const palette = paletteFor({isTTY: true}, {})
const check = traceViewFromDocuments(TRACE_ID, documents)
if (check.spanCount !== 5000) throw new Error(`the bench trace has ${check.spanCount} spans, not 5,000`)

function buildAndRender() {
  const view = traceViewFromDocuments(TRACE_ID, documents)
  return plainWaterfall(view, palette, 160)
}
for (let i = 0; i < 3; i++) buildAndRender()
const times = []
let text = ''
for (let i = 0; i < runs; i++) {
  const started = performance.now()
  text = buildAndRender()
  times.push(performance.now() - started)
}
report({
  bench: 'traces',
  metric: `build + render as coloured text, ${check.spanCount}-span trace (median ms)`,
  value: Math.round(median(times) * 10) / 10,
  unit: 'ms',
  target: '< 200 ms',
  lines: text.split('\n').length,
})

// The Ink view, for a typical trace (60 spans). Bigger traces are printed as coloured text instead (Ink costs
// seconds per thousand rows; src/ui/traces/render.ts INK_MAX_ROWS).
const [{render}, {createElement}, {WaterfallView}] = await Promise.all([import('ink'), import('react'), load('ui/traces/Waterfall.js')])
class FakeStdout extends EventEmitter {
  columns = 160
  rows = 50
  write = (_chunk, cb) => {
    if (typeof cb === 'function') cb()
    return true
  }
}
const typical = bigTrace(60)
const inkTimes = []
for (let i = 0; i < Math.max(4, Math.floor(runs / 3)); i++) {
  const started = performance.now()
  const view = traceViewFromDocuments(TRACE_ID, typical)
  const instance = render(createElement(WaterfallView, {view, width: 160}), {stdout: new FakeStdout(), debug: true, patchConsole: false, exitOnCtrlC: false})
  instance.unmount()
  await instance.waitUntilExit().catch(() => {})
  inkTimes.push(performance.now() - started)
}
report({bench: 'traces', metric: 'build + Ink render, 60-span trace (median ms, first run excluded)', value: Math.round(median(inkTimes.slice(1)) * 10) / 10, unit: 'ms'})

// ---- 2. BatchGetTraces for 100 traces, mocked client with fixed latency ------------------------------------
const {mockClient} = await import('aws-sdk-client-mock')
const {BatchGetTracesCommand, XRayClient} = await import('@aws-sdk/client-xray')
const mock = mockClient(XRayClient)
let calls = 0
mock.on(BatchGetTracesCommand).callsFake(async (input) => {
  calls++
  await new Promise((resolve) => setTimeout(resolve, LATENCY_MS))
  return {Traces: input.TraceIds.map((Id) => ({Id, Duration: 0.05, Segments: [{Id: 'a', Document: documents[0]}]}))}
})
const client = new XRayClient({region: 'us-east-1', credentials: {accessKeyId: 'a', secretAccessKey: 'b'}})
const ids = Array.from({length: 100}, (_, i) => `1-${T0.toString(16)}-${i.toString(16).padStart(24, '0')}`)

async function fetchAll(concurrency) {
  calls = 0
  const started = performance.now()
  const batch = await xrayReader(client, {concurrency}).traces(ids)
  const ms = performance.now() - started
  if (batch.traces.length !== 100) throw new Error(`expected 100 traces, got ${batch.traces.length}`)
  return {ms, calls}
}
await fetchAll(8)
const parallel = []
const sequential = []
for (let i = 0; i < 5; i++) {
  parallel.push(await fetchAll(8))
  sequential.push(await fetchAll(1))
}
report({bench: 'traces', metric: 'BatchGetTraces calls for 100 traces', value: parallel[0].calls, unit: 'calls', target: '20 (5 ids per call)'})
report({
  bench: 'traces',
  metric: `BatchGetTraces wall time, 100 traces, ${LATENCY_MS} ms/call, 8 in flight (median ms)`,
  value: Math.round(median(parallel.map((r) => r.ms))),
  unit: 'ms',
  baseline: Math.round(median(sequential.map((r) => r.ms))),
  baselineLabel: 'one call at a time',
})
mock.restore()
client.destroy()
