/**
 * The Lambda control plane (restJson1, aws-semantics §1.2): functions with zip code, resource policies, tags,
 * reserved concurrency. Only `$LATEST` exists (PublishVersion and CreateAlias are not implemented), so any other
 * qualifier is reported as the missing resource it is, ListVersionsByFunction lists `$LATEST` and ListAliases
 * lists none.
 *
 * Functions report `State: Active` and `LastUpdateStatus: Successful` immediately: the emulator applies every
 * change synchronously, so the SDK waiters (`waitUntilFunctionActiveV2`, `waitUntilFunctionUpdatedV2`) succeed
 * on their first poll.
 */
import {randomUUID} from 'node:crypto'
import {type FunctionConfigRecord, type FunctionRecord, InvalidCursorError, lambdaTimestamp, sha256Hex} from '../store.js'
import {empty, type EmulatorRequest, json, parseJsonBody, type Route, ServiceError, type WireResponse} from '../wire.js'
import type {ControlContext} from './context.js'
import {buildStatement, POLICY_SIZE_LIMIT, policyDocument, policySize} from './lambda-policy.js'
import {
  conflict,
  type FunctionRef,
  invalidParameter,
  invalidRequestContent,
  lambdaError,
  parseFunctionName,
  preconditionFailed,
  resourceNotFound,
  validateCreateName,
  validateEnvironment,
  validateRole,
  validateRuntime,
  Violations,
} from './lambda-validation.js'
import {inspectZip} from './zip.js'

/** Lambda's quotas for direct (ZipFile) uploads. */
const UNZIPPED_LIMIT = 262_144_000
/** Lambda's account concurrency default and the minimum it keeps unreserved. */
const ACCOUNT_CONCURRENCY = 1000
const MINIMUM_UNRESERVED = 100
const TAG_LIMIT = 50

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`
}

/** Lambda's `CodeSha256`: base64 of the zip's SHA-256 digest (the store keys code by the hex form). */
export function codeSha256Base64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64')
}

function body(request: EmulatorRequest): Record<string, unknown> {
  return parseJsonBody(request, invalidRequestContent)
}

function functionNotFound(ref: FunctionRef, accountId: string, qualified = false): never {
  throw resourceNotFound(
    `Function not found: ${functionArn(ref.region, ref.accountId ?? accountId, ref.name, qualified ? ref.qualifier : undefined)}`,
  )
}

/** Loads `$LATEST` of the referenced function, or throws the ResourceNotFoundException AWS would. */
function loadFunction(ctx: ControlContext, ref: FunctionRef): FunctionRecord {
  if (ref.accountId !== undefined && ref.accountId !== ctx.accountId) functionNotFound(ref, ctx.accountId)
  const fn = ctx.store.getFunction(ref.region, ref.name)
  if (!fn) functionNotFound(ref, ctx.accountId, ref.qualifier !== undefined && ref.qualifier !== '$LATEST')
  // Versions and aliases are never published here, so only $LATEST exists.
  if (ref.qualifier !== undefined && ref.qualifier !== '$LATEST') functionNotFound(ref, ctx.accountId, true)
  return fn
}

function refFrom(request: EmulatorRequest, params: Record<string, string>, withQualifier = true): FunctionRef {
  return parseFunctionName(params.FunctionName, request.region, withQualifier ? request.query.get('Qualifier') : undefined)
}

function checkRevision(given: unknown, fn: FunctionRecord): void {
  if (given !== undefined && given !== null && given !== '' && given !== fn.revisionId) throw preconditionFailed()
}

export function configurationOut(fn: FunctionRecord, accountId: string, qualified = false): Record<string, unknown> {
  const config = fn.config
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(fn.region, accountId, fn.name, qualified ? '$LATEST' : undefined),
    Runtime: config.runtime,
    Role: config.role,
    Handler: config.handler,
    CodeSize: fn.codeSize,
    Description: config.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: codeSha256Base64(fn.codeSha256),
    Version: '$LATEST',
    ...(config.environment ? {Environment: {Variables: config.environment}} : {}),
    TracingConfig: {Mode: config.tracingMode},
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: config.architectures,
    EphemeralStorage: {Size: config.ephemeralStorageSize},
    SnapStart: {ApplyOn: 'None', OptimizationStatus: 'Off'},
    LoggingConfig: {LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}`},
  }
}

