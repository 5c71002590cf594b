import {existsSync} from 'node:fs'
import {getPriority} from 'node:os'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {createRuntime} from '../../../src/local/runtime/pool.js'
import {ISOLATIONS} from '../../../src/local/runtime/isolation.js'
import type {Runtime} from '../../../src/local/runtime/types.js'
import {decodeTail, functionSpec, json, tempDir, zipFiles, zipFixture} from './helpers.js'

const payload = (value: unknown) => Buffer.from(JSON.stringify(value))

// Every behaviour holds for both kinds of execution environment (`sandbox.ts`).
describe.each(ISOLATIONS)('Lambda runtime (%s isolation)', (isolation) => {
  const dir = tempDir()
  let runtime: Runtime

  beforeAll(() => {
    // A variable of the emulator's own process, standing in for the user's real credentials.
    process.env.TRACEGATE_RUNTIME_TEST_SECRET = 'must-not-leak'
    runtime = createRuntime({tmpDir: dir.path, daemonAddress: '127.0.0.1:2999', isolation})
  })

  afterAll(async () => {
    await runtime.close()
    delete process.env.TRACEGATE_RUNTIME_TEST_SECRET
    dir.remove()
  })

  describe('handlers', () => {
    test('an async CommonJS handler gets the event and its result is the payload', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'async-cjs'}), payload({orderId: 42}))
      expect(result.kind).toBe('ok')
      expect(result.functionError).toBeUndefined()
      expect(json(result.payload)).toMatchObject({event: {orderId: 42}})
    })

    test('a callback handler answers with the value passed to the callback', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'callback', handler: 'index.callback'}), payload({a: 1}))
      expect(json(result.payload)).toEqual({viaCallback: true, event: {a: 1}})
    })

    test('context.succeed completes the invocation', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'succeed', handler: 'index.succeed'}), payload({}))
      expect(json(result.payload)).toEqual({via: 'succeed'})
    })

    test('an .mjs handler is loaded as an ES module', async () => {
      const fn = functionSpec({functionName: 'esm', handler: 'index.handler', zip: zipFixture('esm')})
      const result = await runtime.invoke(fn, payload({x: 1}), {requestId: 'req-esm-1'})
      expect(json(result.payload)).toEqual({module: 'esm', event: {x: 1}, requestId: 'req-esm-1'})
    })

    test('a .js handler under "type": "module" is imported, from a nested module path', async () => {
      const fn = functionSpec({functionName: 'type-module', handler: 'src/get-order.handler', zip: zipFixture('type-module')})
      const result = await runtime.invoke(fn, payload({pathParameters: {id: '42'}}))
      expect(json(result.payload)).toEqual({orderId: '42', isEsm: true})
    })

    test('an undefined result is the payload null', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'undefined-result', handler: 'index.undefinedResult'}), payload({}))
      expect(result.kind).toBe('ok')
      expect(result.payload.toString()).toBe('null')
    })

    test('an empty payload is the event {}', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'empty-payload'}), Buffer.alloc(0))
      expect(json(result.payload)).toMatchObject({event: {}})
    })

    test('a payload that is not JSON is rejected before reaching the function', async () => {
      await expect(runtime.invoke(functionSpec({functionName: 'bad-json'}), Buffer.from('{nope'))).rejects.toMatchObject({
        code: 'InvalidRequestContentException',
        status: 400,
      })
    })

    test('a package that cannot be unzipped rejects the invocation, and the runtime keeps working', async () => {
      const broken = functionSpec({functionName: 'broken-zip', codeSha256: 'broken', codeZip: () => Buffer.from('not a zip')})
      await expect(runtime.invoke(broken, payload({}))).rejects.toThrow(/deployment package could not be unzipped/)
      expect((await runtime.invoke(functionSpec({functionName: 'after-broken-zip'}), payload({}))).kind).toBe('ok')
    })

    test('a non-Node.js runtime is a user error, not a silent success', async () => {
      await expect(runtime.invoke(functionSpec({functionName: 'python', runtime: 'python3.12'}), payload({}))).rejects.toMatchObject({
        code: 'RUNTIME_UNSUPPORTED',
      })
    })
  })

  describe('callbackWaitsForEmptyEventLoop', () => {
    test('by default the callback result is sent only once pending timers have run', async () => {
      const fn = functionSpec({functionName: 'callback-waits', handler: 'index.callbackWaits'})
      const result = await runtime.invoke(fn, payload({timerMs: 300}))
      expect(result.durationMs).toBeGreaterThanOrEqual(290)
      expect(result.log).toContain('timer fired')
    })

    test('a callback handler that never calls back answers null once the event loop is empty', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'never-calls-back', handler: 'index.neverCallsBack'}), payload({}))
      expect(result.kind).toBe('ok')
      expect(result.payload.toString()).toBe('null')
    })

    test('an async handler whose promise never settles fails with Runtime.NodeJsExit when the loop empties', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'never-settles', handler: 'index.neverSettles'}), payload({}))
      expect(json(result.payload)).toMatchObject({
        errorType: 'Runtime.NodeJsExit',
        errorMessage: expect.stringMatching(/^The Lambda runtime client detected an unexpected Node.js exit code/),
      })
    })

    test('set to false, the callback result is sent at once', async () => {
      const fn = functionSpec({functionName: 'callback-dont-wait', handler: 'index.callbackWaits'})
      const result = await runtime.invoke(fn, payload({timerMs: 1500, dontWait: true}))
      expect(result.kind).toBe('ok')
      expect(result.durationMs).toBeLessThan(1000)
    })
  })

  describe('context and environment', () => {
    test('the context object carries Lambda’s fields', async () => {
      const fn = functionSpec({functionName: 'ctx', handler: 'index.context', memoryMb: 512, timeoutSec: 5})
      const result = await runtime.invoke(fn, payload({}), {requestId: '11111111-2222-3333-4444-555555555555'})
      const context = json(result.payload) as Record<string, unknown>
      expect(context).toMatchObject({
        awsRequestId: '11111111-2222-3333-4444-555555555555',
        functionName: 'ctx',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:ctx',
        memoryLimitInMB: '512',
        logGroupName: '/aws/lambda/ctx',
        callbackWaitsForEmptyEventLoop: true,
        hasDone: true,
        hasSucceed: true,
        hasFail: true,
      })
      expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/)
      expect(context.remaining).toBeGreaterThan(4000)
      expect(context.remaining).toBeLessThanOrEqual(5000)
    })

    test('the context has the runtime client’s own keys in its order; callbackWaitsForEmptyEventLoop is per invocation', async () => {
      const fn = functionSpec({functionName: 'ctx-shape', handler: 'index.contextShape'})
      const first = json((await runtime.invoke(fn, payload({flip: true}))).payload)
      expect(first).toEqual({
        keys: [
          'callbackWaitsForEmptyEventLoop',
          'succeed',
          'fail',
          'done',
          'functionVersion',
          'functionName',
          'memoryLimitInMB',
          'logGroupName',
          'logStreamName',
          'clientContext',
          'identity',
          'invokedFunctionArn',
          'awsRequestId',
          'getRemainingTimeInMillis',
        ],
        accessor: true,
        enumerable: true,
        before: true,
        copied: true,
        after: false,
      })
      // The same warm environment: the next invocation's context starts from true again.
      const second = await runtime.invoke(fn, payload({}))
      expect(second.coldStart).toBe(false)
      expect(json(second.payload)).toMatchObject({before: true, after: true})
    })

    test('the environment is Lambda’s plus the function’s variables, and nothing of the emulator’s', async () => {
      const fn = functionSpec({
        functionName: 'env',
        handler: 'index.context',
        memoryMb: 128,
        environment: {TABLE_NAME: 'orders', AWS_REGION: 'eu-west-1'},
        tracingMode: 'Active',
      })
      const result = await runtime.invoke(fn, payload({}))
      const {env, cwd} = json(result.payload) as {env: Record<string, string>; cwd: string}
      expect(env).toMatchObject({
        TABLE_NAME: 'orders',
        AWS_LAMBDA_FUNCTION_NAME: 'env',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env',
        // A reserved variable cannot be overridden by the function's configuration.
        AWS_REGION: 'us-east-2',
        AWS_DEFAULT_REGION: 'us-east-2',
        _HANDLER: 'index.context',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2999',
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      })
      expect(env.LAMBDA_TASK_ROOT).toBe(cwd)
      expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/\[\$LATEST\]/)
      expect(env._X_AMZN_TRACE_ID).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/)
      expect(env.AWS_ACCESS_KEY_ID).toBeTruthy()
      expect(env.AWS_SECRET_ACCESS_KEY).toBeTruthy()
      expect(env.TRACEGATE_RUNTIME_TEST_SECRET).toBeUndefined()
    })

    test('_X_AMZN_TRACE_ID changes with every invocation', async () => {
      const fn = functionSpec({functionName: 'trace-env', handler: 'index.context', tracingMode: 'Active'})
      const first = json((await runtime.invoke(fn, payload({}))).payload) as {env: Record<string, string>}
      const second = json((await runtime.invoke(fn, payload({}))).payload) as {env: Record<string, string>}
      expect(first.env._X_AMZN_TRACE_ID).not.toBe(second.env._X_AMZN_TRACE_ID)
    })
  })

  describe('warm and cold environments', () => {
    test('a second invocation reuses the warm worker', async () => {
      const fn = functionSpec({functionName: 'warm'})
      const first = await runtime.invoke(fn, payload({}))
      const second = await runtime.invoke(fn, payload({}))
      expect(first.coldStart).toBe(true)
      expect(first.initDurationMs).toBeGreaterThan(0)
      expect(second.coldStart).toBe(false)
      expect(second.initDurationMs).toBeUndefined()
      expect((json(second.payload) as {environmentId: string}).environmentId).toBe((json(first.payload) as {environmentId: string}).environmentId)
    })

    test('new code makes the next invocation cold, in a new environment', async () => {
      const before = functionSpec({functionName: 'update-code'})
      const first = await runtime.invoke(before, payload({}))
      const newZip = zipFiles({'index.js': 'exports.echo = async (event) => ({event, environmentId: Math.random(), version: 2})'})
      const after = functionSpec({functionName: 'update-code', zip: newZip})
      const second = await runtime.invoke(after, payload({}))
      expect(second.coldStart).toBe(true)
      expect(json(second.payload)).toMatchObject({version: 2})
      expect((json(second.payload) as {environmentId: string}).environmentId).not.toBe((json(first.payload) as {environmentId: string}).environmentId)
    })

    test('a configuration change makes the next invocation cold', async () => {
      await runtime.invoke(functionSpec({functionName: 'update-config'}), payload({}))
      const warm = await runtime.invoke(functionSpec({functionName: 'update-config'}), payload({}))
      const changed = await runtime.invoke(functionSpec({functionName: 'update-config', environment: {STAGE: 'prod'}}), payload({}))
      expect(warm.coldStart).toBe(false)
      expect(changed.coldStart).toBe(true)
    })

    test('invalidate drains the function: the next invocation is cold', async () => {
      const fn = functionSpec({functionName: 'invalidate'})
      await runtime.invoke(fn, payload({}))
      runtime.invalidate(fn.functionArn)
      expect((await runtime.invoke(fn, payload({}))).coldStart).toBe(true)
    })

    test('an environment idle past the idle timeout is stopped: the next invocation is cold', async () => {
      const short = createRuntime({tmpDir: dir.path, daemonAddress: '127.0.0.1:2999', isolation, idleTimeoutMs: 100, standby: false})
      try {
        const fn = functionSpec({functionName: 'idle'})
        await short.invoke(fn, payload({}))
        const warm = await short.invoke(fn, payload({}))
        // Swept within 150 ms (a sweep every 50 ms); the wait leaves room for a loaded machine's late timers.
        await new Promise((resolve) => setTimeout(resolve, 600))
        const afterIdle = await short.invoke(fn, payload({}))
        expect(warm.coldStart).toBe(false)
        expect(afterIdle.coldStart).toBe(true)
      } finally {
        await short.close()
      }
    })

    test('an environment runs below the emulator\'s scheduling priority (nice 10)', async () => {
      const zip = zipFiles({'index.js': 'exports.priority = async () => require("node:os").getPriority()'})
      const result = await runtime.invoke(functionSpec({functionName: 'priority', handler: 'index.priority', zip}), payload({}))
      // At least 10, and never above the emulator's (a runner that is itself niced further keeps its value).
      expect(json(result.payload)).toBe(Math.max(10, getPriority()))
    })

    test('concurrent invocations each get their own environment', async () => {
      const fn = functionSpec({functionName: 'concurrent', handler: 'index.slow'})
      const results = await Promise.all([runtime.invoke(fn, payload({ms: 200})), runtime.invoke(fn, payload({ms: 200}))])
      const ids = results.map((result) => (json(result.payload) as {environmentId: string}).environmentId)
      expect(new Set(ids).size).toBe(2)
    })
  })

  describe('function errors', () => {
    test('a thrown error is an Unhandled function error with errorType, errorMessage and trace', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'throws', handler: 'index.throws'}), payload({}))
      expect(result.kind).toBe('function-error')
      expect(result.functionError).toBe('Unhandled')
      const body = json(result.payload) as {errorType: string; errorMessage: string; trace: string[]}
      expect(Object.keys(body)).toEqual(['errorType', 'errorMessage', 'trace'])
      expect(body.errorType).toBe('OrderNotFound')
      expect(body.errorMessage).toBe('order 42 does not exist')
      expect(body.trace[0]).toBe('OrderNotFound: order 42 does not exist')
      expect(body.trace[1]).toMatch(/^ {4}at /)
      expect(result.log).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"OrderNotFound","errorMessage":"order 42 does not exist"/)
    })

    test('a synchronous throw is a function error too, and the environment stays warm', async () => {
      const fn = functionSpec({functionName: 'throws-sync', handler: 'index.throwsSync'})
      const first = await runtime.invoke(fn, payload({}))
      const second = await runtime.invoke(fn, payload({}))
      expect(json(first.payload)).toMatchObject({errorType: 'TypeError', errorMessage: 'sync failure'})
      expect(second.coldStart).toBe(false)
    })

    // Only threads are booted with a heap cap (a process sandbox has Node's default one).
    test.runIf(isolation === 'thread')('a handler that outgrows its memory size ends as on Lambda (signal: killed); the next call is cold', async () => {
      const zip = zipFiles({'index.js': 'const kept = []\nexports.grow = async () => { for (;;) kept.push(new Array(1e5).fill(kept.length)) }\nexports.ok = async () => "ok"'})
      const fn = functionSpec({functionName: 'out-of-memory', handler: 'index.grow', memoryMb: 128, timeoutSec: 30, zip})
      const result = await runtime.invoke(fn, payload({}), {requestId: 'req-oom'})
      expect(result.kind).toBe('function-error')
      expect(json(result.payload)).toEqual({errorType: 'Runtime.ExitError', errorMessage: 'RequestId: req-oom Error: Runtime exited with error: signal: killed'})
      expect(result.log).toContain('Status: error\tError Type: Runtime.ExitError')
      const next = await runtime.invoke({...fn, handler: 'index.ok'}, payload({}))
      expect(next).toMatchObject({kind: 'ok', coldStart: true})
    })

    test('a timeout kills the worker and answers Sandbox.Timedout', async () => {
      const fn = functionSpec({functionName: 'timeout', handler: 'index.slow', timeoutSec: 1})
      const result = await runtime.invoke(fn, payload({ms: 5000}), {requestId: 'req-timeout'})
      expect(result.kind).toBe('function-error')
      expect(result.functionError).toBe('Unhandled')
      expect(json(result.payload)).toEqual({
        errorType: 'Sandbox.Timedout',
        errorMessage: expect.stringMatching(/^RequestId: req-timeout Error: Task timed out after 1\.\d\d seconds$/),
      })
      expect(result.durationMs).toBeGreaterThanOrEqual(1000)
      expect(result.log).toMatch(/Z req-timeout Task timed out after 1\.\d\d seconds\nEND RequestId: req-timeout\n/)
      expect(result.log).toMatch(/REPORT RequestId: req-timeout\t.*Status: timeout\t/)
      const next = await runtime.invoke(fn, payload({ms: 1}))
      expect(next.coldStart).toBe(true)
    })

    test('process.exit inside the handler is Runtime.ExitError and the next invocation is cold', async () => {
      const fn = functionSpec({functionName: 'exit', handler: 'index.exit'})
      const result = await runtime.invoke(fn, payload({}), {requestId: 'req-exit'})
      expect(json(result.payload)).toEqual({
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: req-exit Error: Runtime exited with error: exit status 1',
      })
      expect(result.log).toContain('about to exit')
      expect(result.log).toContain('RequestId: req-exit Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n')
      expect(result.log).toMatch(/Status: error\tError Type: Runtime.ExitError\t/)
      expect((await runtime.invoke(fn, payload({}))).coldStart).toBe(true)
    })

    test('an unhandled rejection fails the invocation as Runtime.UnhandledPromiseRejection', async () => {
      const fn = functionSpec({functionName: 'rejects', handler: 'index.rejectsLater'})
      const result = await runtime.invoke(fn, payload({}))
      expect(json(result.payload)).toMatchObject({
        errorType: 'Runtime.UnhandledPromiseRejection',
        errorMessage: 'Error: nobody handles me',
      })
      expect((await runtime.invoke(fn, payload({}))).coldStart).toBe(true)
    })

    test('a missing export is Runtime.HandlerNotFound', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'missing', handler: 'index.handler'}), payload({}))
      expect(result.functionError).toBe('Unhandled')
      expect(json(result.payload)).toMatchObject({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      })
      expect(result.coldStart).toBe(true)
      expect(result.log).toMatch(/\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.HandlerNotFound"/)
      expect(result.log).toMatch(/INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime.HandlerNotFound/)
    })

    test('an export that is not a function is Runtime.HandlerNotFound', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'not-fn', handler: 'index.notAFunction'}), payload({}))
      expect(json(result.payload)).toMatchObject({errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.notAFunction is not a function'})
    })

    test('a syntax error is Runtime.UserCodeSyntaxError', async () => {
      const zip = zipFiles({'index.js': 'exports.handler = async () => {\n  return {ok: true\n}\n'})
      const result = await runtime.invoke(functionSpec({functionName: 'syntax', handler: 'index.handler', zip}), payload({}))
      const body = json(result.payload) as {errorType: string; errorMessage: string; trace: string[]}
      expect(body.errorType).toBe('Runtime.UserCodeSyntaxError')
      expect(body.errorMessage).toMatch(/^SyntaxError: /)
      expect(body.trace[0]).toMatch(/^Runtime.UserCodeSyntaxError: SyntaxError: /)
    })

    test('a module that cannot be found is Runtime.ImportModuleError', async () => {
      const fn = functionSpec({functionName: 'import-error', handler: 'index.handler', zip: zipFixture('import-error')})
      const result = await runtime.invoke(fn, payload({}))
      const body = json(result.payload) as {errorType: string; errorMessage: string}
      expect(body.errorType).toBe('Runtime.ImportModuleError')
      expect(body.errorMessage).toMatch(/^Error: Cannot find module 'does-not-exist'\nRequire stack:\n/)
      // The require stack names Lambda's paths, not the emulator's directories.
      expect(body.errorMessage).toMatch(/\n- \/var\/task\/index\.js\n- \/var\/runtime\/index\.mjs$/)
    })

    test('a handler file that does not exist is Runtime.ImportModuleError', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'no-file', handler: 'app.handler'}), payload({}))
      expect(json(result.payload)).toMatchObject({
        errorType: 'Runtime.ImportModuleError',
        errorMessage: expect.stringMatching(/^Error: Cannot find module 'app'/),
      })
    })

    test('an environment whose init failed is not reused', async () => {
      const fn = functionSpec({functionName: 'init-fails-twice', handler: 'index.handler'})
      const first = await runtime.invoke(fn, payload({}))
      const second = await runtime.invoke(fn, payload({}))
      expect(first.coldStart && second.coldStart).toBe(true)
    })

    test('a response over 6 MB is Function.ResponseSizeTooLarge', async () => {
      const fn = functionSpec({functionName: 'large', handler: 'index.large'})
      const result = await runtime.invoke(fn, payload({bytes: 6_291_556}))
      expect(result.functionError).toBe('Unhandled')
      expect(json(result.payload)).toEqual({
        errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
        errorType: 'Function.ResponseSizeTooLarge',
      })
      const fits = await runtime.invoke(fn, payload({bytes: 1000}))
      expect(fits.kind).toBe('ok')
    })
  })

  describe('logs', () => {
    test('the log has START, the console lines in Lambda’s format, END and REPORT', async () => {
      const fn = functionSpec({functionName: 'logs', handler: 'index.logs', memoryMb: 128})
      const result = await runtime.invoke(fn, payload({lines: 2}), {requestId: 'req-logs'})
      const lines = result.log.split('\n')
      expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\tundefined\tINFO\tinit of behaviours$/)
      expect(lines[1]).toBe('START RequestId: req-logs Version: $LATEST')
      expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\treq-logs\tINFO\tline 0 x+$/)
      expect(result.log).toMatch(/\treq-logs\tERROR\tan error line\n/)
      expect(result.log).toMatch(/\treq-logs\tWARN\ta warning\n/)
      expect(result.log).toContain('\nraw write\nEND RequestId: req-logs\n')
      expect(result.log).toMatch(
        /\nREPORT RequestId: req-logs\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$/,
      )
      expect(result.billedMs).toBe(Math.max(1, Math.ceil(result.durationMs)))
    })

    test('the log tail is the base64 of the last 4 KB of the log', async () => {
      const fn = functionSpec({functionName: 'log-tail', handler: 'index.logs'})
      const small = await runtime.invoke(fn, payload({lines: 1}))
      expect(decodeTail(small.logTail)).toBe(small.log)
      const big = await runtime.invoke(fn, payload({lines: 200}), {requestId: 'req-big'})
      const tail = Buffer.from(big.logTail, 'base64')
      expect(tail.length).toBe(4096)
      expect(tail.toString('utf8')).toBe(Buffer.from(big.log).subarray(-4096).toString('utf8'))
      expect(tail.toString('utf8')).toMatch(/END RequestId: req-big\nREPORT RequestId: req-big\t/)
    })

    test('a warm invocation’s log starts with START (init logs belong to the cold one)', async () => {
      const fn = functionSpec({functionName: 'warm-log', handler: 'index.logs'})
      await runtime.invoke(fn, payload({lines: 0}))
      const warm = await runtime.invoke(fn, payload({lines: 0}))
      expect(warm.log.startsWith('START RequestId: ')).toBe(true)
      expect(warm.log).not.toContain('Init Duration')
    })
  })

  describe('concurrency and faults', () => {
    test('beyond reserved concurrency an invocation is throttled', async () => {
      const fn = functionSpec({functionName: 'reserved-1', handler: 'index.slow', reservedConcurrency: 1})
      const [first, second] = await Promise.all([runtime.invoke(fn, payload({ms: 300})), runtime.invoke(fn, payload({ms: 300}))])
      expect(first.kind).toBe('ok')
      expect(second.kind).toBe('throttled')
      expect(second.throttleReason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded')
      expect(json(second.payload)).toEqual({
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        Type: 'User',
        message: 'Rate Exceeded.',
      })
      // Once the first is done, capacity is back.
      expect((await runtime.invoke(fn, payload({ms: 1}))).kind).toBe('ok')
    })

    test('reserved concurrency 0 always throttles', async () => {
      const result = await runtime.invoke(functionSpec({functionName: 'reserved-0', reservedConcurrency: 0}), payload({}))
      expect(result.kind).toBe('throttled')
      expect(result.coldStart).toBe(false)
    })

    test('an injected throttle throttles without running the handler', async () => {
      const fn = functionSpec({functionName: 'fault-throttle', fault: {throttle: true}})
      const result = await runtime.invoke(fn, payload({}))
      expect(result.kind).toBe('throttled')
      expect(result.log).toBe('')
    })

    test('an injected delay slows the invocation and counts toward the timeout', async () => {
      const slowed = await runtime.invoke(functionSpec({functionName: 'fault-delay', fault: {delayMs: 250}}), payload({}))
      expect(slowed.kind).toBe('ok')
      expect(slowed.durationMs).toBeGreaterThanOrEqual(240)
      const timedOut = await runtime.invoke(functionSpec({functionName: 'fault-delay-timeout', timeoutSec: 1, fault: {delayMs: 3000}}), payload({}))
      expect(json(timedOut.payload)).toMatchObject({errorType: 'Sandbox.Timedout'})
    })
  })
})

describe('closing', () => {
  test('a runtime closed while its standby environment still boots leaves nothing behind to write or run', async () => {
    const dir = tempDir()
    // Created and closed at once: the standby boot (and, run from source, the worker script's build) is in flight.
    const runtime = createRuntime({tmpDir: dir.path, daemonAddress: '127.0.0.1:2999'})
    await runtime.close()
    dir.remove()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(existsSync(dir.path)).toBe(false)
  })
})
