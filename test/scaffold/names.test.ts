import {describe, expect, test} from 'vitest'
import type {UserError} from '../../src/errors.js'
import {parseRouteKey} from '../../src/gateway/routes.js'
import {assertFunctionKey, functionKeyForRoute, moduleNameFor, projectNameFromDir, routeFileName} from '../../src/scaffold/names.js'

describe('functionKeyForRoute', () => {
  test.each([
    ['GET /hello', 'getHello', 'get-hello'],
    ['POST /orders', 'postOrders', 'post-orders'],
    ['GET /orders/{id}', 'getOrdersById', 'get-orders-by-id'],
    ['DELETE /orders/{orderId}/items/{itemId}', 'deleteOrdersByOrderIdItemsByItemId', 'delete-orders-by-order-id-items-by-item-id'],
    ['ANY /{proxy+}', 'anyProxy', 'any-proxy'],
    ['GET /files/{path+}', 'getFilesPath', 'get-files-path'],
    ['GET /', 'getRoot', 'get-root'],
    ['PUT /v1/user-profiles/{user_id}', 'putV1UserProfilesByUserId', 'put-v1-user-profiles-by-user-id'],
    ['GET /~', 'getRoot', 'get-root'],
    ['$default', 'defaultRoute', 'default-route'],
  ])('%s → %s (%s)', (route, key, file) => {
    const parsed = parseRouteKey(route)
    expect(functionKeyForRoute(parsed)).toBe(key)
    expect(routeFileName(parsed)).toBe(file)
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/)
  })

  test('different methods on one path get different names', () => {
    const names = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'].map((m) => functionKeyForRoute(parseRouteKey(`${m} /orders`)))
    expect(new Set(names).size).toBe(names.length)
  })
})

describe('moduleNameFor', () => {
  test.each([
    ['getOrder', 'get-order'],
    ['createOrder', 'create-order'],
    ['APIHandler', 'api-handler'],
    ['get_orders', 'get_orders'],
    ['v2Users', 'v2-users'],
  ])('%s → %s', (key, module) => {
    expect(moduleNameFor(key)).toBe(module)
  })
})

describe('project and function names', () => {
  test('the project name comes from the directory, cleaned for Lambda names', () => {
    expect(projectNameFromDir('/tmp/demo-app')).toBe('demo-app')
    expect(projectNameFromDir('/tmp/My App (2)')).toBe('My-App-2')
    expect(projectNameFromDir(`/tmp/${'x'.repeat(60)}`)).toHaveLength(40)
  })

  test('a function key must fit the 64-character Lambda name once prefixed', () => {
    expect(() => assertFunctionKey('orders', 'getOrder')).not.toThrow()
    const tooLong = (() => {
      try {
        assertFunctionKey('o'.repeat(40), 'f'.repeat(24))
      } catch (error) {
        return error as UserError
      }
      throw new Error('expected an error')
    })()
    expect(tooLong.code).toBe('FUNCTION_NAME_INVALID')
    expect(tooLong.message).toContain('65 characters, at most 64')
    expect(tooLong.suggestion).toContain('at most 23 characters')
    expect(() => assertFunctionKey('orders', 'get order')).toThrow(/may contain only letters/)
  })
})
