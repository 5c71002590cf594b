/**
 * REST diagnosis from what a REST request leaves behind: the gateway's answer (500 vs 502 is strong evidence
 * on a REST API, aws-semantics §5) and the stage trace the emulator writes (its `Lambda` subsegment and
 * Lambda's own segments, src/local/dataplane/rest.ts), read by invoke's trace collector.
 */
import {describe, expect, test} from 'vitest'
import {diagnose} from '../../src/diagnose/diagnose.js'
import type {TraceEvidence} from '../../src/diagnose/evidence.js'
import {traceFactsFor} from '../../src/invoke/collectors/trace.js'
import {restStageSegment} from '../../src/local/dataplane/rest.js'
import {lambdaSegments, newSegmentIds} from '../../src/local/runtime/tracing.js'
import {buildSpanTree} from '../../src/traces/tree.js'
import {evidence, FN, permissionAllowed, permissionDenied, routeMatched, throttling} from './builders.js'

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793'
const LAMBDA_ID = 'bbbbbbbbbbbbbbb2'
const ARN = `arn:aws:lambda:us-east-2:123456789012:function:${FN}`
const t0 = 0x5759e988 * 1000

function stageDoc(status: number, lambdaStatus: number | undefined, failure?: string) {
  return restStageSegment({
    trace: {traceId: TRACE_ID, sampled: true, stageId: 'bbbbbbbbbbbbbbb1', lambdaId: LAMBDA_ID},
    api: {apiId: 'a1b2c3d4e5', name: 'orders', region: 'us-east-2', accountId: '123456789012'},
    stage: 'prod',
    requestId: 'b7e1c3b2-0000-4000-8000-000000000000',
    extendedRequestId: 'Xyz1AbCdIAMEbcQ=',
    request: {method: 'GET', url: 'https://a1b2c3d4e5.execute-api.us-east-2.amazonaws.com/prod/orders/42', clientIp: '127.0.0.1'},
    response: {status, contentLength: 36},
    startMs: t0,
    endMs: t0 + 200,
    lambda: {functionArn: ARN, functionName: FN, startMs: t0 + 5, endMs: t0 + 190, status: lambdaStatus, ...(failure ? {failure} : {})},
  })
}

function lambdaDocs(options: {fault?: boolean; throttled?: boolean} = {}) {
  return lambdaSegments({
    decision: {traceId: TRACE_ID, upstreamParent: LAMBDA_ID, sampled: true},
    ids: newSegmentIds(),
    functionName: FN,
    functionArn: ARN,
    requestId: 'c0ffee00-0000-4000-8000-000000000000',
    times: {received: t0 + 10, responded: t0 + 180, ...(options.throttled ? {} : {invokeStart: t0 + 20, invokeEnd: t0 + 150, overheadEnd: t0 + 160})},
    status: options.throttled ? 429 : 200,
    ...(options.fault ? {cause: {working_directory: '/var/task', paths: [], exceptions: [{type: 'Error', message: 'order store unavailable', stack: []}]}} : {}),
  })
}

function traceEvidence(docs: Record<string, unknown>[]): TraceEvidence {
  const tree = buildSpanTree(docs.map((d) => JSON.stringify(d)))
  return {source: 'trace', status: 'seen', facts: traceFactsFor(tree, FN, TRACE_ID, 'trace-header')}
}

const route = routeMatched({payloadFormatVersion: '1.0'}, {stage: 'prod'})

describe('a REST stage trace as invoke reads it', () => {
  test('a missing permission: the Lambda subsegment\'s 403 is read, the function did not run', () => {
    const t = traceEvidence([stageDoc(500, 403, 'Invalid permissions on Lambda function')])
    expect(t.status === 'seen' && t.facts).toMatchObject({lambdaCallStatus: 403, functionInvoked: false, throttle: false})
  })

  test('a throttled call: 429 on the subsegment and on Lambda\'s service segment, the function did not run', () => {
    const t = traceEvidence([stageDoc(500, 429, 'Rate Exceeded.'), ...lambdaDocs({throttled: true})])
    expect(t.status === 'seen' && t.facts).toMatchObject({lambdaCallStatus: 429, throttle: true, functionInvoked: false})
  })

  test('a throwing function: the function ran, faulted, with its exception', () => {
    const t = traceEvidence([stageDoc(502, 200), ...lambdaDocs({fault: true})])
    expect(t.status === 'seen' && t.facts).toMatchObject({lambdaCallStatus: 200, functionInvoked: true, functionFault: true, exception: {type: 'Error', message: 'order store unavailable'}})
  })
})

describe('REST verdicts: 500 and 502 name different causes', () => {
  test('500 with the stage trace\'s 403 and a policy that does not cover the route: missing permission, high confidence', () => {
    const denied = traceEvidence([stageDoc(500, 403, 'Invalid permissions on Lambda function')])
    const d = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}, {route, permission: permissionDenied(), trace: denied}))
    expect(d).toMatchObject({verdict: 'invocation-rejected/permission', confidence: 'high', contradictions: []})
    expect(d.reasons.join('\n')).toContain('records a 403 from the Lambda call')
    // A throttle is Lambda answering 429: this request's 403 rules the other REST 500 cause out without a replay.
    expect(d.stillPossible).toEqual([])
  })

  test('the 403 alone (no policy read) still rules throttling out, so the permission verdict stands', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}, {route, trace: traceEvidence([stageDoc(500, 403)])}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.stillPossible).not.toContain('invocation-rejected/throttled')
  })

  test('a 403 in a trace found only by time (maybe another request) weakens throttling without ruling it out', () => {
    const facts = traceEvidence([stageDoc(500, 403)])
    const nearest: TraceEvidence = facts.status === 'seen' ? {...facts, facts: {...facts.facts, foundBy: 'time-window'}} : facts
    const d = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}, {route, permission: permissionDenied(), trace: nearest}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.confidence).not.toBe('high')
    expect(d.stillPossible).toEqual(['invocation-rejected/throttled'])
  })

  test('500 with a throttled Lambda call in the trace and reserved concurrency 0: throttled, not permission', () => {
    const d = diagnose(
      evidence(
        {apiType: 'rest', condition: 'throttled'},
        {route, permission: permissionAllowed(), throttling: throttling(0), trace: traceEvidence([stageDoc(500, 429, 'Rate Exceeded.'), ...lambdaDocs({throttled: true})])},
      ),
    )
    expect(d.verdict).toBe('invocation-rejected/throttled')
  })

  test('502 with a faulted function in the trace: function error, high confidence; a permission problem is ruled out', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'function-error'}, {route, permission: permissionAllowed(), trace: traceEvidence([stageDoc(502, 200), ...lambdaDocs({fault: true})])}))
    expect(d.verdict).toBe('function-error')
    expect(d.confidence).toBe('high')
  })

  test('502 with a clean function run in the trace: malformed response', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'malformed-response'}, {route, permission: permissionAllowed(), trace: traceEvidence([stageDoc(502, 200), ...lambdaDocs()])}))
    expect(d.verdict).toBe('malformed-response')
  })

  test('a REST 502 alone never points at a permission problem; a REST 500 alone never at a function error', () => {
    const bad = diagnose(evidence({apiType: 'rest', condition: 'function-error'}))
    expect(bad.verdict).not.toBe('invocation-rejected/permission')
    const rejected = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}))
    expect(['function-error', 'malformed-response']).not.toContain(rejected.verdict)
  })
})
