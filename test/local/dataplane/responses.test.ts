/**
 * aws-semantics §4.2 through real HTTP: one row per line of the table, HTTP API format 2.0 and 1.0 columns.
 * The function returns exactly the value in the row (see BEHAVIOUR_SOURCE); the gateway's status, body and
 * the headers that matter are asserted.
 */
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from '../helpers.js'
import {behave, createFunction, createHttpApi, type DeployedApi} from './helpers.js'

let t: TestEmulator
let api: DeployedApi
const INTERNAL = '{"message":"Internal Server Error"}'

beforeAll(async () => {
  t = await startTestEmulator()
  const fn = await createFunction(t)
  api = await createHttpApi(t, {
    routes: [
      {routeKey: 'POST /v2', functionArn: fn.arn, payloadFormatVersion: '2.0'},
      {routeKey: 'POST /v1', functionArn: fn.arn, payloadFormatVersion: '1.0'},
    ],
  })
})
afterAll(async () => {
  await t.stop()
})

interface Row {
  row: string
  returns: unknown
  v2: {status: number; body?: string; contentType?: string}
  /** undefined where the reference has no 1.0 cell ("—"/n/a). */
  v1?: {status: number; body?: string; contentType?: string}
}

const ROWS: Row[] = [
  {row: '{"statusCode":200}', returns: {statusCode: 200}, v2: {status: 200, body: ''}, v1: {status: 200, body: ''}},
  {
    row: 'object with no statusCode ({"headers":…})',
    returns: {headers: {'x-custom': 'yes'}},
    v2: {status: 200, body: '{"headers":{"x-custom":"yes"}}', contentType: 'application/json'},
    v1: {status: 500, body: INTERNAL},
  },
  {row: 'object with no statusCode ({})', returns: {}, v2: {status: 200, body: '{}', contentType: 'application/json'}, v1: {status: 500, body: INTERNAL}},
  {row: 'object with extra unknown keys', returns: {statusCode: 200, body: 'ok', wrongValue: 1}, v2: {status: 200, body: 'ok'}, v1: {status: 200, body: 'ok'}},
  {row: '"statusCode":"201" (string)', returns: {statusCode: '201', body: 'made'}, v2: {status: 201, body: 'made'}, v1: {status: 201, body: 'made'}},
  {row: '"statusCode":"test"', returns: {statusCode: 'test'}, v2: {status: 500, body: INTERNAL}, v1: {status: 500, body: INTERNAL}},
  {
    row: 'a plain string such as "justAString"',
    returns: 'justAString',
    v2: {status: 200, body: 'justAString', contentType: 'application/json'},
    v1: {status: 500, body: INTERNAL},
  },
  {row: 'null / empty', returns: null, v2: {status: 200, body: 'null', contentType: 'application/json'}},
  {row: '{"errorMessage":"…"} returned, not thrown', returns: {errorMessage: 'it broke'}, v2: {status: 500, body: INTERNAL}},
  {
    row: 'multiValueHeaders value not a list',
    returns: {statusCode: 200, body: 'ok', multiValueHeaders: {'x-multi': 'value1'}},
    // n/a for 2.0: multiValueHeaders does not exist there and is ignored.
    v2: {status: 200, body: 'ok'},
    v1: {status: 500, body: INTERNAL},
  },
  {row: 'cookies that is not an array', returns: {statusCode: 200, body: 'ok', cookies: 'a=1'}, v2: {status: 500, body: INTERNAL}},
  {
    row: 'isBase64Encoded:true',
    returns: {statusCode: 200, body: Buffer.from('decoded bytes').toString('base64'), isBase64Encoded: true},
    v2: {status: 200, body: 'decoded bytes'},
    v1: {status: 200, body: 'decoded bytes'},
  },
]

describe('HTTP API, payload format 2.0 (aws-semantics §4.2)', () => {
  test.each(ROWS.map((r) => [r.row, r] as const))('%s', async (_name, row) => {
    const answer = await behave(`${api.endpoint}/v2`, {return: row.returns})
    expect(answer.status).toBe(row.v2.status)
    if (row.v2.body !== undefined) expect(answer.body).toBe(row.v2.body)
    if (row.v2.contentType) expect(answer.headers.get('content-type')).toBe(row.v2.contentType)
    expect(answer.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9]{14}[AEIMQUYcgkosw048]=$/)
  })
})

describe('HTTP API, payload format 1.0 (aws-semantics §4.2)', () => {
  const rows = ROWS.filter((r) => r.v1 !== undefined)
  test.each(rows.map((r) => [r.row, r] as const))('%s', async (_name, row) => {
    const answer = await behave(`${api.endpoint}/v1`, {return: row.returns})
    expect(answer.status).toBe(row.v1!.status)
    if (row.v1!.body !== undefined) expect(answer.body).toBe(row.v1!.body)
    expect(answer.headers.get('apigw-requestid')).toBeTruthy()
  })
})

describe('response mapping details', () => {
  test('format 2.0 cookies become one set-cookie header each', async () => {
    const answer = await behave(`${api.endpoint}/v2`, {return: {statusCode: 200, body: 'ok', cookies: ['a=1; Path=/', 'b=2']}})
    expect(answer.status).toBe(200)
    expect(answer.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2'])
  })

  test('format 1.0 multiValueHeaders are sent as repeated headers, with headers of the same name after them', async () => {
    const answer = await behave(`${api.endpoint}/v1`, {
      return: {statusCode: 202, body: 'ok', headers: {'x-multi': 'solo'}, multiValueHeaders: {'x-multi': ['one', 'two']}},
    })
    expect(answer.status).toBe(202)
    expect(answer.headers.get('x-multi')).toBe('one, two, solo')
  })

  test('a response without content-type gets text/plain; headers the function sets are kept', async () => {
    const answer = await behave(`${api.endpoint}/v2`, {return: {statusCode: 200, body: 'plain', headers: {'x-answer': '42', 'x-flag': true}}})
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(answer.headers.get('x-answer')).toBe('42')
    expect(answer.headers.get('x-flag')).toBe('true')
  })

  test('a thrown error is 500 Internal Server Error in both formats', async () => {
    for (const path of ['/v2', '/v1']) {
      const answer = await behave(`${api.endpoint}${path}`, {throw: 'kaboom'})
      expect([answer.status, answer.body]).toEqual([500, INTERNAL])
    }
  })

  test('every answer carries the x-amzn-trace-id the function saw', async () => {
    const answer = await behave(`${api.endpoint}/v2`, {return: {statusCode: 204}})
    expect(answer.status).toBe(204)
    expect(answer.headers.get('x-amzn-trace-id')).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
  })
})
