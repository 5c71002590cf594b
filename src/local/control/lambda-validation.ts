/**
 * Lambda's input validation, with the codes, statuses and message texts the real service uses
 * (aws-semantics §1.2; messages cross-checked against LocalStack's AWS-validated Lambda provider).
 *
 * Two families, as on AWS: model constraint violations are `ValidationException` ("1 validation error
 * detected: Value 'x' at 'member' failed to satisfy constraint: ..."), a code the Lambda SDK does not model
 * (the SDK surfaces it as a generic `LambdaServiceException` named `ValidationException`); semantic checks are
 * the modelled `InvalidParameterValueException`.
 */
import {ServiceError} from '../wire.js'

export function lambdaError(status: number, code: string, message: string): ServiceError {
  return new ServiceError(status, code, message, {Type: 'User', message})
}

/** ResourceNotFoundException is the one Lambda error whose message member is `Message` (aws-semantics §1.2). */
export function resourceNotFound(message: string): ServiceError {
  return new ServiceError(404, 'ResourceNotFoundException', message, {Type: 'User', Message: message})
}

export function invalidParameter(message: string): ServiceError {
  return lambdaError(400, 'InvalidParameterValueException', message)
}

export function conflict(message: string): ServiceError {
  return lambdaError(409, 'ResourceConflictException', message)
}

export function preconditionFailed(): ServiceError {
  return lambdaError(
    412,
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  )
}

export function invalidRequestContent(reason: string): ServiceError {
  return lambdaError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${reason}`)
}

/** Collects model-constraint violations so several are reported together, as AWS does. */
export class Violations {
  private readonly messages: string[] = []

  add(value: unknown, member: string, constraint: string): void {
    const shown = value === null || value === undefined ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`
    this.messages.push(`Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`)
  }

  /** A violation on a member AWS models as sensitive: the message names the member but never echoes its value. */
  addSensitive(member: string, constraint: string): void {
    this.messages.push(`Value at '${member}' failed to satisfy constraint: ${constraint}`)
  }

  required(value: unknown, member: string): void {
    if (value === undefined || value === null) this.add(null, member, 'Member must not be null')
  }

  range(value: unknown, member: string, min: number, max: number): void {
    if (value === undefined || value === null) return
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.add(value, member, 'Member must be an integer')
    } else if (value < min) {
      this.add(value, member, `Member must have value greater than or equal to ${min}`)
    } else if (value > max) {
      this.add(value, member, `Member must have value less than or equal to ${max}`)
    }
  }

  pattern(value: unknown, member: string, regex: RegExp, shown: string): void {
    if (value === undefined || value === null) return
    if (typeof value !== 'string' || !regex.test(value)) {
      this.add(value, member, `Member must satisfy regular expression pattern: ${shown}`)
    }
  }

  length(value: unknown, member: string, min: number, max: number): void {
    if (typeof value !== 'string') return
    if (value.length < min) this.add(value, member, `Member must have length greater than or equal to ${min}`)
    else if (value.length > max) this.add(value, member, `Member must have length less than or equal to ${max}`)
  }

  throwIfAny(): void {
    if (this.messages.length === 0) return
    const n = this.messages.length
    const message = `${n} validation error${n > 1 ? 's' : ''} detected: ${this.messages.join('; ')}`
    throw lambdaError(400, 'ValidationException', message)
  }
}

