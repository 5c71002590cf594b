import {randomBytes} from 'node:crypto'
import {GetSamplingRulesCommand, GetServiceGraphCommand, GetTraceGraphCommand, InvalidRequestException, PutTraceSegmentsCommand, type Service} from '@aws-sdk/client-xray'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

function traceId(): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`
}

function segmentId(): string {
  return randomBytes(8).toString('hex')
}

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:orders-get'

/** A Lambda trace as Lambda sends it: AWS::Lambda → AWS::Lambda::Function, whose handler calls a remote host. */
function lambdaTrace(options: {fault?: boolean; base?: number} = {}) {
  const id = traceId()
  const base = options.base ?? Math.floor(Date.now() / 1000) - 10
  const service = {
    name: 'orders-get',
    id: segmentId(),
    trace_id: id,
    origin: 'AWS::Lambda',
    resource_arn: ARN,
    start_time: base,
    end_time: base + 0.5,
    http: {response: {status: 200}},
  }
  const fn = {
    name: 'orders-get',
    id: segmentId(),
    trace_id: id,
    parent_id: service.id,
    origin: 'AWS::Lambda::Function',
    aws: {account_id: '123456789012', function_arn: ARN},
    start_time: base + 0.1,
    end_time: base + 0.4,
    ...(options.fault ? {fault: true} : {}),
    subsegments: [
      {
        id: segmentId(),
        name: 'Invocation',
        start_time: base + 0.1,
        end_time: base + 0.35,
        subsegments: [
          {
            id: segmentId(),
            name: 'api.example.com',
            namespace: 'remote',
            start_time: base + 0.15,
            end_time: base + 0.25,
            http: {request: {method: 'GET', url: 'https://api.example.com/x'}, response: {status: options.fault ? 503 : 200}},
          },
        ],
      },
    ],
  }
  return {id, base, documents: [service, fn]}
}

async function put(documents: Record<string, unknown>[]) {
  const result = await t.clients.xray.send(new PutTraceSegmentsCommand({TraceSegmentDocuments: documents.map((d) => JSON.stringify(d))}))
  expect(result.UnprocessedTraceSegments).toEqual([])
}

function byType(services: Service[] | undefined, type: string): Service {
  const found = services?.find((s) => s.Type === type)
  if (!found) throw new Error(`no service of type ${type}`)
  return found
}

describe('GetTraceGraph', () => {
  test('a Lambda trace gives the Lambda service, the function and the remote host, linked by edges', async () => {
    const trace = lambdaTrace()
    await put(trace.documents)
    const graph = await t.clients.xray.send(new GetTraceGraphCommand({TraceIds: [trace.id]}))
    const services = graph.Services ?? []
    expect(services.map((s) => [s.ReferenceId, s.Name, s.Type])).toEqual([
      [0, 'orders-get', 'AWS::Lambda'],
      [1, 'orders-get', 'AWS::Lambda::Function'],
      [2, 'api.example.com', 'remote'],
    ])
    expect(graph.NextToken).toBeUndefined()

    const lambda = byType(services, 'AWS::Lambda')
    const fn = byType(services, 'AWS::Lambda::Function')
    const remote = byType(services, 'remote')
    expect(lambda.Root).toBe(true)
    expect(fn.Root).toBe(false)
    expect(remote.Root).toBe(false)
    expect(lambda.AccountId).toBe('123456789012')
    expect(fn.AccountId).toBe('123456789012')
    expect(remote.AccountId).toBeUndefined()
    expect(lambda.Names).toEqual(['orders-get'])
    expect(lambda.State).toBe('active')
    // restJson1 epoch seconds arrive as Dates.
    expect(lambda.StartTime).toEqual(new Date(trace.base * 1000))
    expect(lambda.EndTime).toEqual(new Date((trace.base + 0.5) * 1000))

    expect(lambda.Edges).toEqual([
      {
        ReferenceId: fn.ReferenceId,
        StartTime: new Date((trace.base + 0.1) * 1000),
        EndTime: new Date((trace.base + 0.4) * 1000),
        SummaryStatistics: {
          OkCount: 1,
          ErrorStatistics: {ThrottleCount: 0, OtherCount: 0, TotalCount: 0},
          FaultStatistics: {OtherCount: 0, TotalCount: 0},
          TotalCount: 1,
          TotalResponseTime: 0.3,
        },
        ResponseTimeHistogram: [{Value: 0.3, Count: 1}],
        Aliases: [],
      },
    ])
    expect(fn.Edges?.map((e) => e.ReferenceId)).toEqual([remote.ReferenceId])
    expect(fn.Edges?.[0].SummaryStatistics?.TotalResponseTime).toBe(0.1)
    expect(remote.Edges).toEqual([])
    expect(lambda.SummaryStatistics).toMatchObject({OkCount: 1, TotalCount: 1, TotalResponseTime: 0.5})
    expect(lambda.DurationHistogram).toEqual([{Value: 0.5, Count: 1}])
    expect(lambda.ResponseTimeHistogram).toEqual([{Value: 0.5, Count: 1}])
  })

  test('several traces share nodes and add up their counts; a faulting trace counts in FaultStatistics', async () => {
    const ok = lambdaTrace()
    const failing = lambdaTrace({fault: true})
    await put([...ok.documents, ...failing.documents])
    const graph = await t.clients.xray.send(new GetTraceGraphCommand({TraceIds: [ok.id, failing.id]}))
    expect(graph.Services).toHaveLength(3)
    const lambda = byType(graph.Services, 'AWS::Lambda')
    const fn = byType(graph.Services, 'AWS::Lambda::Function')
    const remote = byType(graph.Services, 'remote')
    expect(fn.SummaryStatistics).toEqual({
      OkCount: 1,
      ErrorStatistics: {ThrottleCount: 0, OtherCount: 0, TotalCount: 0},
      FaultStatistics: {OtherCount: 1, TotalCount: 1},
      TotalCount: 2,
      TotalResponseTime: 0.6,
    })
    expect(fn.DurationHistogram).toEqual([{Value: 0.3, Count: 2}])
    expect(lambda.Edges?.[0].SummaryStatistics).toMatchObject({OkCount: 1, FaultStatistics: {OtherCount: 1, TotalCount: 1}, TotalCount: 2})
    // The 503 of the remote call is a fault on the function → host edge.
    expect(fn.Edges?.[0].SummaryStatistics).toMatchObject({OkCount: 1, FaultStatistics: {TotalCount: 1}, TotalCount: 2})
    expect(remote.SummaryStatistics?.FaultStatistics).toEqual({OtherCount: 1, TotalCount: 1})
    // The service segment answered 200 both times: Lambda reports function errors inside a 200 (aws-semantics §1.2).
    expect(lambda.SummaryStatistics?.OkCount).toBe(2)
  })

  test('a throttled call counts as an error with ThrottleCount', async () => {
    const id = traceId()
    const base = Math.floor(Date.now() / 1000) - 5
    await put([
      {name: 'orders-get', id: segmentId(), trace_id: id, origin: 'AWS::Lambda', start_time: base, end_time: base + 0.01, error: true, throttle: true, http: {response: {status: 429}}},
    ])
    const graph = await t.clients.xray.send(new GetTraceGraphCommand({TraceIds: [id]}))
    expect(graph.Services?.[0].SummaryStatistics).toMatchObject({
      OkCount: 0,
      ErrorStatistics: {ThrottleCount: 1, OtherCount: 0, TotalCount: 1},
      FaultStatistics: {OtherCount: 0, TotalCount: 0},
      TotalCount: 1,
    })
  })

  test('an aws subsegment becomes an AWS:: node; a traced call merges with the segment it reached', async () => {
    const id = traceId()
    const base = Math.floor(Date.now() / 1000) - 5
    const lambdaCall = {id: segmentId(), name: 'Lambda', namespace: 'aws', start_time: base + 0.01, end_time: base + 0.2}
    const stage = {
      name: 'shop/prod',
      id: segmentId(),
      trace_id: id,
      origin: 'AWS::ApiGateway::Stage',
      start_time: base,
      end_time: base + 0.21,
      subsegments: [lambdaCall, {id: segmentId(), name: 'DynamoDB', namespace: 'aws', start_time: base + 0.01, end_time: base + 0.02}],
    }
    const lambda = {name: 'orders-get', id: segmentId(), trace_id: id, parent_id: lambdaCall.id, origin: 'AWS::Lambda', start_time: base + 0.02, end_time: base + 0.19}
    await put([stage, lambda])
    const graph = await t.clients.xray.send(new GetTraceGraphCommand({TraceIds: [id]}))
    expect(graph.Services?.map((s) => [s.Name, s.Type, s.Root])).toEqual([
      ['shop/prod', 'AWS::ApiGateway::Stage', true],
      ['DynamoDB', 'AWS::DynamoDB', false],
      ['orders-get', 'AWS::Lambda', false],
    ])
    const edges = graph.Services?.[0].Edges ?? []
    expect(edges.map((e) => e.ReferenceId).sort()).toEqual([1, 2])
    // The edge to the Lambda service is timed by the stage's own subsegment (the caller's view).
    expect(edges.find((e) => e.ReferenceId === 2)?.SummaryStatistics?.TotalResponseTime).toBe(0.19)
  })

  test('unknown trace ids add no services', async () => {
    const graph = await t.clients.xray.send(new GetTraceGraphCommand({TraceIds: [traceId()]}))
    expect(graph.Services).toEqual([])
  })

  test('no trace ids is InvalidRequestException', async () => {
    await expect(t.clients.xray.send(new GetTraceGraphCommand({TraceIds: []}))).rejects.toBeInstanceOf(InvalidRequestException)
    await expect(t.clients.xray.send(new GetTraceGraphCommand({TraceIds: undefined}))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('TraceIds'),
      $metadata: {httpStatusCode: 400},
    })
  })
})

describe('GetServiceGraph', () => {
  test('the graph of the traces that ended in the time frame, with their counts; traces outside it add nothing', async () => {
    const base = Math.floor(Date.now() / 1000) - 7200
    const ok = lambdaTrace({base})
    const failing = lambdaTrace({base: base + 30, fault: true})
    const later = lambdaTrace({base: base + 3600})
    await put([...ok.documents, ...failing.documents, ...later.documents])
    const graph = await t.clients.xray.send(new GetServiceGraphCommand({StartTime: new Date((base - 60) * 1000), EndTime: new Date((base + 600) * 1000)}))
    expect(graph.StartTime).toEqual(new Date((base - 60) * 1000))
    expect(graph.EndTime).toEqual(new Date((base + 600) * 1000))
    expect(graph.ContainsOldGroupVersions).toBe(false)
    expect(graph.NextToken).toBeUndefined()
    expect(graph.Services?.map((s) => [s.Name, s.Type])).toEqual([
      ['orders-get', 'AWS::Lambda'],
      ['orders-get', 'AWS::Lambda::Function'],
      ['api.example.com', 'remote'],
    ])
    const fn = byType(graph.Services, 'AWS::Lambda::Function')
    expect(fn.SummaryStatistics).toMatchObject({OkCount: 1, FaultStatistics: {OtherCount: 1, TotalCount: 1}, TotalCount: 2})
    expect(byType(graph.Services, 'AWS::Lambda').EndTime).toEqual(new Date((base + 30.5) * 1000))

    const empty = await t.clients.xray.send(new GetServiceGraphCommand({StartTime: new Date((base - 7200) * 1000), EndTime: new Date((base - 3600) * 1000)}))
    expect(empty.Services).toEqual([])
  })

  test('the Default group is the only one; reversed times and other groups are InvalidRequestException', async () => {
    const now = Date.now()
    const frame = {StartTime: new Date(now - 60_000), EndTime: new Date(now)}
    await expect(t.clients.xray.send(new GetServiceGraphCommand({...frame, GroupName: 'Default'}))).resolves.toMatchObject({ContainsOldGroupVersions: false})
    await expect(t.clients.xray.send(new GetServiceGraphCommand({...frame, GroupName: 'checkout'}))).rejects.toThrow(InvalidRequestException)
    await expect(t.clients.xray.send(new GetServiceGraphCommand({StartTime: frame.EndTime, EndTime: frame.StartTime}))).rejects.toThrow('EndTime must be after StartTime')
  })
})

describe('GetSamplingRules', () => {
  test("lists X-Ray's Default rule: 1 request per second, then 5 %", async () => {
    const rules = await t.clients.xray.send(new GetSamplingRulesCommand({}))
    expect(rules.SamplingRuleRecords).toEqual([
      {
        SamplingRule: {
          RuleName: 'Default',
          RuleARN: `arn:aws:xray:us-east-1:${t.emulator.accountId}:sampling-rule/Default`,
          ResourceARN: '*',
          Priority: 10000,
          FixedRate: 0.05,
          ReservoirSize: 1,
          ServiceName: '*',
          ServiceType: '*',
          Host: '*',
          HTTPMethod: '*',
          URLPath: '*',
          Version: 1,
          Attributes: {},
        },
        CreatedAt: new Date(0),
        ModifiedAt: new Date(0),
      },
    ])
  })
})