/** ListFunctions items carry no state fields (they are only on Get*). */
function listItemOut(fn: FunctionRecord, accountId: string, qualified: boolean): Record<string, unknown> {
  const {State: _s, LastUpdateStatus: _l, ...rest} = configurationOut(fn, accountId, qualified)
  return rest
}

function decodeZipFile(value: unknown): Buffer {
  if (typeof value !== 'string') throw invalidRequestContent('ZipFile must be a base64-encoded blob')
  const compact = value.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw invalidRequestContent('ZipFile is not valid base64')
  }
  const zip = Buffer.from(compact, 'base64')
  const summary = inspectZip(zip)
  if (!summary) throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.')
  if (summary.uncompressedSize >= UNZIPPED_LIMIT) {
    throw invalidParameter(`Unzipped size must be smaller than ${UNZIPPED_LIMIT} bytes`)
  }
  return zip
}

/**
 * Code from an S3 bucket: the emulator has no S3, so every bucket is missing, and Lambda answers exactly this
 * for a missing bucket.
 */
function s3CodeUnavailable(): never {
  throw invalidParameter(
    'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist',
  )
}

function rejectPublish(value: unknown): void {
  if (value === true) {
    throw invalidParameter(
      'Publishing versions is not supported by the tracegate emulator: only $LATEST exists. Call again without Publish.',
    )
  }
}

const LAYER_VERSION_ARN_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)'
const LAYER_VERSION_ARN_REGEX =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:([a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d):\d{12}:layer:([a-zA-Z0-9-_]+):[0-9]+|arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)$/

/**
 * `Layers` is checked as Lambda does (LocalStack's AWS-validated test_layer_function_exceptions and
 * create_function_with_layer_in_different_region), and then refused: the emulator publishes no layers, so every
 * layer version a function names is one that does not exist. Accepting and dropping it would run the handler
 * without the code the layer was meant to provide.
 */
function checkLayers(value: unknown, region: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw invalidRequestContent('Layers must be a list of layer version ARNs')
  if (value.length === 0) return []
  const layers = value.map(String)
  const matches = layers.map((arn) => LAYER_VERSION_ARN_REGEX.exec(arn))
  if (matches.some((match) => match === null)) {
    const violations = new Violations()
    violations.add(
      `[${layers.join(', ')}]`,
      'layers',
      `Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${LAYER_VERSION_ARN_PATTERN}, Member must not be null]`,
    )
    violations.throwIfAny()
  }
  if (matches.some((match) => match![1] !== undefined && match![1] !== region)) {
    throw invalidParameter(`Layers are not in the same region as the function. Layers are expected to be in region ${region}.`)
  }
  for (let i = 0; i < layers.length; i++) {
    const j = matches.findIndex((match, k) => k > i && match![2] !== undefined && match![2] === matches[i]![2])
    if (j >= 0) {
      throw invalidParameter(
        `Two different versions of the same layer are not allowed to be referenced in the same function. ${layers[i]} and ${layers[j]} are versions of the same layer.`,
      )
    }
  }
  return layers
}

function rejectMissingLayers(layers: string[]): void {
  if (layers.length > 0) throw invalidParameter(`Layer version ${layers[0]} does not exist.`)
}

function validateTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {}
  if (typeof tags !== 'object' || Array.isArray(tags)) throw invalidRequestContent('Tags must be a map of strings')
  const entries = Object.entries(tags as Record<string, unknown>)
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw invalidRequestContent(`Tags.${key} must be a string`)
  }
  return tags as Record<string, string>
}

