import {describe, expect, test} from 'vitest'
import {type ApiType, interpretProxyResponse, type PayloadVersion, type ProxyResponseResult} from '../../src/gateway/response.js'

type Column = 'rest' | 'http-1.0' | 'http-2.0'
const COLUMNS: Record<Column, [ApiType, PayloadVersion]> = {rest: ['rest', '1.0'], 'http-1.0': ['http', '1.0'], 'http-2.0': ['http', '2.0']}

function interpret(column: Column, payload: string | undefined, options = {}): ProxyResponseResult {
  const [apiType, version] = COLUMNS[column]
  return interpretProxyResponse(apiType, version, {payload}, options)
}

function header(result: ProxyResponseResult, name: string): string[] {
  if (result.kind !== 'ok') return []
  return result.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v)
}

/** An `ok` outcome: status, body text, and headers that must be present. */
interface Ok {
  status: number
  body: string
  headers?: Record<string, string>
}
/** A `malformed` outcome: the rule must match. */
type Outcome = Ok | RegExp

const b64 = Buffer.from('test-data').toString('base64')

// aws-semantics §4.2, one row per line of the reference table, three columns each.
const TABLE: [string, string | undefined, Outcome, Outcome, Outcome][] = [
  ['{"statusCode":200}', '{"statusCode":200}', {status: 200, body: ''}, {status: 200, body: ''}, {status: 200, body: ''}],
  [
    'an object with no statusCode ({"headers":…})',
    '{"headers":{"test-header":"value"}}',
    {status: 200, body: '', headers: {'test-header': 'value'}},
    /must have a statusCode/,
    {status: 200, body: '{"headers":{"test-header":"value"}}', headers: {'content-type': 'application/json'}},
  ],
  ['an object with no statusCode ({})', '{}', {status: 200, body: ''}, /must have a statusCode/, {status: 200, body: '{}', headers: {'content-type': 'application/json'}}],
  ['an object with extra unknown keys', '{"statusCode":200,"wrongValue":"value"}', /may only have the keys .*"wrongValue"/, {status: 200, body: ''}, {status: 200, body: ''}],
  ['"statusCode":"201" (a numeric string)', '{"statusCode":"201"}', {status: 201, body: ''}, {status: 201, body: ''}, {status: 201, body: ''}],
  ['"statusCode":"test"', '{"statusCode":"test"}', /statusCode must be a number or numeric string/, /statusCode must be a number or numeric string/, /statusCode must be a number or numeric string/],
  [
    'a plain string',
    '"justAString"',
    /must be a JSON object.*the string "justAString"/,
    /must be a JSON object with a statusCode.*the string "justAString"/,
    {status: 200, body: 'justAString', headers: {'content-type': 'application/json'}},
  ],
  ['null', 'null', /must be a JSON object.*null/, /must be a JSON object.*null/, {status: 200, body: 'null', headers: {'content-type': 'application/json'}}],
  ['an empty payload', '', /returned no output/, /returned no output/, {status: 200, body: ''}],
  ['{"errorMessage":"…"}', '{"errorMessage":"test fake error message"}', /"errorMessage".*error object instead of throwing/, /must have a statusCode.*"errorMessage"/, /"errorMessage".*error object instead of throwing/],
  [
    'multiValueHeaders value not a list',
    '{"statusCode":200,"multiValueHeaders":{"test-multi-invalid":"value1"}}',
    /multiValueHeaders\."test-multi-invalid" must be an array/,
    /multiValueHeaders\."test-multi-invalid" must be an array/,
    {status: 200, body: ''},
  ],
  [
    'cookies that is not an array',
    '{"statusCode":200,"cookies":{"test-cookies-invalid":"value1"}}',
    /may only have the keys .*"cookies"/,
    {status: 200, body: ''},
    /cookies must be an array of strings/,
  ],
  [
    'isBase64Encoded:true (no binaryMediaTypes)',
    `{"statusCode":200,"body":"${b64}","isBase64Encoded":true}`,
    {status: 200, body: b64},
    {status: 200, body: 'test-data'},
    {status: 200, body: 'test-data'},
  ],
  ['isBase64Encoded absent', `{"statusCode":200,"body":"${b64}"}`, {status: 200, body: b64}, {status: 200, body: b64}, {status: 200, body: b64}],
]

