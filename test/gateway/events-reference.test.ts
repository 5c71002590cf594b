/**
 * The v2.0 event builder is written for speed (it runs on every emulated request). This checks it against the
 * plain reading of aws-semantics §4.1 below, on many generated requests: same JSON, same key order (keys such
 * as "1" sort first in JS objects), and keys named `__proto__` kept as data.
 */
import {isUtf8} from 'node:buffer'
import {describe, expect, test} from 'vitest'
import {
  buildHttpEventV2,
  formatRequestTime,
  type GatewayRequest,
  type HttpEventV2Context,
  isTextContentType,
  normaliseSourceIp,
  type StringMap,
} from '../../src/gateway/events.js'
import {decodeHttpApiPath, parseQueryString} from '../../src/gateway/path.js'

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']

/** The straightforward builder: Maps while collecting, optional fields spread in. */
function referenceHttpEventV2(req: GatewayRequest, ctx: HttpEventV2Context): unknown {
  const headerMap = new Map<string, string>()
  const cookies: string[] = []
  for (const [rawName, value] of req.headers) {
    const name = rawName.toLowerCase()
    if (HOP_BY_HOP.includes(name)) continue
    if (name === 'cookie') {
      for (const c of value.split(';')) if (c.trim() !== '') cookies.push(c.trim())
      continue
    }
    const prev = headerMap.get(name)
    headerMap.set(name, prev === undefined ? value : `${prev},${value}`)
  }
  const queryMap = new Map<string, string>()
  for (const {name, value} of parseQueryString(req.rawQueryString)) {
    const prev = queryMap.get(name)
    queryMap.set(name, prev === undefined ? value : `${prev},${value}`)
  }
  const decoded = req.path === '' ? '' : decodeHttpApiPath(req.path)
  const path = ctx.stage === '$default' ? (decoded === '' ? '/' : decoded) : `/${ctx.stage}${decoded}`
  const contentTypes = req.headers.filter(([n]) => n.toLowerCase() === 'content-type').map(([, v]) => v)
  const asText = isTextContentType(contentTypes[contentTypes.length - 1])
  // Bytes that are not UTF-8 go base64 even under a text-like type.
  const encoded =
    req.body.length === 0
      ? undefined
      : asText && isUtf8(req.body)
        ? {body: req.body.toString('utf8'), isBase64Encoded: false}
        : {body: req.body.toString('base64'), isBase64Encoded: true}
  return {
    version: '2.0',
    routeKey: ctx.routeKey,
    rawPath: path,
    rawQueryString: req.rawQueryString,
    ...(cookies.length > 0 ? {cookies} : {}),
    headers: Object.fromEntries(headerMap),
    ...(queryMap.size > 0 ? {queryStringParameters: Object.fromEntries(queryMap)} : {}),
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.apiId,
      domainName: ctx.domainName,
      domainPrefix: ctx.domainPrefix ?? ctx.domainName.split('.')[0],
      http: {method: req.method.toUpperCase(), path, protocol: req.protocol, sourceIp: normaliseSourceIp(req.sourceIp), userAgent: headerMap.get('user-agent') ?? ''},
      requestId: ctx.requestId,
      routeKey: ctx.routeKey,
      stage: ctx.stage,
      time: formatRequestTime(ctx.now),
      timeEpoch: ctx.now.getTime(),
    },
    ...(encoded ? {body: encoded.body} : {}),
    ...(ctx.pathParameters && Object.keys(ctx.pathParameters).length > 0 ? {pathParameters: {...ctx.pathParameters}} : {}),
    isBase64Encoded: encoded?.isBase64Encoded ?? false,
    ...(ctx.stageVariables && Object.keys(ctx.stageVariables).length > 0 ? {stageVariables: {...ctx.stageVariables}} : {}),
  }
}

