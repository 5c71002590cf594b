import {z} from 'zod'

/**
 * tracegate.json (DESIGN.md "Project config"). Objects are strict: an unknown key is an error, because a
 * typo such as "timout" would otherwise be silently ignored.
 */

/** Node.js runtimes Lambda offers today. tracegate bundles JavaScript/TypeScript handlers only. */
export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const
/** Runtimes Lambda offers that tracegate cannot package (named in the error so the user knows why). */
export const OTHER_LAMBDA_RUNTIMES = [
  'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'java8.al2', 'java11', 'java17', 'java21',
  'dotnet8', 'ruby3.2', 'ruby3.3', 'provided.al2', 'provided.al2023',
] as const

export const DEFAULT_RUNTIME = 'nodejs20.x'
export const DEFAULT_MEMORY = 256
export const DEFAULT_TIMEOUT = 10
export const DEFAULT_HTTP_STAGE = '$default'
export const DEFAULT_REST_STAGE = 'prod'

const memory = z
  .number({error: 'must be a number of MB'})
  .int({error: 'must be a whole number of MB'})
  .min(128, {error: 'must be at least 128 (MB), the Lambda minimum'})
  .max(10240, {error: 'must be at most 10240 (MB), the Lambda maximum'})
const timeout = z
  .number({error: 'must be a number of seconds'})
  .int({error: 'must be a whole number of seconds'})
  .min(1, {error: 'must be at least 1 (second)'})
  .max(900, {error: 'must be at most 900 (seconds), the Lambda maximum'})
const runtime = z.enum(NODE_RUNTIMES, {
  error: (issue) =>
    (OTHER_LAMBDA_RUNTIMES as readonly string[]).includes(String(issue.input))
      ? `"${issue.input}" is a Lambda runtime, but tracegate packages Node.js handlers only: use one of ${NODE_RUNTIMES.join(', ')}`
      : `"${String(issue.input)}" is not a runtime Lambda offers for Node.js: use one of ${NODE_RUNTIMES.join(', ')}`,
})
const tracing = z.enum(['Active', 'PassThrough'], {error: 'must be "Active" or "PassThrough"'})
const environment = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, {error: 'environment variable names must match [A-Za-z][A-Za-z0-9_]*'}),
  z.string({error: 'environment values must be strings'}),
)

export const functionSchema = z.strictObject({
  handler: z
    .string({error: 'must be a string like "src/get-order.handler"'})
    .regex(/^[^\s]+\.[A-Za-z_$][A-Za-z0-9_$]*$/, {error: 'must be "path/to/file.exportName", e.g. "src/get-order.handler"'}),
  routes: z.array(z.string({error: 'each route must be a string like "GET /orders/{id}"'})).default([]),
  memory: memory.optional(),
  timeout: timeout.optional(),
  runtime: runtime.optional(),
  tracing: tracing.optional(),
  environment: environment.optional(),
  description: z.string().max(256).optional(),
})

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z
    .string({error: 'must be a string'})
    .min(1, {error: 'must not be empty'})
    .max(40, {error: 'must be at most 40 characters (function names are "{name}-{function}", at most 64)'})
    .regex(/^[A-Za-z0-9_-]+$/, {error: 'may contain only letters, digits, "-" and "_" (it prefixes Lambda function names)'}),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, {error: 'must be an AWS region such as "us-east-2"'})
    .optional(),
  role: z
    .string()
    .regex(/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {error: 'must be an IAM role ARN, arn:aws:iam::123456789012:role/name'})
    .optional(),
  api: z
    .strictObject({
      type: z.enum(['http', 'rest'], {error: 'must be "http" or "rest"'}).default('http'),
      stage: z
        .string()
        .regex(/^(\$default|[A-Za-z0-9_-]{1,128})$/, {error: 'must be "$default" or a name of letters, digits, "-" and "_"'})
        .optional(),
      /** `route` (default): one statement per route; `api`: one `{apiId}/*` statement per function. */
      permissions: z.enum(['route', 'api'], {error: 'must be "route" or "api"'}).default('route'),
    })
    .default({type: 'http', permissions: 'route'}),
  defaults: z
    .strictObject({
      runtime: runtime.default(DEFAULT_RUNTIME),
      memory: memory.default(DEFAULT_MEMORY),
      timeout: timeout.default(DEFAULT_TIMEOUT),
      tracing: tracing.default('Active'),
    })
    .default({runtime: DEFAULT_RUNTIME, memory: DEFAULT_MEMORY, timeout: DEFAULT_TIMEOUT, tracing: 'Active'}),
  functions: z.record(z.string(), functionSchema, {error: 'must be an object of functions'}),
})

export type RawConfig = z.input<typeof configSchema>
export type ParsedConfig = z.output<typeof configSchema>

/** A function with its defaults applied: what deploy and the emulator work with. */
export interface FunctionConfig {
  /** Key in tracegate.json, e.g. `getOrder`. */
  key: string
  /** Deployed name `{project}-{key}`. */
  name: string
  handler: string
  routes: string[]
  runtime: string
  memory: number
  timeout: number
  tracing: 'Active' | 'PassThrough'
  environment: Record<string, string>
  description?: string
}

export interface ProjectConfig {
  name: string
  region?: string
  role?: string
  api: {type: 'http' | 'rest'; stage: string; permissions: 'route' | 'api'}
  functions: FunctionConfig[]
  /** Absolute directory of tracegate.json; handler paths are relative to it. */
  dir: string
  /** Absolute path of tracegate.json. */
  file: string
}