describe.each(TABLE)('§4.2 row: %s', (_label, payload, rest, http1, http2) => {
  test.each([
    ['rest', rest],
    ['http-1.0', http1],
    ['http-2.0', http2],
  ] as [Column, Outcome][])('%s', (column, expected) => {
    const result = interpret(column, payload)
    if (expected instanceof RegExp) {
      expect(result.kind).toBe('malformed')
      expect(result.kind === 'malformed' ? result.rule : '').toMatch(expected)
      return
    }
    expect(result.kind).toBe('ok')
    if (result.kind !== 'ok') return
    expect(result.statusCode).toBe(expected.status)
    expect(result.body.toString('utf8')).toBe(expected.body)
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(header(result, name)).toContain(value)
  })
})

describe('function errors', () => {
  test.each(['rest', 'http-1.0', 'http-2.0'] as Column[])('%s: X-Amz-Function-Error yields the error type and message', (column) => {
    const [apiType, version] = COLUMNS[column]
    const payload = '{"errorType":"TypeError","errorMessage":"boom","trace":["TypeError: boom","    at handler (index.js:3:9)"]}'
    expect(interpretProxyResponse(apiType, version, {payload, functionError: 'Unhandled'})).toEqual({
      kind: 'function-error',
      errorType: 'TypeError',
      errorMessage: 'boom',
      trace: ['TypeError: boom', '    at handler (index.js:3:9)'],
    })
  })

  test('a function error whose payload is not JSON keeps the raw text as the message', () => {
    expect(interpretProxyResponse('http', '2.0', {payload: 'Task timed out', functionError: 'Unhandled'})).toEqual({kind: 'function-error', errorMessage: 'Task timed out'})
    expect(interpretProxyResponse('rest', '1.0', {payload: undefined, functionError: 'Unhandled'})).toEqual({kind: 'function-error'})
  })

  test('REST has no payload format 2.0', () => {
    expect(() => interpretProxyResponse('rest', '2.0', {payload: '{}'})).toThrow(/only use payload format 1.0/)
  })
})

describe('status codes', () => {
  test.each([
    ['200', 200],
    ['" 404 "', 404],
    ['599', 599],
    ['100', 100],
    ['200.0', 200],
  ])('statusCode %s is accepted as %i', (raw, status) => {
    for (const column of ['rest', 'http-1.0', 'http-2.0'] as Column[]) {
      expect(interpret(column, `{"statusCode":${raw}}`)).toMatchObject({kind: 'ok', statusCode: status})
    }
  })

  test.each([
    ['99', /between 100 and 599.*99/],
    ['600', /between 100 and 599.*600/],
    ['200.5', /number or numeric string.*200\.5/],
    ['"2e2"', /number or numeric string/],
    ['true', /number or numeric string.*boolean/],
    ['[200]', /number or numeric string.*an array/],
  ])('statusCode %s is malformed in every column', (raw, rule) => {
    for (const column of ['rest', 'http-1.0', 'http-2.0'] as Column[]) {
      const result = interpret(column, `{"statusCode":${raw}}`)
      expect(result).toMatchObject({kind: 'malformed', field: 'statusCode'})
      expect(result.kind === 'malformed' ? result.rule : '').toMatch(rule)
    }
  })

  test('REST treats a null statusCode as absent (200); HTTP 1.0 requires one', () => {
    expect(interpret('rest', '{"statusCode":null}')).toMatchObject({kind: 'ok', statusCode: 200})
    expect(interpret('http-1.0', '{"statusCode":null}')).toMatchObject({kind: 'malformed', field: 'statusCode'})
  })
})