/** mulberry32: a small seeded generator, so a failure names a reproducible case. */
function generator(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const HEADER_NAMES = ['Host', 'User-Agent', 'user-agent', 'Cookie', 'cookie', 'Content-Type', 'content-type', 'Connection', 'TE', 'Expect', 'X-Forwarded-For', '__proto__', 'constructor', 'toString', '1', '123', '01', 'X-Multi', 'x-multi']
const HEADER_VALUES = ['a', 'b, c', 'x=1; y=2', ' ; z=3 ', '', 'é', 'application/json', 'image/png', 'text/plain; charset=utf-8']
const QUERY_KEYS = ['a', '1', '0', '10', '01', '__proto__', 'constructor', 'k%20ey', 'x+y', '', '%E0%A4%A']
const PATHS = ['', '/', '/orders/42', '/caf%C3%A9', '/a%20b', '/%E0%A4%A', '/x%3Fy', '//double', '/trailing/']
const BODIES = [Buffer.alloc(0), Buffer.from('{"a":1}'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('café')]
const MAPS: (StringMap | undefined)[] = [undefined, {}, {id: '42'}, JSON.parse('{"id":"42","1":"one","__proto__":"p"}') as StringMap]

function generated(seed: number): {req: GatewayRequest; ctx: HttpEventV2Context} {
  const random = generator(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
  const headers: [string, string][] = []
  for (let i = Math.floor(random() * 9); i > 0; i--) headers.push([pick(HEADER_NAMES), pick(HEADER_VALUES)])
  const pieces: string[] = []
  for (let i = Math.floor(random() * 5); i > 0; i--) {
    const r = random()
    pieces.push(r < 0.2 ? pick(QUERY_KEYS) : r < 0.3 ? '' : `${pick(QUERY_KEYS)}=${pick(QUERY_KEYS)}`)
  }
  const domainName = pick(['abc123.execute-api.localhost', 'nodots', '127.0.0.1:4577'])
  return {
    req: {
      method: pick(['GET', 'get', 'Post', 'DELETE']),
      path: pick(PATHS),
      rawQueryString: pieces.join('&'),
      headers,
      body: pick(BODIES),
      sourceIp: pick(['::ffff:1.2.3.4', '10.0.0.1', '2001:db8::1']),
      protocol: 'HTTP/1.1',
    },
    ctx: {
      accountId: '123456789012',
      apiId: 'abc123',
      stage: pick(['$default', 'prod']),
      routeKey: pick(['$default', 'GET /orders/{id}']),
      pathParameters: pick(MAPS),
      requestId: 'JEvJkhfEoAMEVLw=',
      domainName,
      ...(random() < 0.3 ? {domainPrefix: 'given'} : {}),
      now: new Date(1_584_039_838_390 + Math.floor(random() * 1e9)),
      stageVariables: pick(MAPS),
    },
  }
}

describe('buildHttpEventV2 against the reference reading', () => {
  test('3,000 generated requests give the same JSON, key order included', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const {req, ctx} = generated(seed)
      const built = buildHttpEventV2(req, ctx)
      const expected = referenceHttpEventV2(req, ctx)
      expect({seed, json: JSON.stringify(built)}).toEqual({seed, json: JSON.stringify(expected)})
    }
  })

  test('generated requests do reach the tricky cases (repeats, cookies, numeric and __proto__ keys, binary bodies)', () => {
    const seen = new Set<string>()
    for (let seed = 1; seed <= 3000; seed++) {
      const event = buildHttpEventV2(generated(seed).req, generated(seed).ctx)
      if (event.cookies) seen.add('cookies')
      if (Object.hasOwn(event.headers, '__proto__')) seen.add('__proto__ header')
      if (Object.hasOwn(event.headers, '1')) seen.add('numeric header')
      if (event.queryStringParameters && Object.hasOwn(event.queryStringParameters, '__proto__')) seen.add('__proto__ query')
      if (Object.values(event.headers).some((v) => v.includes(',') && !v.includes(', '))) seen.add('joined repeat')
      if (event.isBase64Encoded) seen.add('base64 body')
      if (event.stageVariables) seen.add('stage variables')
    }
    expect([...seen].sort()).toEqual(['__proto__ header', '__proto__ query', 'base64 body', 'cookies', 'joined repeat', 'numeric header', 'stage variables'])
  })
})
