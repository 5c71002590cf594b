/**
 * Route selection, stages, both addressing styles, and the events handlers receive (payload formats 2.0 and
 * 1.0), through real HTTP. The events are also checked against the Powertools parser schemas: a handler that
 * validates its event with Powertools must accept what the emulator sends.
 */
import {request as httpRequest, type OutgoingHttpHeaders} from 'node:http'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {httpEventV2Schema, proxyEventV1Schema} from '../../gateway/event-schemas.js'
import {startTestEmulator, type TestEmulator} from '../helpers.js'
import {createFunction, createHttpApi, type DeployedApi, echo} from './helpers.js'

let t: TestEmulator
let api: DeployedApi
let v1Api: DeployedApi

/** A request with headers exactly as given (arrays become repeated header lines), e.g. a custom Host. */
function rawRequest(url: string, options: {method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | string} = {}) {
  return new Promise<{status: number; headers: Record<string, string | string[] | undefined>; body: string}>((resolve, reject) => {
    const req = httpRequest(url, {method: options.method ?? 'GET', headers: options.headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8')}))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const ROUTES = ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /pets/cat/{id}', 'GET /pets/cat/{id}', 'POST /orders/{orderId}/items/{itemId}', '$default']

beforeAll(async () => {
  t = await startTestEmulator()
  const fn = await createFunction(t)
  api = await createHttpApi(t, {
    routes: ROUTES.map((routeKey) => ({routeKey, functionArn: fn.arn})),
    stages: ['$default', 'v1'],
    stageVariables: {colour: 'blue'},
  })
  v1Api = await createHttpApi(t, {
    routes: [
      {routeKey: 'POST /orders/{id}', functionArn: fn.arn, payloadFormatVersion: '1.0'},
      {routeKey: '$default', functionArn: fn.arn, payloadFormatVersion: '1.0'},
    ],
    stages: ['$default', 'live'],
  })
})
afterAll(async () => {
  await t.stop()
})

describe('route selection', () => {
  test.each([
    ['GET', '/pets/dog/1', 'GET /pets/dog/1', undefined],
    ['GET', '/pets/dog/1/', 'GET /pets/dog/1', undefined],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}', {id: '2'}],
    ['GET', '/pets/bird/blue/tit', 'GET /pets/{proxy+}', {proxy: 'bird/blue/tit'}],
    ['GET', '/pets/cat/3', 'GET /pets/cat/{id}', {id: '3'}],
    ['DELETE', '/pets/cat/3', 'ANY /pets/cat/{id}', {id: '3'}],
    ['POST', '/pets/dog/1', '$default', undefined],
    ['GET', '/elsewhere', '$default', undefined],
    ['GET', '/pets/dog%2F1', 'GET /pets/dog/1', undefined],
    ['GET', '/pets/dog/hello%20world', 'GET /pets/dog/{id}', {id: 'hello world'}],
  ])('%s %s → %s', async (method, path, routeKey, pathParameters) => {
    const {status, event} = await echo(`${api.endpoint}${path}`, {method})
    expect(status).toBe(200)
    expect(event.routeKey).toBe(routeKey)
    expect(event.pathParameters).toEqual(pathParameters)
  })

  test('a named stage is served under /{stage}, $default at the root', async () => {
    const staged = await echo(`${api.endpoint}/v1/pets/dog/1`)
    expect(staged.event).toMatchObject({routeKey: 'GET /pets/dog/1', rawPath: '/v1/pets/dog/1', requestContext: {stage: 'v1', http: {path: '/v1/pets/dog/1'}}})
    const root = await echo(`${api.endpoint}/pets/dog/1`)
    expect(root.event).toMatchObject({rawPath: '/pets/dog/1', requestContext: {stage: '$default'}})
  })

  test('the API answers by Host header {apiId}.execute-api.localhost as well', async () => {
    const answer = await rawRequest(`${t.emulator.url}/pets/dog/7`, {headers: {host: `${api.apiId}.execute-api.localhost:${t.emulator.port}`, 'x-mode': 'echo'}})
    expect(answer.status).toBe(200)
    const event = JSON.parse(answer.body)
    expect(event).toMatchObject({
      routeKey: 'GET /pets/dog/{id}',
      rawPath: '/pets/dog/7',
      requestContext: {domainName: `${api.apiId}.execute-api.localhost`, domainPrefix: api.apiId, apiId: api.apiId},
    })
  })
})

describe('payload format 2.0 event', () => {
  test('has every field API Gateway sends, shaped as AWS shapes it', async () => {
    const before = Date.now()
    const answer = await rawRequest(`${api.endpoint}/v1/orders/o-1/items/i%202?b=2&a=1&a=two+words&flag`, {
      method: 'POST',
      headers: {
        'X-Mode': 'echo',
        'Content-Type': 'application/json',
        'User-Agent': 'tracegate-test/1.0',
        Cookie: 'session=abc; theme=dark',
        'X-Repeated': ['first', 'second'],
      },
      body: '{"qty":2}',
    })
    expect(answer.status).toBe(200)
    const event = JSON.parse(answer.body)
    expect(httpEventV2Schema.safeParse(event).success).toBe(true)
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /orders/{orderId}/items/{itemId}',
      rawPath: '/v1/orders/o-1/items/i 2',
      rawQueryString: 'b=2&a=1&a=two+words&flag',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: {b: '2', a: '1,two words', flag: ''},
      pathParameters: {orderId: 'o-1', itemId: 'i 2'},
      stageVariables: {colour: 'blue'},
      body: '{"qty":2}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: api.apiId,
        domainName: `${api.apiId}.execute-api.localhost`,
        domainPrefix: api.apiId,
        http: {method: 'POST', path: '/v1/orders/o-1/items/i 2', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'tracegate-test/1.0'},
        routeKey: 'POST /orders/{orderId}/items/{itemId}',
        stage: 'v1',
      },
    })
    // Header names lower-cased, repeated lines comma-joined, Cookie moved to `cookies`.
    expect(event.headers['x-repeated']).toBe('first,second')
    expect(event.headers['content-type']).toBe('application/json')
    expect(event.headers.cookie).toBeUndefined()
    expect(Object.keys(event.headers).every((name: string) => name === name.toLowerCase())).toBe(true)
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(event.headers['x-forwarded-proto']).toBe('http')
    // The request id and trace id the function saw are the ones the client gets back.
    expect(event.requestContext.requestId).toBe(answer.headers['apigw-requestid'])
    expect(event.headers['x-amzn-trace-id']).toBe(answer.headers['x-amzn-trace-id'])
    expect(event.requestContext.timeEpoch).toBeGreaterThanOrEqual(before - 1000)
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/)
  })

  test('binary bodies arrive base64-encoded; optional fields are absent, not null', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252])
    const {event} = await echo(`${api.endpoint}/anything`, {method: 'PUT', headers: {'content-type': 'application/octet-stream'}, body: bytes})
    expect(event.isBase64Encoded).toBe(true)
    expect(Buffer.from(event.body as string, 'base64')).toEqual(bytes)
    const bare = await echo(`${api.endpoint}/anything`)
    for (const field of ['cookies', 'queryStringParameters', 'pathParameters', 'body']) expect(bare.event).not.toHaveProperty(field)
    expect(bare.event.rawQueryString).toBe('')
  })

  test('a trace header the client sends is passed to the function and returned', async () => {
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0'
    const {event, headers} = await echo(`${api.endpoint}/anything`, {headers: {'x-amzn-trace-id': header}})
    expect((event.headers as Record<string, string>)['x-amzn-trace-id']).toBe(header)
    expect(headers.get('x-amzn-trace-id')).toBe(header)
  })
})

