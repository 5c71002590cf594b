/**
 * aws-semantics §5, HTTP API column, through real HTTP: every row with its status code and exact body, each
 * produced the way it happens on AWS (a removed permission, reserved concurrency 0, a slow function, …).
 */
import {DeleteFunctionCommand, PutFunctionConcurrencyCommand, RemovePermissionCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from '../helpers.js'
import {behave, call, createFunction, createHttpApi, grant} from './helpers.js'

let t: TestEmulator
const INTERNAL = '{"message":"Internal Server Error"}'

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

async function setFault(functionName: string, fault: Record<string, unknown>) {
  const response = await fetch(`${t.emulator.url}/_tracegate/faults`, {method: 'POST', body: JSON.stringify({functionName, ...fault})})
  expect(response.status).toBe(200)
}

describe('HTTP API failures (aws-semantics §5)', () => {
  test('API Gateway lacks invoke permission: 500 Internal Server Error', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}], grant: false})
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
    expect(answer.headers.get('apigw-requestid')).toBeTruthy()
  })

  test('a function whose permission was removed answers 500; it answered 200 before', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}], grant: false})
    const sid = await grant(t, fn.arn, api.apiId)
    expect((await behave(`${api.endpoint}/x`, {return: {statusCode: 200, body: 'ok'}})).status).toBe(200)
    await t.clients.lambda.send(new RemovePermissionCommand({FunctionName: fn.name, StatementId: sid}))
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200, body: 'ok'}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test('a grant for another route, method or stage does not let this route invoke', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /orders/{id}', functionArn: fn.arn}], stages: ['$default', 'prod'], grant: false})
    await grant(t, fn.arn, api.apiId, 'prod/GET/orders/*')
    expect((await behave(`${api.endpoint}/orders/1`, {return: {statusCode: 200}})).status).toBe(500)
    expect((await behave(`${api.endpoint}/prod/orders/1`, {return: {statusCode: 200}})).status).toBe(500)
    await grant(t, fn.arn, api.apiId, 'prod/POST/orders/*')
    expect((await behave(`${api.endpoint}/prod/orders/1`, {return: {statusCode: 200}})).status).toBe(200)
    expect((await behave(`${api.endpoint}/orders/1`, {return: {statusCode: 200}})).status).toBe(500)
  })

  test('unhandled function error: 500', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    const answer = await behave(`${api.endpoint}/x`, {throw: 'boom'})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test('function-side timeout: 500', async () => {
    const fn = await createFunction(t, {timeout: 1})
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    const answer = await behave(`${api.endpoint}/x`, {sleepMs: 1500, return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test('malformed proxy response: 500', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 'test'}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test('Lambda throttles (reserved concurrency 0): 500', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    await t.clients.lambda.send(new PutFunctionConcurrencyCommand({FunctionName: fn.name, ReservedConcurrentExecutions: 0}))
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test('Lambda throttles (injected throttle): 500, and 200 again once cleared', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    await setFault(fn.name, {throttle: true})
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
    await setFault(fn.name, {clear: true})
    expect((await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})).status).toBe(200)
  })

  test('integration timeout (timeoutInMillis): 503 Service Unavailable, at the timeout', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn, timeoutInMillis: 300}]})
    await behave(`${api.endpoint}/x`, {return: {statusCode: 200}}) // warm: the cold start is not what is measured
    const started = performance.now()
    const answer = await behave(`${api.endpoint}/x`, {sleepMs: 2000, return: {statusCode: 200}})
    const elapsed = performance.now() - started
    expect([answer.status, answer.body]).toEqual([503, '{"message":"Service Unavailable"}'])
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(1900)
  })

  test('integration timeout reached through an injected delay: 503', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn, timeoutInMillis: 200}]})
    await setFault(fn.name, {delayMs: 1000})
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([503, '{"message":"Service Unavailable"}'])
  })

  test('Lambda response over 6 MB: 500', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    const answer = await behave(`${api.endpoint}/x`, {big: 6_300_000})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test("request over Lambda's 6 MB limit: 413", async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    const answer = await call(`${api.endpoint}/x`, {method: 'POST', headers: {'content-type': 'text/plain'}, body: 'x'.repeat(7 * 1024 * 1024)})
    expect([answer.status, answer.body]).toEqual([413, '{"message":"Request Entity Too Large"}'])
  })

  test('request over the 10 MB API payload quota: 413', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    const answer = await call(`${api.endpoint}/x`, {method: 'POST', body: 'x'.repeat(10_485_761)})
    expect([answer.status, answer.body]).toEqual([413, '{"message":"Request Entity Too Large"}'])
  })

  test('Lambda service error (the integration names a deleted function): 500', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    await t.clients.lambda.send(new DeleteFunctionCommand({FunctionName: fn.name}))
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test('stage throttling: 429 Too Many Requests beyond the burst, without reaching the function', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}], stageSettings: {throttlingBurstLimit: 2, throttlingRateLimit: 0.001}})
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})).status)
    expect(statuses).toEqual([200, 200, 429])
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([429, '{"message":"Too Many Requests"}'])
  })

  test('no matching route: 404 Not Found', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'GET /orders', functionArn: fn.arn}]})
    for (const [method, path] of [['GET', '/nothing'], ['POST', '/orders'], ['GET', '/Orders']]) {
      const answer = await call(`${api.endpoint}${path}`, {method})
      expect([answer.status, answer.body]).toEqual([404, '{"message":"Not Found"}'])
      expect(answer.headers.get('apigw-requestid')).toBeTruthy()
    }
  })

  test('a stage that does not exist, and an API without a $default stage, answer 404 at the root', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'GET /orders', functionArn: fn.arn}], stages: ['prod']})
    expect((await call(`${api.endpoint}/prod/orders`)).status).toBe(200)
    const answer = await call(`${api.endpoint}/orders`)
    expect([answer.status, answer.body]).toEqual([404, '{"message":"Not Found"}'])
    expect((await call(`${api.endpoint}/dev/orders`)).status).toBe(404)
  })
})
