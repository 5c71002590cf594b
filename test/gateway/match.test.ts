import {describe, expect, test} from 'vitest'
import {matchHttpRoute, matchRestRoute, nearestRoutes, resolveStage} from '../../src/gateway/match.js'

// The example API of the HTTP API docs ("Routing API requests"), plus a parameterised sibling.
const DOCS_ROUTES = ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default']

describe('matchHttpRoute precedence', () => {
  test.each([
    // [method, path, expected route, expected params]
    ['GET', '/pets/dog/1', 'GET /pets/dog/1', {}],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}', {id: '2'}],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}', {proxy: 'cat/1'}],
    ['GET', '/pets/dog', 'GET /pets/{proxy+}', {proxy: 'dog'}],
    ['POST', '/pets/dog/1', 'ANY /{proxy+}', {proxy: 'pets/dog/1'}],
    ['GET', '/pets', 'ANY /{proxy+}', {proxy: 'pets'}],
    ['GET', '/', '$default', {}],
    ['TRACE', '/pets', '$default', {}],
  ])('%s %s selects %s', (method, path, routeKey, params) => {
    expect(matchHttpRoute(DOCS_ROUTES, method, path)).toEqual({routeKey, pathParameters: params})
  })

  test('a literal path beats a parameterised one regardless of declaration order', () => {
    expect(matchHttpRoute(['GET /orders/{id}', 'GET /orders/latest'], 'GET', '/orders/latest')?.routeKey).toBe('GET /orders/latest')
    expect(matchHttpRoute(['GET /orders/latest', 'GET /orders/{id}'], 'GET', '/orders/latest')?.routeKey).toBe('GET /orders/latest')
  })

  test('more literal segments win among parameterised routes', () => {
    const routes = ['GET /{a}/{b}/{c}', 'GET /{a}/items/{c}', 'GET /shops/items/{c}']
    expect(matchHttpRoute(routes, 'GET', '/shops/items/7')?.routeKey).toBe('GET /shops/items/{c}')
    expect(matchHttpRoute(routes, 'GET', '/x/items/7')?.routeKey).toBe('GET /{a}/items/{c}')
    expect(matchHttpRoute(routes, 'GET', '/x/y/7')?.routeKey).toBe('GET /{a}/{b}/{c}')
  })

  test('with equal literal counts, the literal that comes first wins', () => {
    const routes = ['GET /{type}/dog', 'GET /pets/{name}']
    expect(matchHttpRoute(routes, 'GET', '/pets/dog')?.routeKey).toBe('GET /pets/{name}')
  })

  test('a parameterised route beats any greedy route', () => {
    expect(matchHttpRoute(['GET /files/{proxy+}', 'GET /{dir}/{name}'], 'GET', '/files/a')?.routeKey).toBe('GET /{dir}/{name}')
  })

  test('the longer, more literal greedy route wins', () => {
    const routes = ['ANY /{proxy+}', 'ANY /api/{proxy+}', 'ANY /api/v1/{proxy+}', 'ANY /api/{v}/{proxy+}']
    expect(matchHttpRoute(routes, 'GET', '/api/v1/users')?.routeKey).toBe('ANY /api/v1/{proxy+}')
    expect(matchHttpRoute(routes, 'GET', '/api/v2/users')?.routeKey).toBe('ANY /api/{v}/{proxy+}')
    expect(matchHttpRoute(routes, 'GET', '/api/users')?.routeKey).toBe('ANY /api/{proxy+}')
    expect(matchHttpRoute(routes, 'GET', '/other')?.routeKey).toBe('ANY /{proxy+}')
  })

  test('a concrete method beats ANY on the same path', () => {
    const routes = ['ANY /orders/{id}', 'GET /orders/{id}']
    expect(matchHttpRoute(routes, 'GET', '/orders/1')?.routeKey).toBe('GET /orders/{id}')
    expect(matchHttpRoute(routes, 'DELETE', '/orders/1')?.routeKey).toBe('ANY /orders/{id}')
  })

  test('path specificity outranks the method: ANY on a literal path beats GET on a greedy one', () => {
    expect(matchHttpRoute(['GET /{proxy+}', 'ANY /health'], 'GET', '/health')?.routeKey).toBe('ANY /health')
  })

  test('methods are compared case-insensitively and HEAD does not fall back to GET', () => {
    expect(matchHttpRoute(['GET /a'], 'get', '/a')?.routeKey).toBe('GET /a')
    expect(matchHttpRoute(['GET /a'], 'HEAD', '/a')).toBeUndefined()
    expect(matchHttpRoute(['ANY /a'], 'HEAD', '/a')?.routeKey).toBe('ANY /a')
  })

  test('ANY does not stand for methods outside the seven API Gateway routes on', () => {
    expect(matchHttpRoute(['ANY /a'], 'TRACE', '/a')).toBeUndefined()
    expect(matchHttpRoute(['ANY /a'], 'ANY', '/a')).toBeUndefined()
  })

  test('without a match and without $default there is no route (404)', () => {
    expect(matchHttpRoute(['GET /a'], 'GET', '/b')).toBeUndefined()
    expect(matchHttpRoute([], 'GET', '/')).toBeUndefined()
  })

  test('$default is used only when nothing else matches', () => {
    expect(matchHttpRoute(['$default', 'GET /a'], 'GET', '/a')?.routeKey).toBe('GET /a')
    expect(matchHttpRoute(['$default', 'GET /a'], 'POST', '/a')?.routeKey).toBe('$default')
  })

  test('route keys that do not parse are ignored, valid ones still match', () => {
    expect(matchHttpRoute(['GETT /a', 'GET /{a}{b}', 'GET /a'], 'GET', '/a')?.routeKey).toBe('GET /a')
  })

  test('route keys are matched in their normalised form', () => {
    expect(matchHttpRoute(['get /orders/'], 'GET', '/orders')?.routeKey).toBe('GET /orders')
  })
})

