/**
 * The environment variables Lambda defines for a Node.js function ("Defined runtime environment variables"
 * in the Lambda guide). Built from scratch, never inherited from the emulator's own process, so the
 * user's real AWS credentials can never leak into a handler.
 */

import {randomBytes} from 'node:crypto'
import type {FunctionSpec} from './types.js'

/** Static, obviously fake credentials so SDK clients inside a handler can sign requests. */
export const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIATRACEGATELOCAL00',
  AWS_SECRET_ACCESS_KEY: 'tracegate-local-emulator-secret-key-00000',
  AWS_SESSION_TOKEN: 'tracegate-local-emulator-session-token',
} as const

/** `2024/01/02/[$LATEST]0123456789abcdef0123456789abcdef`: one log stream per execution environment. */
export function newLogStreamName(now = new Date(), version = '$LATEST'): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/')
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`
}

export interface EnvironmentContext {
  taskRoot: string
  logStreamName: string
  daemonAddress: string
  awsEndpointUrl?: string
}

export function lambdaEnvironment(fn: FunctionSpec, context: EnvironmentContext): Record<string, string> {
  const [daemonHost, daemonPort] = context.daemonAddress.split(':')
  const reserved: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: fn.version ?? '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: context.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    _HANDLER: fn.handler,
    LAMBDA_TASK_ROOT: context.taskRoot,
    // Lambda's NODE_PATH ends with the task root (layers and the runtime's modules come first there).
    NODE_PATH: context.taskRoot,
    AWS_XRAY_DAEMON_ADDRESS: context.daemonAddress,
    _AWS_XRAY_DAEMON_ADDRESS: daemonHost,
    _AWS_XRAY_DAEMON_PORT: daemonPort ?? '2000',
    // Lambda sets LOG_ERROR so a subsegment created outside the handler never throws.
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...LOCAL_CREDENTIALS,
  }
  if (context.awsEndpointUrl) reserved.AWS_ENDPOINT_URL = context.awsEndpointUrl
  // Reserved keys win: Lambda refuses to let function configuration override them.
  return {...fn.environment, ...reserved}
}
