/** Fault injection: the emulator's endpoint, and `tracegate local fault` against an emulator served from a data directory. */
import {rmSync} from 'node:fs'
import {InvokeCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {parseDelay} from '../../../src/local/fault.js'
import {type ServingEmulator, serveEmulator} from '../../../src/local/lifecycle.js'
import {runCommand} from '../../helpers/run-command.js'
import {clientsFor, type TestEmulator, tempDir} from '../helpers.js'
import {behave, createFunction, createHttpApi} from './helpers.js'

let serving: ServingEmulator
let t: TestEmulator
let dataDir: string

beforeAll(async () => {
  dataDir = tempDir()
  serving = await serveEmulator({port: 0, dataDir})
  const clients = clientsFor(serving.emulator.url)
  t = {emulator: serving.emulator, dataDir, clients, stop: async () => {}}
})
afterAll(async () => {
  for (const client of Object.values(t.clients)) client.destroy()
  await serving.stop()
  rmSync(dataDir, {recursive: true, force: true})
})

const fault = (...args: string[]) => runCommand(['local', 'fault', '--data-dir', dataDir, ...args])

describe('tracegate local fault', () => {
  test('--throttle makes the HTTP API answer 500 and Invoke 429; --clear restores it', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn}]})
    expect((await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})).status).toBe(200)

    const throttled = await fault('--function', fn.name, '--throttle')
    expect(throttled.exitCode).toBe(0)
    expect(throttled.stdout).toBe(`${fn.name} (us-east-1): every invocation is throttled (429 TooManyRequestsException; an HTTP API answers 500)\n`)
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, '{"message":"Internal Server Error"}'])
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name}))).rejects.toMatchObject({name: 'TooManyRequestsException'})

    const cleared = await fault('--function', fn.name, '--clear', '--json')
    expect(cleared.exitCode).toBe(0)
    expect(JSON.parse(cleared.stdout)).toEqual({functionName: fn.name, region: 'us-east-1', fault: null, endpoint: serving.emulator.url})
    expect((await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})).status).toBe(200)
  })

  test('--delay past the integration timeout makes the HTTP API answer 503', async () => {
    const fn = await createFunction(t)
    const api = await createHttpApi(t, {routes: [{routeKey: 'POST /x', functionArn: fn.arn, timeoutInMillis: 250}]})
    const delayed = await fault('--function', fn.name, '--delay', '1s', '--json')
    expect(JSON.parse(delayed.stdout)).toMatchObject({fault: {delayMs: 1000}})
    const answer = await behave(`${api.endpoint}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([503, '{"message":"Service Unavailable"}'])
    const status = (await fetch(`${serving.emulator.url}/_tracegate/faults`).then((r) => r.json())) as {faults: unknown[]}
    expect(status.faults).toContainEqual({functionName: fn.name, region: 'us-east-1', fault: {delayMs: 1000}})
  })

  test('an unknown function is a usage error naming it', async () => {
    const result = await fault('--function', 'nope-nothing', '--throttle')
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Function nope-nothing does not exist in any region')
  })

  test('exactly one of --throttle, --delay, --clear is required', async () => {
    expect((await fault('--function', 'x')).exitCode).toBe(2)
    expect((await fault('--function', 'x', '--throttle', '--clear')).exitCode).toBe(2)
  })

  test('without a running emulator it exits 5 and says how to start one', async () => {
    const empty = tempDir()
    const result = await runCommand(['local', 'fault', '--data-dir', empty, '--function', 'f', '--throttle'])
    rmSync(empty, {recursive: true, force: true})
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('No emulator is running')
    expect(result.stderr).toContain('tracegate local start --detach')
  })
})

describe('parseDelay', () => {
  test.each([
    ['5s', 5000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['250', 250],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDelay(text)).toBe(ms)
  })

  test.each(['', 'soon', '-1s', '0s', '16m'])('"%s" is refused', (text) => {
    expect(() => parseDelay(text)).toThrow(/--delay/)
  })
})

describe('the faults endpoint', () => {
  test('refuses a body that sets two faults or none, with 400 and a message', async () => {
    const post = (body: unknown) => fetch(`${serving.emulator.url}/_tracegate/faults`, {method: 'POST', body: JSON.stringify(body)})
    const both = await post({functionName: 'f', throttle: true, delayMs: 5})
    expect(both.status).toBe(400)
    expect(await both.json()).toEqual({message: 'Give exactly one of throttle: true, delayMs or clear: true'})
    expect((await post({throttle: true})).status).toBe(400)
    expect((await post({functionName: 'f', delayMs: -1})).status).toBe(400)
  })
})
