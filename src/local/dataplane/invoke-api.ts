/**
 * Lambda `Invoke` (`POST /2015-03-31/functions/{FunctionName}/invocations`, aws-semantics §1.2), served next to
 * the control plane because it needs the runtime:
 * - `RequestResponse` (default): 200 with the function's payload; a function error is still 200, flagged by
 *   `X-Amz-Function-Error: Unhandled` with `{errorType, errorMessage, trace}` as the body;
 * - `Event`: 202 at once, the invocation runs in the background (retried as Lambda retries async events);
 * - `DryRun`: 204, nothing runs (only the caller's access would be checked, and the emulator accepts anyone);
 * - `X-Amz-Log-Type: Tail`: `X-Amz-Log-Result` holds the base64 of the log's last 4 KB;
 * - Lambda's own refusals are HTTP errors: 413 over the payload limits (6 MB synchronous, 1 MB async), 400 for a
 *   payload that is not JSON, 429 TooManyRequestsException with `Reason` and `Retry-After` when throttled.
 */
import type {ServerResponse} from 'node:http'
import {isUserError} from '../../errors.js'
import {lambdaError, parseFunctionName, resourceNotFound, Violations} from '../control/lambda-validation.js'
import {checkInvokePayload, InvokeRequestError, type InvokeResult} from '../runtime/index.js'
import {type EmulatorRequest, matchPath, ServiceError} from '../wire.js'
import type {DataPlaneCache, InvocationTarget} from './cache.js'
import {functionArnOf, type LambdaHost} from './host.js'
import {headerOf, type OutgoingHeaders, writeResponse, writeServiceError} from './respond.js'

export const INVOKE_PATH_PATTERN = '/2015-03-31/functions/{FunctionName}/invocations'
/** Lambda's asynchronous (`Event`) payload limit: 1 MB (Invoke API reference). */
export const MAX_ASYNC_PAYLOAD_BYTES = 1_048_576

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'] as const
type InvocationType = (typeof INVOCATION_TYPES)[number]

export interface InvokeApiDeps {
  host: LambdaHost
  cache: DataPlaneCache
  accountId: string
}

function invocationTypeOf(request: EmulatorRequest): InvocationType {
  const raw = headerOf(request.headers, 'x-amz-invocation-type') ?? 'RequestResponse'
  const logType = headerOf(request.headers, 'x-amz-log-type') ?? 'None'
  const violations = new Violations()
  if (!(INVOCATION_TYPES as readonly string[]).includes(raw)) {
    violations.add(raw, 'invocationType', `Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`)
  }
  if (logType !== 'None' && logType !== 'Tail') violations.add(logType, 'logType', 'Member must satisfy enum value set: [None, Tail]')
  violations.throwIfAny()
  return raw as InvocationType
}

/**
 * What the path (and `Qualifier`) names: the function, a version or an alias; or the ResourceNotFoundException Lambda
 * answers (the qualified ARN for a missing version or alias).
 */
function invocationTarget(request: EmulatorRequest, rawName: string, deps: InvokeApiDeps): {target: InvocationTarget; invokedArn: string} {
  const ref = parseFunctionName(rawName, request.region, request.query.get('Qualifier'))
  const invokedArn = functionArnOf(ref.region, ref.accountId ?? deps.accountId, ref.name, ref.qualifier)
  const target = ref.accountId === undefined || ref.accountId === deps.accountId ? deps.cache.invocationTarget(ref.region, ref.name, ref.qualifier) : undefined
  if (!target) throw resourceNotFound(`Function not found: ${invokedArn}`)
  return {target, invokedArn}
}

/** `X-Amz-Executed-Version`: the version that ran (through an alias, the one its routing picked). */
function baseHeaders(requestId: string, executedVersion: string): OutgoingHeaders {
  return {'x-amzn-RequestId': requestId, 'X-Amz-Executed-Version': executedVersion}
}

/** Maps what the runtime throws before any environment runs to Lambda's HTTP errors. */
function refusal(error: unknown): ServiceError | undefined {
  if (error instanceof InvokeRequestError) return lambdaError(error.status, error.code, error.message)
  if (isUserError(error) && error.code === 'RUNTIME_UNSUPPORTED') {
    // Lambda's own code for a runtime it cannot run (502).
    return lambdaError(502, 'InvalidRuntimeException', error.message)
  }
  return undefined
}

export function writeInvokeResult(response: ServerResponse, result: InvokeResult, requestId: string, tail: boolean, executedVersion = '$LATEST'): void {
  if (result.kind === 'throttled') {
    // Retry-After (seconds) becomes `retryAfterSeconds` on the SDK's TooManyRequestsException.
    writeResponse(
      response,
      429,
      {'content-type': 'application/json', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': 'TooManyRequestsException', 'Retry-After': '1'},
      result.payload,
    )
    return
  }
  const headers = baseHeaders(requestId, executedVersion)
  headers['content-type'] = 'application/json'
  if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError
  if (tail) headers['X-Amz-Log-Result'] = result.logTail
  // Lambda answers with the trace context of the invocation (the exact casing AWS uses is unconfirmed).
  headers['X-Amzn-Trace-Id'] = `Root=${result.traceId};Sampled=${result.sampled ? 1 : 0}`
  writeResponse(response, 200, headers, result.payload)
}

/** Answers Invoke and returns true, or returns false for any other request. */
export async function handleInvoke(request: EmulatorRequest, response: ServerResponse, deps: InvokeApiDeps): Promise<boolean> {
  if (request.method !== 'POST' || !request.path.endsWith('/invocations')) return false
  const match = matchPath(INVOKE_PATH_PATTERN, request.path)
  if (!match) return false
  const requestId = request.requestId
  try {
    const invocationType = invocationTypeOf(request)
    const {target, invokedArn} = invocationTarget(request, match.params.FunctionName, deps)
    const fn = target.run()
    const options = {
      requestId,
      traceHeader: headerOf(request.headers, 'x-amzn-trace-id'),
      clientContext: headerOf(request.headers, 'x-amz-client-context'),
      invokedFunctionArn: invokedArn,
    }
    // No function version ran for a dry run or a queued event: AWS sends no X-Amz-Executed-Version then.
    if (invocationType === 'DryRun') {
      writeResponse(response, 204, {'x-amzn-RequestId': requestId})
      return true
    }
    if (invocationType === 'Event') {
      if (request.body.length > MAX_ASYNC_PAYLOAD_BYTES) {
        throw lambdaError(
          413,
          'RequestTooLargeException',
          `${request.body.length} byte payload is too large for the Event invocation type (limit ${MAX_ASYNC_PAYLOAD_BYTES} bytes)`,
        )
      }
      checkInvokePayload(request.body)
      deps.host.invokeAsync(fn, request.body, options)
      writeResponse(response, 202, {'x-amzn-RequestId': requestId})
      return true
    }
    const result = await deps.host.invoke(fn, request.body, options)
    writeInvokeResult(response, result, requestId, headerOf(request.headers, 'x-amz-log-type') === 'Tail', fn.version ?? '$LATEST')
  } catch (error) {
    const mapped = error instanceof ServiceError ? error : refusal(error)
    if (!mapped) throw error
    writeServiceError(response, mapped, requestId)
  }
  return true
}
