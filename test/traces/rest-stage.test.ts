/**
 * The documents the emulator's REST data plane sends (its `AWS::ApiGateway::Stage` segment, src/local/
 * dataplane/rest.ts, with Lambda's own segments from the runtime, src/local/runtime/tracing.ts) through the
 * traces pipeline: the stage is the root and renders above the function segments, and each REST outcome is
 * classified with the status the stage recorded (500 vs 502, aws-semantics §5).
 */
import {describe, expect, test} from 'vitest'
import {restStageSegment, type StageSegmentInput} from '../../src/local/dataplane/rest.js'
import {lambdaSegments, newSegmentIds} from '../../src/local/runtime/tracing.js'
import {traceViewFromDocuments} from '../../src/traces/show.js'
import {ACCOUNT, functionArn, REGION, T0, TRACE_ID} from './builders.js'

const FN = 'orders-getOrder'
const STAGE_ID = 'aaaaaaaaaaaaaaa1'
const LAMBDA_ID = 'aaaaaaaaaaaaaaa2'
const ms = (s: number) => (T0 + s) * 1000

function stage(status: number, lambda?: Partial<NonNullable<StageSegmentInput['lambda']>> | false): Record<string, unknown> {
  return restStageSegment({
    trace: {traceId: TRACE_ID, sampled: true, stageId: STAGE_ID, lambdaId: LAMBDA_ID},
    api: {apiId: 'a1b2c3d4e5', name: 'orders', region: REGION, accountId: ACCOUNT},
    stage: 'prod',
    requestId: 'b7e1c3b2-0000-4000-8000-000000000000',
    extendedRequestId: 'Xyz1AbCdIAMEbcQ=',
    request: {method: 'GET', url: 'https://a1b2c3d4e5.execute-api.us-east-2.amazonaws.com/prod/orders/42', clientIp: '127.0.0.1'},
    response: {status, contentLength: 36},
    startMs: ms(0),
    endMs: ms(0.25),
    ...(lambda === false ? {} : {lambda: {functionArn: functionArn(FN), functionName: FN, startMs: ms(0.01), endMs: ms(0.24), status: 200, ...lambda}}),
  })
}

/** Lambda's documents for one invocation, parented to the stage's Lambda subsegment as the emulator does it. */
function lambda(options: {status?: number; fault?: boolean; ran?: boolean} = {}): Record<string, unknown>[] {
  const ids = newSegmentIds()
  return lambdaSegments({
    decision: {traceId: TRACE_ID, upstreamParent: LAMBDA_ID, sampled: true},
    ids,
    functionName: FN,
    functionArn: functionArn(FN),
    requestId: 'c0ffee00-0000-4000-8000-000000000000',
    times: {
      received: ms(0.02),
      responded: ms(0.23),
      ...(options.ran === false ? {} : {invokeStart: ms(0.03), invokeEnd: ms(0.2), overheadEnd: ms(0.21)}),
    },
    status: options.status ?? 200,
    ...(options.fault ? {cause: {working_directory: '/var/task', paths: [], exceptions: [{type: 'TypeError', message: 'order is undefined', stack: []}]}} : {}),
  })
}

const raw = (docs: Record<string, unknown>[]) => docs.map((d) => JSON.stringify(d))

describe('a REST stage trace from the emulator', () => {
  test('renders the stage, its Lambda subsegment, then Lambda\'s segments below it', () => {
    const view = traceViewFromDocuments(TRACE_ID, raw([...lambda(), stage(200)]), {barWidth: 40})
    expect(view.orphanCount).toBe(0)
    expect(view.waterfall.rows.map((r) => [r.depth, r.name, r.tag])).toEqual([
      [0, 'orders/prod', 'Stage'],
      [1, 'Lambda', expect.anything()],
      [2, FN, 'Lambda'],
      [3, FN, 'Function'],
      [4, 'Invocation', undefined],
      [4, 'Overhead', undefined],
    ])
    expect(view.classification).toMatchObject({verdict: 'ok', apiType: 'rest', status: 200, statusInferred: false})
  })

  test('a throwing function: 502 function error, with the exception', () => {
    const view = traceViewFromDocuments(TRACE_ID, raw([stage(502), ...lambda({fault: true})]))
    expect(view.classification).toMatchObject({verdict: 'function-error', status: 502, statusInferred: false, functionName: FN, exception: {type: 'TypeError', message: 'order is undefined'}})
    expect(view.classification.headline).toBe('502 function error in orders-getOrder: TypeError: order is undefined')
  })

  test('a malformed response: 502 with a clean function segment', () => {
    const view = traceViewFromDocuments(TRACE_ID, raw([stage(502), ...lambda()]))
    expect(view.classification).toMatchObject({verdict: 'malformed-response', status: 502})
  })

  test('a missing permission: 500, the Lambda subsegment records 403, no Lambda segment', () => {
    const view = traceViewFromDocuments(TRACE_ID, raw([stage(500, {status: 403, failure: 'Invalid permissions on Lambda function'})]))
    expect(view.classification).toMatchObject({verdict: 'permission-denied', status: 500, statusInferred: false})
    expect(view.waterfall.rows.map((r) => [r.name, r.status, r.httpStatus])).toEqual([
      ['orders/prod', 'fault', 500],
      ['Lambda', 'error', 403],
    ])
  })

  test('Lambda throttled: 500, classified as a Lambda throttle, not as a permission problem', () => {
    const view = traceViewFromDocuments(TRACE_ID, raw([stage(500, {status: 429, failure: 'Rate Exceeded.'}), ...lambda({status: 429, ran: false})]))
    expect(view.classification).toMatchObject({verdict: 'lambda-throttle', status: 500})
  })

  test('the integration timed out: 504', () => {
    const view = traceViewFromDocuments(TRACE_ID, raw([stage(504, {status: undefined, failure: 'Endpoint request timed out'}), ...lambda()]))
    expect(view.classification).toMatchObject({verdict: 'integration-timeout', status: 504})
  })

  test('stage throttling: 429 without a Lambda call', () => {
    const view = traceViewFromDocuments(TRACE_ID, raw([stage(429, false)]))
    expect(view.classification).toMatchObject({verdict: 'api-throttle', status: 429})
  })
})
