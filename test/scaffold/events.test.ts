import {describe, expect, test} from 'vitest'
import {parseRouteKey} from '../../src/gateway/routes.js'
import {httpApiEvent, restApiEvent} from '../../src/scaffold/events.js'
import {packagedTemplates} from '../../src/scaffold/templates.js'
import {httpEventV2Schema, proxyEventV1Schema} from '../gateway/event-schemas.js'

// biome-ignore lint/suspicious/noExplicitAny: sample events are read as loose JSON
type Event = Record<string, any>

const httpBase = () => JSON.parse(packagedTemplates('events/http-api.json'))
const restBase = () => JSON.parse(packagedTemplates('events/rest-api.json'))

const ROUTES = ['GET /hello', 'POST /orders', 'GET /orders/{id}', 'PUT /orders/{orderId}/items/{sku}', 'ANY /{proxy+}', 'DELETE /', 'PATCH /users/{userId}']

describe('HTTP API sample events (payload format 2.0)', () => {
  test.each(ROUTES.concat('$default'))('%s passes the Powertools v2 schema', (key) => {
    const event = httpApiEvent(httpBase(), parseRouteKey(key), '$default')
    expect(httpEventV2Schema.safeParse(event).error).toBeUndefined()
  })

  test('carries the route, the concrete method and path, and the path parameters', () => {
    const event = httpApiEvent(httpBase(), parseRouteKey('PUT /orders/{orderId}/items/{sku}'), '$default') as Event
    expect(event.version).toBe('2.0')
    expect(event.routeKey).toBe('PUT /orders/{orderId}/items/{sku}')
    expect(event.rawPath).toBe('/orders/42/items/example-sku')
    expect(event.requestContext).toMatchObject({routeKey: event.routeKey, stage: '$default', http: {method: 'PUT', path: '/orders/42/items/example-sku'}})
    expect(event.pathParameters).toEqual({orderId: '42', sku: 'example-sku'})
  })

  test('a request body arrives as a JSON string with its content type and length', () => {
    const event = httpApiEvent(httpBase(), parseRouteKey('POST /orders'), '$default') as Event
    expect(JSON.parse(event.body)).toEqual({example: true})
    expect(event.isBase64Encoded).toBe(false)
    expect(event.headers['content-type']).toBe('application/json')
    expect(event.headers['content-length']).toBe(String(event.body.length))
  })

  test('absent values are left out, never null, and header names are lowercase', () => {
    const event = httpApiEvent(httpBase(), parseRouteKey('GET /hello'), '$default') as Event
    for (const key of ['body', 'pathParameters', 'queryStringParameters', 'cookies', 'stageVariables']) expect(event).not.toHaveProperty(key)
    expect(event.rawQueryString).toBe('')
    for (const name of Object.keys(event.headers)) expect(name).toBe(name.toLowerCase())
    expect(JSON.stringify(event)).not.toContain('null')
  })

  test('ANY and $default routes are sampled with a concrete method', () => {
    const any = httpApiEvent(httpBase(), parseRouteKey('ANY /{proxy+}'), '$default') as Event
    expect(any.routeKey).toBe('ANY /{proxy+}')
    expect(any.requestContext.http.method).toBe('GET')
    expect(any.pathParameters).toEqual({proxy: 'example/proxy'})
    const catchAll = httpApiEvent(httpBase(), parseRouteKey('$default'), '$default') as Event
    expect(catchAll.routeKey).toBe('$default')
    expect(catchAll.rawPath).toBe('/')
  })

  test('a named stage is part of rawPath; $default is not', () => {
    const event = httpApiEvent(httpBase(), parseRouteKey('GET /hello'), 'dev') as Event
    expect(event.rawPath).toBe('/dev/hello')
    expect(event.requestContext.http.path).toBe('/dev/hello')
    expect(event.requestContext.stage).toBe('dev')
  })
})

describe('REST API sample events (payload format 1.0)', () => {
  test.each(ROUTES)('%s passes the Powertools v1 schema', (key) => {
    const event = restApiEvent(restBase(), parseRouteKey(key), 'prod')
    expect(proxyEventV1Schema.safeParse(event).error).toBeUndefined()
  })

  test('carries resource (the template), path (the request), method and path parameters', () => {
    const event = restApiEvent(restBase(), parseRouteKey('GET /orders/{id}'), 'prod') as Event
    expect(event).toMatchObject({resource: '/orders/{id}', path: '/orders/42', httpMethod: 'GET', pathParameters: {id: '42'}})
    expect(event.requestContext).toMatchObject({resourcePath: '/orders/{id}', httpMethod: 'GET', stage: 'prod', path: '/prod/orders/42'})
  })

  test('absent values are null, and every header is also a multi-value header', () => {
    const event = restApiEvent(restBase(), parseRouteKey('GET /hello'), 'prod') as Event
    for (const key of ['body', 'pathParameters', 'queryStringParameters', 'multiValueQueryStringParameters', 'stageVariables']) expect(event[key]).toBeNull()
    expect(Object.keys(event.multiValueHeaders)).toEqual(Object.keys(event.headers))
    for (const [name, value] of Object.entries(event.headers)) expect(event.multiValueHeaders[name]).toEqual([value])
  })

  test('a request body arrives as a JSON string with its content type', () => {
    const event = restApiEvent(restBase(), parseRouteKey('POST /orders'), 'prod') as Event
    expect(JSON.parse(event.body)).toEqual({example: true})
    expect(event.headers['Content-Type']).toBe('application/json')
    expect(event.multiValueHeaders['Content-Type']).toEqual(['application/json'])
  })

  test('ANY is sampled with a concrete method and the greedy parameter without its "+"', () => {
    const event = restApiEvent(restBase(), parseRouteKey('ANY /{proxy+}'), 'prod') as Event
    expect(event).toMatchObject({resource: '/{proxy+}', httpMethod: 'GET', path: '/example/proxy', pathParameters: {proxy: 'example/proxy'}})
  })

  test('the shipped base events are themselves valid', () => {
    expect(httpEventV2Schema.safeParse(httpBase()).error).toBeUndefined()
    expect(proxyEventV1Schema.safeParse(restBase()).error).toBeUndefined()
  })
})
