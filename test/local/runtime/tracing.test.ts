import {describe, expect, test} from 'vitest'
import {decideTrace, handlerTraceHeader, lambdaSegments, newSegmentId, newTraceId, parseTraceHeader, withExceptionIds} from '../../../src/local/runtime/tracing.js'

const ROOT = '1-5759e988-bd862e3fe1be46a994272793'
const PARENT = '53995c3f42cd8ad8'

describe('trace header', () => {
  test('parses Root, Parent and Sampled, case-insensitively, ignoring other fields', () => {
    expect(parseTraceHeader(`root=${ROOT}; Parent=${PARENT};Sampled=1;Lineage=a:1`)).toEqual({root: ROOT, parent: PARENT, sampled: '1'})
    expect(parseTraceHeader(undefined)).toEqual({})
  })

  test('new ids have X-Ray’s formats', () => {
    expect(newTraceId(0x5759e988 * 1000)).toMatch(/^1-5759e988-[0-9a-f]{24}$/)
    expect(newSegmentId()).toMatch(/^[0-9a-f]{16}$/)
  })
})

describe('sampling decision', () => {
  test.each([
    // mode, header, sampled, keeps the root, upstream parent
    ['Active', undefined, true, false, undefined],
    ['PassThrough', undefined, false, false, undefined],
    ['Active', `Root=${ROOT};Parent=${PARENT};Sampled=1`, true, true, PARENT],
    ['PassThrough', `Root=${ROOT};Parent=${PARENT};Sampled=1`, true, true, PARENT],
    ['Active', `Root=${ROOT};Parent=${PARENT};Sampled=0`, false, true, PARENT],
    ['PassThrough', `Root=${ROOT};Parent=${PARENT};Sampled=?`, false, true, PARENT],
    ['Active', `Root=${ROOT};Sampled=?`, true, true, undefined],
    ['Active', 'Root=not-a-trace-id;Sampled=1', true, false, undefined],
  ] as const)('%s with %s → sampled %s', (mode, header, sampled, keepsRoot, upstreamParent) => {
    const decision = decideTrace(mode, header)
    expect(decision.sampled).toBe(sampled)
    expect(decision.traceId === ROOT).toBe(keepsRoot)
    expect(decision.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/)
    expect(decision.upstreamParent).toBe(upstreamParent)
  })

  test('the handler sees the Invocation subsegment as Parent when traced', () => {
    const decision = decideTrace('Active', `Root=${ROOT};Parent=${PARENT};Sampled=1`)
    expect(handlerTraceHeader(decision, 'aaaaaaaaaaaaaaaa')).toBe(`Root=${ROOT};Parent=aaaaaaaaaaaaaaaa;Sampled=1`)
  })

  test('an untraced invocation passes the upstream context on with Sampled=0, or the root alone', () => {
    expect(handlerTraceHeader(decideTrace('Active', `Root=${ROOT};Parent=${PARENT};Sampled=0`), undefined)).toBe(
      `Root=${ROOT};Parent=${PARENT};Sampled=0`,
    )
    expect(handlerTraceHeader(decideTrace('PassThrough', undefined), undefined)).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
  })

  test('an Active function that samples a request out gives its handler a Parent of its own with Sampled=0, as Lambda does', () => {
    const decision = decideTrace('Active', `Root=${ROOT}`, Date.now(), () => false)
    expect(decision).toMatchObject({traceId: ROOT, sampled: false, decidedByLambda: true})
    const header = handlerTraceHeader(decision, undefined)
    expect(header).toMatch(new RegExp(`^Root=${ROOT};Parent=[0-9a-f]{16};Sampled=0$`))
    // Each invocation its own Parent.
    expect(handlerTraceHeader(decision, undefined)).not.toBe(header)
    // A caller's decision is the caller's, not Lambda's.
    expect(decideTrace('Active', `Root=${ROOT};Sampled=0`).decidedByLambda).toBeFalsy()
    expect(handlerTraceHeader(decideTrace('PassThrough', `Root=${ROOT}`), undefined)).toBe(`Root=${ROOT}`)
  })
})

describe('lambda segments', () => {
  const ids = {service: 'a'.repeat(16), function: 'b'.repeat(16), initialization: 'c'.repeat(16), invocation: 'd'.repeat(16), overhead: 'e'.repeat(16)}
  const base = {
    decision: {traceId: ROOT, upstreamParent: PARENT, sampled: true},
    ids,
    functionName: 'orders-getOrder',
    functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders-getOrder',
    requestId: 'req-1',
    status: 200,
  }

  test('a throttled request has only the service segment, flagged throttle and error with status 429', () => {
    const documents = lambdaSegments({...base, status: 429, times: {received: 1_000_000, responded: 1_000_001}})
    expect(documents).toEqual([
      {
        id: ids.service,
        name: 'orders-getOrder',
        start_time: 1000,
        end_time: 1000.001,
        trace_id: ROOT,
        parent_id: PARENT,
        http: {response: {status: 429}},
        aws: {request_id: 'req-1'},
        origin: 'AWS::Lambda',
        resource_arn: base.functionArn,
        error: true,
        throttle: true,
      },
    ])
  })

  test('a warm invocation has no Initialization subsegment', () => {
    const [, fn] = lambdaSegments({...base, times: {received: 1000, responded: 1010, invokeStart: 1001, invokeEnd: 1009, overheadEnd: 1010}})
    expect((fn.subsegments as {name: string}[]).map((s) => s.name)).toEqual(['Invocation', 'Overhead'])
    expect(fn).toMatchObject({start_time: 1.001, end_time: 1.01, parent_id: ids.service, origin: 'AWS::Lambda::Function'})
  })

  test('a failure marks the function segment and Invocation as faults and gives every exception an id', () => {
    const cause = {working_directory: '/var/task', paths: [], exceptions: [{type: 'Error', message: 'boom', stack: []}, {id: '0123456789abcdef', type: 'Cause', message: 'kept', stack: []}]}
    const [service, fn] = lambdaSegments(withExceptionIds({...base, cause, times: {received: 1000, responded: 1010, invokeStart: 1001, invokeEnd: 1009}}))
    expect(service.fault).toBeUndefined()
    expect(fn.fault).toBe(true)
    expect((fn.subsegments as {name: string; fault?: boolean}[]).find((s) => s.name === 'Invocation')?.fault).toBe(true)
    expect((fn.cause as typeof cause).exceptions[0]).toMatchObject({id: expect.stringMatching(/^[0-9a-f]{16}$/), type: 'Error', message: 'boom'})
    expect((fn.cause as typeof cause).exceptions[1]).toMatchObject({id: '0123456789abcdef', message: 'kept'})
  })
})
