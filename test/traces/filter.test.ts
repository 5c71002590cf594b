import {describe, expect, test} from 'vitest'
import {
  evaluateFilter,
  FilterExpressionError,
  isFilterExpressionError,
  matchesFilter,
  parseFilterExpression,
  traceFactsFromSegments,
} from '../../src/traces/filter.js'
import {asDocuments, lambdaSegments, restTrace, sdkCall, segment, subsegment, T0} from './builders.js'

describe('parseFilterExpression', () => {
  test.each([
    ['fault', {kind: 'boolean', keyword: 'fault', value: true}],
    ['!ok', {kind: 'not', operand: {kind: 'boolean', keyword: 'ok', value: true}}],
    ['fault = true', {kind: 'boolean', keyword: 'fault', value: true}],
    ['error != true', {kind: 'boolean', keyword: 'error', value: false}],
    ['throttle = "false"', {kind: 'boolean', keyword: 'throttle', value: false}],
    ['partial != FALSE', {kind: 'boolean', keyword: 'partial', value: true}],
    ['http.status = 502', {kind: 'number', keyword: 'http.status', operator: '=', value: 502}],
    ['responsetime>5', {kind: 'number', keyword: 'responsetime', operator: '>', value: 5}],
    ['duration <= 0.25', {kind: 'number', keyword: 'duration', operator: '<=', value: 0.25}],
    ['http.url CONTAINS "/v2/"', {kind: 'string', keyword: 'http.url', operator: 'CONTAINS', value: '/v2/'}],
    ['http.method beginswith "P"', {kind: 'string', keyword: 'http.method', operator: 'BEGINSWITH', value: 'P'}],
    ['user = "ana \\"q\\""', {kind: 'string', keyword: 'user', operator: '=', value: 'ana "q"'}],
    ['annotation.account = "12345"', {kind: 'annotation', key: 'account', operator: '=', value: '12345'}],
    ['annotation.retries > 2', {kind: 'annotation', key: 'retries', operator: '>', value: 2}],
    ['annotation.cold = true', {kind: 'annotation', key: 'cold', operator: '=', value: true}],
    ['annotation[aws:api_id] = "a1"', {kind: 'annotation', key: 'aws:api_id', operator: '=', value: 'a1'}],
    ['annotation["my.key"]', {kind: 'annotation', key: 'my.key'}],
    ['service("orders-getOrder")', {kind: 'service', selector: {name: 'orders-getOrder'}}],
    ['service() { fault }', {kind: 'service', selector: {}, filter: {kind: 'boolean', keyword: 'fault'}}],
    [
      'service(id(name:"fn", type:"AWS::Lambda::Function")) { error }',
      {kind: 'service', selector: {name: 'fn', type: 'AWS::Lambda::Function'}, filter: {kind: 'boolean', keyword: 'error'}},
    ],
    ['edge("a", id(name: "b")) { fault = true }', {kind: 'edge', from: {name: 'a'}, to: {name: 'b'}}],
  ])('parses %s', (expression, expected) => {
    expect(parseFilterExpression(expression)).toMatchObject(expected)
  })

  test('AND binds tighter than OR, and juxtaposed terms are ANDed as in the X-Ray guide', () => {
    expect(parseFilterExpression('fault OR error AND throttle')).toMatchObject({
      kind: 'or',
      left: {kind: 'boolean', keyword: 'fault'},
      right: {kind: 'and', left: {keyword: 'error'}, right: {keyword: 'throttle'}},
    })
    expect(parseFilterExpression('ok !partial duration <3')).toMatchObject({
      kind: 'and',
      left: {kind: 'and', left: {keyword: 'ok'}, right: {kind: 'not', operand: {keyword: 'partial'}}},
      right: {kind: 'number', keyword: 'duration', operator: '<', value: 3},
    })
  })

  test('parentheses override precedence and ! negates a group', () => {
    expect(parseFilterExpression('!(fault OR error) and http.status = 200')).toMatchObject({
      kind: 'and',
      left: {kind: 'not', operand: {kind: 'or'}},
      right: {kind: 'number', value: 200},
    })
  })

  test.each([
    ['', /empty/, 0],
    ['   ', /empty/, 3],
    ['fault AND', /Unexpected end of expression/, 9],
    ['AND fault', /a term is missing/, 0],
    ['http.method = GET', /String values must be quoted/, 14],
    ['http.status = "502"', /Expected a number/, 14],
    ['http.status', /Expected a comparison/, 11],
    ['responsetime CONTAINS 5', /Expected a comparison/, 13],
    ['fault > 1', /does not apply to the boolean keyword fault/, 6],
    ['fault = maybe', /Expected true or false/, 8],
    ['http.url STARTSWITH "x"', /Expected =, !=, CONTAINS/, 9],
    ['latency > 5', /Unknown keyword "latency"/, 0],
    ['NOT fault', /NOT is not X-Ray filter syntax/, 0],
    ['(fault OR error', /closing "\)"/, 15],
    ['service("a"', /closing "\)" for service/, 11],
    ['service(a)', /quoted service name/, 8],
    ['service("a") { }', /block is empty/, 13],
    ['service("a") { fault', /closing "}"/, 20],
    ['service(id(nam: "x"))', /Unknown id\(\) field "nam"/, 11],
    ['edge("a")', /"," between the two services/, 8],
    ['http.url = "unterminated', /Unterminated string/, 11],
    ['fault == true', /Unknown operator "=="/, 6],
    ['fault # x', /Unexpected character "#"/, 6],
    ['annotation.n > "x"', /> needs a number/, 15],
    ['annotation.n CONTAINS 3', /CONTAINS needs a quoted string/, 22],
    ['annotation[] = 1', /Expected an annotation key/, 11],
    ['fault )', /expected AND, OR or the end/, 6],
  ])('rejects %j with a message and position', (expression, message, position) => {
    let caught: unknown
    try {
      parseFilterExpression(expression)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(FilterExpressionError)
    expect(isFilterExpressionError(caught)).toBe(true)
    const error = caught as FilterExpressionError
    expect(error.message).toMatch(message)
    expect(error.position).toBe(position)
    expect(error.expression).toBe(expression)
  })
})

describe('evaluateFilter', () => {
  const okRest = traceFactsFromSegments(
    asDocuments(restTrace({outcome: 'ok', annotations: {customer: 'acme', retries: 3, cold: true}, calls: [sdkCall()]})),
  )
  const failedRest = traceFactsFromSegments(asDocuments(restTrace({outcome: 'error', method: 'POST', path: '/orders'})))
  const throttledRest = traceFactsFromSegments(asDocuments(restTrace({outcome: 'throttle'})))
  const lambdaOnly = traceFactsFromSegments(asDocuments(lambdaSegments({functionName: 'orders-createOrder', outcome: 'error'})))
  const inProgress = traceFactsFromSegments([
    JSON.stringify(segment({name: 'orders/dev', origin: 'AWS::ApiGateway::Stage', end_time: undefined, in_progress: true})),
  ])
  const withUser = traceFactsFromSegments([JSON.stringify(segment({user: 'ana', http: {response: {status: 200}}}))])
  const traces = {okRest, failedRest, throttledRest, lambdaOnly, inProgress, withUser}

  test.each([
    ['ok', 'okRest', true],
    ['ok', 'failedRest', false],
    ['fault', 'failedRest', true],
    ['!fault', 'failedRest', false],
    ['fault = false', 'okRest', true],
    ['error', 'failedRest', false],
    ['throttle', 'throttledRest', true],
    ['throttle', 'okRest', false],
    ['partial', 'inProgress', true],
    ['!partial', 'okRest', true],
    ['http.status = 502', 'failedRest', true],
    ['http.status >= 500 AND http.status < 600', 'throttledRest', true],
    ['http.status != 200', 'okRest', false],
    ['http.method = "POST"', 'failedRest', true],
    ['http.url ENDSWITH "/dev/orders"', 'failedRest', true],
    ['http.url BEGINSWITH "https://a1b2c3d4e5.execute-api."', 'okRest', true],
    ['http.url CONTAINS "/orders/"', 'failedRest', false],
    ['http.useragent CONTAINS "curl"', 'okRest', true],
    ['http.clientip = "203.0.113.7"', 'okRest', true],
    ['responsetime < 1', 'okRest', true],
    ['duration > 1', 'okRest', false],
    ['user = "ana"', 'withUser', true],
    ['user != "ana"', 'withUser', false],
    ['user = "ana"', 'okRest', false],
    ['annotation.customer = "acme"', 'okRest', true],
    ['annotation.customer != "acme"', 'okRest', false],
    ['annotation.customer BEGINSWITH "ac"', 'okRest', true],
    ['annotation.retries >= 3', 'okRest', true],
    ['annotation.retries = "3"', 'okRest', false],
    ['annotation.cold = true', 'okRest', true],
    ['annotation.cold', 'okRest', true],
    ['annotation.missing', 'okRest', false],
    ['annotation[aws:api_stage] = "dev"', 'okRest', true],
    ['service("orders-getOrder")', 'okRest', true],
    ['service("orders-createOrder")', 'okRest', false],
    ['!service("orders-createOrder")', 'okRest', true],
    ['service("orders/dev") { fault }', 'failedRest', true],
    ['service() { fault }', 'okRest', false],
    ['service() { fault }', 'failedRest', true],
    ['service(id(name: "orders-getOrder", type: "AWS::Lambda::Function")) { fault }', 'failedRest', true],
    ['service(id(name: "orders-getOrder", type: "AWS::Lambda")) { fault }', 'failedRest', false],
    ['service(id(type: "AWS::Lambda::Function"))', 'lambdaOnly', true],
    ['service("orders-createOrder") { error OR fault }', 'lambdaOnly', true],
    ['service("DynamoDB")', 'okRest', true],
    ['service(id(name: "DynamoDB", type: "AWS::DynamoDB")) { ok }', 'okRest', true],
    ['service("orders-getOrder") { annotation.customer = "acme" }', 'okRest', true],
    ['edge("orders/dev", "orders-getOrder") { throttle }', 'throttledRest', true],
    ['edge("orders/dev", "orders-getOrder") { throttle }', 'okRest', false],
    ['edge(id(name: "orders-getOrder", type: "AWS::Lambda::Function"), "DynamoDB")', 'okRest', true],
    ['(fault OR throttle) AND http.status = 500', 'throttledRest', true],
    ['fault OR throttle AND ok', 'failedRest', true],
    ['ok !partial duration < 3', 'okRest', true],
  ] as const)('%s on the %s trace is %s', (expression, trace, expected) => {
    expect(evaluateFilter(parseFilterExpression(expression), traces[trace])).toBe(expected)
  })

  test('an app scope of service() terms matches only traces through the listed functions', () => {
    const scope = '(service("orders-getOrder") { fault OR error } OR service("orders-createOrder") { fault OR error })'
    expect(matchesFilter(scope, failedRest)).toBe(true)
    expect(matchesFilter(scope, okRest)).toBe(false)
    expect(matchesFilter(scope, lambdaOnly)).toBe(true)
    const other = traceFactsFromSegments(asDocuments(lambdaSegments({functionName: 'billing-charge', outcome: 'error'})))
    expect(matchesFilter(scope, other)).toBe(false)
  })

  test('trace-level fault reflects the root segment only, as X-Ray documents: a Lambda-rooted trace whose function faulted is not "fault"', () => {
    expect(matchesFilter('fault', lambdaOnly)).toBe(false)
    expect(matchesFilter('service(id(name: "orders-createOrder", type: "AWS::Lambda::Function")) { fault }', lambdaOnly)).toBe(true)
  })

  test('inside a service block, keywords refer to that node, not to the trace', () => {
    // The trace answered 200, but a downstream node faulted and was handled.
    const facts = traceFactsFromSegments(
      asDocuments([
        segment({
          name: 'front',
          http: {response: {status: 200}},
          subsegments: [subsegment({name: 'DynamoDB', namespace: 'aws', fault: true, start_time: T0 + 0.01})],
        }),
      ]),
    )
    expect(matchesFilter('fault', facts)).toBe(false)
    expect(matchesFilter('service("DynamoDB") { fault }', facts)).toBe(true)
    expect(matchesFilter('service("front") { fault }', facts)).toBe(false)
  })
})
