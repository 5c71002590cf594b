/** Lambda `Invoke` on the emulator, driven by the real `@aws-sdk/client-lambda` (aws-semantics §1.2). */
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  RequestTooLargeException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {handlerZip, startTestEmulator, type TestEmulator} from '../helpers.js'
import {createFunction} from './helpers.js'

let t: TestEmulator
let scratch: string

beforeAll(async () => {
  t = await startTestEmulator()
  scratch = mkdtempSync(join(tmpdir(), 'tracegate-invoke-'))
})
afterAll(async () => {
  await t.stop()
  rmSync(scratch, {recursive: true, force: true})
})

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload))

const CONTEXT_SOURCE = `
let invocations = 0
exports.handler = async (event, context) => {
  invocations++
  console.log('handling', JSON.stringify(event))
  if (event.fail) throw new TypeError(event.fail)
  if (event.write) require('fs').writeFileSync(event.write, JSON.stringify(event))
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs))
  return {invocations, requestId: context.awsRequestId, fn: context.functionName, version: context.functionVersion,
    arn: context.invokedFunctionArn, env: process.env.GREETING, trace: process.env._X_AMZN_TRACE_ID,
    daemon: process.env.AWS_XRAY_DAEMON_ADDRESS, region: process.env.AWS_REGION, clientContext: context.clientContext}
}
`

describe('RequestResponse', () => {
  test('returns the payload with 200, $LATEST, the request id the handler saw, and its context', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE, environment: {GREETING: 'hi'}})
    const result = await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Payload: encode({a: 1})}))
    expect(result.StatusCode).toBe(200)
    expect(result.ExecutedVersion).toBe('$LATEST')
    expect(result.FunctionError).toBeUndefined()
    const body = decode(result.Payload)
    expect(body).toMatchObject({invocations: 1, fn: fn.name, version: '$LATEST', arn: fn.arn, env: 'hi', region: 'us-east-1'})
    expect(body.requestId).toBe(result.$metadata.requestId)
    // The X-Ray daemon the emulator started is the one handlers are told about.
    expect(body.daemon).toBe(t.emulator.xrayDaemonAddress)
    expect(t.emulator.xrayDaemonAddress).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  test('a warm environment is reused; an update of code or configuration makes the next invocation cold', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const invoke = async () => decode((await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name}))).Payload)
    expect((await invoke()).invocations).toBe(1)
    expect((await invoke()).invocations).toBe(2)
    await t.clients.lambda.send(new UpdateFunctionConfigurationCommand({FunctionName: fn.name, Environment: {Variables: {GREETING: 'new'}}}))
    expect(await invoke()).toMatchObject({invocations: 1, env: 'new'})
    await t.clients.lambda.send(new UpdateFunctionCodeCommand({FunctionName: fn.name, ZipFile: handlerZip('exports.handler = async () => "v2"')}))
    expect(await invoke()).toBe('v2')
  })

  test('LogType Tail returns the base64 log tail; a client context reaches the handler', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const clientContext = Buffer.from(JSON.stringify({custom: {tenant: 't1'}})).toString('base64')
    const result = await t.clients.lambda.send(
      new InvokeCommand({FunctionName: fn.name, LogType: 'Tail', ClientContext: clientContext, Payload: encode({marker: 'tail-me'})}),
    )
    const log = Buffer.from(result.LogResult!, 'base64').toString('utf8')
    expect(log).toContain('handling {"marker":"tail-me"}')
    expect(log).toMatch(/^START RequestId: /m)
    expect(log).toMatch(/^REPORT RequestId: /m)
    expect(decode(result.Payload).clientContext).toMatchObject({custom: {tenant: 't1'}})
    const quiet = await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name}))
    expect(quiet.LogResult).toBeUndefined()
  })

  test('a function error is HTTP 200 with X-Amz-Function-Error: Unhandled and the error body', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const result = await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Payload: encode({fail: 'bad input'})}))
    expect(result.StatusCode).toBe(200)
    expect(result.FunctionError).toBe('Unhandled')
    const body = decode(result.Payload)
    expect(body).toMatchObject({errorType: 'TypeError', errorMessage: 'bad input'})
    expect(body.trace[0]).toBe('TypeError: bad input')
  })

  test('an incoming trace header with Sampled=1 reaches the handler under the same root', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-0123456789abcdef01234567`
    const command = new InvokeCommand({FunctionName: fn.name})
    command.middlewareStack.add(
      (next) => async (args) => {
        ;(args.request as {headers: Record<string, string>}).headers['x-amzn-trace-id'] = `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1`
        return next(args)
      },
      {step: 'build'},
    )
    const body = decode((await t.clients.lambda.send(command)).Payload)
    expect(body.trace).toMatch(new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=1$`))
  })
})