describe('matchHttpRoute greedy variables and path shapes', () => {
  test.each([
    ['/files', undefined],
    ['/files/', undefined],
    ['/files//', undefined],
    ['/files/a', 'a'],
    ['/files/a/b/c.txt', 'a/b/c.txt'],
    ['/files/a/b/', 'a/b'],
    ['/files/a//b', 'a//b'],
  ])('GET /files/{proxy+} on %j captures %j (at least one segment)', (path, captured) => {
    const match = matchHttpRoute(['GET /files/{proxy+}'], 'GET', path)
    expect(match?.pathParameters.proxy).toBe(captured)
  })

  test('a greedy route at the root does not match the root itself', () => {
    expect(matchHttpRoute(['ANY /{proxy+}'], 'GET', '/')).toBeUndefined()
    expect(matchHttpRoute(['ANY /{proxy+}', 'GET /'], 'GET', '/')?.routeKey).toBe('GET /')
  })

  test.each([
    ['/orders', 'GET /orders'],
    ['/orders/', 'GET /orders'],
    ['//orders', 'GET /orders'],
    ['/', 'GET /'],
    ['', 'GET /'],
  ])('%j routes to %s (trailing slash ignored, leading slashes collapsed)', (path, routeKey) => {
    expect(matchHttpRoute(['GET /orders', 'GET /'], 'GET', path)?.routeKey).toBe(routeKey)
  })

  test('paths are case-sensitive', () => {
    expect(matchHttpRoute(['GET /Orders'], 'GET', '/orders')).toBeUndefined()
  })

  test('an empty segment never fills a path variable', () => {
    expect(matchHttpRoute(['GET /a/{id}/b'], 'GET', '/a//b')).toBeUndefined()
  })

  test('a parameter named __proto__ is returned as data', () => {
    const match = matchHttpRoute(['GET /x/{__proto__}'], 'GET', '/x/polluted')
    expect(Object.getOwnPropertyDescriptor(match?.pathParameters, '__proto__')?.value).toBe('polluted')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('matchHttpRoute decodes the path (HTTP APIs decode before routing)', () => {
  test.each([
    ['/users/space%20value', {id: 'space value'}],
    ['/users/caf%C3%A9', {id: 'café'}],
    ['/users/a%2Bb', {id: 'a+b'}],
    ['/users/a+b', {id: 'a+b'}],
    ['/users/%E0%A4%A', {id: '%E0%A4%A'}],
    ['/users/100%', {id: '100%'}],
  ])('%j gives %j', (path, params) => {
    expect(matchHttpRoute(['GET /users/{id}'], 'GET', path)?.pathParameters).toEqual(params)
  })

  test('an encoded slash becomes a separator, so it cannot sit inside a single variable', () => {
    expect(matchHttpRoute(['GET /users/{id}'], 'GET', '/users/a%2Fb')).toBeUndefined()
    expect(matchHttpRoute(['GET /users/{proxy+}'], 'GET', '/users/a%2Fb')?.pathParameters).toEqual({proxy: 'a/b'})
  })

  test('a decoded question mark ends the path', () => {
    expect(matchHttpRoute(['GET /users/{id}'], 'GET', '/users/me%3Fadmin=true')?.pathParameters).toEqual({id: 'me'})
  })

  test('hostile paths match literally and never throw', () => {
    const routes = ['GET /a/{id}', 'ANY /{proxy+}']
    expect(matchHttpRoute(routes, 'GET', '/a/..')?.pathParameters).toEqual({id: '..'})
    expect(matchHttpRoute(routes, 'GET', '/../../etc/passwd')?.pathParameters).toEqual({proxy: '../../etc/passwd'})
    expect(matchHttpRoute(routes, 'GET', '/a/%00')?.pathParameters).toEqual({id: '\u0000'})
    expect(matchHttpRoute(routes, 'GET', `/${'x/'.repeat(5000)}y`)?.routeKey).toBe('ANY /{proxy+}')
  })
})

describe('matchRestRoute', () => {
  const routes = ['GET /', 'GET /orders', 'POST /orders', 'GET /orders/{id}', 'ANY /{proxy+}', '$default']

  test.each([
    ['GET', '/', 'GET /', '/', {}],
    ['GET', '/orders', 'GET /orders', '/orders', {}],
    ['GET', '/orders/42', 'GET /orders/{id}', '/orders/{id}', {id: '42'}],
    ['DELETE', '/orders/42', 'ANY /{proxy+}', '/{proxy+}', {proxy: 'orders/42'}],
    ['GET', '/proxy-value/', 'ANY /{proxy+}', '/{proxy+}', {proxy: 'proxy-value'}],
    ['GET', '/proxy-value//double-slash', 'ANY /{proxy+}', '/{proxy+}', {proxy: 'proxy-value//double-slash'}],
    ['GET', '//proxy-value', 'ANY /{proxy+}', '/{proxy+}', {proxy: 'proxy-value'}],
  ])('%s %s selects %s (resource %s)', (method, path, routeKey, resourcePath, params) => {
    expect(matchRestRoute(routes, method, path)).toEqual({routeKey, resourcePath, pathParameters: params})
  })

  test('path parameters stay percent-encoded, as REST delivers them (AWS-validated)', () => {
    const match = matchRestRoute(['ANY /{proxy+}'], 'GET', '/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com')
    expect(match?.pathParameters).toEqual({proxy: 'proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com'})
    expect(matchRestRoute(['GET /users/{id}'], 'GET', '/users/space%20value')?.pathParameters).toEqual({id: 'space%20value'})
  })

  test('an encoded slash stays inside a single variable', () => {
    expect(matchRestRoute(['GET /users/{id}'], 'GET', '/users/a%2Fb')?.pathParameters).toEqual({id: 'a%2Fb'})
  })

  test('$default does not exist for REST: no match means 403', () => {
    expect(matchRestRoute(['$default', 'GET /a'], 'GET', '/b')).toBeUndefined()
  })

  test('the root has no greedy fallback', () => {
    expect(matchRestRoute(['ANY /{proxy+}'], 'GET', '/')).toBeUndefined()
  })
})

describe('nearestRoutes', () => {
  const routes = ['GET /orders', 'POST /orders', 'GET /orders/{id}', 'DELETE /orders/{id}', 'GET /customers/{id}', '$default']

  test('the same path with another method comes first', () => {
    const near = nearestRoutes(['GET /orders/{id}', 'GET /ordrs/{id}', 'DELETE /orders/{id}'], 'PUT', '/orders/42')
    expect(near[0]).toEqual({routeKey: 'DELETE /orders/{id}', reason: 'other-method', distance: 0})
    expect(near[1]).toEqual({routeKey: 'GET /orders/{id}', reason: 'other-method', distance: 0})
  })

  test('a letter-case difference is named as such', () => {
    expect(nearestRoutes(routes, 'GET', '/Orders')[0]).toMatchObject({routeKey: 'GET /orders', reason: 'letter-case'})
  })

  test('a misspelt path suggests the closest routes by edit distance', () => {
    const near = nearestRoutes(routes, 'GET', '/ordres/42')
    expect(near[0]).toMatchObject({routeKey: 'GET /orders/{id}', reason: 'similar-path'})
    expect(near.length).toBeLessThanOrEqual(3)
  })

  test('n limits the suggestions and $default is never suggested', () => {
    expect(nearestRoutes(routes, 'PATCH', '/orders/1', 1)).toHaveLength(1)
    expect(nearestRoutes(['$default'], 'GET', '/x')).toEqual([])
  })

  test('routes that match the request are not "near" routes', () => {
    expect(nearestRoutes(['GET /orders'], 'GET', '/orders')).toEqual([])
  })

  test('far-away routes are not suggested', () => {
    expect(nearestRoutes(['GET /a'], 'GET', '/completely/unrelated/resource/path')).toEqual([])
  })
})

describe('resolveStage', () => {
  test.each([
    ['http', '/dev/orders', ['dev', '$default'], {stage: 'dev', path: '/orders'}],
    ['http', '/orders', ['dev', '$default'], {stage: '$default', path: '/orders'}],
    ['http', '/dev', ['dev'], {stage: 'dev', path: ''}],
    ['http', '/', ['$default'], {stage: '$default', path: '/'}],
    ['http', '/orders', ['dev'], undefined],
    ['http', '/$default/orders', ['$default'], {stage: '$default', path: '/$default/orders'}],
    ['rest', '/prod/orders', ['prod'], {stage: 'prod', path: '/orders'}],
    ['rest', '//prod/orders', ['prod'], {stage: 'prod', path: '/orders'}],
    ['rest', '/prod//orders', ['prod'], {stage: 'prod', path: '//orders'}],
    ['rest', '/orders', ['prod'], undefined],
    ['rest', '/orders', ['prod', '$default'], undefined],
  ] as const)('%s %j with stages %j → %j', (apiType, path, stages, expected) => {
    expect(resolveStage(apiType, path, stages)).toEqual(expected)
  })
})