export const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?'
export const NAMESPACED_FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?'
const FUNCTION_NAME_REGEX =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:([a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/
const CREATE_NAME_REGEX = /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:[a-z]{2}(?:-gov)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?[a-zA-Z0-9-_]+(?::(?:\$LATEST|[a-zA-Z0-9-_]+))?$/

export const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+'
const ROLE_REGEX = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/

/** `arn:aws:lambda:{region}:{account}:function:{name}`, with `:{qualifier}` for a version or alias. */
export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`
}

export interface FunctionRef {
  name: string
  region: string
  accountId?: string
  /** `$LATEST`, a version number or an alias name, from the name or the `Qualifier` parameter. */
  qualifier?: string
}

/**
 * Resolves any FunctionName form (aws-semantics §1.2: bare name, `name:qualifier`, full or partial ARN) to the
 * name and region it designates. An ARN (full or partial with a region) must name the region the request was
 * signed for: Lambda's regional endpoints answer "Functions from 'R' are not reachable in this region ('S')"
 * otherwise, for CreateFunction, Get*, Delete* and Invoke alike (LocalStack's AWS-validated
 * test_get_function_wrong_region and test_function_arns).
 */
export function parseFunctionName(raw: string, requestRegion: string, qualifierParam?: string | null): FunctionRef {
  const violations = new Violations()
  violations.length(raw, 'functionName', 1, 170)
  violations.pattern(raw, 'functionName', FUNCTION_NAME_REGEX, NAMESPACED_FUNCTION_NAME_PATTERN)
  violations.throwIfAny()
  const match = FUNCTION_NAME_REGEX.exec(raw)!
  const [, region, accountId, name, fromName] = match
  if (name.length > 64) {
    const v = new Violations()
    v.add(raw, 'functionName', 'Member must have length less than or equal to 64')
    v.throwIfAny()
  }
  const qualifier = qualifierParam ?? undefined
  if (fromName !== undefined && qualifier !== undefined && fromName !== qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.')
  }
  if (region !== undefined && region !== requestRegion) {
    throw resourceNotFound(`Functions from '${region}' are not reachable in this region ('${requestRegion}')`)
  }
  return {name, region: requestRegion, accountId, qualifier: fromName ?? qualifier}
}

export function validateCreateName(raw: unknown, violations: Violations): void {
  violations.required(raw, 'functionName')
  violations.length(raw, 'functionName', 1, 140)
  violations.pattern(raw, 'functionName', CREATE_NAME_REGEX, FUNCTION_NAME_PATTERN)
}

export function validateRole(raw: unknown, violations: Violations): void {
  violations.pattern(raw, 'role', ROLE_REGEX, ROLE_PATTERN)
}

/**
 * The runtimes the Lambda API knows (the SDK's `Runtime` enum, @aws-sdk/client-lambda 3.1164.0). Lambda
 * accepts any of them except deprecated ones, which it refuses for create and update.
 */
export const KNOWN_RUNTIMES = [
  'dotnet10', 'dotnet6', 'dotnet8', 'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'go1.x',
  'java11', 'java11.al2023', 'java17', 'java17.al2023', 'java21', 'java25', 'java8', 'java8.al2', 'java8.al2023',
  'nodejs', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'nodejs18.x', 'nodejs20.x', 'nodejs22.x',
  'nodejs24.x', 'nodejs26.x', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'provided', 'provided.al2',
  'provided.al2023', 'python2.7', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14', 'python3.15',
  'python3.6', 'python3.7', 'python3.8', 'python3.9', 'ruby2.5', 'ruby2.7', 'ruby3.2', 'ruby3.3', 'ruby3.4', 'ruby4.0',
] as const

/**
 * Runtimes past Lambda's "block function create/update" date (AWS Lambda runtime deprecation policy). The
 * exact block dates of the most recently deprecated ones (nodejs18.x, python3.9) are not in the reference;
 * we treat them as blocked, which matches the published schedule as of late 2026.
 */
const DEPRECATED_RUNTIMES: ReadonlySet<string> = new Set([
  'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x',
  'nodejs16.x', 'nodejs18.x', 'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'dotnetcore1.0',
  'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'go1.x', 'provided', 'java8', 'ruby2.5', 'ruby2.7',
])

export function validateRuntime(runtime: string): void {
  if (!(KNOWN_RUNTIMES as readonly string[]).includes(runtime)) {
    const accepted = KNOWN_RUNTIMES.filter((r) => !DEPRECATED_RUNTIMES.has(r))
    throw invalidParameter(
      `Value ${runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${accepted.join(', ')}] or be a valid ARN`,
    )
  }
  if (DEPRECATED_RUNTIMES.has(runtime)) {
    // Lambda's current wording (LocalStack's AWS-validated test_create_deprecated_function_runtime_with_validation,
    // recorded 2026-01); older answers named a replacement runtime ("use the new runtime (nodejs20.x)").
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    )
  }
}

/** Variables Lambda sets itself and refuses in Environment.Variables. */
const RESERVED_ENVIRONMENT_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
])
const ENVIRONMENT_KEY_REGEX = /^[a-zA-Z]([a-zA-Z0-9_])+$/
const ENVIRONMENT_LIMIT_BYTES = 4096

export function validateEnvironment(variables: Record<string, unknown>): Record<string, string> {
  const violations = new Violations()
  for (const [key, value] of Object.entries(variables)) {
    if (!ENVIRONMENT_KEY_REGEX.test(key)) {
      // Environment variables are sensitive in Lambda's model, so AWS answers "Value at 'environment.variables'"
      // without the value (it would print secrets into the caller's terminal and logs).
      violations.addSensitive(
        'environment.variables',
        'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]',
      )
      break
    }
    if (typeof value !== 'string') {
      throw invalidRequestContent(`Environment.Variables.${key} must be a string`)
    }
  }
  violations.throwIfAny()
  const reserved = Object.keys(variables).filter((key) => RESERVED_ENVIRONMENT_KEYS.has(key))
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    )
  }
  const measured = JSON.stringify(variables)
  if (Buffer.byteLength(measured, 'utf8') > ENVIRONMENT_LIMIT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    )
  }
  return variables as Record<string, string>
}
