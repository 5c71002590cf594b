import {describe, expect, test} from 'vitest'
import {
  checkInvokePayload,
  exitErrorBody,
  formatErrorForLog,
  pathsAsOnLambda,
  runtimeError,
  stackAsOnLambda,
  timeoutBody,
  toFunctionErrorBody,
  toXrayCause,
} from '../../../src/local/runtime/errors.js'

describe('function error bodies', () => {
  test('an Error gives errorType, errorMessage and the stack lines as trace', () => {
    const error = new RangeError('out of range')
    const body = toFunctionErrorBody(error)
    expect(body.errorType).toBe('RangeError')
    expect(body.errorMessage).toBe('out of range')
    expect(body.trace).toEqual(error.stack!.split('\n'))
  })

  test('a thrown string or object is typed by typeof, with an empty trace', () => {
    expect(toFunctionErrorBody('handled')).toEqual({errorType: 'string', errorMessage: 'handled', trace: []})
    expect(toFunctionErrorBody({code: 1})).toEqual({errorType: 'object', errorMessage: '[object Object]', trace: []})
  })

  test('runtime errors are named Runtime.* and wrap the original error as their message', () => {
    const error = runtimeError('UserCodeSyntaxError', new SyntaxError('Unexpected token'))
    expect(error.name).toBe('Runtime.UserCodeSyntaxError')
    expect(error.message).toBe('SyntaxError: Unexpected token')
    expect(error.stack!.split('\n')[0]).toBe('Runtime.UserCodeSyntaxError: SyntaxError: Unexpected token')
  })

  test('the logged form is tab-prefixed JSON with enumerable properties and the stack as lines', () => {
    const error = Object.assign(new Error('boom'), {statusCode: 503})
    const logged = formatErrorForLog(error)
    expect(logged.startsWith('\t{"errorType":"Error","errorMessage":"boom","statusCode":503,"stack":["Error: boom",')).toBe(true)
  })

  test('stacks read as on Lambda: /var/task and /var/runtime paths, and nothing below the first runtime frame', () => {
    const stack = [
      'TypeError: Cannot read properties of undefined (reading \'b\')',
      '    at f (/tmp/tg/code/abc/index.js:1:22)',
      '    at Array.map (<anonymous>)',
      '    at exports.handler (file:///tmp/tg/code/abc/index.js:2:32)',
      '    at start (file:///work/dist/local/runtime/worker.js:259:28)',
      '    at runInvocation (file:///work/dist/local/runtime/worker.js:272:9)',
      '    at MessagePort.<anonymous> (file:///work/dist/local/runtime/worker.js:343:13)',
      '    at [nodejs.internal.kHybridDispatch] (node:internal/event_target:831:20)',
    ].join('\n')
    expect(stackAsOnLambda(stack, '/tmp/tg/code/abc/', '/work/dist/local/runtime/worker.js').split('\n')).toEqual([
      "TypeError: Cannot read properties of undefined (reading 'b')",
      '    at f (/var/task/index.js:1:22)',
      '    at Array.map (<anonymous>)',
      '    at exports.handler (file:///var/task/index.js:2:32)',
      '    at start (file:///var/runtime/index.mjs:259:28)',
    ])
    // An error thrown outside the runtime's call (a timer, a callback) has no runtime frame: only paths change.
    const async = 'Error: late\n    at Timeout._onTimeout (/tmp/tg/code/abc/index.js:4:11)\n    at listOnTimeout (node:internal/timers:573:17)'
    expect(stackAsOnLambda(async, '/tmp/tg/code/abc', '/work/dist/local/runtime/worker.js')).toBe(
      'Error: late\n    at Timeout._onTimeout (/var/task/index.js:4:11)\n    at listOnTimeout (node:internal/timers:573:17)',
    )
  })

  test("paths as on Lambda: the runtime's modules are /var/runtime/index.mjs, the package /var/task, even below the runtime's directory", () => {
    // Run from source, the bundled worker and the unpacked packages share a directory.
    const runtimeFile = '/tmp/tg/runtime/worker-42.mjs'
    const taskRoot = `/tmp/tg/runtime/code/${'ab'.repeat(32)}`
    const message = `Error: Cannot find module './config.json'\nRequire stack:\n- ${taskRoot}/index.js\n- /tmp/tg/runtime/worker-42.mjs`
    expect(pathsAsOnLambda(message, taskRoot, runtimeFile)).toBe(
      "Error: Cannot find module './config.json'\nRequire stack:\n- /var/task/index.js\n- /var/runtime/index.mjs",
    )
    // Built: every module next to the worker is the runtime, with or without a file:// scheme.
    const built = '/work/dist/local/runtime/worker.js'
    expect(
      pathsAsOnLambda('at loadUserApp (file:///work/dist/local/runtime/handler-loader.js:81:19) - /work/dist/local/runtime/handler-loader.js', '/x', built),
    ).toBe('at loadUserApp (file:///var/runtime/index.mjs:81:19) - /var/runtime/index.mjs')
    // A file elsewhere that merely shares the prefix is left alone.
    expect(pathsAsOnLambda('at f (/work/dist/local/runtime-extra/a.js:1:1)', '/x', built)).toBe('at f (/work/dist/local/runtime-extra/a.js:1:1)')
  })

  test('the X-Ray cause parses stack frames into path, line and label', () => {
    const error = new Error('boom')
    error.stack = 'Error: boom\n    at exports.handler (/var/task/index.js:3:9)\n    at /var/task/lib.js:10:2'
    expect(toXrayCause(error, '/var/task')).toEqual({
      working_directory: '/var/task',
      exceptions: [
        {
          type: 'Error',
          message: 'boom',
          stack: [
            {path: '/var/task/index.js', line: 3, label: 'exports.handler'},
            {path: '/var/task/lib.js', line: 10, label: 'anonymous'},
          ],
        },
      ],
      paths: ['/var/task/index.js', '/var/task/lib.js'],
    })
  })
})

