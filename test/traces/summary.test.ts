import {describe, expect, test} from 'vitest'
import {traceSummaryFromSegments} from '../../src/traces/facts.js'
import {badgeOf, traceIdTime, traceListLine} from '../../src/traces/summary.js'
import {asDocuments, lambdaSegments, restTrace, T0, TRACE_ID} from './builders.js'

describe('traceListLine', () => {
  test('a failing REST trace: time, method, path, status, duration, badge, root cause and function', () => {
    const summary = traceSummaryFromSegments(TRACE_ID, asDocuments(restTrace({outcome: 'error', exception: {type: 'TypeError', message: 'x is undefined'}})))
    const line = traceListLine(summary)
    expect(line).toMatchObject({
      id: TRACE_ID,
      time: new Date(T0 * 1000).toISOString(),
      method: 'GET',
      path: '/dev/orders/42',
      status: 502,
      badge: 'fault',
      functions: ['orders-getOrder'],
      rootCause: {kind: 'fault', service: 'orders-getOrder', path: ['orders-getOrder'], type: 'TypeError', message: 'x is undefined'},
    })
    expect(line.durationMs).toBeGreaterThan(0)
  })

  test('the SDK shape (Date StartTime, missing fields) works too; the time falls back to the trace id', () => {
    expect(traceListLine({Id: TRACE_ID, StartTime: new Date('2024-05-01T10:00:00Z'), HasError: true}).time).toBe('2024-05-01T10:00:00.000Z')
    const bare = traceListLine({Id: TRACE_ID})
    expect(bare).toEqual({id: TRACE_ID, badge: 'ok', functions: [], time: new Date(T0 * 1000).toISOString()})
  })

  test('a throttled trace names the service that answered 429, not the 5xx stage above it', () => {
    const summary = traceSummaryFromSegments(TRACE_ID, asDocuments(restTrace({outcome: 'throttle'})))
    expect(traceListLine(summary).rootCause).toEqual({kind: 'throttle', service: 'orders-getOrder', path: ['orders-getOrder']})
  })

  test('Lambda-only traces name the function from AWS::Lambda::Function nodes', () => {
    const summary = traceSummaryFromSegments(TRACE_ID, asDocuments(lambdaSegments({functionName: 'orders-createOrder', outcome: 'error'})))
    expect(traceListLine(summary)).toMatchObject({functions: ['orders-createOrder'], badge: 'fault', status: 500, statusInferred: true, rootCause: {type: 'TypeError'}})
  })

  test("a REST stage's status is read, not inferred", () => {
    const summary = traceSummaryFromSegments(TRACE_ID, asDocuments(restTrace({outcome: 'error'})))
    expect(traceListLine(summary).statusInferred).toBeUndefined()
  })
})

test.each([
  [{HasFault: true, HasThrottle: true, HasError: true}, 'fault'],
  [{HasThrottle: true, HasError: true}, 'throttle'],
  [{HasError: true}, 'error'],
  [{IsPartial: true}, 'partial'],
  [{}, 'ok'],
])('badge of %j is %s', (summary, badge) => {
  expect(badgeOf(summary)).toBe(badge)
})

test('traceIdTime reads the epoch seconds of a trace id, and rejects other strings', () => {
  expect(traceIdTime('1-5759e988-bd862e3fe1be46a994272793')?.getTime()).toBe(0x5759e988 * 1000)
  expect(traceIdTime('not-a-trace')).toBeUndefined()
})
