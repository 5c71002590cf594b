/**
 * The events the emulator hands to handlers, checked against schemas nobody here wrote: the published zod schemas
 * of Powertools for AWS Lambda's parser (`@aws-lambda-powertools/parser/schemas`), which production handlers use
 * to validate what API Gateway sends them. Each request goes through real HTTP to an echoing handler; the event it
 * received must parse, and the parsed values must be the ones sent.
 */
import {request as httpRequest, type OutgoingHttpHeaders} from 'node:http'
import {APIGatewayProxyEventSchema, APIGatewayProxyEventV2Schema} from '@aws-lambda-powertools/parser/schemas'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from '../helpers.js'
import {createRestApi, type RestDeployed} from '../rest-helpers.js'
import {createFunction, createHttpApi, type DeployedApi} from './helpers.js'

let t: TestEmulator
let v2: DeployedApi
let v1: DeployedApi
let rest: RestDeployed

/** Sends exactly these headers (arrays become repeated lines) and returns the event the handler echoed. */
function eventFor(url: string, options: {method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | string} = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const headers = {'x-mode': 'echo', ...options.headers}
    const req = httpRequest(url, {method: options.method ?? 'GET', headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}: ${text}`))
        else resolve(JSON.parse(text))
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Parses with the published schema; a failure lists every issue, so a broken field is named in the test output. */
function parsed<T>(schema: {safeParse(value: unknown): {success: boolean; data?: T; error?: {issues: unknown[]}}}, event: unknown): T {
  const result = schema.safeParse(event)
  expect(result.error?.issues ?? []).toEqual([])
  return result.data as T
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])

/** Requests every format must carry: plain GET, query strings with repeats, cookies, JSON and binary bodies, greedy paths. */
const REQUESTS: [string, {method?: string; path: string; headers?: OutgoingHttpHeaders; body?: Buffer | string}][] = [
  ['a bare GET', {path: '/items/1'}],
  ['repeated query values and a flag', {path: '/items/2?tag=a&tag=b&empty=&flag', headers: {'user-agent': 'schema-test/1.0'}}],
  ['cookies and repeated headers', {path: '/items/3', headers: {cookie: 'session=abc; theme=dark', 'x-repeated': ['one', 'two']}}],
  ['a JSON body', {method: 'POST', path: '/items/4', headers: {'content-type': 'application/json'}, body: '{"qty":2}'}],
  ['a binary body', {method: 'PUT', path: '/items/5', headers: {'content-type': 'image/png'}, body: PNG}],
  ['a greedy path with encoded characters', {method: 'DELETE', path: '/files/a/b%20c/d.txt'}],
]

beforeAll(async () => {
  t = await startTestEmulator()
  const fn = await createFunction(t)
  const routes = ['ANY /items/{id}', 'ANY /files/{proxy+}']
  v2 = await createHttpApi(t, {routes: routes.map((routeKey) => ({routeKey, functionArn: fn.arn})), stages: ['$default']})
  v1 = await createHttpApi(t, {routes: routes.map((routeKey) => ({routeKey, functionArn: fn.arn, payloadFormatVersion: '1.0'})), stages: ['$default']})
  rest = await createRestApi(t, {
    routes: routes.map((routeKey) => ({routeKey, functionArn: fn.arn})),
    binaryMediaTypes: ['image/png'],
  })
})

afterAll(async () => {
  rest?.client.destroy()
  await t.stop()
})

describe('HTTP API, payload format 2.0: APIGatewayProxyEventV2Schema', () => {
  test.each(REQUESTS)('%s', async (_, request) => {
    const event = parsed<{rawPath: string; body?: string; isBase64Encoded: boolean; requestContext: {http: {method: string}}}>(
      APIGatewayProxyEventV2Schema,
      await eventFor(`${v2.endpoint}${request.path}`, request),
    )
    expect(event.requestContext.http.method).toBe(request.method ?? 'GET')
    // HTTP APIs decode the path before routing and pass it on decoded (src/gateway/path.ts).
    expect(event.rawPath).toBe(decodeURIComponent(request.path.split('?')[0]))
    if (Buffer.isBuffer(request.body)) expect(Buffer.from(event.body ?? '', 'base64')).toEqual(request.body)
  })
})

describe('HTTP API, payload format 1.0: APIGatewayProxyEventSchema', () => {
  test.each(REQUESTS)('%s', async (_, request) => {
    const event = parsed<{httpMethod: string; path: string; body: string | null}>(APIGatewayProxyEventSchema, await eventFor(`${v1.endpoint}${request.path}`, request))
    expect(event.httpMethod).toBe(request.method ?? 'GET')
    expect(event.path).toBe(decodeURIComponent(request.path.split('?')[0]))
    if (Buffer.isBuffer(request.body)) expect(Buffer.from(event.body ?? '', 'base64')).toEqual(request.body)
  })
})

describe('REST API (Lambda proxy integration): APIGatewayProxyEventSchema', () => {
  test.each(REQUESTS)('%s', async (_, request) => {
    const event = parsed<{httpMethod: string; resource: string; body: string | null; isBase64Encoded: boolean}>(
      APIGatewayProxyEventSchema,
      await eventFor(`${rest.url}${request.path}`, request),
    )
    expect(event.httpMethod).toBe(request.method ?? 'GET')
    expect(event.resource).toMatch(/^\/(items\/\{id\}|files\/\{proxy\+\})$/)
    if (Buffer.isBuffer(request.body)) {
      expect(event.isBase64Encoded).toBe(true)
      expect(Buffer.from(event.body ?? '', 'base64')).toEqual(request.body)
    }
  })
})