/** Validates the configuration members shared by CreateFunction and UpdateFunctionConfiguration. */
function validateConfigMembers(input: Record<string, unknown>, violations: Violations): void {
  violations.range(input.Timeout, 'timeout', 1, 900)
  violations.range(input.MemorySize, 'memorySize', 128, 10240)
  validateRole(input.Role, violations)
  if (input.Handler !== undefined) {
    violations.length(input.Handler, 'handler', 0, 128)
    violations.pattern(input.Handler, 'handler', /^[^\s]+$/, '[^\\s]+')
  }
  if (input.Description !== undefined) violations.length(input.Description, 'description', 0, 256)
  const tracing = (input.TracingConfig as {Mode?: unknown} | undefined)?.Mode
  if (tracing !== undefined && tracing !== 'Active' && tracing !== 'PassThrough') {
    violations.add(tracing, 'tracingConfig.mode', 'Member must satisfy enum value set: [Active, PassThrough]')
  }
  const storage = (input.EphemeralStorage as {Size?: unknown} | undefined)?.Size
  violations.range(storage, 'ephemeralStorage.size', 512, 10240)
}

function validateArchitectures(value: unknown, violations: Violations): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.length !== 1) {
    violations.add(value, 'architectures', 'Member must have length less than or equal to 1')
    return undefined
  }
  if (value[0] !== 'x86_64' && value[0] !== 'arm64') {
    violations.add(
      value,
      'architectures',
      'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]',
    )
    return undefined
  }
  return value as string[]
}

function environmentFrom(input: Record<string, unknown>): Record<string, string> | null | undefined {
  if (!('Environment' in input)) return undefined
  const env = input.Environment as {Variables?: unknown} | null
  if (!env || env.Variables === undefined || env.Variables === null) return null
  if (typeof env.Variables !== 'object' || Array.isArray(env.Variables)) {
    throw invalidRequestContent('Environment.Variables must be a map of strings')
  }
  const variables = validateEnvironment(env.Variables as Record<string, unknown>)
  return Object.keys(variables).length === 0 ? null : variables
}

function createFunction(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const input = body(request)
  const violations = new Violations()
  validateCreateName(input.FunctionName, violations)
  violations.required(input.Role, 'role')
  violations.required(input.Code, 'code')
  validateConfigMembers(input, violations)
  const architectures = validateArchitectures(input.Architectures, violations)
  violations.throwIfAny()

  const ref = parseFunctionName(String(input.FunctionName), request.region)
  if (ref.name.length > 64) {
    const v = new Violations()
    v.add(input.FunctionName, 'functionName', 'Member must have length less than or equal to 64')
    v.throwIfAny()
  }
  if (input.PackageType === 'Image') {
    throw invalidParameter('The tracegate emulator runs zip packages only: set PackageType to Zip and pass Code.ZipFile.')
  }
  if (typeof input.Runtime !== 'string' || typeof input.Handler !== 'string') {
    throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.')
  }
  validateRuntime(input.Runtime)
  rejectPublish(input.Publish)
  rejectMissingLayers(checkLayers(input.Layers, ref.region))
  const code = input.Code as {ZipFile?: unknown; S3Bucket?: unknown; ImageUri?: unknown}
  if (code.ZipFile === undefined) {
    if (code.S3Bucket !== undefined) s3CodeUnavailable()
    throw invalidParameter('Please provide a source for function code.')
  }
  const zip = decodeZipFile(code.ZipFile)
  const environment = environmentFrom(input) ?? null
  const tags = validateTags(input.Tags)
  if (Object.keys(tags).length > TAG_LIMIT) throw invalidParameter('Number of tags exceeds resource tag limit.')

  const config: FunctionConfigRecord = {
    runtime: input.Runtime,
    role: String(input.Role),
    handler: input.Handler,
    description: typeof input.Description === 'string' ? input.Description : '',
    timeout: typeof input.Timeout === 'number' ? input.Timeout : 3,
    memorySize: typeof input.MemorySize === 'number' ? input.MemorySize : 128,
    environment,
    tracingMode: (input.TracingConfig as {Mode?: 'Active' | 'PassThrough'} | undefined)?.Mode ?? 'PassThrough',
    architectures: architectures ?? ['x86_64'],
    ephemeralStorageSize: (input.EphemeralStorage as {Size?: number} | undefined)?.Size ?? 512,
  }
  const created = ctx.store.transaction(() => {
    const {sha256} = ctx.store.putCode(zip)
    const now = new Date()
    const inserted = ctx.store.insertFunction({
      region: ref.region,
      name: ref.name,
      config,
      codeSha256: sha256,
      revisionId: randomUUID(),
      generation: 1,
      lastModified: lambdaTimestamp(now),
      tags,
      reservedConcurrency: null,
      fault: null,
      createdAt: now.toISOString(),
    })
    if (!inserted) throw conflict(`Function already exist: ${ref.name}`)
    return ctx.store.getFunction(ref.region, ref.name)!
  })
  return json(201, configurationOut(created, ctx.accountId))
}

