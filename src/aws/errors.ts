import {UserError} from '../errors.js'

/**
 * Mapping AWS SDK errors to what a user can act on, and the retry policy deploy needs on top of the SDK's
 * own: the SDK already retries 429/5xx with adaptive backoff (clients.ts), but Lambda's "update in progress"
 * ResourceConflictException (409) is not retryable to the SDK, and a newly created role is not assumable by
 * Lambda for several seconds (an InvalidParameterValueException).
 */

/** Shape shared by SDK service exceptions (`name`, `message`, `$metadata.httpStatusCode`). */
interface AwsErrorLike {
  name?: string
  code?: string
  Code?: string
  message?: string
  $metadata?: {httpStatusCode?: number}
  $fault?: string
}

export function errorName(error: unknown): string {
  const e = error as AwsErrorLike | undefined
  return String(e?.name ?? e?.Code ?? e?.code ?? '')
}

function errorMessage(error: unknown): string {
  return String((error as AwsErrorLike | undefined)?.message ?? error)
}

function httpStatus(error: unknown): number | undefined {
  return (error as AwsErrorLike | undefined)?.$metadata?.httpStatusCode
}

/** True for an error that came back from an AWS service (it carries `$metadata`). */
export function isServiceError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error
}

/** Not found, across the services deploy talks to (Lambda, ApiGatewayV2, IAM). */
export function isNotFound(error: unknown): boolean {
  const name = errorName(error)
  return name === 'ResourceNotFoundException' || name === 'NotFoundException' || name === 'NoSuchEntityException' || name === 'NoSuchEntity'
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
])

export function isThrottling(error: unknown): boolean {
  // Not LimitExceeded: in IAM it is a quota (roles per account), which waiting does not lift.
  return THROTTLING.has(errorName(error)) || httpStatus(error) === 429
}

/**
 * Lambda answers 409 ResourceConflictException both for "an update is in progress" (wait and retry) and for
 * "already exists" (function or statement id; retrying cannot help) (aws-semantics §1.2).
 */
export function isUpdateInProgress(error: unknown): boolean {
  return errorName(error) === 'ResourceConflictException' && !isAlreadyExists(error)
}

export function isAlreadyExists(error: unknown): boolean {
  const name = errorName(error)
  if (name === 'EntityAlreadyExistsException' || name === 'EntityAlreadyExists') return true
  return (name === 'ResourceConflictException' || name === 'ConflictException') && /already exist/i.test(errorMessage(error))
}

/**
 * A role created moments ago is not yet visible to Lambda: CreateFunction fails with
 * InvalidParameterValueException "The role defined for the function cannot be assumed by Lambda." for a few
 * seconds (IAM is eventually consistent).
 */
export function isRoleNotAssumable(error: unknown): boolean {
  return errorName(error) === 'InvalidParameterValueException' && /cannot be assumed/i.test(errorMessage(error))
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedException'])
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'TokenProviderError',
])

export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error)
  if (ACCESS_DENIED.has(name)) return true
  return httpStatus(error) === 403 && /not authorized to perform/i.test(errorMessage(error))
}

/**
 * The IAM action a denial names: AWS messages read "User: arn:… is not authorized to perform:
 * lambda:CreateFunction on resource: …". Falls back to the action we were calling.
 */
export function deniedAction(error: unknown, fallback: string): string {
  const match = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(errorMessage(error))
  return match?.[1] ?? fallback
}

/**
 * Turns an SDK error from `action` (an IAM action such as `lambda:CreateFunction`, `apigateway:POST`) into a
 * UserError when the user can fix it; anything else is returned unchanged.
 */
