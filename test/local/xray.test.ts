import {randomBytes} from 'node:crypto'
import {
  BatchGetTracesCommand,
  GetTraceSummariesCommand,
  InvalidRequestException,
  PutTraceSegmentsCommand,
  paginateGetTraceSummaries,
} from '@aws-sdk/client-xray'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator

beforeAll(async () => {
  // A small page so pagination is exercised with a handful of traces.
  t = await startTestEmulator({xray: {summariesPageSize: 2}})
})
afterAll(async () => {
  await t.stop()
})

function traceId(epochSeconds = Math.floor(Date.now() / 1000)): string {
  return `1-${epochSeconds.toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`
}

function segmentId(): string {
  return randomBytes(8).toString('hex')
}

function segment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now() / 1000
  return {name: 'orders-get', id: segmentId(), trace_id: traceId(), start_time: now - 0.2, end_time: now, ...overrides}
}

async function put(...docs: Record<string, unknown>[]) {
  return t.clients.xray.send(new PutTraceSegmentsCommand({TraceSegmentDocuments: docs.map((d) => JSON.stringify(d))}))
}

describe('PutTraceSegments', () => {
  test('stores documents exactly as given and BatchGetTraces returns them as strings', async () => {
    const id = traceId()
    const now = Date.now() / 1000
    const root = segment({
      trace_id: id,
      origin: 'AWS::Lambda',
      start_time: now - 1,
      end_time: now - 0.5,
      http: {response: {status: 200}},
    })
    const fn = segment({
      trace_id: id,
      origin: 'AWS::Lambda::Function',
      parent_id: root.id,
      start_time: now - 0.9,
      end_time: now - 0.6,
      subsegments: [{id: segmentId(), name: 'Invocation', start_time: now - 0.9, end_time: now - 0.7}],
    })
    const raw = JSON.stringify(fn, null, 1)
    const result = await t.clients.xray.send(new PutTraceSegmentsCommand({TraceSegmentDocuments: [JSON.stringify(root), raw]}))
    expect(result.UnprocessedTraceSegments).toEqual([])

    const batch = await t.clients.xray.send(new BatchGetTracesCommand({TraceIds: [id]}))
    expect(batch.Traces).toHaveLength(1)
    const trace = batch.Traces![0]
    expect(trace.Id).toBe(id)
    // Exactly 0.5: milliseconds, not the float noise of subtracting two epoch times.
    expect(trace.Duration).toBe(0.5)
    expect(trace.LimitExceeded).toBe(false)
    const byId = new Map(trace.Segments!.map((s) => [s.Id, s.Document]))
    expect(byId.get(String(fn.id))).toBe(raw)
    expect(JSON.parse(byId.get(String(root.id))!)).toEqual(root)
  })

  test('invalid trace ids, too-old trace ids and incomplete documents come back unprocessed', async () => {
    const good = segment()
    const badTrace = segment({trace_id: '1-xyz'})
    const old = segment({trace_id: traceId(Math.floor(Date.now() / 1000) - 40 * 24 * 3600)})
    const noEnd = segment({end_time: undefined})
    const result = await put(good, badTrace, old, noEnd)
    expect(result.UnprocessedTraceSegments).toEqual([
      {Id: badTrace.id, ErrorCode: 'InvalidTraceId', Message: 'Invalid trace id: 1-xyz'},
      {Id: old.id, ErrorCode: 'InvalidTraceId', Message: expect.stringContaining('too old')},
      {Id: noEnd.id, ErrorCode: 'InvalidSegment', Message: 'a segment needs end_time or in_progress: true'},
    ])
    const batch = await t.clients.xray.send(new BatchGetTracesCommand({TraceIds: [String(good.trace_id)]}))
    expect(batch.Traces).toHaveLength(1)
  })

  test('a complete segment replaces the in-progress one with the same id, never the reverse', async () => {
    const id = traceId()
    const sid = segmentId()
    const now = Date.now() / 1000
    await put({name: 'a', id: sid, trace_id: id, start_time: now - 1, in_progress: true})
    await put({name: 'a', id: sid, trace_id: id, start_time: now - 1, end_time: now})
    await put({name: 'a', id: sid, trace_id: id, start_time: now - 1, in_progress: true})
    const batch = await t.clients.xray.send(new BatchGetTracesCommand({TraceIds: [id]}))
    expect(batch.Traces![0].Segments).toHaveLength(1)
    expect(JSON.parse(batch.Traces![0].Segments![0].Document!)).toMatchObject({end_time: now})
  })

  test('a subsegment sent on its own is folded into its parent segment', async () => {
    const id = traceId()
    const now = Date.now() / 1000
    const root = segment({trace_id: id, start_time: now - 1, end_time: now})
    const sub = {
      type: 'subsegment',
      name: 'DynamoDB',
      id: segmentId(),
      trace_id: id,
      parent_id: root.id,
      start_time: now - 0.5,
      end_time: now - 0.4,
      namespace: 'aws',
    }
    await put(root, sub)
    const batch = await t.clients.xray.send(new BatchGetTracesCommand({TraceIds: [id]}))
    expect(batch.Traces![0].Segments).toHaveLength(1)
    const doc = JSON.parse(batch.Traces![0].Segments![0].Document!)
    expect(doc.subsegments).toEqual([{name: 'DynamoDB', id: sub.id, start_time: sub.start_time, end_time: sub.end_time, namespace: 'aws'}])
  })
})