describe('Event and DryRun', () => {
  test('Event answers 202 at once and runs the function in the background', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const out = join(scratch, 'event.json')
    const result = await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, InvocationType: 'Event', Payload: encode({write: out, sleepMs: 50})}))
    expect(result.StatusCode).toBe(202)
    expect(result.Payload?.length ?? 0).toBe(0)
    // No version has run yet: AWS sends no X-Amz-Executed-Version (the AWS CLI would print it).
    expect(result.ExecutedVersion).toBeUndefined()
    const deadline = Date.now() + 5000
    while (!existsSync(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({write: out})
  })

  test('DryRun answers 204 and runs nothing', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const out = join(scratch, 'dry.json')
    const result = await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, InvocationType: 'DryRun', Payload: encode({write: out})}))
    expect(result.StatusCode).toBe(204)
    expect(result.ExecutedVersion).toBeUndefined()
    await new Promise((r) => setTimeout(r, 200))
    expect(existsSync(out)).toBe(false)
  })
})

describe("Lambda's own refusals", () => {
  test('an unknown function, or a qualifier other than $LATEST, is ResourceNotFoundException', async () => {
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: 'no-such-function'}))).rejects.toThrow(ResourceNotFoundException)
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Qualifier: 'live'}))).rejects.toThrow(
      `Function not found: ${fn.arn}:live`,
    )
    const latest = await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Qualifier: '$LATEST'}))
    expect(latest.StatusCode).toBe(200)
  })

  test('a request over 6 MB is 413 RequestTooLargeException; an Event over 1 MB too', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const big = encode({pad: 'x'.repeat(6_300_000)})
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Payload: big}))).rejects.toThrow(RequestTooLargeException)
    const medium = encode({pad: 'x'.repeat(1_100_000)})
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, InvocationType: 'Event', Payload: medium}))).rejects.toThrow(
      /too large for the Event invocation type \(limit 1048576 bytes\)/,
    )
    expect((await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Payload: medium}))).StatusCode).toBe(200)
  })

  test('a payload that is not JSON is InvalidRequestContentException', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Payload: new TextEncoder().encode('{nope')}))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: {httpStatusCode: 400},
    })
  })

  test('reserved concurrency 0 throttles every call: 429 TooManyRequestsException with Reason and Retry-After', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    await t.clients.lambda.send(new PutFunctionConcurrencyCommand({FunctionName: fn.name, ReservedConcurrentExecutions: 0}))
    const error = await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TooManyRequestsException)
    expect(error).toMatchObject({
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      Type: 'User',
      retryAfterSeconds: '1',
      $metadata: {httpStatusCode: 429},
    })
    await t.clients.lambda.send(new DeleteFunctionConcurrencyCommand({FunctionName: fn.name}))
    expect((await t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name}))).StatusCode).toBe(200)
  })

  test('reserved concurrency 1: a second concurrent call is throttled while the first runs', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    await t.clients.lambda.send(new PutFunctionConcurrencyCommand({FunctionName: fn.name, ReservedConcurrentExecutions: 1}))
    const slow = t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name, Payload: encode({sleepMs: 2000})}))
    // Long enough for the first call to be running, well inside its 2 s even on a loaded machine.
    await new Promise((r) => setTimeout(r, 400))
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name}))).rejects.toThrow(TooManyRequestsException)
    expect((await slow).StatusCode).toBe(200)
  })

  test('an injected throttle answers 429 with the account-level reason', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const set = await fetch(`${t.emulator.url}/_tracegate/faults`, {method: 'POST', body: JSON.stringify({functionName: fn.name, throttle: true})})
    expect(set.status).toBe(200)
    await expect(t.clients.lambda.send(new InvokeCommand({FunctionName: fn.name}))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      Reason: 'ConcurrentInvocationLimitExceeded',
    })
  })

  test('an unknown invocation type is a ValidationException', async () => {
    const fn = await createFunction(t, {source: CONTEXT_SOURCE})
    const response = await fetch(`${t.emulator.url}/2015-03-31/functions/${fn.name}/invocations`, {
      method: 'POST',
      headers: {'x-amz-invocation-type': 'Later'},
      body: '{}',
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(await response.json()).toMatchObject({message: expect.stringContaining("Value 'Later' at 'invocationType'")})
  })
})
