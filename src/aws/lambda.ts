/**
 * The narrow Lambda interface deploy, destroy and the permission tools use (STYLE.md rule 2). Pagination,
 * waiters and the retry rules Lambda needs are hidden here; nothing outside src/aws/ sees the SDK.
 */
import type {FunctionConfiguration, GetFunctionResponse, LambdaClient} from '@aws-sdk/client-lambda'
import {UserError} from '../errors.js'
import {type PolicyStatement, parsePolicy} from '../permissions/policy.js'
import type {AwsClients} from './clients.js'
import {awsCall, awsCallOrMissing, type Clock, isAlreadyExists, isRoleNotAssumable, isTransient, systemClock, toUserError, withRetry} from './errors.js'

export const PROJECT_TAG = 'tracegate:project'

export interface FunctionState {
  name: string
  arn: string
  runtime?: string
  handler?: string
  role?: string
  memory?: number
  timeout?: number
  environment: Record<string, string>
  tracing?: string
  /** "" when unset (Lambda's own representation). */
  description: string
  codeSha256?: string
  codeSize?: number
  /** `Pending`, `Active`, `Inactive`, `Failed`. */
  state?: string
  /** `InProgress`, `Successful`, `Failed`. */
  lastUpdateStatus?: string
  tags: Record<string, string>
}

/** What tracegate sets on a function (CreateFunction / UpdateFunctionConfiguration). */
export interface FunctionSettings {
  name: string
  role: string
  runtime: string
  handler: string
  memory: number
  timeout: number
  environment: Record<string, string>
  tracing: 'Active' | 'PassThrough'
  description?: string
}

export interface PermissionGrant {
  functionName: string
  statementId: string
  sourceArn: string
  principal?: string
}

export interface LambdaApi {
  /** The function with its tags, or undefined when it does not exist. */
  getFunction(name: string): Promise<FunctionState | undefined>
  /** Names and ARNs of every function whose name starts with `prefix` (ListFunctions, all pages). */
  listFunctions(prefix: string): Promise<Array<{name: string; arn: string}>>
  /**
   * Creates the function (it may still be Pending: its ARN is usable, the function is not; see
   * `waitUntilActive`). Retries while a new role is not yet assumable.
   */
  createFunction(settings: FunctionSettings, zip: Uint8Array, tags: Record<string, string>): Promise<FunctionState>
  /** Waits (SDK waiter) until a created function is Active; Lambda refuses most operations while Pending. */
  waitUntilActive(current: FunctionState): Promise<FunctionState>
  /** Uploads new code and waits until the update is done. */
  updateFunctionCode(name: string, zip: Uint8Array): Promise<FunctionState>
  /** Updates the configuration and waits until the update is done. */
  updateFunctionConfiguration(settings: FunctionSettings): Promise<FunctionState>
  /** Deletes the function (and with it its resource policy). Missing is fine. */
  deleteFunction(name: string): Promise<void>
  /** The function's resource-policy statements (permissions/policy.ts); [] when it has no policy (or does not exist). */
  getPolicy(name: string): Promise<PolicyStatement[]>
  /** Adds a statement; `exists` when that statement id is already there (a re-run, or a lost response). */
  addPermission(grant: PermissionGrant): Promise<'added' | 'exists'>
  /** Removes a statement. Missing is fine. */
  removePermission(functionName: string, statementId: string): Promise<void>
}

export interface LambdaApiOptions {
  clock?: Clock
  /** How long to retry CreateFunction while Lambda cannot assume a new role (default 30 s). */
  roleWaitMs?: number
  /** Upper bound for the Active/Updated waiters, seconds (default 300). */
  maxWaitSeconds?: number
}

function toFunctionState(config: FunctionConfiguration | undefined, tags?: Record<string, string>): FunctionState {
  return {
    name: config?.FunctionName ?? '',
    arn: config?.FunctionArn ?? '',
    runtime: config?.Runtime,
    handler: config?.Handler,
    role: config?.Role,
    memory: config?.MemorySize,
    timeout: config?.Timeout,
    environment: {...(config?.Environment?.Variables ?? {})},
    tracing: config?.TracingConfig?.Mode,
    description: config?.Description ?? '',
    codeSha256: config?.CodeSha256,
    codeSize: config?.CodeSize,
    state: config?.State,
    lastUpdateStatus: config?.LastUpdateStatus,
    tags: {...(tags ?? {})},
  }
}

