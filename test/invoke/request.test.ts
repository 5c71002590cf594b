import {describe, expect, test} from 'vitest'
import {replayDecision} from '../../src/invoke/collectors/replay.js'
import {parseHeader, parseRequest, redactHeaders} from '../../src/invoke/request.js'

describe('parseRequest', () => {
  test('a route key with concrete values gives the method, path and query', () => {
    expect(parseRequest('GET /orders/42')).toEqual({method: 'GET', path: '/orders/42', query: '', headers: [], body: undefined})
    expect(parseRequest('post /orders?dry=1', {data: '{"a":1}'})).toMatchObject({method: 'POST', path: '/orders', query: 'dry=1'})
  })

  test('a bare path is a GET, or a POST when a body is given (as curl does), unless -X says otherwise', () => {
    expect(parseRequest('/orders/42').method).toBe('GET')
    expect(parseRequest('/orders', {data: 'x'}).method).toBe('POST')
    expect(parseRequest('/orders/42', {method: 'delete'}).method).toBe('DELETE')
  })

  test('a full URL is kept as given', () => {
    const r = parseRequest('https://abc123.execute-api.us-east-1.amazonaws.com/prod/orders/42?x=1')
    expect(r).toMatchObject({method: 'GET', url: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/orders/42?x=1', query: 'x=1'})
    expect(parseRequest('PUT http://127.0.0.1:4577/_aws/execute-api/abc/orders/1', {data: '{}'}).method).toBe('PUT')
  })

  test.each([
    ['GET /orders/{id}', /route template/],
    ['orders/42', /not a route, a path or a URL/],
    ['FETCH /orders', /not an HTTP method/],
    ['GET https://exa mple.com', /not a route, a path or a URL/],
    ['GET https://[bad', /not a valid URL/],
  ])('rejects %j with a clear error', (target, message) => {
    expect(() => parseRequest(target)).toThrow(message)
  })

  test('flags that contradict each other or the target are usage errors', () => {
    expect(() => parseRequest('GET /orders', {method: 'POST'})).toThrow(/says GET but -X says POST/)
    expect(() => parseRequest('/orders', {data: 'a', dataFile: 'b.json'})).toThrow(/cannot be used together/)
    expect(() => parseRequest('GET /orders', {data: 'a'})).toThrow(/GET request cannot carry a body/)
  })

  test('--data-file reads the body, and names the file when it cannot', () => {
    const r = parseRequest('/orders', {dataFile: 'body.json'}, () => Buffer.from('{"qty":2}'))
    expect(r.body?.toString()).toBe('{"qty":2}')
    expect(() =>
      parseRequest('/orders', {dataFile: 'missing.json'}, () => {
        throw new Error('ENOENT: no such file')
      }),
    ).toThrow(/--data-file missing.json: ENOENT/)
  })
})

describe('headers', () => {
  test('-H "Name: value" keeps the value after the first colon', () => {
    expect(parseHeader('X-Time: 12:00:01')).toEqual(['X-Time', '12:00:01'])
    expect(parseHeader('Accept:application/json')).toEqual(['Accept', 'application/json'])
    expect(() => parseHeader('no colon here')).toThrow(/is not a header/)
    expect(() => parseHeader('Bad Name: x')).toThrow(/is not a header/)
  })

  test('secrets are redacted from what is shown', () => {
    expect(redactHeaders([['Authorization', 'Bearer abc'], ['X-Api-Key', 'k'], ['Accept', '*/*']])).toEqual([
      ['Authorization', '(redacted)'],
      ['X-Api-Key', '(redacted)'],
      ['Accept', '*/*'],
    ])
  })
})

describe('replayDecision', () => {
  test.each(['GET', 'HEAD', 'OPTIONS'])('replays %s automatically', (method) => {
    expect(replayDecision(method, undefined).allowed).toBe(true)
  })

  test.each(['POST', 'PUT', 'PATCH', 'DELETE'])('never replays %s without --replay, and says how to allow it', (method) => {
    const d = replayDecision(method, undefined)
    expect(d.allowed).toBe(false)
    expect(d.reason).toContain('--replay')
    expect(replayDecision(method, true).allowed).toBe(true)
  })

  test('--no-replay turns the automatic replay off', () => {
    expect(replayDecision('GET', false)).toEqual({allowed: false, reason: 'skipped: --no-replay'})
  })
})
