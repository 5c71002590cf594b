/**
 * The Lambda control plane (restJson1, aws-semantics §1.2): functions with zip code, published versions and
 * aliases (rules in lambda-versions.ts), resource policies per qualifier, tags, reserved concurrency.
 *
 * Functions report `State: Active` and `LastUpdateStatus: Successful` immediately: the emulator applies every
 * change synchronously, so the SDK waiters (`waitUntilFunctionActiveV2`, `waitUntilFunctionUpdatedV2`) succeed
 * on their first poll.
 */
import {randomUUID} from 'node:crypto'
import {type AliasRecord, type FunctionConfigRecord, type FunctionRecord, InvalidCursorError, lambdaTimestamp, sha256Hex} from '../store.js'
import {empty, type EmulatorRequest, json, parseJsonBody, type Route, ServiceError, type WireResponse} from '../wire.js'
import type {ControlContext} from './context.js'
import {buildStatement, POLICY_SIZE_LIMIT, policyDocument, policySize} from './lambda-policy.js'
import {
  conflict,
  functionArn,
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
import {aliasOut, qualifierKind, resolveQualifier, routesTo, unchangedSince, validateAliasMembers, versionOf, versionView, weightsOf} from './lambda-versions.js'
import {inspectZip} from './zip.js'

/** Lambda's quotas for direct (ZipFile) uploads. */
const UNZIPPED_LIMIT = 262_144_000
/** Lambda's account concurrency default and the minimum it keeps unreserved. */
const ACCOUNT_CONCURRENCY = 1000
const MINIMUM_UNRESERVED = 100
const TAG_LIMIT = 50

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

/**
 * Loads `$LATEST` of the referenced function, or throws the ResourceNotFoundException AWS would. Operations on
 * `$LATEST` only (updates, tags, concurrency) refuse any other qualifier as a missing function.
 */
function loadFunction(ctx: ControlContext, ref: FunctionRef): FunctionRecord {
  const fn = loadUnqualified(ctx, ref)
  if (ref.qualifier !== undefined && ref.qualifier !== '$LATEST') functionNotFound(ref, ctx.accountId, true)
  return fn
}

/** The function itself, whatever the qualifier names. */
function loadUnqualified(ctx: ControlContext, ref: FunctionRef): FunctionRecord {
  if (ref.accountId !== undefined && ref.accountId !== ctx.accountId) functionNotFound(ref, ctx.accountId)
  const fn = ctx.store.getFunction(ref.region, ref.name)
  if (!fn) functionNotFound(ref, ctx.accountId, ref.qualifier !== undefined && ref.qualifier !== '$LATEST')
  return fn
}

interface Qualified {
  fn: FunctionRecord
  /** What the qualifier designates: `$LATEST` (also without a qualifier), a version's view, or an alias's version. */
  target: FunctionRecord
  alias?: AliasRecord
}

/** The function and what its qualifier designates, or the ResourceNotFoundException AWS answers for a missing one. */
function loadQualified(ctx: ControlContext, ref: FunctionRef): Qualified {
  const fn = loadUnqualified(ctx, ref)
  const resolved = resolveQualifier(ctx.store, fn, ref.qualifier)
  if (resolved.kind === 'missing-alias') throw aliasNotFound(fn, ctx.accountId, ref.qualifier!)
  if (resolved.kind === 'missing-version') return functionNotFound(ref, ctx.accountId, true)
  return {fn, target: resolved.target, ...(resolved.kind === 'alias' ? {alias: resolved.alias} : {})}
}

function aliasNotFound(fn: FunctionRecord, accountId: string, alias: string): ServiceError {
  return resourceNotFound(`Cannot find alias arn: ${functionArn(fn.region, accountId, fn.name, alias)}`)
}

function refFrom(request: EmulatorRequest, params: Record<string, string>, withQualifier = true): FunctionRef {
  return parseFunctionName(params.FunctionName, request.region, withQualifier ? request.query.get('Qualifier') : undefined)
}

/** A RevisionId the caller gave must be the current one (of the function, its alias or its policy's owner). */
function checkRevision(given: unknown, current: string): void {
  if (given !== undefined && given !== null && given !== '' && given !== current) throw preconditionFailed()
}

/**
 * FunctionConfiguration of `$LATEST` or of a version's view (`versionView`). `qualified`: the ARN names the
 * version (as a qualified Get*, ListVersionsByFunction and PublishVersion answer), or `arnQualifier` (an alias).
 */
export function configurationOut(fn: FunctionRecord, accountId: string, qualified = false, arnQualifier?: string): Record<string, unknown> {
  const config = fn.config
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(fn.region, accountId, fn.name, qualified ? (arnQualifier ?? fn.version ?? '$LATEST') : undefined),
    Runtime: config.runtime,
    Role: config.role,
    Handler: config.handler,
    CodeSize: fn.codeSize,
    Description: config.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: codeSha256Base64(fn.codeSha256),
    Version: fn.version ?? '$LATEST',
    ...(config.environment ? {Environment: {Variables: config.environment}} : {}),
    TracingConfig: {Mode: config.tracingMode},
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: config.architectures,
    EphemeralStorage: {Size: config.ephemeralStorageSize},
    ...(config.deadLetterTargetArn ? {DeadLetterConfig: {TargetArn: config.deadLetterTargetArn}} : {}),
    ...(config.kmsKeyArn ? {KMSKeyArn: config.kmsKeyArn} : {}),
    ...(config.vpc ? {VpcConfig: {SubnetIds: config.vpc.subnetIds, SecurityGroupIds: config.vpc.securityGroupIds}} : {}),
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

/**
 * Publishes `$LATEST` (read inside the caller's transaction) as the next version and returns the version's view;
 * when `$LATEST` has not changed since the newest version, that version is returned and nothing is published.
 * Publishing rotates `$LATEST`'s RevisionId, as on AWS.
 */
function publish(ctx: ControlContext, fn: FunctionRecord, description?: string): FunctionRecord {
  const newest = ctx.store.latestVersion(fn.region, fn.name)
  if (newest && unchangedSince(fn, newest)) return versionView(fn, newest)
  const version = ctx.store.insertVersion(fn, description ?? fn.config.description, randomUUID(), lambdaTimestamp())
  ctx.store.saveFunction({...fn, revisionId: randomUUID()})
  return versionView(fn, version)
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

/**
 * DeadLetterConfig, KMSKeyArn and VpcConfig as a create or update gives them: kept and reported back, with no effect
 * on how the emulator runs the function. `undefined` members were not given; an empty value clears the setting.
 */
function extrasFrom(input: Record<string, unknown>): Partial<Pick<FunctionConfigRecord, 'deadLetterTargetArn' | 'kmsKeyArn' | 'vpc'>> {
  const extras: Partial<Pick<FunctionConfigRecord, 'deadLetterTargetArn' | 'kmsKeyArn' | 'vpc'>> = {}
  if ('DeadLetterConfig' in input) {
    const target = (input.DeadLetterConfig as {TargetArn?: unknown} | null)?.TargetArn
    extras.deadLetterTargetArn = typeof target === 'string' && target !== '' ? target : undefined
  }
  if ('KMSKeyArn' in input) extras.kmsKeyArn = typeof input.KMSKeyArn === 'string' && input.KMSKeyArn !== '' ? input.KMSKeyArn : undefined
  if ('VpcConfig' in input) {
    const vpc = (input.VpcConfig ?? {}) as {SubnetIds?: unknown; SecurityGroupIds?: unknown}
    const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : [])
    const subnetIds = strings(vpc.SubnetIds)
    const securityGroupIds = strings(vpc.SecurityGroupIds)
    extras.vpc = subnetIds.length > 0 || securityGroupIds.length > 0 ? {subnetIds, securityGroupIds} : undefined
  }
  return extras
}

/** The record without its undefined members (the stored JSON then has no empty keys). */
function withoutUndefined<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>
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
    ...withoutUndefined(extrasFrom(input)),
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
    const fn = ctx.store.getFunction(ref.region, ref.name)!
    // Publish: the answer describes version 1, with its qualified ARN.
    return input.Publish === true ? publish(ctx, fn) : fn
  })
  return json(201, configurationOut(created, ctx.accountId, created.version !== undefined))
}