function getFunction(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const fn = loadFunction(ctx, ref)
  const qualified = ref.qualifier !== undefined
  return json(200, {
    Configuration: configurationOut(fn, ctx.accountId, qualified),
    Code: {RepositoryType: 'S3', Location: `${request.baseUrl}/_tracegate/code/${fn.codeSha256}`},
    ...(Object.keys(fn.tags).length > 0 ? {Tags: fn.tags} : {}),
    ...(fn.reservedConcurrency !== null ? {Concurrency: {ReservedConcurrentExecutions: fn.reservedConcurrency}} : {}),
  })
}

function getFunctionConfiguration(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const fn = loadFunction(ctx, ref)
  return json(200, configurationOut(fn, ctx.accountId, ref.qualifier !== undefined))
}

/** Read-modify-write of one function inside a single transaction. */
function mutateFunction(
  ctx: ControlContext,
  ref: FunctionRef,
  change: (fn: FunctionRecord) => FunctionRecord | undefined,
): FunctionRecord {
  return ctx.store.transaction(() => {
    const fn = loadFunction(ctx, ref)
    const next = change(fn)
    if (!next) return fn
    ctx.store.saveFunction(next)
    return ctx.store.getFunction(ref.region, ref.name)!
  })
}

function updateFunctionCode(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  const input = body(request)
  const violations = new Violations()
  const architectures = validateArchitectures(input.Architectures, violations)
  violations.throwIfAny()
  if (input.ImageUri !== undefined) {
    throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.")
  }
  rejectPublish(input.Publish)
  if (input.ZipFile === undefined) {
    if (input.S3Bucket !== undefined) s3CodeUnavailable()
    throw invalidParameter('Please provide a source for function code.')
  }
  const zip = decodeZipFile(input.ZipFile)
  if (input.DryRun === true) {
    const fn = loadFunction(ctx, ref)
    checkRevision(input.RevisionId, fn)
    const preview: FunctionRecord = {...fn, codeSha256: sha256Hex(zip), codeSize: zip.length}
    return json(200, configurationOut(preview, ctx.accountId))
  }
  const updated = mutateFunction(ctx, ref, (fn) => {
    checkRevision(input.RevisionId, fn)
    const {sha256} = ctx.store.putCode(zip)
    return {
      ...fn,
      codeSha256: sha256,
      config: architectures ? {...fn.config, architectures} : fn.config,
      revisionId: randomUUID(),
      generation: fn.generation + 1,
      lastModified: lambdaTimestamp(),
    }
  })
  return json(200, configurationOut(updated, ctx.accountId))
}

