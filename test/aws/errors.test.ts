import {describe, expect, test} from 'vitest'
import {awsCall, deniedAction, isTransient, toUserError, withRetry} from '../../src/aws/errors.js'
import {UserError} from '../../src/errors.js'

const awsError = (name: string, message: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), {name, $metadata: {httpStatusCode: status}, ...extra})

function clock() {
  let t = 0
  const slept: number[] = []
  const sleep = async (ms: number) => {
    slept.push(ms)
    t += ms
  }
  return {now: () => t, sleep, slept}
}

describe('withRetry', () => {
  test('retries throttling and "update in progress", then returns the result', async () => {
    const c = clock()
    const errors = [awsError('TooManyRequestsException', 'Rate exceeded', 429), awsError('ResourceConflictException', 'An update is in progress for resource: x', 409)]
    let calls = 0
    const result = await withRetry(
      async () => {
        calls++
        const e = errors.shift()
        if (e) throw e
        return 'ok'
      },
      {clock: c, random: () => 0},
    )
    expect(result).toBe('ok')
    expect(calls).toBe(3)
    // Exponential backoff ("equal jitter" with random 0: half of 250, then half of 500).
    expect(c.slept).toEqual([125, 250])
  })

  test('does not retry "already exists" conflicts or other errors', async () => {
    const c = clock()
    const exists = awsError('ResourceConflictException', 'Function already exist: orders-get', 409)
    await expect(withRetry(async () => Promise.reject(exists), {clock: c})).rejects.toBe(exists)
    const bad = awsError('InvalidParameterValueException', 'bad', 400)
    await expect(withRetry(async () => Promise.reject(bad), {clock: c})).rejects.toBe(bad)
    expect(c.slept).toEqual([])
  })

  test('gives up after maxAttempts and rethrows the last error unchanged', async () => {
    const c = clock()
    let calls = 0
    const e = awsError('ThrottlingException', 'slow down', 400)
    await expect(
      withRetry(
        async () => {
          calls++
          throw e
        },
        {clock: c, maxAttempts: 4},
      ),
    ).rejects.toBe(e)
    expect(calls).toBe(4)
  })

  test('never sleeps past the deadline', async () => {
    const c = clock()
    const e = awsError('TooManyRequestsException', 'x', 429)
    await expect(withRetry(async () => Promise.reject(e), {clock: c, deadlineMs: 3000, maxAttempts: 100, maxDelayMs: 1000})).rejects.toBe(e)
    expect(c.now()).toBe(3000)
  })

  test('honours Retry-After', async () => {
    const c = clock()
    let calls = 0
    await withRetry(
      async () => {
        if (calls++ === 0) throw awsError('TooManyRequestsException', 'x', 429, {retryAfterSeconds: '2'})
        return 1
      },
      {clock: c},
    )
    expect(c.slept[0]).toBeGreaterThanOrEqual(2000)
  })

  test('classifies transient errors', () => {
    expect(isTransient(awsError('Throttling', 'Rate exceeded', 400))).toBe(true)
    expect(isTransient(awsError('Whatever', 'x', 429))).toBe(true)
    expect(isTransient(awsError('LimitExceededException', 'Cannot exceed quota for RolesPerAccount', 409))).toBe(false)
    expect(isTransient(awsError('ResourceConflictException', 'The statement id (x) provided already exists.', 409))).toBe(false)
  })
})

describe('toUserError', () => {
  test('AccessDenied names the IAM action from the AWS message', () => {
    const e = awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/dev is not authorized to perform: lambda:AddPermission on resource: arn:aws:lambda:us-east-1:1:function:f', 403)
    const mapped = toUserError(e, 'lambda:Something') as UserError
    expect(mapped).toBeInstanceOf(UserError)
    expect(mapped.code).toBe('AWS_ACCESS_DENIED')
    expect(mapped.message).toContain('lambda:AddPermission')
    expect(mapped.suggestion).toContain('"lambda:AddPermission"')
    expect(mapped.exitCode).toBe(2)
  })

  test('AccessDenied without an action in the message names the action that was called', () => {
    expect(deniedAction(awsError('AccessDenied', 'Access denied', 403), 'iam:CreateRole')).toBe('iam:CreateRole')
    const mapped = toUserError(awsError('AccessDenied', 'Access denied', 403), 'iam:CreateRole', 'orders-lambda') as UserError
    expect(mapped.message).toBe('Access denied: your AWS identity may not call iam:CreateRole on orders-lambda')
  })

  test('bad credentials, unreachable endpoints and other service errors become user errors; bugs stay bugs', () => {
    expect(toUserError(awsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403), 'lambda:GetFunction')).toMatchObject({code: 'AWS_CREDENTIALS'})
    expect(toUserError(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}), 'lambda:GetFunction')).toMatchObject({code: 'AWS_UNREACHABLE', exitCode: 1})
    expect(toUserError(awsError('ServiceException', 'boom', 500), 'lambda:CreateFunction')).toMatchObject({code: 'AWS_ERROR', exitCode: 1})
    const bug = new TypeError('x is undefined')
    expect(toUserError(bug, 'lambda:GetFunction')).toBe(bug)
  })

  test('awsCall retries, then maps', async () => {
    const c = clock()
    let calls = 0
    await expect(
      awsCall(
        'apigateway:POST',
        async () => {
          calls++
          if (calls === 1) throw awsError('TooManyRequestsException', 'Too Many Requests', 429)
          throw awsError('AccessDeniedException', 'Forbidden', 403)
        },
        {clock: c, resource: '/apis'},
      ),
    ).rejects.toMatchObject({code: 'AWS_ACCESS_DENIED', message: expect.stringContaining('apigateway:POST on /apis')})
    expect(calls).toBe(2)
  })
})