/** Configuration of what a Get* request's qualifier names; an alias's answer carries the alias's ARN. */
function qualifiedConfiguration(ref: FunctionRef, found: Qualified, accountId: string): Record<string, unknown> {
  return configurationOut(found.target, accountId, ref.qualifier !== undefined, found.alias?.alias)
}

function getFunction(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const found = loadQualified(ctx, ref)
  const fn = found.fn
  return json(200, {
    Configuration: qualifiedConfiguration(ref, found, ctx.accountId),
    Code: {RepositoryType: 'S3', Location: `${request.baseUrl}/_tracegate/code/${found.target.codeSha256}`},
    ...(Object.keys(fn.tags).length > 0 ? {Tags: fn.tags} : {}),
    ...(fn.reservedConcurrency !== null ? {Concurrency: {ReservedConcurrentExecutions: fn.reservedConcurrency}} : {}),
  })
}

function getFunctionConfiguration(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  return json(200, qualifiedConfiguration(ref, loadQualified(ctx, ref), ctx.accountId))
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
  if (input.ZipFile === undefined) {
    if (input.S3Bucket !== undefined) s3CodeUnavailable()
    throw invalidParameter('Please provide a source for function code.')
  }
  const zip = decodeZipFile(input.ZipFile)
  if (input.DryRun === true) {
    const fn = loadFunction(ctx, ref)
    checkRevision(input.RevisionId, fn.revisionId)
    const preview: FunctionRecord = {...fn, codeSha256: sha256Hex(zip), codeSize: zip.length}
    return json(200, configurationOut(preview, ctx.accountId))
  }
  const updated = ctx.store.transaction(() => {
    const fn = mutateFunction(ctx, ref, (current) => {
      checkRevision(input.RevisionId, current.revisionId)
      const {sha256} = ctx.store.putCode(zip)
      return {
        ...current,
        codeSha256: sha256,
        config: architectures ? {...current.config, architectures} : current.config,
        revisionId: randomUUID(),
        generation: current.generation + 1,
        lastModified: lambdaTimestamp(),
      }
    })
    // Publish: the answer describes the new version, with its qualified ARN.
    return input.Publish === true ? publish(ctx, fn) : fn
  })
  return json(200, configurationOut(updated, ctx.accountId, updated.version !== undefined))
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
    checkRevision(input.RevisionId, fn.revisionId)
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
    Object.assign(config, extrasFrom(input))
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
    const fn = loadUnqualified(ctx, ref)
    if (ref.qualifier === undefined) {
      ctx.store.deleteFunction(ref.region, ref.name)
      return
    }
    // A qualifier deletes one version (with its policy). An alias is refused; a version that does not exist is
    // answered like a deleted one (LocalStack's AWS-validated provider).
    if (qualifierKind(ref.qualifier) === 'alias') throw invalidParameter('Deletion of aliases is not currently supported.')
    const referencing = ctx.store
      .allAliases(fn.region, fn.name)
      .filter((alias) => routesTo(alias, ref.qualifier!))
      .map((alias) => alias.alias)
    if (referencing.length > 0) throw conflict(`Unable to delete version because the following aliases reference it: [${referencing.join(', ')}]`)
    ctx.store.deleteVersion(fn.region, fn.name, Number(ref.qualifier))
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

// ---- versions and aliases --------------------------------------------------------------------------------------

/** The unqualified function a version or alias operation names; with `paged`, its MaxItems is checked first. */
function unqualifiedFunction(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext, paged: boolean): {fn: FunctionRecord; maxItems: number} {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  let maxItems = 50
  if (paged) {
    const violations = new Violations()
    maxItems = maxItemsOf(request, violations)
    violations.throwIfAny()
  }
  return {fn: loadFunction(ctx, ref), maxItems}
}

/** PublishVersion: 201 with the version's configuration (the newest version again when `$LATEST` is unchanged). */
function publishVersion(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  const input = body(request)
  const violations = new Violations()
  violations.length(input.Description, 'description', 0, 256)
  violations.throwIfAny()
  const version = ctx.store.transaction(() => {
    const fn = loadFunction(ctx, ref)
    checkRevision(input.RevisionId, fn.revisionId)
    const current = codeSha256Base64(fn.codeSha256)
    if (typeof input.CodeSha256 === 'string' && input.CodeSha256 !== '' && input.CodeSha256 !== current) {
      throw invalidParameter(
        `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
      )
    }
    return publish(ctx, fn, typeof input.Description === 'string' ? input.Description : undefined)
  })
  return json(201, configurationOut(version, ctx.accountId, true))
}

/** A List* Marker this emulator issued (`decode` undefined: not one). */
function markerOf<T>(request: EmulatorRequest, decode: (raw: string) => T | undefined): T | undefined {
  const marker = request.query.get('Marker')
  if (marker === null || marker === '') return undefined
  const decoded = decode(marker)
  if (decoded === undefined) throw invalidParameter(`Invalid marker: ${marker}`)
  return decoded
}

/**
 * ListVersionsByFunction: `$LATEST` first, then the published versions in order, each with its qualified ARN, as
 * AWS lists them. The Marker is the last version number of the page (`$LATEST` counting as 0).
 */
function listVersionsByFunction(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const {fn, maxItems} = unqualifiedFunction(request, params, ctx, true)
  const after = markerOf(request, (raw) => (/^[0-9]+$/.test(raw) ? Number(raw) : undefined))
  const items: FunctionRecord[] = after === undefined ? [fn] : []
  const versions = ctx.store.listVersions(fn.region, fn.name, {after, limit: maxItems + 1 - items.length})
  for (const version of versions) items.push(versionView(fn, version))
  const page = items.slice(0, maxItems)
  const last = page[page.length - 1]
  return json(200, {
    Versions: page.map((item) => listItemOut(item, ctx.accountId, true)),
    ...(items.length > maxItems ? {NextMarker: last.version ?? '0'} : {}),
  })
}

/** ListAliases, optionally only those that route to `FunctionVersion`; the Marker is the page's last alias name. */
function listAliases(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const {fn, maxItems} = unqualifiedFunction(request, params, ctx, true)
  const after = markerOf(request, (raw) => raw)
  const version = request.query.get('FunctionVersion')
  const aliases = ctx.store
    .allAliases(fn.region, fn.name)
    .filter((alias) => (after === undefined || alias.alias > after) && (version === null || routesTo(alias, version)))
  const page = aliases.slice(0, maxItems)
  return json(200, {
    Aliases: page.map((alias) => aliasOut(alias, ctx.accountId)),
    ...(aliases.length > maxItems ? {NextMarker: page[page.length - 1].alias} : {}),
  })
}

function loadAlias(ctx: ControlContext, fn: FunctionRecord, name: string): AliasRecord {
  const alias = ctx.store.getAlias(fn.region, fn.name, name)
  if (!alias) throw aliasNotFound(fn, ctx.accountId, name)
  return alias
}

/**
 * The routing of an alias, checked against the versions that exist: the primary must exist, and each additional
 * version must be a published one other than the primary (AWS routes between two versions at most, and never to
 * `$LATEST`, whose code can change under the alias).
 */
function checkAliasTarget(ctx: ControlContext, fn: FunctionRecord, functionVersion: string, weights: Record<string, number> | undefined): void {
  if (!versionOf(ctx.store, fn, functionVersion)) functionNotFound({name: fn.name, region: fn.region, qualifier: functionVersion}, ctx.accountId, true)
  if (!weights) return
  const additional = Object.keys(weights)
  if (additional.length > 1) throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1')
  if (functionVersion === '$LATEST') throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version')
  for (const version of additional) {
    if (version === functionVersion) throw invalidParameter(`Invalid function version ${version}. Function version ${version} is already included in routing configuration.`)
    if (!versionOf(ctx.store, fn, version)) functionNotFound({name: fn.name, region: fn.region, qualifier: version}, ctx.accountId, true)
  }
}

function createAlias(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  const input = body(request)
  const violations = new Violations()
  validateAliasMembers({name: input.Name, functionVersion: input.FunctionVersion, description: input.Description, routingConfig: input.RoutingConfig}, violations, true)
  violations.throwIfAny()
  const alias = ctx.store.transaction(() => {
    const fn = loadFunction(ctx, ref)
    const weights = weightsOf(input.RoutingConfig)
    checkAliasTarget(ctx, fn, String(input.FunctionVersion), weights)
    const record: AliasRecord = {
      region: fn.region,
      name: fn.name,
      alias: String(input.Name),
      functionVersion: String(input.FunctionVersion),
      description: typeof input.Description === 'string' ? input.Description : '',
      weights: weights ?? null,
      revisionId: randomUUID(),
    }
    if (!ctx.store.insertAlias(record)) throw conflict(`Alias already exists: ${functionArn(fn.region, ctx.accountId, fn.name, record.alias)}`)
    return record
  })
  return json(201, aliasOut(alias, ctx.accountId))
}

function getAlias(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const {fn} = unqualifiedFunction(request, params, ctx, false)
  return json(200, aliasOut(loadAlias(ctx, fn, params.Name), ctx.accountId))
}

/** UpdateAlias: members given replace the alias's; an empty AdditionalVersionWeights removes the routing. */
function updateAlias(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = parseFunctionName(params.FunctionName, request.region)
  unqualifiedOnly(ref)
  const input = body(request)
  const violations = new Violations()
  validateAliasMembers({functionVersion: input.FunctionVersion, description: input.Description, routingConfig: input.RoutingConfig}, violations, false)
  violations.throwIfAny()
  const alias = ctx.store.transaction(() => {
    const fn = loadFunction(ctx, ref)
    const current = loadAlias(ctx, fn, params.Name)
    checkRevision(input.RevisionId, current.revisionId)
    const functionVersion = typeof input.FunctionVersion === 'string' ? input.FunctionVersion : current.functionVersion
    const weights = input.RoutingConfig !== undefined && input.RoutingConfig !== null ? weightsOf(input.RoutingConfig) : (current.weights ?? undefined)
    checkAliasTarget(ctx, fn, functionVersion, weights)
    const next: AliasRecord = {
      ...current,
      functionVersion,
      description: typeof input.Description === 'string' ? input.Description : current.description,
      weights: weights ?? null,
      revisionId: randomUUID(),
    }
    ctx.store.saveAlias(next)
    return next
  })
  return json(200, aliasOut(alias, ctx.accountId))
}

/** DeleteAlias: 204, also for an alias that does not exist (the function must). Its policy goes with it. */
function deleteAlias(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const {fn} = unqualifiedFunction(request, params, ctx, false)
  ctx.store.deleteAlias(fn.region, fn.name, params.Name)
  return empty(204)
}

// ---- resource policy -----------------------------------------------------------------------------------------

// AddPermission's StatementId has no dot (`([a-zA-Z0-9-_]+)`; AWS refuses "example.com"); only RemovePermission's
// NamespacedStatementId allows one (botocore and SDK models, LocalStack's AWS-validated test_permission_exceptions).
const STATEMENT_ID_REGEX = /^[a-zA-Z0-9-_]+$/
const ACTION_REGEX = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/

/**
 * Whose resource policy a request names: the function's own (no qualifier), or a version's or an alias's. Each has
 * its statements, its Resource ARN and the RevisionId a policy change is checked against and rotates (an alias's
 * own; a version's never changes).
 */
interface PolicyScope {
  fn: FunctionRecord
  /** The store's key for the statements: `$LATEST` for the function's own policy, else the qualifier. */
  key: string
  resource: string
  revisionId: string
  rotate(): void
}

/**
 * The scope `ref` names. `missing` replaces the ResourceNotFoundException of a missing function, version or alias:
 * GetPolicy and RemovePermission do not say "Function not found" for one; GetPolicy answers as if the policy were
 * missing, RemovePermission names the policy it could not find (LocalStack's AWS-validated
 * test_permission_exceptions: get_policy_fn_doesnotexist, remove_permission_fn_doesnotexist).
 */
function policyScope(ctx: ControlContext, ref: FunctionRef, missing?: () => ServiceError): PolicyScope {
  let found: Qualified
  try {
    found = loadQualified(ctx, ref)
  } catch (error) {
    if (missing && error instanceof ServiceError && error.code === 'ResourceNotFoundException') throw missing()
    throw error
  }
  const {fn, target, alias} = found
  if (alias) {
    return {
      fn,
      key: alias.alias,
      resource: functionArn(fn.region, ctx.accountId, fn.name, alias.alias),
      revisionId: alias.revisionId,
      rotate: () => ctx.store.saveAlias({...alias, revisionId: randomUUID()}),
    }
  }
  if (target.version !== undefined) {
    return {fn, key: target.version, resource: functionArn(fn.region, ctx.accountId, fn.name, target.version), revisionId: target.revisionId, rotate: () => {}}
  }
  return {
    fn,
    key: '$LATEST',
    resource: functionArn(fn.region, ctx.accountId, fn.name),
    revisionId: fn.revisionId,
    rotate: () => ctx.store.saveFunction({...fn, revisionId: randomUUID()}),
  }
}

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
    const scope = policyScope(ctx, ref)
    const fn = scope.fn
    checkRevision(input.RevisionId, scope.revisionId)
    const existing = ctx.store.listPolicyStatements(fn.region, fn.name, scope.key)
    if (existing.some((s) => s.sid === sid)) {
      throw conflict(
        `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      )
    }
    const built = buildStatement({
      statementId: sid,
      action: String(input.Action),
      principal: String(input.Principal),
      resource: scope.resource,
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
    ctx.store.insertPolicyStatement(fn.region, fn.name, scope.key, sid, built)
    scope.rotate()
    return built
  })
  return json(201, {Statement: JSON.stringify(statement)})
}

function getPolicy(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const scope = policyScope(ctx, ref, () => resourceNotFound('The resource you requested does not exist.'))
  const statements = ctx.store.listPolicyStatements(scope.fn.region, scope.fn.name, scope.key)
  if (statements.length === 0) throw resourceNotFound('The resource you requested does not exist.')
  return json(200, {
    Policy: JSON.stringify(policyDocument(statements.map((s) => s.statement))),
    RevisionId: scope.revisionId,
  })
}

function removePermission(request: EmulatorRequest, params: Record<string, string>, ctx: ControlContext): WireResponse {
  const ref = refFrom(request, params)
  const sid = params.StatementId
  const revisionId = request.query.get('RevisionId')
  ctx.store.transaction(() => {
    const scope = policyScope(ctx, ref, () =>
      resourceNotFound(`No policy found for: ${functionArn(ref.region, ref.accountId ?? ctx.accountId, ref.name, ref.qualifier)}`),
    )
    const fn = scope.fn
    const statements = ctx.store.listPolicyStatements(fn.region, fn.name, scope.key)
    if (statements.length === 0) throw resourceNotFound('No policy is associated with the given resource.')
    if (!statements.some((s) => s.sid === sid)) throw resourceNotFound(`Statement ${sid} is not found in resource policy.`)
    checkRevision(revisionId, scope.revisionId)
    ctx.store.deletePolicyStatement(fn.region, fn.name, scope.key, sid)
    scope.rotate()
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
  {method: 'POST', pattern: '/2015-03-31/functions/{FunctionName}/versions', operation: 'PublishVersion', handle: publishVersion},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/versions', operation: 'ListVersionsByFunction', handle: listVersionsByFunction},
  {method: 'POST', pattern: '/2015-03-31/functions/{FunctionName}/aliases', operation: 'CreateAlias', handle: createAlias},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/aliases', operation: 'ListAliases', handle: listAliases},
  {method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'GetAlias', handle: getAlias},
  {method: 'PUT', pattern: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'UpdateAlias', handle: updateAlias},
  {method: 'DELETE', pattern: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'DeleteAlias', handle: deleteAlias},
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
