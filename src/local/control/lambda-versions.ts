/**
 * Lambda versions and aliases (the Lambda guide, "Lambda function versions" and "Lambda function aliases"): the
 * rules the control plane, Invoke and the execute-api data plane share.
 *
 * - A version is an immutable snapshot of `$LATEST`'s code and configuration, numbered 1, 2, … per function; numbers
 *   are never reused. Publishing when `$LATEST` has not changed since the last version returns that version.
 * - An alias names `$LATEST` or a version, and may send a share of invocations to one more version
 *   (`RoutingConfig.AdditionalVersionWeights`).
 * - A qualifier is `$LATEST`, a version (digits only) or an alias (anything else: an alias name may not be all
 *   digits). A missing version reads "Function not found: <qualified ARN>", a missing alias "Cannot find alias arn:
 *   <alias ARN>" (messages as LocalStack's AWS-validated provider gives them).
 * - Resource policies are per qualifier: the function's own policy covers invocations of the unqualified ARN and
 *   of `$LATEST`; a version or alias is invoked only with statements added for that qualifier (the Lambda guide,
 *   "Using Lambda aliases in event sources and permissions policies": invoking without the alias is a
 *   permission error even when the alias's policy allows it).
 */
import type {AliasRecord, FunctionRecord, FunctionVersionRecord, Store} from '../store.js'
import {functionArn, type Violations} from './lambda-validation.js'

const VERSION_REGEX = /^[0-9]+$/
/** AWS's alias name pattern: letters, digits, `-` and `_`, and not only digits. */
export const ALIAS_NAME_REGEX = /^(?!^[0-9]+$)[a-zA-Z0-9-_]+$/
const ALIAS_NAME_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)'
const FUNCTION_VERSION_PATTERN = '(\\$LATEST|[0-9]+)'
const FUNCTION_VERSION_REGEX = /^(\$LATEST|[0-9]+)$/
const WEIGHT_KEY_PATTERN = '[0-9]+'

export type QualifierKind = 'latest' | 'version' | 'alias'

export function qualifierKind(qualifier: string | undefined): QualifierKind {
  if (qualifier === undefined || qualifier === '$LATEST') return 'latest'
  return VERSION_REGEX.test(qualifier) ? 'version' : 'alias'
}

/**
 * A version as a function record: the version's code, configuration, revision and LastModified, with the
 * function's name, tags, concurrency and faults. `generation` is fixed: a version never changes, so an update of
 * `$LATEST` must not send its warm environments away.
 */
export function versionView(fn: FunctionRecord, version: FunctionVersionRecord): FunctionRecord {
  return {
    ...fn,
    config: version.config,
    codeSha256: version.codeSha256,
    codeSize: version.codeSize,
    revisionId: version.revisionId,
    lastModified: version.lastModified,
    generation: 0,
    version: String(version.version),
  }
}

export type Resolution =
  | {kind: 'latest'; target: FunctionRecord}
  | {kind: 'version'; target: FunctionRecord}
  | {kind: 'alias'; alias: AliasRecord; target: FunctionRecord}
  | {kind: 'missing-version'}
  | {kind: 'missing-alias'}

/** What a qualifier of `fn` designates. An alias resolves to its primary version (`pickVersion` applies weights). */
export function resolveQualifier(store: Store, fn: FunctionRecord, qualifier: string | undefined): Resolution {
  const kind = qualifierKind(qualifier)
  if (kind === 'latest') return {kind: 'latest', target: fn}
  if (kind === 'version') {
    const target = versionOf(store, fn, qualifier!)
    return target ? {kind: 'version', target} : {kind: 'missing-version'}
  }
  const alias = store.getAlias(fn.region, fn.name, qualifier!)
  if (!alias) return {kind: 'missing-alias'}
  const target = versionOf(store, fn, alias.functionVersion)
  // An alias's version cannot be deleted while the alias points at it, so this is only a defence.
  return target ? {kind: 'alias', alias, target} : {kind: 'missing-version'}
}

