import {describe, expect, test} from 'vitest'
import {
  buildEventV1,
  buildHttpEventV2,
  type EventV1Context,
  formatRequestTime,
  type GatewayRequest,
  type HttpEventV2Context,
  isTextContentType,
  matchesBinaryMediaType,
  normaliseSourceIp,
  withGatewayHeaders,
} from '../../src/gateway/events.js'
import {httpEventV2Schema, proxyEventV1Schema} from './event-schemas.js'

const NOW = new Date(Date.UTC(2020, 2, 12, 19, 3, 58, 390))

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'GET',
    path: '/orders/42',
    rawQueryString: '',
    headers: [
      ['Host', 'abc123.execute-api.us-east-1.amazonaws.com'],
      ['User-Agent', 'curl/8.7.1'],
    ],
    body: Buffer.alloc(0),
    sourceIp: '203.0.113.7',
    protocol: 'HTTP/1.1',
    ...overrides,
  }
}

function v2ctx(overrides: Partial<HttpEventV2Context> = {}): HttpEventV2Context {
  return {
    accountId: '123456789012',
    apiId: 'abc123',
    stage: '$default',
    routeKey: 'GET /orders/{id}',
    pathParameters: {id: '42'},
    requestId: 'JEvJkhfEoAMEVLw=',
    domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
    now: NOW,
    ...overrides,
  }
}

function v1ctx(overrides: Partial<EventV1Context> = {}): EventV1Context {
  return {
    apiType: 'rest',
    accountId: '123456789012',
    apiId: 'abc123',
    stage: 'prod',
    resourcePath: '/orders/{id}',
    resourceId: 'al6gqb',
    pathParameters: {id: '42'},
    requestId: '7c2af7db-31f3-42b5-8a6d-9ffc74e3b9e0',
    extendedRequestId: 'ATfSdF7nPHcErRA=',
    domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
    now: NOW,
    ...overrides,
  }
}

describe('formatRequestTime', () => {
  test.each([
    [NOW, '12/Mar/2020:19:03:58 +0000'],
    [new Date(Date.UTC(2026, 0, 1, 0, 0, 0)), '01/Jan/2026:00:00:00 +0000'],
    [new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)), '31/Dec/1999:23:59:59 +0000'],
  ])('%s is written %j', (date, text) => {
    expect(formatRequestTime(date)).toBe(text)
  })
})