describe('response headers', () => {
  test.each(['rest', 'http-1.0', 'http-2.0'] as Column[])('%s: boolean values become "true"/"false", null drops the header', (column) => {
    const result = interpret(column, '{"statusCode":200,"headers":{"test-header":"value","header-bool":true,"off":false,"gone":null}}')
    expect(header(result, 'test-header')).toEqual(['value'])
    expect(header(result, 'header-bool')).toEqual(['true'])
    expect(header(result, 'off')).toEqual(['false'])
    expect(header(result, 'gone')).toEqual([])
  })

  test('REST rejects a number header value; HTTP APIs stringify it', () => {
    const payload = '{"statusCode":200,"headers":{"X-Count":5}}'
    expect(interpret('rest', payload)).toMatchObject({kind: 'malformed', field: 'headers.X-Count'})
    expect(interpret('rest', payload)).toMatchObject({rule: expect.stringMatching(/header "X-Count" must be a string or boolean, but the function returned the number 5/)})
    expect(header(interpret('http-1.0', payload), 'x-count')).toEqual(['5'])
    expect(header(interpret('http-2.0', payload), 'x-count')).toEqual(['5'])
  })

  test.each(['rest', 'http-1.0', 'http-2.0'] as Column[])('%s: an object header value is malformed', (column) => {
    expect(interpret(column, '{"statusCode":200,"headers":{"x":{"a":1}}}')).toMatchObject({kind: 'malformed', field: 'headers.x'})
    expect(interpret(column, '{"statusCode":200,"headers":"x: y"}')).toMatchObject({kind: 'malformed', field: 'headers'})
  })

  test.each(['rest', 'http-1.0'] as Column[])('%s: multiValueHeaders values are sent one header line each', (column) => {
    const result = interpret(column, '{"statusCode":200,"multiValueHeaders":{"test-multi":["value1","value2"]}}')
    expect(header(result, 'test-multi')).toEqual(['value1', 'value2'])
  })

  test.each(['rest', 'http-1.0'] as Column[])('%s: a headers value joins the multiValueHeaders of the same name, under its spelling', (column) => {
    const result = interpret(column, '{"statusCode":200,"multiValueHeaders":{"tesT-Multi":["value-multi"]},"headers":{"test-multi":"value-solo"}}')
    expect(result.kind === 'ok' ? result.headers.filter(([n]) => n.toLowerCase() === 'test-multi') : []).toEqual([
      ['tesT-Multi', 'value-multi'],
      ['tesT-Multi', 'value-solo'],
    ])
  })

  test('payload 2.0 ignores multiValueHeaders', () => {
    expect(header(interpret('http-2.0', '{"statusCode":200,"multiValueHeaders":{"x":["1"]}}'), 'x')).toEqual([])
  })

  test('payload 2.0 sends each cookie as its own set-cookie header', () => {
    const result = interpret('http-2.0', '{"statusCode":200,"cookies":["test-cookie=value","test-cookie2=value1; Path=/","c3=v"],"headers":{"set-cookie":"h=1"}}')
    expect(header(result, 'set-cookie')).toEqual(['h=1', 'test-cookie=value', 'test-cookie2=value1; Path=/', 'c3=v'])
  })

  test('payload 2.0 rejects a cookie that is not a string', () => {
    expect(interpret('http-2.0', '{"statusCode":200,"cookies":["a=1",2]}')).toMatchObject({kind: 'malformed', field: 'cookies'})
  })

  test('REST defaults Content-Type to application/json, HTTP APIs to text/plain', () => {
    expect(header(interpret('rest', '{"statusCode":200}'), 'content-type')).toEqual(['application/json'])
    expect(header(interpret('http-1.0', '{"statusCode":200}'), 'content-type')).toEqual(['text/plain; charset=utf-8'])
    expect(header(interpret('http-2.0', '{"statusCode":200}'), 'content-type')).toEqual(['text/plain; charset=utf-8'])
  })

  test.each(['rest', 'http-1.0', 'http-2.0'] as Column[])('%s: a Content-Type set by the function is kept and not duplicated', (column) => {
    expect(header(interpret(column, '{"statusCode":200,"headers":{"Content-Type":"text/html"}}'), 'content-type')).toEqual(['text/html'])
  })
})

