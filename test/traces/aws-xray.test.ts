// Tests for src/aws/xray.ts (kept with the traces tests, which own it).
import {BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient} from '@aws-sdk/client-xray'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {BATCH_GET_TRACES_MAX_IDS, xrayReader} from '../../src/aws/xray.js'
import {isUserError} from '../../src/errors.js'

const xray = mockClient(XRayClient)
const client = () => new XRayClient({region: 'us-east-2', credentials: {accessKeyId: 'a', secretAccessKey: 'b'}})
const noWait = {clock: {now: () => 0, sleep: async () => {}}, random: () => 0}

function id(n: number): string {
  return `1-5759e988-${n.toString(16).padStart(24, '0')}`
}

function serviceError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), {name, $metadata: {httpStatusCode: status}, $fault: 'client'})
}

beforeEach(() => {
  xray.reset()
})

describe('traceSummaries', () => {
  test('drains every page and sums TracesProcessedCount', async () => {
    xray
      .on(GetTraceSummariesCommand)
      .resolvesOnce({TraceSummaries: [{Id: id(1)}, {Id: id(2)}], TracesProcessedCount: 10, NextToken: 't1'})
      .resolvesOnce({TraceSummaries: [], TracesProcessedCount: 5, NextToken: 't2'})
      .resolvesOnce({TraceSummaries: [{Id: id(3)}], TracesProcessedCount: 1})
    const start = new Date('2024-05-01T10:00:00Z')
    const end = new Date('2024-05-01T10:15:00Z')
    const result = await xrayReader(client()).traceSummaries({start, end, filterExpression: 'service("orders-getOrder")'})
    expect(result.summaries.map((s) => s.Id)).toEqual([id(1), id(2), id(3)])
    expect(result).toMatchObject({tracesProcessed: 16, truncated: false, pages: 3})
    expect(xray).toHaveReceivedCommandTimes(GetTraceSummariesCommand, 3)
    expect(xray).toHaveReceivedNthCommandWith(GetTraceSummariesCommand, 1, {StartTime: start, EndTime: end, FilterExpression: 'service("orders-getOrder")', NextToken: undefined})
    expect(xray).toHaveReceivedNthCommandWith(GetTraceSummariesCommand, 3, {NextToken: 't2'})
  })

  test('stops draining at the limit and says so', async () => {
    xray
      .on(GetTraceSummariesCommand)
      .resolvesOnce({TraceSummaries: [{Id: id(1)}, {Id: id(2)}], NextToken: 't1'})
      .resolvesOnce({TraceSummaries: [{Id: id(3)}], NextToken: 't2'})
    const result = await xrayReader(client()).traceSummaries({start: new Date(0), end: new Date(1000), limit: 2})
    expect(result.summaries).toHaveLength(2)
    expect(result.truncated).toBe(true)
    expect(xray).toHaveReceivedCommandTimes(GetTraceSummariesCommand, 1)
  })

  test('an empty filter is not sent', async () => {
    xray.on(GetTraceSummariesCommand).resolves({})
    await xrayReader(client()).traceSummaries({start: new Date(0), end: new Date(1000), filterExpression: ''})
    expect(xray.commandCalls(GetTraceSummariesCommand)[0].args[0].input.FilterExpression).toBeUndefined()
  })

  test('InvalidRequestException becomes a usage error that points at --filter', async () => {
    xray.on(GetTraceSummariesCommand).rejects(serviceError('InvalidRequestException', 400, 'Invalid filter expression'))
    const error = await xrayReader(client())
      .traceSummaries({start: new Date(0), end: new Date(1000), filterExpression: 'bad'})
      .catch((e: unknown) => e)
    expect(isUserError(error)).toBe(true)
    expect(error).toMatchObject({code: 'XRAY_INVALID_REQUEST', exitCode: 2, message: 'X-Ray rejected the query: Invalid filter expression'})
  })

  test('ThrottledException is retried with backoff, then succeeds', async () => {
    xray
      .on(GetTraceSummariesCommand)
      .rejectsOnce(serviceError('ThrottledException', 429))
      .rejectsOnce(serviceError('ThrottledException', 429))
      .resolvesOnce({TraceSummaries: [{Id: id(1)}]})
    const result = await xrayReader(client(), {retry: noWait}).traceSummaries({start: new Date(0), end: new Date(1000)})
    expect(result.summaries).toHaveLength(1)
    expect(xray).toHaveReceivedCommandTimes(GetTraceSummariesCommand, 3)
  })

  test('throttling that outlasts the retries is reported, with the AWS error kept as the cause', async () => {
    const throttled = serviceError('ThrottledException', 429)
    xray.on(GetTraceSummariesCommand).rejects(throttled)
    const error = await xrayReader(client(), {retry: {...noWait, maxAttempts: 2}})
      .traceSummaries({start: new Date(0), end: new Date(1000)})
      .catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'XRAY_THROTTLED', exitCode: 1})
    expect((error as Error).cause).toBe(throttled)
  })

  test('access denied names the X-Ray action to allow', async () => {
    xray.on(GetTraceSummariesCommand).rejects(serviceError('AccessDeniedException', 403, 'User: arn:aws:iam::1:user/x is not authorized to perform: xray:GetTraceSummaries'))
    await expect(xrayReader(client()).traceSummaries({start: new Date(0), end: new Date(1000)})).rejects.toMatchObject({
      code: 'AWS_ACCESS_DENIED',
      message: expect.stringContaining('xray:GetTraceSummaries'),
    })
  })
})