describe('buildHttpEventV2', () => {
  test('builds every field of a format 2.0 event', () => {
    const event = buildHttpEventV2(
      request({
        method: 'post',
        path: '/orders/42',
        rawQueryString: 'repeat=one&repeat=two&literalPlus=a+b&encodedPlus=a%2Bb&empty=',
        headers: [
          ['Host', 'abc123.execute-api.us-east-1.amazonaws.com'],
          ['User-Agent', 'curl/8.7.1'],
          ['Content-Type', 'application/json'],
          ['Content-Length', '13'],
          ['X-Probe', 'first'],
          ['x-probe', 'second'],
          ['Cookie', 'session=abc123; theme=dark'],
        ],
        body: Buffer.from('{"hello":"λ"}'),
      }),
      v2ctx({stageVariables: {table: 'orders'}}),
    )
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'GET /orders/{id}',
      rawPath: '/orders/42',
      rawQueryString: 'repeat=one&repeat=two&literalPlus=a+b&encodedPlus=a%2Bb&empty=',
      cookies: ['session=abc123', 'theme=dark'],
      headers: {
        host: 'abc123.execute-api.us-east-1.amazonaws.com',
        'user-agent': 'curl/8.7.1',
        'content-type': 'application/json',
        'content-length': '13',
        'x-probe': 'first,second',
      },
      queryStringParameters: {repeat: 'one,two', literalPlus: 'a b', encodedPlus: 'a+b', empty: ''},
      requestContext: {
        accountId: '123456789012',
        apiId: 'abc123',
        domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
        domainPrefix: 'abc123',
        http: {method: 'POST', path: '/orders/42', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.7.1'},
        requestId: 'JEvJkhfEoAMEVLw=',
        routeKey: 'GET /orders/{id}',
        stage: '$default',
        time: '12/Mar/2020:19:03:58 +0000',
        timeEpoch: 1584039838390,
      },
      body: '{"hello":"λ"}',
      pathParameters: {id: '42'},
      isBase64Encoded: false,
      stageVariables: {table: 'orders'},
    })
    expect(httpEventV2Schema.safeParse(event).success).toBe(true)
  })

  test('optional fields are absent, not null, when they have no value', () => {
    const event = buildHttpEventV2(request({headers: []}), v2ctx({routeKey: '$default', pathParameters: {}}))
    for (const key of ['cookies', 'queryStringParameters', 'body', 'pathParameters', 'stageVariables']) {
      expect(event).not.toHaveProperty(key)
    }
    expect(event.headers).toEqual({})
    expect(event.requestContext.http.userAgent).toBe('')
    expect(event.isBase64Encoded).toBe(false)
    expect(httpEventV2Schema.safeParse(event).success).toBe(true)
  })

  test.each([
    ['$default', '/orders/42', '/orders/42'],
    ['dev', '/orders/42', '/dev/orders/42'],
    ['dev', '', '/dev'],
    ['dev', '/', '/dev/'],
    ['$default', '', '/'],
    ['$default', '/capture/space%20value', '/capture/space value'],
    ['$default', '/a%2Fb', '/a/b'],
    ['$default', '/bad%E0%A4%A', '/bad%E0%A4%A'],
  ])('stage %s and path %j give rawPath and http.path %j', (stage, path, rawPath) => {
    const event = buildHttpEventV2(request({path}), v2ctx({stage}))
    expect(event.rawPath).toBe(rawPath)
    expect(event.requestContext.http.path).toBe(rawPath)
    expect(event.requestContext.stage).toBe(stage)
  })

  test('every Cookie header is split into cookies and removed from headers', () => {
    const event = buildHttpEventV2(
      request({headers: [['cookie', 'a=1; b=2'], ['Cookie', 'c=3;d=4; '], ['x', 'y']]}),
      v2ctx(),
    )
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3', 'd=4'])
    expect(event.headers).toEqual({x: 'y'})
  })

  test('hop-by-hop headers are dropped, content-length kept', () => {
    const event = buildHttpEventV2(
      request({headers: [['Connection', 'keep-alive'], ['Transfer-Encoding', 'chunked'], ['Content-Length', '0'], ['Upgrade', 'h2c']]}),
      v2ctx(),
    )
    expect(event.headers).toEqual({'content-length': '0'})
  })

  test('a header or query key named __proto__ stays data', () => {
    const event = buildHttpEventV2(request({headers: [['__proto__', 'x']], rawQueryString: '__proto__=y&constructor=z'}), v2ctx())
    expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('x')
    expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, '__proto__')?.value).toBe('y')
    expect(event.queryStringParameters?.constructor).toBe('z')
  })

  test.each([
    ['a=1&a=2&a=3', {a: '1,2,3'}],
    ['flag', {flag: ''}],
    ['a=1&&b=2&', {a: '1', b: '2'}],
    ['q=caf%C3%A9&sp=a%20b', {q: 'café', sp: 'a b'}],
    ['redirect=https%3A%2F%2Fexample.com%2Fa%2Fb', {redirect: 'https://example.com/a/b'}],
    ['bad=%E0%A4%A', {bad: '%E0%A4%A'}],
    ['k%20ey=v', {'k ey': 'v'}],
  ])('query %j gives %j, rawQueryString untouched', (raw, params) => {
    const event = buildHttpEventV2(request({rawQueryString: raw}), v2ctx())
    expect(event.queryStringParameters).toEqual(params)
    expect(event.rawQueryString).toBe(raw)
  })

  test.each([
    [undefined, false],
    ['text/plain', false],
    ['text/html; charset=utf-8', false],
    ['text/csv', false],
    ['application/json', false],
    ['application/json;charset=UTF-8', false],
    ['application/xml', false],
    ['application/javascript', false],
    ['application/vnd.api+json', false],
    ['image/svg+xml', false],
    ['application/x-www-form-urlencoded', false],
    ['application/octet-stream', true],
    ['image/png', true],
    ['application/pdf', true],
    ['multipart/form-data; boundary=x', true],
    ['application/vnd.ms-excel', true],
  ])('a body with Content-Type %j is base64: %s', (contentType, base64) => {
    const headers: [string, string][] = contentType ? [['Content-Type', contentType]] : []
    const event = buildHttpEventV2(request({method: 'POST', headers, body: Buffer.from('my test body')}), v2ctx())
    expect(event.isBase64Encoded).toBe(base64)
    expect(event.body).toBe(base64 ? Buffer.from('my test body').toString('base64') : 'my test body')
    expect(isTextContentType(contentType)).toBe(!base64)
  })

  test('bytes that are not UTF-8 are sent base64 even under a text type', () => {
    const bytes = Buffer.from([0xab, 0x57, 0xdc, 0x17, 0xe4])
    const event = buildHttpEventV2(request({method: 'POST', headers: [['content-type', 'text/test']], body: bytes}), v2ctx())
    expect(event.isBase64Encoded).toBe(true)
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes)
  })

  test('an IPv4-mapped IPv6 client address is reported as IPv4', () => {
    const event = buildHttpEventV2(request({sourceIp: '::ffff:127.0.0.1'}), v2ctx())
    expect(event.requestContext.http.sourceIp).toBe('127.0.0.1')
    expect(httpEventV2Schema.safeParse(event).success).toBe(true)
  })

  test('domainPrefix can be given explicitly', () => {
    const event = buildHttpEventV2(request(), v2ctx({domainName: '127.0.0.1:4577', domainPrefix: 'abc123'}))
    expect(event.requestContext.domainPrefix).toBe('abc123')
  })
})

