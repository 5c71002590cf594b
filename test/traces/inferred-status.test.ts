/**
 * The list line of a failed request behind an HTTP API: X-Ray's summary describes the root segment, which is
 * Lambda's `AWS::Lambda` service segment (200 even when the function threw, aws-semantics §6.5), so the
 * status API Gateway answered is inferred with `traces show`'s §5 rules and starred.
 */
import {describe, expect, test} from 'vitest'
import {lambdaSegments as emulatorLambdaSegments, newSegmentIds} from '../../src/local/runtime/tracing.js'
import {traceSummaryFromSegments} from '../../src/traces/facts.js'
import type {RawSegment} from '../../src/traces/segments.js'
import {matchesFilter, traceFactsFromSegments} from '../../src/traces/filter.js'
import {listTraces} from '../../src/traces/list.js'
import {traceScope} from '../../src/traces/scope.js'
import {skeletonDocuments, traceListLine, traceListLineWith} from '../../src/traces/summary.js'
import {paletteFor} from '../../src/ui/colors.js'
import {plainTraceList} from '../../src/ui/traces/plain.js'
import {lambdaSegments, restTrace, sdkCall, subsegment, TRACE_ID} from './builders.js'

const FN = 'orders-createOrder'
const ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FN}`
const START_MS = 0x5759e988 * 1000

/** The documents the emulator's runtime sends for one HTTP-API invocation (no upstream parent). */
function emulatorInvocation(outcome: 'ok' | 'error' | 'timeout' | 'throttle'): Record<string, unknown>[] {
  const exception =
    outcome === 'timeout'
      ? {type: 'Sandbox.Timedout', message: 'Task timed out after 3.00 seconds', stack: []}
      : {type: 'ValidationError', message: 'body.items must be an array', stack: [{path: '/var/task/src/create-order.js', line: 7, label: 'handler'}]}
  return emulatorLambdaSegments({
    decision: {traceId: TRACE_ID, sampled: true},
    ids: newSegmentIds(),
    functionName: FN,
    functionArn: ARN,
    requestId: 'c0ffee00-0000-4000-8000-000000000001',
    times:
      outcome === 'throttle'
        ? {received: START_MS, responded: START_MS + 2}
        : {received: START_MS, responded: START_MS + 60, invokeStart: START_MS + 1, invokeEnd: START_MS + 50, overheadEnd: START_MS + 51},
    status: outcome === 'throttle' ? 429 : 200,
    cause: outcome === 'error' || outcome === 'timeout' ? {working_directory: '/var/task', paths: [], exceptions: [exception]} : undefined,
  })
}

const summaryOf = (documents: readonly object[]) => traceSummaryFromSegments(TRACE_ID, documents as RawSegment[])

describe('list line of a failed HTTP-API request (no gateway segment)', () => {
  test('a function that threw is a starred 500 with the fault badge, although Lambda recorded 200', () => {
    const summary = summaryOf(emulatorInvocation('error'))
    expect(summary).toMatchObject({HasFault: false, Http: {HttpStatus: 200}})
    expect(traceListLine(summary)).toMatchObject({
      status: 500,
      statusInferred: true,
      badge: 'fault',
      functions: [FN],
      rootCause: {kind: 'fault', service: FN, type: 'ValidationError', message: 'body.items must be an array'},
    })
  })

  test('a function timeout is a starred 500 too', () => {
    expect(traceListLine(summaryOf(emulatorInvocation('timeout')))).toMatchObject({status: 500, statusInferred: true, badge: 'fault'})
  })

  test('a Lambda throttle (429 on the service segment) is the 500 API Gateway answers, with the throttle as cause', () => {
    expect(traceListLine(summaryOf(emulatorInvocation('throttle')))).toMatchObject({
      status: 500,
      statusInferred: true,
      badge: 'fault',
      rootCause: {kind: 'throttle', service: FN},
    })
  })

  test('for a REST API without a stage segment, a function error is the starred 502 REST answers', () => {
    expect(traceListLineWith(summaryOf(emulatorInvocation('error')), {apiType: 'rest'})).toMatchObject({status: 502, statusInferred: true, badge: 'fault'})
  })

  test('a successful request keeps the status Lambda recorded, unstarred and ok', () => {
    const line = traceListLine(summaryOf(emulatorInvocation('ok')))
    expect(line).toMatchObject({status: 200, badge: 'ok'})
    expect(line.statusInferred).toBeUndefined()
  })

  test('an error the handler caught (a flagged subsegment of its own, the function fine) changes nothing', () => {
    const handled = subsegment({name: 'validate', fault: true, start_time: 0x5759e988 + 0.01, end_time: 0x5759e988 + 0.02})
    const summary = summaryOf(lambdaSegments({functionName: FN, calls: [handled]}))
    expect(summary.FaultRootCauses).toHaveLength(1)
    const line = traceListLine(summary)
    expect(line).toMatchObject({status: 200, badge: 'ok'})
    expect(line.statusInferred).toBeUndefined()
  })

  test('a failed SDK call is the only root cause whether or not the function threw, so it infers nothing', () => {
    // X-Ray reports the deepest flagged span: the inferred DynamoDB node, not the function above it. The
    // summary cannot tell a caught SDK error from one that crashed the handler; `traces show` can.
    const failedCall = sdkCall({fault: true, http: {response: {status: 500}}, start_time: 0x5759e988 + 0.01, end_time: 0x5759e988 + 0.02})
    const threw = summaryOf(lambdaSegments({functionName: FN, outcome: 'error', calls: [failedCall]}))
    const caught = summaryOf(lambdaSegments({functionName: FN, calls: [failedCall]}))
    expect(threw.FaultRootCauses).toEqual(caught.FaultRootCauses)
    expect(traceListLine(threw)).toMatchObject({status: 200, badge: 'ok', rootCause: {kind: 'fault', service: 'DynamoDB'}})
  })

  test("the SDK's summary shape from AWS (a root cause on the function node, error flag) infers the same", () => {
    const line = traceListLine({
      Id: TRACE_ID,
      StartTime: new Date(START_MS),
      HasError: false,
      HasFault: false,
      Http: {HttpStatus: 200},
      EntryPoint: {Name: FN, Type: 'AWS::Lambda'},
      ServiceIds: [
        {Name: FN, Type: 'AWS::Lambda'},
        {Name: FN, Type: 'AWS::Lambda::Function'},
      ],
      ErrorRootCauses: [{Services: [{Name: FN, Type: 'AWS::Lambda::Function', EntityPath: [{Name: FN}], Inferred: false}], ClientImpacting: false}],
    })
    expect(line).toMatchObject({status: 500, statusInferred: true, badge: 'fault', rootCause: {kind: 'error', service: FN}})
  })

  test('a REST trace with its stage segment keeps the stage status (502), unstarred', () => {
    const line = traceListLineWith(summaryOf(restTrace({outcome: 'error'})), {apiType: 'http'})
    expect(line).toMatchObject({status: 502, badge: 'fault'})
    expect(line.statusInferred).toBeUndefined()
  })

  test('the skeleton holds the entry segment and the function with its failed path', () => {
    const skeleton = skeletonDocuments(summaryOf(emulatorInvocation('error')))
    expect(skeleton.map((d) => [d.name, d.origin])).toEqual([
      [FN, 'AWS::Lambda'],
      [FN, 'AWS::Lambda::Function'],
    ])
    expect(skeleton[1]).toMatchObject({fault: true, subsegments: [{name: 'Invocation', fault: true}]})
  })
})

describe("the app's filters select these traces", () => {
  const project = {name: 'orders', api: {type: 'http' as const}, functions: [{key: 'createOrder', name: FN, routes: ['POST /orders']}]}
  const facts = traceFactsFromSegments(emulatorInvocation('error'))

  test('--errors and --faults match through the function node', () => {
    expect(matchesFilter(traceScope(project, {errors: true}).expression, facts)).toBe(true)
    expect(matchesFilter(traceScope(project, {faults: true}).expression, facts)).toBe(true)
    expect(matchesFilter(traceScope(project, {faults: true}).expression, traceFactsFromSegments(emulatorInvocation('ok')))).toBe(false)
  })

  test('--status 500 asks X-Ray for failed functions (the root says 200) and keeps lines whose inferred status is 500', async () => {
    // HTTP APIs record no status of their own (§6.5): the status can only be checked after inference.
    const scope = traceScope(project, {status: 500})
    expect(scope.status).toBe(500)
    expect(matchesFilter(scope.expression, facts)).toBe(true)
    expect(matchesFilter(scope.expression, traceFactsFromSegments(emulatorInvocation('ok')))).toBe(false)
    const xray = {
      traceSummaries: async () => ({
        summaries: [summaryOf(emulatorInvocation('error')), summaryOf(emulatorInvocation('ok'))],
        tracesProcessed: 2,
        truncated: false,
      }),
    } as unknown as Parameters<typeof listTraces>[0]['xray']
    const window = {start: new Date(START_MS - 60_000), end: new Date(START_MS + 60_000)}
    const listed = await listTraces({xray, scope, window, limit: 10, apiType: 'http'})
    expect(listed.traces.map((t) => t.status)).toEqual([500])
    const none = await listTraces({xray, scope: traceScope(project, {status: 503}), window, limit: 10, apiType: 'http'})
    expect(none.traces).toEqual([])
  })

  test('--status 404 stays a plain http.status term (a function answering 404 is what X-Ray recorded)', () => {
    expect(traceScope(project, {status: 404}).status).toBeUndefined()
    expect(traceScope(project, {status: 404}).expression).toContain('http.status = 404')
  })
})

describe('rendering', () => {
  test('the plain list stars the inferred status, badges it FAULT and explains the star', async () => {
    const xray = {
      traceSummaries: async () => ({summaries: [summaryOf(emulatorInvocation('error'))], tracesProcessed: 1, truncated: false}),
    } as unknown as Parameters<typeof listTraces>[0]['xray']
    const result = await listTraces({
      xray,
      scope: {expression: `service("${FN}")`, functions: [FN]},
      window: {start: new Date(START_MS - 60_000), end: new Date(START_MS + 60_000)},
      limit: 10,
    })
    const rows = plainTraceList(result, paletteFor({isTTY: false}, {}), 200).trimEnd().split('\n')
    expect(rows[0]).toMatch(/ 500\* +\d+(\.\d+)?ms FAULT +ValidationError: body\.items must be an array \(orders-createOrder\)/)
    expect(rows.at(-1)).toBe('* status inferred from Lambda segments (HTTP APIs emit no X-Ray segment)')
  })

  test('listTraces applies the project API type', async () => {
    const xray = {
      traceSummaries: async () => ({summaries: [summaryOf(emulatorInvocation('error'))], tracesProcessed: 1, truncated: false}),
    } as unknown as Parameters<typeof listTraces>[0]['xray']
    const result = await listTraces({
      xray,
      scope: {expression: `service("${FN}")`, functions: [FN]},
      window: {start: new Date(START_MS - 60_000), end: new Date(START_MS + 60_000)},
      limit: 10,
      apiType: 'rest',
    })
    expect(result.traces[0]).toMatchObject({status: 502, statusInferred: true})
  })
})