export function toUserError(error: unknown, action: string, resource?: string): unknown {
  if (error instanceof UserError) return error
  const name = errorName(error)
  const on = resource ? ` on ${resource}` : ''
  if (isAccessDenied(error)) {
    const needed = deniedAction(error, action)
    return new UserError('AWS_ACCESS_DENIED', `Access denied: your AWS identity may not call ${needed}${on}`, {
      suggestion: `Allow "${needed}" in the IAM policy of the identity you deploy with (or use a profile that has it: --profile NAME)`,
      details: {action: needed, resource, awsError: name, awsMessage: errorMessage(error)},
      cause: error,
    })
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new UserError('AWS_CREDENTIALS', `AWS rejected or could not find credentials (${name}) while calling ${action}`, {
      suggestion: 'Run "aws sts get-caller-identity" to check your credentials, set AWS_PROFILE or pass --profile, or use --local',
      details: {action, awsError: name},
      cause: error,
    })
  }
  const code = (error as {code?: string})?.code
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN') {
    return new UserError('AWS_UNREACHABLE', `Could not reach the AWS endpoint for ${action} (${code})`, {
      suggestion: 'Check --endpoint-url / AWS_ENDPOINT_URL and your network; with --local the emulator must be running',
      exit: 'failure',
      cause: error,
    })
  }
  if (isServiceError(error)) {
    return new UserError('AWS_ERROR', `${action}${on} failed: ${name}: ${errorMessage(error)}`, {
      suggestion: 'Run the command again: deploy converges from wherever it stopped',
      exit: 'failure',
      details: {action, resource, awsError: name, awsMessage: errorMessage(error)},
      cause: error,
    })
  }
  return error
}

/** Time, for retries and waits; injected so tests never sleep. */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export interface RetryOptions {
  clock?: Clock
  /** Which errors to retry (default: throttling and Lambda's "update in progress"). */
  retryable?: (error: unknown) => boolean
  /** Attempts in all, first one included (default 8). */
  maxAttempts?: number
  /** Give up once this much time has passed since the first attempt (default: no deadline). */
  deadlineMs?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number
}

export function isTransient(error: unknown): boolean {
  return isThrottling(error) || isUpdateInProgress(error)
}

/**
 * Retries `work` with exponential backoff and jitter ("equal jitter": half fixed, half random) while the
 * error is retryable, up to `maxAttempts` or `deadlineMs`. The last error is rethrown unchanged.
 */
export async function withRetry<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock
  const retryable = options.retryable ?? isTransient
  const maxAttempts = options.maxAttempts ?? 8
  const base = options.baseDelayMs ?? 250
  const cap = options.maxDelayMs ?? 5000
  const random = options.random ?? Math.random
  const started = clock.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (!retryable(error) || attempt >= maxAttempts) throw error
      const exp = Math.min(cap, base * 2 ** (attempt - 1))
      let delay = exp / 2 + random() * (exp / 2)
      const retryAfter = (error as {retryAfterSeconds?: string | number}).retryAfterSeconds
      if (retryAfter !== undefined && Number(retryAfter) > 0) delay = Math.max(delay, Number(retryAfter) * 1000)
      if (options.deadlineMs !== undefined) {
        const left = options.deadlineMs - (clock.now() - started)
        if (left <= 0) throw error
        delay = Math.min(delay, left)
      }
      await clock.sleep(delay)
    }
  }
}

/**
 * One AWS call as deploy makes it: transient errors retried, then the error mapped for the user.
 * `action` is the IAM action (named in an access-denied message).
 */
export async function awsCall<T>(action: string, work: () => Promise<T>, options: RetryOptions & {resource?: string} = {}): Promise<T> {
  try {
    return await withRetry(work, options)
  } catch (error) {
    throw toUserError(error, action, options.resource)
  }
}

/** Like `awsCall`, but a not-found answer gives `undefined` (reads of things that may not exist, idempotent deletes). */
export async function awsCallOrMissing<T>(
  action: string,
  work: () => Promise<T>,
  options: RetryOptions & {resource?: string} = {},
): Promise<T | undefined> {
  try {
    return await withRetry(work, options)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw toUserError(error, action, options.resource)
  }
}