describe('buildEventV1 for REST', () => {
  test('builds every field of a REST proxy event', () => {
    const event = buildEventV1(
      request({
        method: 'POST',
        path: '/orders/42',
        rawQueryString: 'category=electronics&category=books&plus=test+alias%40x.com',
        headers: [
          ['host', 'abc123.execute-api.us-east-1.amazonaws.com'],
          ['user-agent', 'curl/8.7.1'],
          ['authorization', 'Bearer t'],
          ['Content-Type', 'application/json'],
          ['Content-Length', '2'],
          ['Connection', 'keep-alive'],
          ['tEsT-HEADeR', 'aValUE'],
          ['x-probe', 'first'],
          ['X-Probe', 'second'],
          ['Cookie', 'a=1; b=2'],
        ],
        body: Buffer.from('{}'),
      }),
      v1ctx({deploymentId: 'lle82z', stageVariables: {table: 'orders'}}),
    )
    expect(event).toEqual({
      resource: '/orders/{id}',
      path: '/orders/42',
      httpMethod: 'POST',
      headers: {
        Host: 'abc123.execute-api.us-east-1.amazonaws.com',
        'User-Agent': 'curl/8.7.1',
        Authorization: 'Bearer t',
        'Content-Type': 'application/json',
        'tEsT-HEADeR': 'aValUE',
        'x-probe': 'second',
        Cookie: 'a=1; b=2',
      },
      multiValueHeaders: {
        Host: ['abc123.execute-api.us-east-1.amazonaws.com'],
        'User-Agent': ['curl/8.7.1'],
        Authorization: ['Bearer t'],
        'Content-Type': ['application/json'],
        'tEsT-HEADeR': ['aValUE'],
        'x-probe': ['first', 'second'],
        Cookie: ['a=1; b=2'],
      },
      queryStringParameters: {category: 'books', plus: 'test alias@x.com'},
      multiValueQueryStringParameters: {category: ['electronics', 'books'], plus: ['test alias@x.com']},
      requestContext: {
        accountId: '123456789012',
        apiId: 'abc123',
        deploymentId: 'lle82z',
        domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
        domainPrefix: 'abc123',
        extendedRequestId: 'ATfSdF7nPHcErRA=',
        httpMethod: 'POST',
        identity: {
          accessKey: null,
          accountId: null,
          caller: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: '203.0.113.7',
          user: null,
          userAgent: 'curl/8.7.1',
          userArn: null,
        },
        path: '/prod/orders/42',
        protocol: 'HTTP/1.1',
        requestId: '7c2af7db-31f3-42b5-8a6d-9ffc74e3b9e0',
        requestTime: '12/Mar/2020:19:03:58 +0000',
        requestTimeEpoch: 1584039838390,
        resourceId: 'al6gqb',
        resourcePath: '/orders/{id}',
        stage: 'prod',
      },
      pathParameters: {id: '42'},
      stageVariables: {table: 'orders'},
      body: '{}',
      isBase64Encoded: false,
    })
    expect(event).not.toHaveProperty('version')
    expect(proxyEventV1Schema.safeParse(event).success).toBe(true)
  })

  test('fields with no value are null', () => {
    const event = buildEventV1(request({headers: []}), v1ctx({pathParameters: {}}))
    expect(event.headers).toBeNull()
    expect(event.multiValueHeaders).toBeNull()
    expect(event.queryStringParameters).toBeNull()
    expect(event.multiValueQueryStringParameters).toBeNull()
    expect(event.pathParameters).toBeNull()
    expect(event.stageVariables).toBeNull()
    expect(event.body).toBeNull()
    expect(event.requestContext.identity.userAgent).toBeNull()
    expect(event.requestContext).not.toHaveProperty('deploymentId')
    expect(proxyEventV1Schema.safeParse(event).success).toBe(true)
  })

  test.each([
    // [raw path after the stage, event path, requestContext.path] (AWS-validated LocalStack snapshot)
    ['/proxy-value', '/proxy-value', '/prod/proxy-value'],
    ['/proxy-value/', '/proxy-value/', '/prod/proxy-value/'],
    ['/proxy-value//double-slash', '/proxy-value//double-slash', '/prod/proxy-value//double-slash'],
    ['//proxy-value', '/proxy-value', '/prod//proxy-value'],
    ['/capture/space%20value', '/capture/space%20value', '/prod/capture/space%20value'],
    ['', '/', '/prod/'],
  ])('path %j gives path %j and requestContext.path %j', (rawPath, path, contextPath) => {
    const event = buildEventV1(request({path: rawPath}), v1ctx())
    expect(event.path).toBe(path)
    expect(event.requestContext.path).toBe(contextPath)
  })

  test('path parameters are passed as the matcher returned them (raw for REST)', () => {
    const event = buildEventV1(request({path: '/capture/space%20value'}), v1ctx({resourcePath: '/{proxy+}', pathParameters: {proxy: 'capture/space%20value'}}))
    expect(event.pathParameters).toEqual({proxy: 'capture/space%20value'})
    expect(event.resource).toBe('/{proxy+}')
  })

  test.each([
    [['image/png'], 'image/png', true],
    [['image/*'], 'image/jpeg', true],
    [['*/*'], 'application/json', true],
    [['image/png'], 'application/octet-stream', false],
    [[], 'application/octet-stream', false],
    [undefined, 'image/png', false],
  ])('binaryMediaTypes %j with Content-Type %s base64-encodes the body: %s', (types, contentType, base64) => {
    const body = Buffer.from('hello')
    const event = buildEventV1(request({method: 'POST', headers: [['Content-Type', contentType]], body}), v1ctx({binaryMediaTypes: types}))
    expect(event.isBase64Encoded).toBe(base64)
    expect(event.body).toBe(base64 ? body.toString('base64') : 'hello')
    expect(matchesBinaryMediaType(contentType, types)).toBe(base64)
  })

  test('a body that is not UTF-8 is base64-encoded rather than mangled', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x80])
    const event = buildEventV1(request({method: 'POST', body}), v1ctx())
    expect(event.isBase64Encoded).toBe(true)
    expect(event.body).toBe(body.toString('base64'))
  })

  test('REST drops Content-Length and hop-by-hop headers', () => {
    const event = buildEventV1(request({headers: [['Content-Length', '5'], ['Transfer-Encoding', 'chunked'], ['Expect', '100-continue'], ['X-A', '1']]}), v1ctx())
    expect(event.headers).toEqual({'X-A': '1'})
  })

  test('repeats of a header in different casings are grouped under the first spelling', () => {
    const event = buildEventV1(request({headers: [['X-Probe', 'a'], ['x-probe', 'b']]}), v1ctx())
    expect(event.multiValueHeaders).toEqual({'X-Probe': ['a', 'b']})
    expect(event.headers).toEqual({'X-Probe': 'b'})
  })
})

