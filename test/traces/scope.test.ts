import {describe, expect, test} from 'vitest'
import {isUserError} from '../../src/errors.js'
import {parseFilterExpression} from '../../src/traces/filter.js'
import {parseTimeBound, type ScopeProject, timeWindow, traceScope} from '../../src/traces/scope.js'

function project(overrides: Partial<ScopeProject> = {}): ScopeProject {
  return {
    name: 'orders',
    api: {type: 'http'},
    functions: [
      {key: 'getOrder', name: 'orders-getOrder', routes: ['GET /orders/{id}']},
      {key: 'createOrder', name: 'orders-createOrder', routes: ['POST /orders', 'PUT /orders']},
    ],
    ...overrides,
  }
}

describe('traceScope', () => {
  test("scopes to the project's functions with service() terms", () => {
    expect(traceScope(project())).toEqual({
      expression: '(service("orders-getOrder") OR service("orders-createOrder"))',
      functions: ['orders-getOrder', 'orders-createOrder'],
    })
  })

  test('--errors asks both the trace and the app functions, since trace flags only describe the root segment', () => {
    expect(traceScope(project(), {errors: true}).expression).toBe(
      '(service("orders-getOrder") OR service("orders-createOrder")) AND (fault OR error OR throttle OR service("orders-getOrder") { fault OR error OR throttle } OR service("orders-createOrder") { fault OR error OR throttle })',
    )
  })

  test('--faults, --status and --filter are ANDed', () => {
    const scope = traceScope(project({functions: [{key: 'a', name: 'orders-a', routes: []}]}), {faults: true, status: 502, filter: 'responsetime > 1 OR duration > 2'})
    expect(scope.expression).toBe('service("orders-a") AND (fault OR service("orders-a") { fault }) AND (http.status = 502 OR service("orders-a") { fault OR error OR throttle }) AND (responsetime > 1 OR duration > 2)')
  })

  test('--route keeps only the function that serves it', () => {
    expect(traceScope(project(), {route: 'post /orders/'}).expression).toBe('service("orders-createOrder")')
  })

  test('--route on a REST API also narrows by method and literal path prefix', () => {
    const rest = project({api: {type: 'rest'}})
    expect(traceScope(rest, {route: 'GET /orders/{id}'}).expression).toBe('service("orders-getOrder") AND http.method = "GET" AND http.url CONTAINS "/orders/"')
    expect(traceScope(rest, {route: 'POST /orders'}).expression).toBe('service("orders-createOrder") AND http.method = "POST" AND http.url CONTAINS "/orders"')
  })

  test('every expression it builds parses', () => {
    for (const options of [{}, {errors: true}, {faults: true, status: 404}, {route: 'GET /orders/{id}', filter: 'user = "x"'}]) {
      expect(() => parseFilterExpression(traceScope(project({api: {type: 'rest'}}), options).expression)).not.toThrow()
    }
  })

  test('an unknown route is a usage error listing the known ones', () => {
    expect(() => traceScope(project(), {route: 'GET /nope'})).toThrow(/No function of orders serves the route "GET \/nope"/)
    const error = captured(() => traceScope(project(), {route: 'GET /nope'}))
    expect(isUserError(error)).toBe(true)
    expect(error).toMatchObject({code: 'ROUTE_UNKNOWN', suggestion: 'Use one of: "GET /orders/{id}", "POST /orders", "PUT /orders"'})
  })

  test('an invalid --filter is a usage error with a caret under the problem, before any AWS call', () => {
    const error = captured(() => traceScope(project(), {filter: 'http.method = GET'}))
    expect(error).toMatchObject({code: 'FILTER_INVALID', exitCode: 2, details: {position: 14}})
    expect((error as Error).message).toContain('\n  http.method = GET\n                ^')
  })

  test('--status must be an HTTP status', () => {
    expect(captured(() => traceScope(project(), {status: 42}))).toMatchObject({code: 'STATUS_INVALID'})
  })

  test('a project without functions has no traces', () => {
    expect(captured(() => traceScope(project({functions: []})))).toMatchObject({code: 'NO_FUNCTIONS'})
  })
})

function captured(fn: () => unknown): unknown {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeDefined()
  return caught
}

describe('time bounds', () => {
  const now = new Date('2024-05-01T12:00:00Z')
  test.each([
    ['15m', '2024-05-01T11:45:00.000Z'],
    ['2h', '2024-05-01T10:00:00.000Z'],
    ['1h30m', '2024-05-01T10:30:00.000Z'],
    ['45s', '2024-05-01T11:59:15.000Z'],
    ['1d', '2024-04-30T12:00:00.000Z'],
    ['2024-05-01T09:00:00Z', '2024-05-01T09:00:00.000Z'],
  ])('%s before %s', (text, iso) => {
    expect(parseTimeBound(text, now, '--since').toISOString()).toBe(iso)
  })

  test.each(['yesterday', '15', 'm15', '2024-13-45'])('%j is rejected with an example', (text) => {
    expect(captured(() => parseTimeBound(text, now, '--since'))).toMatchObject({code: 'TIME_INVALID', suggestion: expect.stringContaining('--since 15m')})
  })

  test('a window must not be empty', () => {
    expect(captured(() => timeWindow('5m', '10m', now))).toMatchObject({code: 'TIME_RANGE_EMPTY'})
    expect(timeWindow('10m', '5m', now)).toEqual({start: new Date('2024-05-01T11:50:00Z'), end: new Date('2024-05-01T11:55:00Z')})
  })
})