describe('BatchGetTraces', () => {
  test('more than 5 trace ids is InvalidRequestException', async () => {
    const ids = Array.from({length: 6}, () => traceId())
    const error = await t.clients.xray.send(new BatchGetTracesCommand({TraceIds: ids})).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidRequestException)
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  test('unknown trace ids are listed as unprocessed', async () => {
    const unknown = traceId()
    const batch = await t.clients.xray.send(new BatchGetTracesCommand({TraceIds: [unknown]}))
    expect(batch.Traces).toEqual([])
    expect(batch.UnprocessedTraceIds).toEqual([unknown])
  })
})

describe('GetTraceSummaries', () => {
  test('returns the traces in the time range, page by page, with flags and HTTP facts', async () => {
    const base = Math.floor(Date.now() / 1000) - 3600
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const id = traceId(base + i)
      ids.push(id)
      await put(
        segment({
          trace_id: id,
          start_time: base + i,
          end_time: base + i + 0.25,
          fault: i === 2,
          http: {request: {method: 'GET', url: `https://x/orders/${i}`}, response: {status: i === 2 ? 500 : 200}},
        }),
      )
    }
    await put(segment({trace_id: traceId(base - 600), start_time: base - 600, end_time: base - 599}))

    const first = await t.clients.xray.send(
      new GetTraceSummariesCommand({StartTime: new Date(base * 1000), EndTime: new Date((base + 10) * 1000)}),
    )
    expect(first.TraceSummaries).toHaveLength(2)
    expect(first.NextToken).toBeTypeOf('string')
    expect(first.ApproximateTime).toBeInstanceOf(Date)

    const summaries = []
    for await (const page of paginateGetTraceSummaries(
      {client: t.clients.xray},
      {StartTime: new Date(base * 1000), EndTime: new Date((base + 10) * 1000)},
    )) {
      summaries.push(...page.TraceSummaries!)
    }
    expect(summaries.map((s) => s.Id)).toEqual(ids)
    const faulty = summaries[2]
    expect(faulty).toMatchObject({
      HasFault: true,
      HasError: false,
      HasThrottle: false,
      Http: {HttpMethod: 'GET', HttpURL: 'https://x/orders/2', HttpStatus: 500},
      ServiceIds: [{Name: 'orders-get', Names: ['orders-get']}],
    })
    expect(faulty.Duration).toBeCloseTo(0.25, 3)
    expect(faulty.ResponseTime).toBeCloseTo(0.25, 3)
  })

  test('filter expressions select traces, across pages, as X-Ray evaluates them', async () => {
    const base = Math.floor(Date.now() / 1000) - 7200
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      const id = traceId(base + i)
      ids.push(id)
      const status = i % 3 === 0 ? 502 : 200
      await put(
        segment({
          name: i % 2 === 0 ? 'orders-get' : 'orders-post',
          trace_id: id,
          start_time: base + i,
          end_time: base + i + 0.1,
          fault: status >= 500,
          http: {request: {method: i % 2 === 0 ? 'GET' : 'POST', url: `https://x/orders/${i}`}, response: {status}},
        }),
      )
    }
    const range = {StartTime: new Date(base * 1000), EndTime: new Date((base + 10) * 1000)}
    const all = async (FilterExpression: string) => {
      const found: string[] = []
      for await (const page of paginateGetTraceSummaries({client: t.clients.xray}, {...range, FilterExpression})) {
        expect(page.TraceSummaries!.length).toBeLessThanOrEqual(2)
        found.push(...page.TraceSummaries!.map((s) => s.Id!))
      }
      return found
    }
    expect(await all('fault')).toEqual([ids[0], ids[3]])
    expect(await all('http.status = 502')).toEqual([ids[0], ids[3]])
    expect(await all('!ok')).toEqual([ids[0], ids[3]])
    expect(await all('http.method = "POST"')).toEqual([ids[1], ids[3], ids[5]])
    expect(await all('service("orders-get") { fault }')).toEqual([ids[0]])
    expect(await all('http.url CONTAINS "/orders/4" OR fault')).toEqual([ids[0], ids[3], ids[4]])
  })

  test('an invalid filter expression is InvalidRequestException naming the problem', async () => {
    const now = new Date()
    const error = await t.clients.xray
      .send(new GetTraceSummariesCommand({StartTime: new Date(now.getTime() - 60_000), EndTime: now, FilterExpression: 'http.status = '}))
      .catch((e) => e)
    expect(error).toBeInstanceOf(InvalidRequestException)
    expect(error.message).toMatch(/^Invalid filter expression: .*position/)
  })

  test('an end before the start is InvalidRequestException', async () => {
    const now = new Date()
    await expect(
      t.clients.xray.send(new GetTraceSummariesCommand({StartTime: now, EndTime: new Date(now.getTime() - 1000)})),
    ).rejects.toBeInstanceOf(InvalidRequestException)
  })
})