describe('platform errors', () => {
  test.each([
    [1, null, 'RequestId: r Error: Runtime exited with error: exit status 1'],
    [129, null, 'RequestId: r Error: Runtime exited with error: exit status 129'],
    [null, 'SIGKILL', 'RequestId: r Error: Runtime exited with error: signal: killed'],
    [null, 'SIGSEGV', 'RequestId: r Error: Runtime exited with error: signal: segmentation fault'],
    [0, null, 'RequestId: r Error: Runtime exited without providing a reason'],
  ] as const)('exit code %s / signal %s → %s', (code, signal, message) => {
    expect(exitErrorBody('r', code, signal)).toEqual({errorType: 'Runtime.ExitError', errorMessage: message})
  })

  test('a timeout reads "Task timed out after N.NN seconds"', () => {
    expect(timeoutBody('r', 3004.7)).toEqual({errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: r Error: Task timed out after 3.00 seconds'})
  })
})

describe('invoke payload checks', () => {
  test('an empty body is the event {}', () => {
    expect(checkInvokePayload(Buffer.alloc(0))).toBe('{}')
  })

  test('a body that is not JSON is InvalidRequestContentException (400)', () => {
    expect(() => checkInvokePayload(Buffer.from('nope'))).toThrow(
      expect.objectContaining({code: 'InvalidRequestContentException', status: 400, message: expect.stringMatching(/^Could not parse request body into json: /)}),
    )
  })

  test('a body over 6 MB is RequestTooLargeException (413)', () => {
    const body = Buffer.alloc(6_291_457, 0x20)
    expect(() => checkInvokePayload(body)).toThrow(
      expect.objectContaining({
        code: 'RequestTooLargeException',
        status: 413,
        message: '6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)',
      }),
    )
  })

  test('an event the data plane serialised is passed on as it is, but still held to 6 MB (counted in UTF-8 bytes)', () => {
    expect(checkInvokePayload('{"rawPath":"/é"}')).toBe('{"rawPath":"/é"}')
    // 3,145,730 characters (two quotes, the rest two bytes each): 6,291,458 bytes, one character over half the limit.
    expect(() => checkInvokePayload(`"${'é'.repeat(3_145_728)}"`)).toThrow(expect.objectContaining({code: 'RequestTooLargeException', status: 413}))
  })
})
