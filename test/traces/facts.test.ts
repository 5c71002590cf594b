import {describe, expect, test} from 'vitest'
import {traceFactsFromSegments, traceSummaryFromSegments} from '../../src/traces/filter.js'
import {ACCOUNT, asDocuments, functionArn, lambdaSegments, restTrace, sdkCall, segment, T0, TRACE_ID} from './builders.js'

describe('traceSummaryFromSegments', () => {
  test('a REST function error: root flags, HTTP fields, entry point and the fault root cause with its exception', () => {
    const docs = asDocuments(
      restTrace({outcome: 'error', exception: {type: 'TypeError', message: 'order.items is not iterable'}, annotations: {customer: 'acme'}}),
    )
    const summary = traceSummaryFromSegments(TRACE_ID, docs)
    expect(summary).toMatchObject({
      Id: TRACE_ID,
      StartTime: T0,
      HasFault: true,
      HasError: false,
      HasThrottle: false,
      IsPartial: false,
      Http: {HttpMethod: 'GET', HttpStatus: 502, HttpURL: 'https://a1b2c3d4e5.execute-api.us-east-2.amazonaws.com/dev/orders/42', ClientIp: '203.0.113.7', UserAgent: 'curl/8.5.0'},
      EntryPoint: {Name: 'orders/dev', Names: ['orders/dev'], Type: 'AWS::ApiGateway::Stage'},
    })
    expect(summary.ServiceIds).toEqual([
      {Name: 'orders/dev', Names: ['orders/dev'], Type: 'AWS::ApiGateway::Stage'},
      {Name: 'orders-getOrder', Names: ['orders-getOrder'], Type: 'AWS::Lambda'},
      {Name: 'orders-getOrder', Names: ['orders-getOrder'], AccountId: ACCOUNT, Type: 'AWS::Lambda::Function'},
    ])
    expect(summary.ResourceARNs).toEqual([
      {ARN: 'arn:aws:apigateway:us-east-2::/restapis/a1b2c3d4e5/stages/dev'},
      {ARN: functionArn('orders-getOrder')},
    ])
    expect(summary.FaultRootCauses).toEqual([
      {
        ClientImpacting: true,
        Services: [
          {
            Name: 'orders-getOrder',
            Names: ['orders-getOrder'],
            AccountId: ACCOUNT,
            Type: 'AWS::Lambda::Function',
            Inferred: false,
            EntityPath: [{Name: 'orders-getOrder', Exceptions: [{Name: 'TypeError', Message: 'order.items is not iterable'}]}],
          },
        ],
      },
    ])
    expect(summary.ErrorRootCauses).toEqual([])
    expect(summary.Annotations.customer).toEqual([
      {AnnotationValue: {StringValue: 'acme'}, ServiceIds: [{Name: 'orders-getOrder', Names: ['orders-getOrder'], AccountId: ACCOUNT, Type: 'AWS::Lambda::Function'}]},
    ])
    expect(summary.Annotations['aws:api_id']).toEqual([
      {AnnotationValue: {StringValue: 'a1b2c3d4e5'}, ServiceIds: [{Name: 'orders/dev', Names: ['orders/dev'], Type: 'AWS::ApiGateway::Stage'}]},
    ])
  })

  test('Duration runs from the earliest start to the last end; ResponseTime is the root segment alone', () => {
    const root = segment({name: 'front', start_time: T0, end_time: T0 + 0.2})
    const late = segment({name: 'async-worker', parent_id: root.id, start_time: T0 + 0.1, end_time: T0 + 1.5})
    const summary = traceSummaryFromSegments(TRACE_ID, asDocuments([late, root]))
    expect(summary.ResponseTime).toBe(0.2)
    expect(summary.Duration).toBe(1.5)
    expect(summary.EntryPoint?.Name).toBe('front')
  })

  test('a throttled invoke sets HasThrottle from any segment and reports an error root cause', () => {
    const summary = traceSummaryFromSegments(TRACE_ID, asDocuments(restTrace({outcome: 'throttle'})))
    expect(summary).toMatchObject({HasThrottle: true, HasFault: true, HasError: false, Http: {HttpStatus: 500}})
    expect(summary.ErrorRootCauses).toEqual([
      {
        ClientImpacting: false,
        Services: [{Name: 'orders-getOrder', Names: ['orders-getOrder'], Type: 'AWS::Lambda', Inferred: false, EntityPath: [{Name: 'orders-getOrder'}]}],
      },
    ])
  })

  test('a fault in an AWS SDK call is attributed to the inferred downstream service', () => {
    const docs = asDocuments(
      lambdaSegments({
        outcome: 'error',
        calls: [
          sdkCall({
            name: 'DynamoDB',
            start_time: T0 + 0.01,
            fault: true,
            http: {response: {status: 500}},
            cause: {exceptions: [{id: 'a1b2c3d4e5f60718', type: 'InternalServerError', message: 'Internal server error', remote: true}]},
          }),
        ],
      }),
    )
    const summary = traceSummaryFromSegments(TRACE_ID, docs)
    expect(summary.FaultRootCauses).toEqual([
      {
        ClientImpacting: false,
        Services: [
          {
            Name: 'DynamoDB',
            Names: ['DynamoDB'],
            Type: 'AWS::DynamoDB',
            Inferred: true,
            EntityPath: [{Name: 'DynamoDB', Exceptions: [{Name: 'InternalServerError', Message: 'Internal server error'}], Remote: true}],
          },
        ],
      },
    ])
  })

  test('an in-progress root has no ResponseTime and the trace is partial', () => {
    const summary = traceSummaryFromSegments(TRACE_ID, [JSON.stringify(segment({end_time: undefined, in_progress: true}))])
    expect(summary.IsPartial).toBe(true)
    expect(summary.ResponseTime).toBeUndefined()
    expect(summary.Duration).toBe(0)
  })

  test('a summary is plain JSON: it survives a JSON round trip unchanged', () => {
    const summary = traceSummaryFromSegments(TRACE_ID, asDocuments(restTrace({outcome: 'ok', calls: [sdkCall()]})))
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary)
  })
})

describe('traceFactsFromSegments', () => {
  test('collects users and annotation values across segments', () => {
    const a = segment({name: 'a', user: 'ana', annotations: {tenant: 't1'}})
    const b = segment({name: 'b', parent_id: a.id, user: 'bo', annotations: {tenant: 't2', n: 1}, start_time: T0 + 0.01})
    const facts = traceFactsFromSegments(asDocuments([a, b]))
    expect(facts.users).toEqual(['ana', 'bo'])
    expect(facts.annotations).toEqual({tenant: ['t1', 't2'], n: [1]})
  })

  test('malformed documents are skipped, the rest still counts', () => {
    const facts = traceFactsFromSegments(['{not json', JSON.stringify(segment({http: {response: {status: 201}}}))])
    expect(facts.http.status).toBe(201)
    expect(facts.ok).toBe(true)
  })
})