function updateFunctionConfiguration(
  request: EmulatorRequest,
  params: Record<string, string>,
  ctx: ControlContext,
): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  const input = body(request)
  const violations = new Violations()
  validateConfigMembers(input, violations)
  violations.throwIfAny()
  if (typeof input.Runtime === 'string') validateRuntime(input.Runtime)
  const layers = checkLayers(input.Layers, ref.region)
  const environment = environmentFrom(input)
  const updated = mutateFunction(ctx, ref, (fn) => {
    rejectMissingLayers(layers)
    checkRevision(input.RevisionId, fn)
    const config: FunctionConfigRecord = {...fn.config}
    if (typeof input.Runtime === 'string') config.runtime = input.Runtime
    if (typeof input.Role === 'string') config.role = input.Role
    if (typeof input.Handler === 'string') config.handler = input.Handler
    if (typeof input.Description === 'string') config.description = input.Description
    if (typeof input.Timeout === 'number') config.timeout = input.Timeout
    if (typeof input.MemorySize === 'number') config.memorySize = input.MemorySize
    if (environment !== undefined) config.environment = environment
    const mode = (input.TracingConfig as {Mode?: 'Active' | 'PassThrough'} | undefined)?.Mode
    if (mode) config.tracingMode = mode
    const storage = (input.EphemeralStorage as {Size?: number} | undefined)?.Size
    if (typeof storage === 'number') config.ephemeralStorageSize = storage
    return {
      ...fn,
      config,
      revisionId: randomUUID(),
      generation: fn.generation + 1,
      lastModified: lambdaTimestamp(),
    }
  })
  return json(200, configurationOut(updated, ctx.accountId))
}

function deleteFunction(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  if (ref.qualifier === '$LATEST') {
    throw invalidParameter('$LATEST version cannot be deleted without deleting the function.')
  }
  ctx.store.transaction(() => {
    loadFunction(ctx, ref)
    ctx.store.deleteFunction(ref.region, ref.name)
  })
  // The model says 200 with StatusCode; Lambda answers 204 and the SDK accepts any 2xx (aws-semantics §1.2).
  return empty(204)
}

/** MaxItems of the List* operations that page with Marker (default 50, 1-10000); a bad value is added to `violations`. */
function maxItemsOf(request: EmulatorRequest, violations: Violations): number {
  const raw = request.query.get('MaxItems')
  const maxItems = raw === null ? 50 : Number(raw)
  violations.range(maxItems, 'maxItems', 1, 10000)
  return maxItems
}

function listFunctions(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const violations = new Violations()
  const maxItems = maxItemsOf(request, violations)
  const version = request.query.get('FunctionVersion')
  if (version !== null && version !== 'ALL') {
    violations.add(version, 'functionVersion', 'Member must satisfy enum value set: [ALL]')
  }
  violations.throwIfAny()
  const marker = request.query.get('Marker') ?? undefined
  let page: ReturnType<typeof ctx.store.listFunctions>
  try {
    page = ctx.store.listFunctions(request.region, {after: marker || undefined, limit: maxItems})
  } catch (error) {
    if (error instanceof InvalidCursorError) throw invalidParameter(`Invalid marker: ${marker}`)
    throw error
  }
  return json(200, {
    Functions: page.items.map((fn) => listItemOut(fn, ctx.accountId, version === 'ALL')),
    ...(page.next ? {NextMarker: page.next} : {}),
  })
}

// ---- versions and aliases (read-only: the emulator publishes neither) ----------------------------------------

/** The unqualified function a version or alias operation names; with `paged`, its MaxItems is checked first. */
function unqualifiedFunction(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext, paged: boolean): FunctionRecord {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  if (paged) {
    const violations = new Violations()
    maxItemsOf(request, violations)
    violations.throwIfAny()
  }
  return loadFunction(ctx, ref)
}

/**
 * ListVersionsByFunction: `$LATEST` only, since PublishVersion is not implemented. Its ARN is qualified with
 * `:$LATEST`, as AWS lists it. One item, so there is never a NextMarker.
 */
function listVersionsByFunction(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const fn = unqualifiedFunction(request, params, ctx, true)
  return json(200, {Versions: [listItemOut(fn, ctx.accountId, true)]})
}

/** ListAliases: none exist (CreateAlias is not implemented), for any FunctionVersion. */
function listAliases(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  unqualifiedFunction(request, params, ctx, true)
  return json(200, {Aliases: []})
}

/** GetAlias: every alias is missing. The message is AWS's as commonly reported (unconfirmed in the reference). */
function getAlias(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const fn = unqualifiedFunction(request, params, ctx, false)
  throw resourceNotFound(`Cannot find alias arn: ${functionArn(fn.region, ctx.accountId, fn.name, params.Name)}`)
}

// ---- resource policy -----------------------------------------------------------------------------------------

