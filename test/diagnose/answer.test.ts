import {describe, expect, test} from 'vitest'
import {classifyAnswer} from '../../src/diagnose/answer.js'
import {possibleCauses} from '../../src/diagnose/causes.js'
import {GATEWAY_ERROR_CONDITIONS, gatewayErrorResponse} from '../../src/gateway/errors.js'
import {answer} from './builders.js'

const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))

describe('classifyAnswer', () => {
  for (const apiType of ['http', 'rest'] as const) {
    test.each(GATEWAY_ERROR_CONDITIONS)(`recognises the ${apiType} emulator's answer for %s as API Gateway's`, (condition) => {
      const r = gatewayErrorResponse(apiType, condition)
      const c = classifyAnswer(apiType, r.statusCode, lower(r.headers), r.body)
      expect(c.origin).toBe('gateway')
      expect(c.conditions).toContain(condition)
    })
  }

  test("an HTTP API 500 stands for six conditions, a REST 502 only for the function's side", () => {
    const http = gatewayErrorResponse('http', 'function-error')
    expect(classifyAnswer('http', 500, lower(http.headers), http.body).conditions).toEqual(
      expect.arrayContaining(['permission-denied', 'function-error', 'malformed-response', 'throttled']),
    )
    const rest = gatewayErrorResponse('rest', 'function-error')
    const restClass = classifyAnswer('rest', 502, lower(rest.headers), rest.body)
    expect(restClass.conditions).not.toContain('permission-denied')
    expect(restClass.distinctive).toBe(true)
  })

  test("a body the function wrote is the function's, whatever the status", () => {
    expect(classifyAnswer('http', 500, {}, '{"error":"db down"}')).toMatchObject({origin: 'function', conditions: []})
    expect(classifyAnswer('http', 404, {}, 'order 42 not found')).toMatchObject({origin: 'function'})
    expect(classifyAnswer('http', 200, {}, '{"message":"Not Found"}')).toMatchObject({origin: 'function'})
  })

  test('JSON bodies match by value, so re-serialised gateway answers are still recognised', () => {
    expect(classifyAnswer('http', 500, {}, '{ "message" : "Internal Server Error" }').origin).toBe('gateway')
  })

  test('a REST answer with x-amzn-ErrorType is API Gateway\'s even with a customised body', () => {
    const c = classifyAnswer('rest', 504, {'x-amzn-errortype': 'InternalServerErrorException'}, '{"error":"custom timeout page"}')
    expect(c).toMatchObject({origin: 'gateway', conditions: ['integration-timeout'], distinctive: true})
  })

  test('an empty error body says nothing about who wrote it', () => {
    expect(classifyAnswer('http', 503, {}, '')).toMatchObject({origin: 'unknown', conditions: ['integration-timeout']})
  })
})

describe('possibleCauses', () => {
  test('a REST 500 allows only the invocation-rejected causes', () => {
    const causes = possibleCauses(answer({apiType: 'rest', condition: 'permission-denied'})).map((p) => p.cause)
    expect(causes.sort()).toEqual(['invocation-rejected/permission', 'invocation-rejected/throttled'])
  })

  test('an HTTP API 500 allows every invocation and function-side cause, and the function itself', () => {
    const causes = possibleCauses(answer({apiType: 'http', condition: 'permission-denied'})).map((p) => p.cause)
    expect(causes).toEqual(
      expect.arrayContaining([
        'invocation-rejected/permission',
        'invocation-rejected/throttled',
        'function-error',
        'function-timeout',
        'malformed-response',
        'payload-too-large',
        'ok',
      ]),
    )
  })

  test("a function's own answer allows only ok", () => {
    expect(possibleCauses(answer({status: 418, origin: 'function'}))).toEqual([expect.objectContaining({cause: 'ok', prior: 3})])
  })
})
