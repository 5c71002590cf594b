/**
 * The one place AWS SDK clients are built (STYLE.md rule 2). Clients are imported lazily: each
 * @aws-sdk/client-* costs 100-160 ms to import (STACK.md §4), and most commands need one or two.
 */
import type {APIGatewayClient} from '@aws-sdk/client-api-gateway'
import type {ApiGatewayV2Client} from '@aws-sdk/client-apigatewayv2'
import type {IAMClient} from '@aws-sdk/client-iam'
import type {LambdaClient} from '@aws-sdk/client-lambda'
import type {XRayClient} from '@aws-sdk/client-xray'
import {UserError} from '../errors.js'
import {VERSION} from '../version.js'

export interface AwsContextOptions {
  region: string
  profile?: string
  /** Custom endpoint for every service (LocalStack, the embedded emulator, ...). */
  endpoint?: string
  /** True when `endpoint` is tracegate's own emulator: dummy static credentials, no retries wait. */
  local?: boolean
}

/** Credentials the emulator accepts (it ignores signatures). Never real secrets. */
export const LOCAL_CREDENTIALS = {accessKeyId: 'tracegate', secretAccessKey: 'tracegate-local'} as const

export interface AwsClients {
  readonly region: string
  readonly endpoint?: string
  readonly local: boolean
  lambda(): Promise<LambdaClient>
  apiGatewayV2(): Promise<ApiGatewayV2Client>
  apiGateway(): Promise<APIGatewayClient>
  iam(): Promise<IAMClient>
  xray(): Promise<XRayClient>
}

/** Common client configuration: region, profile, endpoint, adaptive retries, our user agent. */
export function clientConfig(options: AwsContextOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {
    region: options.region,
    retryMode: 'adaptive',
    maxAttempts: options.local ? 2 : 5,
    customUserAgent: `tracegate/${VERSION}`,
  }
  if (options.profile) config.profile = options.profile
  if (options.endpoint) config.endpoint = options.endpoint
  // STACK.md gotcha 10: with the emulator, never walk the credential chain (instance metadata etc.).
  if (options.local) config.credentials = {...LOCAL_CREDENTIALS}
  return config
}

/** Builds clients on first use and caches them for the life of the command. */
export function createAwsClients(options: AwsContextOptions): AwsClients {
  if (!options.region) {
    throw new UserError('REGION_MISSING', 'No AWS region is set', {
      suggestion: 'Pass --region, set AWS_REGION, or add "region" to tracegate.json',
    })
  }
  const config = clientConfig(options)
  const cache = new Map<string, Promise<unknown>>()
  function once<T>(name: string, make: () => Promise<T>): Promise<T> {
    let client = cache.get(name) as Promise<T> | undefined
    if (!client) {
      client = make()
      cache.set(name, client)
    }
    return client
  }
  return {
    region: options.region,
    endpoint: options.endpoint,
    local: Boolean(options.local),
    lambda: () => once('lambda', async () => new (await import('@aws-sdk/client-lambda')).LambdaClient(config)),
    apiGatewayV2: () =>
      once('apigatewayv2', async () => new (await import('@aws-sdk/client-apigatewayv2')).ApiGatewayV2Client(config)),
    apiGateway: () =>
      once('apigateway', async () => new (await import('@aws-sdk/client-api-gateway')).APIGatewayClient(config)),
    iam: () => once('iam', async () => new (await import('@aws-sdk/client-iam')).IAMClient(config)),
    xray: () => once('xray', async () => new (await import('@aws-sdk/client-xray')).XRayClient(config)),
  }
}