describe('buildEventV1 for HTTP APIs (payload format 1.0)', () => {
  const httpCtx = (overrides: Partial<EventV1Context> = {}) =>
    v1ctx({apiType: 'http', stage: '$default', resourcePath: '/orders/{id}', resourceId: undefined, ...overrides})

  test('adds version 1.0, lower-cases header names, reports resourceId null', () => {
    const event = buildEventV1(
      request({headers: [['Host', 'h'], ['User-Agent', 'ua'], ['X-Probe', '1'], ['x-probe', '2'], ['Content-Length', '0'], ['Cookie', 'a=1']]}),
      httpCtx(),
    )
    expect(event.version).toBe('1.0')
    expect(event.headers).toEqual({host: 'h', 'user-agent': 'ua', 'x-probe': '2', 'content-length': '0', cookie: 'a=1'})
    expect(event.multiValueHeaders).toEqual({host: ['h'], 'user-agent': ['ua'], 'x-probe': ['1', '2'], 'content-length': ['0'], cookie: ['a=1']})
    expect(event.requestContext.resourceId).toBeNull()
    expect(proxyEventV1Schema.safeParse(event).success).toBe(true)
  })

  test.each([
    ['$default', '/orders/42', '/orders/42'],
    ['dev', '/orders/42', '/dev/orders/42'],
    ['$default', '/capture/space%20value', '/capture/space value'],
  ])('stage %s, path %j: path and requestContext.path are %j', (stage, rawPath, path) => {
    const event = buildEventV1(request({path: rawPath}), httpCtx({stage}))
    expect(event.path).toBe(path)
    expect(event.requestContext.path).toBe(path)
  })

  test('bodies follow the HTTP API content-type rule, not binaryMediaTypes', () => {
    const png = buildEventV1(request({method: 'POST', headers: [['content-type', 'image/png']], body: Buffer.from('x')}), httpCtx())
    expect(png).toMatchObject({isBase64Encoded: true, body: 'eA=='})
    const json = buildEventV1(request({method: 'POST', headers: [['content-type', 'application/json']], body: Buffer.from('{}')}), httpCtx({binaryMediaTypes: ['*/*']}))
    expect(json).toMatchObject({isBase64Encoded: false, body: '{}'})
  })

  test('the $default route is reported as resource $default', () => {
    const event = buildEventV1(request(), httpCtx({resourcePath: '$default', pathParameters: undefined}))
    expect(event.resource).toBe('$default')
    expect(event.requestContext.resourcePath).toBe('$default')
    expect(event.pathParameters).toBeNull()
  })
})