describe('traces (BatchGetTraces)', () => {
  test(`asks for at most ${BATCH_GET_TRACES_MAX_IDS} ids per call, calls in parallel, returns traces in the order asked`, async () => {
    let inFlight = 0
    let maxInFlight = 0
    xray.on(BatchGetTracesCommand).callsFake(async (input: {TraceIds: string[]}) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 10))
      inFlight--
      // Answer in reverse order to prove the reader restores the caller's order.
      return {Traces: [...input.TraceIds].reverse().map((traceId) => ({Id: traceId, Duration: 0.1, Segments: [{Id: 'a', Document: `{"id":"${traceId}"}`}]}))}
    })
    const ids = Array.from({length: 23}, (_, i) => id(i))
    const batch = await xrayReader(client(), {concurrency: 3}).traces([...ids, ids[0]])
    expect(batch.calls).toBe(5)
    expect(batch.traces.map((t) => t.id)).toEqual(ids)
    expect(batch.traces[4]).toEqual({id: ids[4], duration: 0.1, limitExceeded: false, documents: [`{"id":"${ids[4]}"}`]})
    const sizes = xray.commandCalls(BatchGetTracesCommand).map((c) => c.args[0].input.TraceIds?.length)
    expect(sizes).toEqual([5, 5, 5, 5, 3])
    expect(maxInFlight).toBe(3)
  })

  test("drains each call's NextToken and merges the segments of a trace split across pages", async () => {
    xray
      .on(BatchGetTracesCommand)
      .resolvesOnce({Traces: [{Id: id(1), Segments: [{Id: 's1', Document: '{"n":1}'}]}], NextToken: 'more'})
      .resolvesOnce({Traces: [{Id: id(1), LimitExceeded: true, Segments: [{Id: 's2', Document: '{"n":2}'}]}]})
    const batch = await xrayReader(client()).traces([id(1)])
    expect(batch.traces).toEqual([{id: id(1), duration: undefined, limitExceeded: true, documents: ['{"n":1}', '{"n":2}']}])
    expect(batch.calls).toBe(2)
    expect(xray).toHaveReceivedNthCommandWith(BatchGetTracesCommand, 2, {TraceIds: [id(1)], NextToken: 'more'})
  })

  test('ids X-Ray did not return are left out; unprocessed ids are reported', async () => {
    xray.on(BatchGetTracesCommand).resolves({Traces: [{Id: id(1), Segments: []}], UnprocessedTraceIds: [id(2)]})
    const batch = await xrayReader(client()).traces([id(1), id(2), id(3)])
    expect(batch.traces.map((t) => t.id)).toEqual([id(1)])
    expect(batch.unprocessedIds).toEqual([id(2)])
  })

  test('no ids, no call', async () => {
    const batch = await xrayReader(client()).traces([])
    expect(batch).toEqual({traces: [], unprocessedIds: [], calls: 0})
    expect(xray).toHaveReceivedCommandTimes(BatchGetTracesCommand, 0)
  })
})
