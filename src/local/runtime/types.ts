/** The runtime's public types: what the data and control planes hand to `invoke`, and what they get back. */

import type {Isolation} from './isolation.js'
import type {Sampler} from './sampling.js'
import type {LambdaTraceInput} from './tracing.js'

/** A function version as the runtime sees it. Treated as immutable: a change is a new object (keys are cached per object). */
export interface FunctionSpec {
  functionName: string
  /** Qualified with the version for a published version (`…:function:name:3`): environments are kept per ARN. */
  functionArn: string
  /** `$LATEST` (default) or a published version's number: AWS_LAMBDA_FUNCTION_VERSION, context.functionVersion. */
  version?: string
  /** `nodejs20.x`, `nodejs18.x`, …; only Node.js runtimes can run locally. */
  runtime: string
  /** `src/get-order.handler`: module path relative to the task root, then the exported function. */
  handler: string
  memoryMb: number
  timeoutSec: number
  environment: Record<string, string>
  /** Identifies the code: hex SHA-256 or Lambda's base64 `CodeSha256`. */
  codeSha256: string
  /** The deployment package, read only when this SHA has not been unzipped yet. */
  codeZip: () => Buffer
  tracingMode: 'Active' | 'PassThrough'
  region: string
  /** `null`/absent: unreserved; 0: every invocation is throttled. */
  reservedConcurrency?: number | null
  /** Fault injection (`tracegate local fault`). */
  fault?: {throttle?: boolean; delayMs?: number} | null
}

export interface InvokeOptions {
  /** The request id (`x-amzn-RequestId`, `context.awsRequestId`); a new UUID when absent. */
  requestId?: string
  /** Incoming `X-Amzn-Trace-Id`, from API Gateway or the caller. */
  traceHeader?: string
  /** `X-Amz-Client-Context` as sent (base64 of JSON). */
  clientContext?: string
  /** The ARN the caller invoked (context.invokedFunctionArn), e.g. an alias's; default: the function's ARN. */
  invokedFunctionArn?: string
}

export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded'

export interface InvokeResult {
  /** `throttled`: map to 429 TooManyRequestsException (payload holds the error body, `throttleReason` the Reason). */
  kind: 'ok' | 'function-error' | 'throttled'
  payload: Buffer
  functionError?: 'Unhandled'
  throttleReason?: ThrottleReason
  /** Base64 of the last 4 KB of the execution log (`X-Amz-Log-Result` for `LogType: Tail`). */
  logTail: string
  /** The whole execution log of this invocation. */
  log: string
  durationMs: number
  billedMs: number
  initDurationMs?: number
  requestId: string
  coldStart: boolean
  /** The trace the invocation belongs to, and whether Lambda traced it. */
  traceId: string
  sampled: boolean
}

export interface RuntimeOptions {
  /** Where code is unzipped and the worker script is prepared. */
  tmpDir: string
  /** `host:port` of the X-Ray daemon, given to handlers as `AWS_XRAY_DAEMON_ADDRESS`. */
  daemonAddress?: string
  /** Receives the segment documents of traced invocations. */
  onSegments?: (documents: Record<string, unknown>[]) => void
  /**
   * Receives each traced invocation as a record instead (`lambdaSegments` makes its documents), so they can be
   * built off the thread that serves requests; `onSegments` then gets none.
   */
  onLambdaTrace?: (trace: LambdaTraceInput) => void
  /**
   * A traced invocation is about to run (called before its handler starts): where the documents its handler
   * sends to the X-Ray daemon, which carry no region, belong.
   */
  onSampled?: (traceId: string, fn: FunctionSpec) => void
  /** Given to handlers as `AWS_ENDPOINT_URL`, so SDK calls inside a handler reach the emulator. */
  awsEndpointUrl?: string
  /** An idle environment is shut down after this long (Lambda reclaims idle ones too). Default 10 minutes. */
  idleTimeoutMs?: number
  /** Keep one booted environment in reserve so cold starts skip Node's start-up. Default true. */
  standby?: boolean
  /** What an execution environment is: a worker thread (default, fast) or a child process (`sandbox.ts`). */
  isolation?: Isolation
  /**
   * Decides, per function ARN, whether an Active function traces a request that arrives without a sampling
   * decision (`sampling.ts`). Default: every one.
   */
  sampler?: Sampler
}

export interface Runtime {
  /** `payload`: the bytes a caller sent (checked: size, JSON), or JSON text the caller serialised itself (size only). */
  invoke(fn: FunctionSpec, payload: Buffer | string, options?: InvokeOptions): Promise<InvokeResult>
  /** Drains the function's environments: the next invocation starts cold. Functions are told apart by ARN. */
  invalidate(functionArn: string): void
  /** Stops every environment. */
  close(): Promise<void>
}
