import {describe, expect, test} from 'vitest'
import {parseRouteKey, routeShape} from '../../src/gateway/routes.js'

function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}

describe('parseRouteKey', () => {
  test.each([
    ['GET /orders/{id}', 'GET /orders/{id}'],
    ['get /orders', 'GET /orders'],
    ['  POST   /orders/  ', 'POST /orders'],
    ['ANY /{proxy+}', 'ANY /{proxy+}'],
    ['GET /', 'GET /'],
    ['$default', '$default'],
    ['DELETE /a/{b}/c/{rest+}', 'DELETE /a/{b}/c/{rest+}'],
  ])('normalises %j to %j', (input, key) => {
    expect(parseRouteKey(input).key).toBe(key)
  })

  test.each([
    ['', /empty/],
    ['   ', /empty/],
    ['GET', /one method and one path/],
    ['GETT /x', /not an HTTP method/],
    ['GET orders', /must start with "\/"/],
    ['GET //orders', /empty segment/],
    ['GET /a//b', /empty segment/],
    ['GET /{a}{b}', /mixes a parameter/],
    ['GET /x{a}', /mixes a parameter/],
    ['GET /{proxy+}/x', /greedy parameter/],
    ['GET /{}', /invalid name/],
    ['GET /caf\u00e9', /characters API Gateway does not accept/],
    ['GET /a b', /one method and one path/],
    ['GET /{id}/{id}', /appears twice/],
    [`GET /${'a'.repeat(10_000)}`, /longer than 512/],
  ])('rejects %j', (input, reason) => {
    expect(() => parseRouteKey(input)).toThrow(reason)
    const error = thrownBy(() => parseRouteKey(input))
    expect(error).toMatchObject({code: 'ROUTE_INVALID', suggestion: expect.any(String)})
  })

  test('routes that differ only by parameter names share a shape', () => {
    expect(routeShape(parseRouteKey('GET /orders/{id}'))).toBe(routeShape(parseRouteKey('GET /orders/{orderId}')))
    expect(routeShape(parseRouteKey('GET /orders/{id}'))).not.toBe(routeShape(parseRouteKey('POST /orders/{id}')))
  })
})
