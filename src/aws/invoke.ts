/**
 * The narrow AWS interface `tracegate invoke`'s evidence collectors need (STYLE rule 2): reads of one function
 * (configuration, reserved concurrency, resource policy), one integration's timeout, and a direct Invoke for
 * the replay. Errors are not mapped to UserErrors here: a collector that cannot read something reports it as
 * evidence it could not see, it does not stop the command.
 */
import type {LambdaClient} from '@aws-sdk/client-lambda'
import type {AwsClients} from './clients.js'
import {errorName, isNotFound} from './errors.js'

export interface FunctionConfigurationInfo {
  name: string
  arn: string
  timeoutSeconds?: number
  memoryMb?: number
  runtime?: string
  state?: string
  lastUpdateStatus?: string
  tracingMode?: 'Active' | 'PassThrough'
  /** Base64 SHA-256 of the deployment package, as Lambda reports it. */
  codeSha256?: string
}

export interface IntegrationInfo {
  integrationId: string
  integrationUri?: string
  payloadFormatVersion?: string
  timeoutInMillis?: number
}

/** What Lambda answered a synchronous Invoke with (a function error is still an answer: HTTP 200). */
export interface InvokeAnswer {
  statusCode: number
  /** `X-Amz-Function-Error` (`Unhandled`, `Handled`). */
  functionError?: string
  /** The payload as text; `undefined` when Lambda returned none. */
  payload?: string
  payloadBytes: number
}

/** Lambda refused the invocation (429 throttled, 413 too large, 404 missing, ...): an HTTP error from Invoke. */
export interface InvokeRejection {
  code: string
  httpStatus?: number
  /** `TooManyRequestsException.Reason`, e.g. `ReservedFunctionConcurrentInvocationLimitExceeded`. */
  reason?: string
  message: string
}

export type InvokeOutcome = {kind: 'answered'; answer: InvokeAnswer} | {kind: 'rejected'; rejection: InvokeRejection}

export interface InvokeApi {
  /** `undefined` when the function does not exist. */
  getFunctionConfiguration(name: string, signal?: AbortSignal): Promise<FunctionConfigurationInfo | undefined>
  /** Reserved concurrency; `undefined` when none is reserved. */
  getReservedConcurrency(name: string, signal?: AbortSignal): Promise<number | undefined>
  /** The resource policy as GetPolicy returns it (a JSON string); `undefined` when the function has none. */
  getPolicy(name: string, signal?: AbortSignal): Promise<string | undefined>
  /** One HTTP API integration, with its `timeoutInMillis`; `undefined` when it does not exist. */
  getIntegration(apiId: string, integrationId: string, signal?: AbortSignal): Promise<IntegrationInfo | undefined>
  /**
   * A synchronous Invoke that is never retried: the SDK retries 429 and 5xx by default (aws-semantics §1.1),
   * which would run the function again and hide the throttling the replay is there to see.
   */
  invoke(name: string, payload: string, signal?: AbortSignal): Promise<InvokeOutcome>
}

/**
 * The SDK's retry middleware lives on the client's stack; a command-level middleware with the same name and
 * `override: true` replaces it for that one command.
 */
function withoutRetries<C extends {middlewareStack: {add: (...args: never[]) => void}}>(command: C): C {
  const add = command.middlewareStack.add as unknown as (middleware: unknown, options: Record<string, unknown>) => void
  add.call(command.middlewareStack, (next: (args: unknown) => Promise<unknown>) => (args: unknown) => next(args), {
    name: 'retryMiddleware',
    tags: ['RETRY'],
    step: 'finalizeRequest',
    priority: 'high',
    override: true,
  })
  return command
}

export async function createInvokeApi(clients: AwsClients): Promise<InvokeApi> {
  const [lambdaSdk, lambda] = await Promise.all([import('@aws-sdk/client-lambda'), clients.lambda()])
  return invokeApi(lambda, lambdaSdk, clients)
}

function invokeApi(client: LambdaClient, sdk: typeof import('@aws-sdk/client-lambda'), clients: AwsClients): InvokeApi {
  const decoder = new TextDecoder()
  return {
    async getFunctionConfiguration(name, signal) {
      try {
        const c = await client.send(new sdk.GetFunctionConfigurationCommand({FunctionName: name}), {abortSignal: signal})
        const mode = c.TracingConfig?.Mode
        return {
          name: c.FunctionName ?? name,
          arn: c.FunctionArn ?? '',
          timeoutSeconds: c.Timeout,
          memoryMb: c.MemorySize,
          runtime: c.Runtime,
          state: c.State,
          lastUpdateStatus: c.LastUpdateStatus,
          tracingMode: mode === 'Active' || mode === 'PassThrough' ? mode : undefined,
          codeSha256: c.CodeSha256,
        }
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    },
    async getReservedConcurrency(name, signal) {
      const r = await client.send(new sdk.GetFunctionConcurrencyCommand({FunctionName: name}), {abortSignal: signal})
      return r.ReservedConcurrentExecutions ?? undefined
    },
    async getPolicy(name, signal) {
      try {
        const r = await client.send(new sdk.GetPolicyCommand({FunctionName: name}), {abortSignal: signal})
        return r.Policy || undefined
      } catch (error) {
        // No policy and no function answer alike (404 ResourceNotFoundException); the function collector tells which.
        if (isNotFound(error)) return undefined
        throw error
      }
    },
    async getIntegration(apiId, integrationId, signal) {
      const [v2, apigw] = await Promise.all([import('@aws-sdk/client-apigatewayv2'), clients.apiGatewayV2()])
      try {
        const i = await apigw.send(new v2.GetIntegrationCommand({ApiId: apiId, IntegrationId: integrationId}), {abortSignal: signal})
        return {
          integrationId: i.IntegrationId ?? integrationId,
          integrationUri: i.IntegrationUri,
          payloadFormatVersion: i.PayloadFormatVersion,
          timeoutInMillis: i.TimeoutInMillis,
        }
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    },
    async invoke(name, payload, signal) {
      try {
        const command = withoutRetries(
          new sdk.InvokeCommand({FunctionName: name, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(payload)}),
        )
        const r = await client.send(command, {abortSignal: signal})
        const bytes = r.Payload ?? new Uint8Array()
        return {
          kind: 'answered',
          answer: {
            statusCode: r.StatusCode ?? 200,
            functionError: r.FunctionError,
            payload: bytes.length === 0 ? undefined : decoder.decode(bytes),
            payloadBytes: bytes.length,
          },
        }
      } catch (error) {
        const e = error as {name?: string; message?: string; Reason?: string; $metadata?: {httpStatusCode?: number}}
        // Only answers from Lambda are evidence; a network failure or an abort is the collector's to report.
        if (e?.$metadata?.httpStatusCode === undefined || errorName(error) === 'AbortError') throw error
        return {
          kind: 'rejected',
          rejection: {code: errorName(error) || 'Unknown', httpStatus: e.$metadata.httpStatusCode, reason: e.Reason, message: e.message ?? ''},
        }
      }
    },
  }
}