/** `$LATEST` or a version of `fn` by its wire name; undefined when that version does not exist. */
export function versionOf(store: Store, fn: FunctionRecord, functionVersion: string): FunctionRecord | undefined {
  if (functionVersion === '$LATEST') return fn
  const version = store.getVersion(fn.region, fn.name, Number(functionVersion))
  return version ? versionView(fn, version) : undefined
}

/**
 * The version one invocation through the alias runs: each additional version gets its weight's share of
 * invocations, the primary the rest. `random` is in [0, 1).
 */
export function pickVersion(alias: Pick<AliasRecord, 'functionVersion' | 'weights'>, random: number): string {
  let cumulative = 0
  for (const [version, weight] of Object.entries(alias.weights ?? {})) {
    cumulative += weight
    if (random < cumulative) return version
  }
  return alias.functionVersion
}

/** Whether the alias sends invocations to `version`, as its primary or through its routing configuration. */
export function routesTo(alias: Pick<AliasRecord, 'functionVersion' | 'weights'>, version: string): boolean {
  return alias.functionVersion === version || (alias.weights !== null && version in alias.weights)
}

/** Whether `$LATEST` changed since `latest` (the newest version) was published from it. */
export function unchangedSince(fn: FunctionRecord, latest: FunctionVersionRecord | undefined): boolean {
  return latest !== undefined && latest.fromGeneration === fn.generation && latest.codeSha256 === fn.codeSha256
}

/** The members of CreateAlias and UpdateAlias, checked as the model constrains them. */
export interface AliasInput {
  name?: unknown
  functionVersion?: unknown
  description?: unknown
  routingConfig?: unknown
}

export function validateAliasMembers(input: AliasInput, violations: Violations, create: boolean): void {
  if (create) violations.required(input.name, 'name')
  violations.length(input.name, 'name', 1, 128)
  violations.pattern(input.name, 'name', ALIAS_NAME_REGEX, ALIAS_NAME_PATTERN)
  if (create) violations.required(input.functionVersion, 'functionVersion')
  violations.length(input.functionVersion, 'functionVersion', 1, 1024)
  violations.pattern(input.functionVersion, 'functionVersion', FUNCTION_VERSION_REGEX, FUNCTION_VERSION_PATTERN)
  violations.length(input.description, 'description', 0, 256)
  const weights = weightsOf(input.routingConfig)
  for (const [version, weight] of Object.entries(weights ?? {})) {
    if (!VERSION_REGEX.test(version)) {
      violations.add(version, 'routingConfig.additionalVersionWeights', `Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${WEIGHT_KEY_PATTERN}]`)
    }
    if (typeof weight !== 'number' || weight < 0 || weight > 1) {
      violations.add(weight, 'routingConfig.additionalVersionWeights', 'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]')
    }
  }
}

/** `RoutingConfig.AdditionalVersionWeights` as given (undefined: no routing configuration, or an empty one). */
export function weightsOf(routingConfig: unknown): Record<string, number> | undefined {
  const weights = (routingConfig as {AdditionalVersionWeights?: unknown} | null | undefined)?.AdditionalVersionWeights
  if (!weights || typeof weights !== 'object' || Array.isArray(weights)) return undefined
  return Object.keys(weights).length === 0 ? undefined : (weights as Record<string, number>)
}

/** AliasConfiguration as CreateAlias, GetAlias, UpdateAlias and ListAliases return it. */
export function aliasOut(alias: AliasRecord, accountId: string): Record<string, unknown> {
  return {
    AliasArn: functionArn(alias.region, accountId, alias.name, alias.alias),
    Name: alias.alias,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(alias.weights ? {RoutingConfig: {AdditionalVersionWeights: alias.weights}} : {}),
    RevisionId: alias.revisionId,
  }
}