describe('withGatewayHeaders', () => {
  test('appends the client to X-Forwarded-For and sets port, proto and trace id', () => {
    const req = withGatewayHeaders(
      request({headers: [['Host', 'h'], ['X-Forwarded-For', '10.0.0.1'], ['X-Forwarded-Proto', 'spoofed'], ['X-Amzn-Trace-Id', 'Root=client']]}),
      {port: 443, proto: 'https', traceHeader: 'Root=1-5e6a8f9e-0123456789abcdef01234567'},
    )
    expect(req.headers).toEqual([
      ['Host', 'h'],
      ['X-Amzn-Trace-Id', 'Root=1-5e6a8f9e-0123456789abcdef01234567'],
      ['X-Forwarded-For', '10.0.0.1, 203.0.113.7'],
      ['X-Forwarded-Port', '443'],
      ['X-Forwarded-Proto', 'https'],
    ])
  })

  test('keeps a client trace header when none is assigned and does not mutate the input', () => {
    const original = request({headers: [['X-Amzn-Trace-Id', 'Root=client']], sourceIp: '::ffff:127.0.0.1'})
    const req = withGatewayHeaders(original, {port: 4577, proto: 'http'})
    expect(req.headers).toContainEqual(['X-Amzn-Trace-Id', 'Root=client'])
    expect(req.headers).toContainEqual(['X-Forwarded-For', '127.0.0.1'])
    expect(original.headers).toEqual([['X-Amzn-Trace-Id', 'Root=client']])
  })
})

describe('normaliseSourceIp', () => {
  test.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
  ])('%s → %s', (ip, out) => {
    expect(normaliseSourceIp(ip)).toBe(out)
  })
})

describe('the Powertools shape checks used above', () => {
  test('reject the shapes Powertools rejects, so the checks can fail', () => {
    const v2 = buildHttpEventV2(request(), v2ctx())
    expect(httpEventV2Schema.safeParse({...v2, cookies: null}).success).toBe(false)
    expect(httpEventV2Schema.safeParse({...v2, body: null}).success).toBe(false)
    expect(httpEventV2Schema.safeParse({...v2, requestContext: {...v2.requestContext, http: {...v2.requestContext.http, sourceIp: '::1'}}}).success).toBe(false)
    const v1 = buildEventV1(request(), v1ctx())
    expect(proxyEventV1Schema.safeParse({...v1, requestContext: {...v1.requestContext, authorizer: {claims: null, scopes: null}}}).success).toBe(false)
    expect(proxyEventV1Schema.safeParse({...v1, httpMethod: 'ANY'}).success).toBe(false)
    expect(proxyEventV1Schema.safeParse({...v1, queryStringParameters: undefined}).success).toBe(false)
  })
})