describe('bodies', () => {
  test.each(['rest', 'http-1.0', 'http-2.0'] as Column[])('%s: a body that is not a string is malformed', (column) => {
    const result = interpret(column, '{"statusCode":200,"body":{"a":1}}')
    expect(result).toMatchObject({kind: 'malformed', field: 'body'})
    expect(result.kind === 'malformed' ? result.rule : '').toMatch(/body must be a string \(serialise it with JSON.stringify\)/)
  })

  test.each(['rest', 'http-1.0', 'http-2.0'] as Column[])('%s: a null body is empty', (column) => {
    expect(interpret(column, '{"statusCode":204,"body":null}')).toMatchObject({kind: 'ok', statusCode: 204, body: Buffer.alloc(0)})
  })

  test('REST decodes base64 only when Accept matches binaryMediaTypes', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])
    const payload = `{"statusCode":200,"body":"${bytes.toString('base64')}","isBase64Encoded":true,"headers":{"Content-Type":"image/png"}}`
    expect(interpret('rest', payload, {binaryMediaTypes: ['image/png'], accept: 'image/png'})).toMatchObject({kind: 'ok', body: bytes})
    expect(interpret('rest', payload, {binaryMediaTypes: ['image/*'], accept: 'text/html, image/webp'})).toMatchObject({kind: 'ok', body: bytes})
    expect(interpret('rest', payload, {binaryMediaTypes: ['image/png'], accept: 'application/json'})).toMatchObject({kind: 'ok', body: Buffer.from(bytes.toString('base64'))})
  })

  test.each([
    ['rest', {binaryMediaTypes: ['*/*'], accept: '*/*'}],
    ['http-1.0', {}],
    ['http-2.0', {}],
  ] as [Column, object][])('%s: isBase64Encoded with a body that is not base64 is malformed', (column, options) => {
    expect(interpret(column, '{"statusCode":200,"body":"not base64!","isBase64Encoded":true}', options)).toMatchObject({
      kind: 'malformed',
      field: 'body',
      rule: 'isBase64Encoded is true but body is not valid base64',
    })
  })

  test('payload 2.0 sends a JSON number or array output as written', () => {
    expect(interpret('http-2.0', '42')).toMatchObject({kind: 'ok', statusCode: 200, body: Buffer.from('42')})
    expect(interpret('http-2.0', '[1, 2]')).toMatchObject({kind: 'ok', statusCode: 200, body: Buffer.from('[1, 2]')})
    expect(interpret('http-2.0', '{ "message": "Hello from Lambda!" }')).toMatchObject({body: Buffer.from('{ "message": "Hello from Lambda!" }')})
  })

  test('payload 2.0: a string that says "errorMessage" is just a body', () => {
    expect(interpret('http-2.0', '"errorMessage"')).toMatchObject({kind: 'ok', statusCode: 200, body: Buffer.from('errorMessage')})
  })

  test('output that is not JSON is malformed in every column', () => {
    for (const column of ['rest', 'http-1.0', 'http-2.0'] as Column[]) {
      expect(interpret(column, '<html>')).toMatchObject({kind: 'malformed', rule: expect.stringMatching(/not valid JSON/)})
    }
  })

  test('response bodies keep UTF-8 text intact', () => {
    expect(interpret('http-2.0', '{"statusCode":200,"body":"λ ✓"}')).toMatchObject({body: Buffer.from('λ ✓', 'utf8')})
  })
})
