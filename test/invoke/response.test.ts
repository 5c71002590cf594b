import {describe, expect, test} from 'vitest'
import {pickHeaders, presentBody, traceIdOf, viewResponse} from '../../src/invoke/response.js'

describe('presentBody', () => {
  test('pretty-prints JSON, by content type or by shape', () => {
    expect(presentBody(Buffer.from('{"a":1,"b":[2]}'), 'application/json', 1000)).toEqual({
      text: '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}',
      kind: 'json',
      bytes: 15,
      truncated: false,
    })
    expect(presentBody(Buffer.from('{"message":"Not Found"}'), undefined, 1000).kind).toBe('json')
  })

  test('shows text as is and describes binary data instead of printing it', () => {
    expect(presentBody(Buffer.from('hello'), 'text/plain', 1000)).toMatchObject({text: 'hello', kind: 'text'})
    expect(presentBody(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg', 1000)).toMatchObject({text: '(4 B of binary data, image/jpeg)', kind: 'binary'})
    expect(presentBody(Buffer.alloc(0), 'application/json', 1000)).toMatchObject({kind: 'empty', text: ''})
  })

  test('cuts a huge body and says so, keeping the whole size', () => {
    const big = JSON.stringify(Array.from({length: 5000}, (_, i) => ({id: i, name: `item ${i}`})))
    const view = presentBody(Buffer.from(big), 'application/json', 2000)
    expect(view.truncated).toBe(true)
    expect(view.text.length).toBeLessThanOrEqual(2000)
    expect(view.bytes).toBe(big.length)
  })
})

describe('headers', () => {
  test('keeps only the headers that explain an answer, in AWS casing', () => {
    expect(
      pickHeaders({'content-type': 'application/json', date: 'x', 'apigw-requestid': 'JEvJkhfEoAMEVLw=', 'x-amzn-errortype': 'InternalServerErrorException'}),
    ).toEqual([
      ['Content-Type', 'application/json'],
      ['apigw-requestid', 'JEvJkhfEoAMEVLw='],
      ['x-amzn-ErrorType', 'InternalServerErrorException'],
    ])
  })

  test('reads the trace id out of an X-Amzn-Trace-Id header', () => {
    expect(traceIdOf('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toBe('1-5759e988-bd862e3fe1be46a994272793')
    expect(traceIdOf('Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793')).toBe('1-5759e988-bd862e3fe1be46a994272793')
    expect(traceIdOf(undefined)).toBeUndefined()
  })

  test('viewResponse combines status, picked headers and body', () => {
    const v = viewResponse({status: 500, statusText: 'Internal Server Error', durationMs: 12, headers: {'content-type': 'application/json'}, body: Buffer.from('{"message":"Internal Server Error"}')}, 100)
    expect(v).toMatchObject({status: 500, durationMs: 12, headers: [['Content-Type', 'application/json']], body: {kind: 'json'}})
  })
})