export async function createLambdaApi(clients: AwsClients, options: LambdaApiOptions = {}): Promise<LambdaApi> {
  const [sdk, client] = await Promise.all([import('@aws-sdk/client-lambda'), clients.lambda()])
  return lambdaApi(client, sdk, options)
}

type LambdaSdk = typeof import('@aws-sdk/client-lambda')

function lambdaApi(client: LambdaClient, sdk: LambdaSdk, options: LambdaApiOptions): LambdaApi {
  const clock = options.clock ?? systemClock
  const maxWaitTime = options.maxWaitSeconds ?? 300
  const call = <T>(action: string, resource: string, work: () => Promise<T>) => awsCall(action, work, {clock, resource})
  const callOrMissing = <T>(action: string, resource: string, work: () => Promise<T>) => awsCallOrMissing(action, work, {clock, resource})

  async function getFunction(name: string): Promise<FunctionState | undefined> {
    const response = await callOrMissing('lambda:GetFunction', name, () => client.send(new sdk.GetFunctionCommand({FunctionName: name})))
    return response ? toFunctionState(response.Configuration, response.Tags) : undefined
  }

  /** Waits with the SDK waiter; its last GetFunction answer is the final state (no extra read). */
  async function waitFor(kind: 'active' | 'updated', name: string, current: FunctionState): Promise<FunctionState> {
    const done = kind === 'active' ? current.state === 'Active' : current.lastUpdateStatus === 'Successful'
    if (done) return current
    const waiter = kind === 'active' ? sdk.waitUntilFunctionActiveV2 : sdk.waitUntilFunctionUpdatedV2
    try {
      const result = await waiter({client, maxWaitTime, minDelay: 1, maxDelay: 5}, {FunctionName: name})
      const latest = result.reason as GetFunctionResponse | undefined
      return latest?.Configuration ? toFunctionState(latest.Configuration, latest.Tags ?? current.tags) : current
    } catch (error) {
      // The SDK's waiter error carries its result as JSON in the message: {state, reason: <last response>}.
      let result: {state?: string; reason?: GetFunctionResponse | string} = {}
      try {
        result = JSON.parse((error as Error).message)
      } catch {}
      const reason = typeof result.reason === 'object' ? result.reason.Configuration : undefined
      const why = reason?.StateReason ?? reason?.LastUpdateStatusReason ?? (typeof result.reason === 'string' ? result.reason : result.state ?? (error as Error).message)
      throw new UserError('FUNCTION_NOT_READY', `Function ${name} did not become ${kind === 'active' ? 'Active' : 'updated'}: ${why}`, {
        suggestion: 'Check the function in the Lambda console (or "aws lambda get-function"), then run deploy again',
        exit: 'failure',
        details: {state: reason?.State, lastUpdateStatus: reason?.LastUpdateStatus},
        cause: error,
      })
    }
  }

  function configurationInput(s: FunctionSettings) {
    return {
      FunctionName: s.name,
      Role: s.role,
      Runtime: s.runtime as FunctionConfiguration['Runtime'],
      Handler: s.handler,
      MemorySize: s.memory,
      Timeout: s.timeout,
      Environment: {Variables: {...s.environment}},
      TracingConfig: {Mode: s.tracing},
      Description: s.description ?? '',
    }
  }

  return {
    getFunction,

    async listFunctions(prefix) {
      const found: Array<{name: string; arn: string}> = []
      let marker: string | undefined
      do {
        const page = await call('lambda:ListFunctions', '*', () => client.send(new sdk.ListFunctionsCommand({Marker: marker, MaxItems: 50})))
        for (const f of page.Functions ?? []) {
          if (f.FunctionName?.startsWith(prefix)) found.push({name: f.FunctionName, arn: f.FunctionArn ?? ''})
        }
        marker = page.NextMarker
      } while (marker)
      return found
    },

    async createFunction(settings, zip, tags) {
      const roleWaitMs = options.roleWaitMs ?? 30_000
      let created: FunctionConfiguration
      try {
        created = await withRetry(
          () =>
            client.send(
              new sdk.CreateFunctionCommand({
                ...configurationInput(settings),
                Code: {ZipFile: zip},
                PackageType: 'Zip',
                Publish: false,
                Tags: {...tags},
              }),
            ),
          {
            clock,
            // IAM is eventually consistent: a role created seconds ago "cannot be assumed by Lambda" yet.
            retryable: (e) => isTransient(e) || isRoleNotAssumable(e),
            deadlineMs: roleWaitMs,
            maxAttempts: 30,
            baseDelayMs: 500,
            maxDelayMs: 5000,
          },
        )
      } catch (cause) {
        // A lost response to an earlier attempt (the SDK retries 5xx): the function is there, with our settings.
        if (isAlreadyExists(cause)) {
          const existing = await getFunction(settings.name)
          if (existing) return existing
        }
        if (isRoleNotAssumable(cause)) {
          throw new UserError('ROLE_NOT_ASSUMABLE', `Lambda cannot assume the role ${settings.role} (still failing after ${Math.round(roleWaitMs / 1000)} s)`, {
            suggestion: 'Check that the role trusts lambda.amazonaws.com (sts:AssumeRole); a new role can take a minute: run deploy again',
            cause,
          })
        }
        throw toUserError(cause, 'lambda:CreateFunction', settings.name)
      }
      return toFunctionState(created, tags)
    },

    waitUntilActive(current) {
      return waitFor('active', current.name, current)
    },

    async updateFunctionCode(name, zip) {
      const updated = await call('lambda:UpdateFunctionCode', name, () =>
        client.send(new sdk.UpdateFunctionCodeCommand({FunctionName: name, ZipFile: zip, Publish: false})),
      )
      return waitFor('updated', name, toFunctionState(updated))
    },

    async updateFunctionConfiguration(settings) {
      const updated = await call('lambda:UpdateFunctionConfiguration', settings.name, () =>
        client.send(new sdk.UpdateFunctionConfigurationCommand(configurationInput(settings))),
      )
      return waitFor('updated', settings.name, toFunctionState(updated))
    },

    async deleteFunction(name) {
      await callOrMissing('lambda:DeleteFunction', name, () => client.send(new sdk.DeleteFunctionCommand({FunctionName: name})))
    },

    async getPolicy(name) {
      const response = await callOrMissing('lambda:GetPolicy', name, () => client.send(new sdk.GetPolicyCommand({FunctionName: name})))
      return parsePolicy(response?.Policy).statements
    },

    async addPermission(grant) {
      try {
        await withRetry(
          () =>
          client.send(
            new sdk.AddPermissionCommand({
              FunctionName: grant.functionName,
              StatementId: grant.statementId,
              Action: 'lambda:InvokeFunction',
              Principal: grant.principal ?? 'apigateway.amazonaws.com',
              SourceArn: grant.sourceArn,
            }),
          ),
          {clock},
        )
        return 'added'
      } catch (cause) {
        // Statement ids are derived from the source ARN: the same id means the same grant.
        if (isAlreadyExists(cause)) return 'exists'
        if ((cause as {name?: string}).name === 'PolicyLengthExceededException') {
          throw new UserError('POLICY_TOO_LARGE', `The resource policy of ${grant.functionName} is full (Lambda's limit is 20,480 bytes)`, {
            suggestion: 'Remove stale statements with "tracegate permissions prune", or use "permissions": "api" in tracegate.json',
            cause,
          })
        }
        throw toUserError(cause, 'lambda:AddPermission', grant.functionName)
      }
    },

    async removePermission(functionName, statementId) {
      await callOrMissing('lambda:RemovePermission', functionName, () =>
        client.send(new sdk.RemovePermissionCommand({FunctionName: functionName, StatementId: statementId})),
      )
    },
  }
}