// AddPermission's StatementId has no dot (`([a-zA-Z0-9-_]+)`; AWS refuses "example.com"); only RemovePermission's
// NamespacedStatementId allows one (botocore and SDK models, LocalStack's AWS-validated test_permission_exceptions).
const STATEMENT_ID_REGEX = /^[a-zA-Z0-9-_]+$/
const ACTION_REGEX = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/

function addPermission(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const input = body(request)
  const violations = new Violations()
  violations.required(input.StatementId, 'statementId')
  violations.length(input.StatementId, 'statementId', 1, 100)
  violations.pattern(input.StatementId, 'statementId', STATEMENT_ID_REGEX, '([a-zA-Z0-9-_]+)')
  violations.required(input.Action, 'action')
  violations.pattern(input.Action, 'action', ACTION_REGEX, '(lambda:[*]|lambda:[a-zA-Z]+|[*])')
  violations.required(input.Principal, 'principal')
  violations.pattern(input.Principal, 'principal', /^[^\s]+$/, '[^\\s]+')
  violations.throwIfAny()
  if (ref.qualifier === '$LATEST') throw invalidParameter('We currently do not support adding policies for $LATEST.')
  const sid = String(input.StatementId)
  const statement = ctx.store.transaction(() => {
    const fn = loadFunction(ctx, ref)
    checkRevision(input.RevisionId, fn)
    const existing = ctx.store.listPolicyStatements(fn.region, fn.name)
    if (existing.some((s) => s.sid === sid)) {
      throw conflict(
        `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      )
    }
    const built = buildStatement({
      statementId: sid,
      action: String(input.Action),
      principal: String(input.Principal),
      resource: functionArn(fn.region, ctx.accountId, fn.name),
      sourceArn: typeof input.SourceArn === 'string' ? input.SourceArn : undefined,
      sourceAccount: typeof input.SourceAccount === 'string' ? input.SourceAccount : undefined,
      principalOrgId: typeof input.PrincipalOrgID === 'string' ? input.PrincipalOrgID : undefined,
      eventSourceToken: typeof input.EventSourceToken === 'string' ? input.EventSourceToken : undefined,
      functionUrlAuthType: typeof input.FunctionUrlAuthType === 'string' ? input.FunctionUrlAuthType : undefined,
    })
    const size = policySize(policyDocument([...existing.map((s) => s.statement), built]))
    if (size > POLICY_SIZE_LIMIT) {
      throw lambdaError(
        400,
        'PolicyLengthExceededException',
        `The final policy size (${size}) is bigger than the limit (${POLICY_SIZE_LIMIT}).`,
      )
    }
    ctx.store.insertPolicyStatement(fn.region, fn.name, '$LATEST', sid, built)
    ctx.store.saveFunction({...fn, revisionId: randomUUID()})
    return built
  })
  return json(201, {Statement: JSON.stringify(statement)})
}

/**
 * GetPolicy and RemovePermission do not say "Function not found" for a missing function: GetPolicy answers as if
 * the policy were missing, RemovePermission names the policy it could not find (LocalStack's AWS-validated
 * test_permission_exceptions: get_policy_fn_doesnotexist, remove_permission_fn_doesnotexist).
 */
function loadPolicyOwner(ctx: ControlContext, ref: FunctionRef, missing: () => ServiceError): FunctionRecord {
  try {
    return loadFunction(ctx, ref)
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'ResourceNotFoundException') throw missing()
    throw error
  }
}

function getPolicy(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const fn = loadPolicyOwner(ctx, ref, () => resourceNotFound('The resource you requested does not exist.'))
  const statements = ctx.store.listPolicyStatements(fn.region, fn.name)
  if (statements.length === 0) throw resourceNotFound('The resource you requested does not exist.')
  return json(200, {
    Policy: JSON.stringify(policyDocument(statements.map((s) => s.statement))),
    RevisionId: fn.revisionId,
  })
}

function removePermission(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const sid = params.StatementId
  const revisionId = request.query.get('RevisionId')
  ctx.store.transaction(() => {
    const fn = loadPolicyOwner(ctx, ref, () =>
      resourceNotFound(`No policy found for: ${functionArn(ref.region, ref.accountId ?? ctx.accountId, ref.name, ref.qualifier)}`),
    )
    const statements = ctx.store.listPolicyStatements(fn.region, fn.name)
    if (statements.length === 0) throw resourceNotFound('No policy is associated with the given resource.')
    if (!statements.some((s) => s.sid === sid)) throw resourceNotFound(`Statement ${sid} is not found in resource policy.`)
    checkRevision(revisionId, fn)
    ctx.store.deletePolicyStatement(fn.region, fn.name, '$LATEST', sid)
    ctx.store.saveFunction({...fn, revisionId: randomUUID()})
  })
  return empty(204)
}

// ---- tags ----------------------------------------------------------------------------------------------------

const TAGGABLE_ARN_REGEX =
  /^arn:(aws[a-zA-Z-]*):lambda:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/

function taggedFunction(params: Record<string, string>): FunctionRef {
  const arn = params.Resource
  const match = TAGGABLE_ARN_REGEX.exec(arn)
  if (!match) {
    const violations = new Violations()
    violations.add(
      arn,
      'resource',
      'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
    )
    violations.throwIfAny()
  }
  const [, , region, , , , , accountId, name, , qualifier] = match!
  if (qualifier !== undefined) {
    throw invalidParameter(
      'Tagging operations are permitted on Lambda functions only. Tags on aliases and versions are not supported. Please specify either a function name or a function ARN.',
    )
  }
  return {name, region, accountId}
}

function tagResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = taggedFunction(params)
  const tags = validateTags(body(request).Tags)
  if (Object.keys(tags).length === 0) {
    const violations = new Violations()
    violations.required(undefined, 'tags')
    violations.throwIfAny()
  }
  mutateFunction(ctx, ref, (fn) => {
    const merged = {...fn.tags, ...tags}
    if (Object.keys(merged).length > TAG_LIMIT) throw invalidParameter('Number of tags exceeds resource tag limit.')
    return {...fn, tags: merged, revisionId: randomUUID()}
  })
  return empty(204)
}

function untagResource(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = taggedFunction(params)
  const keys = request.query.getAll('tagKeys')
  if (keys.length === 0) {
    const violations = new Violations()
    violations.required(undefined, 'tagKeys')
    violations.throwIfAny()
  }
  mutateFunction(ctx, ref, (fn) => {
    const tags = {...fn.tags}
    for (const key of keys) delete tags[key]
    return {...fn, tags, revisionId: randomUUID()}
  })
  return empty(204)
}

function listTags(_request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const fn = loadFunction(ctx, taggedFunction(params))
  return json(200, {Tags: fn.tags})
}

// ---- reserved concurrency ------------------------------------------------------------------------------------

function unqualifiedOnly(ref: FunctionRef): void {
  if (ref.qualifier !== undefined) {
    throw invalidParameter(
      'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
    )
  }
}

function putFunctionConcurrency(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  const input = body(request)
  const violations = new Violations()
  violations.required(input.ReservedConcurrentExecutions, 'reservedConcurrentExecutions')
  violations.range(input.ReservedConcurrentExecutions, 'reservedConcurrentExecutions', 0, Number.MAX_SAFE_INTEGER)
  violations.throwIfAny()
  const reserved = input.ReservedConcurrentExecutions as number
  // AWS names the missing function with `:$LATEST` here (LocalStack's AWS-validated
  // test_function_concurrency_exceptions); Get/DeleteFunctionConcurrency are unconfirmed and keep the plain ARN.
  if (!ctx.store.getFunction(ref.region, ref.name)) functionNotFound({...ref, qualifier: '$LATEST'}, ctx.accountId, true)
  const updated = mutateFunction(ctx, ref, (fn) => {
    const unreserved = ACCOUNT_CONCURRENCY - ctx.store.reservedConcurrencyTotal(fn.region, fn.name)
    if (unreserved - reserved < MINIMUM_UNRESERVED) {
      throw invalidParameter(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MINIMUM_UNRESERVED}].`,
      )
    }
    return {...fn, reservedConcurrency: reserved}
  })
  return json(200, {ReservedConcurrentExecutions: updated.reservedConcurrency})
}