describe('payload format 1.0 event (HTTP API)', () => {
  test('has every field, with multi-value maps and HTTP API casing', async () => {
    const answer = await rawRequest(`${v1Api.endpoint}/live/orders/42?size=s&size=m`, {
      method: 'POST',
      headers: {'X-Mode': 'echo', 'Content-Type': 'text/plain', 'X-Repeated': ['first', 'second'], 'User-Agent': 'ua/1'},
      body: 'hello',
    })
    expect(answer.status).toBe(200)
    const event = JSON.parse(answer.body)
    expect(proxyEventV1Schema.safeParse(event).success).toBe(true)
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/orders/{id}',
      path: '/live/orders/42',
      httpMethod: 'POST',
      queryStringParameters: {size: 'm'},
      multiValueQueryStringParameters: {size: ['s', 'm']},
      pathParameters: {id: '42'},
      stageVariables: null,
      body: 'hello',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: v1Api.apiId,
        httpMethod: 'POST',
        path: '/live/orders/42',
        protocol: 'HTTP/1.1',
        resourcePath: '/orders/{id}',
        stage: 'live',
        identity: {sourceIp: '127.0.0.1', userAgent: 'ua/1'},
      },
    })
    expect(event.headers['x-repeated']).toBe('second')
    expect(event.multiValueHeaders['x-repeated']).toEqual(['first', 'second'])
    expect(event.requestContext.requestId).toBe(answer.headers['apigw-requestid'])
    expect(event.requestContext.extendedRequestId).toBe(event.requestContext.requestId)
  })

  test('the $default route is the resource "$default"; absent values are null', async () => {
    const {event} = await echo(`${v1Api.endpoint}/whatever`)
    expect(event).toMatchObject({resource: '$default', path: '/whatever', queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, body: null})
  })
})