function getFunctionConcurrency(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  const fn = loadFunction(ctx, ref)
  return json(200, fn.reservedConcurrency === null ? {} : {ReservedConcurrentExecutions: fn.reservedConcurrency})
}

function deleteFunctionConcurrency(
  request: EmulatorRequest,
  params: Record<string, string>,
  ctx: ControlContext,
): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  mutateFunction(ctx, ref, (fn) => ({...fn, reservedConcurrency: null}))
  return empty(204)
}

export const LAMBDA_ROUTES: readonly Route<ControlContext>[] = [
  {method: 'POST', pattern: '/2015-03-31/functions', operation: 'CreateFunction', handle: (r, _p, c) => createFunction(r, c)},
  {method: 'GET', pattern: '/2015-03-31/functions', operation: 'ListFunctions', handle: (r, _p, c) => listFunctions(r, c)},
  // botocore's model (so the AWS CLI) sends ListFunctions with a trailing slash; the JS SDK's does not.
  {method: 'GET', pattern: '/2015-03-31/functions/', operation: 'ListFunctions', handle: (r, _p, c) => listFunctions(r, c)},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}', operation: 'GetFunction', handle: getFunction},
  {method: 'DELETE', pattern: '/2015-03-31/functions/{FunctionName}', operation: 'DeleteFunction', handle: deleteFunction},
  {
    method: 'GET',
    pattern: '/2015-03-31/functions/{FunctionName}/configuration',
    operation: 'GetFunctionConfiguration',
    handle: getFunctionConfiguration,
  },
  {
    method: 'PUT',
    pattern: '/2015-03-31/functions/{FunctionName}/configuration',
    operation: 'UpdateFunctionConfiguration',
    handle: updateFunctionConfiguration,
  },
  {method: 'PUT', pattern: '/2015-03-31/functions/{FunctionName}/code', operation: 'UpdateFunctionCode', handle: updateFunctionCode},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/versions', operation: 'ListVersionsByFunction', handle: listVersionsByFunction},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/aliases', operation: 'ListAliases', handle: listAliases},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'GetAlias', handle: getAlias},
  {method: 'POST', pattern: '/2015-03-31/functions/{FunctionName}/policy', operation: 'AddPermission', handle: addPermission},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/policy', operation: 'GetPolicy', handle: getPolicy},
  {
    method: 'DELETE',
    pattern: '/2015-03-31/functions/{FunctionName}/policy/{StatementId}',
    operation: 'RemovePermission',
    handle: removePermission,
  },
  {method: 'POST', pattern: '/2017-03-31/tags/{Resource}', operation: 'TagResource', handle: tagResource},
  {method: 'DELETE', pattern: '/2017-03-31/tags/{Resource}', operation: 'UntagResource', handle: untagResource},
  {method: 'GET', pattern: '/2017-03-31/tags/{Resource}', operation: 'ListTags', handle: listTags},
  {
    method: 'PUT',
    pattern: '/2017-10-31/functions/{FunctionName}/concurrency',
    operation: 'PutFunctionConcurrency',
    handle: putFunctionConcurrency,
  },
  {
    method: 'GET',
    pattern: '/2019-09-30/functions/{FunctionName}/concurrency',
    operation: 'GetFunctionConcurrency',
    handle: getFunctionConcurrency,
  },
  {
    method: 'DELETE',
    pattern: '/2017-10-31/functions/{FunctionName}/concurrency',
    operation: 'DeleteFunctionConcurrency',
    handle: deleteFunctionConcurrency,
  },
]

/** Path prefixes of Lambda's API versions (used to attribute unsigned requests to Lambda). */
export const LAMBDA_PATH_PREFIXES = ['/2015-03-31/', '/2016-08-19/', '/2017-03-31/', '/2017-10-31/', '/2018-10-31/', '/2019-09-25/', '/2019-09-30/', '/2020-04-22/', '/2020-06-30/', '/2021-10-31/']
