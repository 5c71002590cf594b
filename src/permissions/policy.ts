import {type ArnComponents, arnPartsLike, globMatch, splitArn} from './arnlike.js'

/**
 * Lambda resource policies: GetPolicy returns the document as a JSON *string* (aws-semantics §1.2, §3).
 * This module parses it into typed statements, tolerating malformed entries (they become `unparseable`
 * statements instead of failing the whole policy), and evaluates an invoke request against it the way
 * Lambda does for API Gateway: an explicit Deny wins, then any matching Allow.
 */

/** Lambda's limit on the whole policy document (aws-semantics §3). */
export const POLICY_SIZE_LIMIT = 20_480
/** tracegate warns when a policy reaches this share of the limit. */
export const POLICY_SIZE_WARN_RATIO = 0.8

export const API_GATEWAY_PRINCIPAL = 'apigateway.amazonaws.com'
export const INVOKE_ACTION = 'lambda:InvokeFunction'

export type Principal =
  | {kind: 'any'}
  | {kind: 'service'; value: string}
  | {kind: 'aws'; value: string}
  | {kind: 'federated'; value: string}
  | {kind: 'canonical'; value: string}

export type ConditionOperatorBase =
  | 'ArnLike'
  | 'ArnEquals'
  | 'ArnNotLike'
  | 'ArnNotEquals'
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'Null'

const OPERATOR_BASES: readonly ConditionOperatorBase[] = [
  'ArnLike',
  'ArnEquals',
  'ArnNotLike',
  'ArnNotEquals',
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'Null',
]

export interface ConditionClause {
  /** The operator as written, e.g. `ArnLike` or `StringEqualsIfExists`. */
  operator: string
  base: ConditionOperatorBase
  ifExists: boolean
  /** The condition key as written (`AWS:SourceArn`); keys compare case-insensitively. */
  key: string
  values: string[]
}

interface StatementBase {
  /** Position in the policy's Statement array. */
  index: number
  sid?: string
  /** The statement exactly as parsed from the policy. */
  raw: unknown
  /** UTF-8 bytes of the statement's compact JSON (what removing it frees, plus a separating comma). */
  bytes: number
}

export interface ParsedStatement extends StatementBase {
  parseable: true
  effect: 'Allow' | 'Deny'
  principals: Principal[]
  actions: string[]
  resources: string[]
  conditions: ConditionClause[]
}

export interface UnparseableStatement extends StatementBase {
  parseable: false
  /** Why it could not be read, e.g. `"Effect" is missing`. */
  problem: string
}

export type PolicyStatement = ParsedStatement | UnparseableStatement

export interface ParsedPolicy {
  version?: string
  id?: string
  statements: PolicyStatement[]
  /** UTF-8 size of the policy string as Lambda returned it (0 when there is no policy). */
  bytes: number
  /** Set when the document itself is not a policy (not JSON, no object); `statements` is then empty. */
  problem?: string
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8')

class StatementProblem extends Error {}

function stringList(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) throw new StatementProblem(`"${field}" is empty`)
  return list.map((item) => {
    if (typeof item !== 'string' || item === '') throw new StatementProblem(`"${field}" has a value that is not a non-empty string`)
    return item
  })
}

/** A bare string principal, as old policies and other tools write it. */
function principalFromString(value: string): Principal {
  if (value === '*') return {kind: 'any'}
  if (value.endsWith('.amazonaws.com') || value.endsWith('.amazonaws.com.cn')) return {kind: 'service', value}
  return {kind: 'aws', value}
}

function parsePrincipal(value: unknown): Principal[] {
  if (value === undefined) throw new StatementProblem('"Principal" is missing')
  if (typeof value === 'string') return [principalFromString(value)]
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new StatementProblem('"Principal" is neither a string nor an object')
  const principals: Principal[] = []
  for (const [kind, entries] of Object.entries(value as Record<string, unknown>)) {
    const values = stringList(entries, `Principal.${kind}`)
    for (const v of values) {
      if (kind === 'Service') principals.push({kind: 'service', value: v})
      else if (kind === 'AWS') principals.push(v === '*' ? {kind: 'any'} : {kind: 'aws', value: v})
      else if (kind === 'Federated') principals.push({kind: 'federated', value: v})
      else if (kind === 'CanonicalUser') principals.push({kind: 'canonical', value: v})
      else throw new StatementProblem(`"Principal" has an unknown kind "${kind}"`)
    }
  }
  if (principals.length === 0) throw new StatementProblem('"Principal" is empty')
  return principals
}

function parseOperator(operator: string): {base: ConditionOperatorBase; ifExists: boolean} {
  const ifExists = operator.endsWith('IfExists')
  const base = (ifExists ? operator.slice(0, -'IfExists'.length) : operator) as ConditionOperatorBase
  if (!OPERATOR_BASES.includes(base) || (ifExists && base === 'Null')) {
    throw new StatementProblem(`condition operator "${operator}" is not one tracegate evaluates`)
  }
  return {base, ifExists}
}

function parseConditions(value: unknown): ConditionClause[] {
  if (value === undefined) return []
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new StatementProblem('"Condition" is not an object')
  const clauses: ConditionClause[] = []
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    const {base, ifExists} = parseOperator(operator)
    if (!block || typeof block !== 'object' || Array.isArray(block)) {
      throw new StatementProblem(`"Condition.${operator}" is not an object of keys`)
    }
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      const list = Array.isArray(raw) ? raw : [raw]
      if (list.length === 0) throw new StatementProblem(`"Condition.${operator}.${key}" is empty`)
      const values = list.map((v) => {
        if (typeof v === 'string') return v
        if (typeof v === 'number' || typeof v === 'boolean') return String(v)
        throw new StatementProblem(`"Condition.${operator}.${key}" has a value that is not a string`)
      })
      clauses.push({operator, base, ifExists, key, values})
    }
  }
  return clauses
}

function parseStatement(raw: unknown, index: number): PolicyStatement {
  let bytes: number
  try {
    bytes = byteLength(JSON.stringify(raw) ?? '')
  } catch {
    bytes = 0
  }
  const rawSid = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).Sid : undefined
  const sid = typeof rawSid === 'string' && rawSid !== '' ? rawSid : undefined
  const base = {index, sid, raw, bytes}
  try {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new StatementProblem('the statement is not an object')
    const s = raw as Record<string, unknown>
    if (rawSid !== undefined && typeof rawSid !== 'string') throw new StatementProblem('"Sid" is not a string')
    for (const field of ['NotPrincipal', 'NotAction', 'NotResource']) {
      if (field in s) throw new StatementProblem(`"${field}" is not supported by Lambda resource policies`)
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
      throw new StatementProblem(s.Effect === undefined ? '"Effect" is missing' : `"Effect" is ${JSON.stringify(s.Effect)}, not "Allow" or "Deny"`)
    }
    if (s.Action === undefined) throw new StatementProblem('"Action" is missing')
    if (s.Resource === undefined) throw new StatementProblem('"Resource" is missing')
    return {
      ...base,
      parseable: true,
      effect: s.Effect,
      principals: parsePrincipal(s.Principal),
      actions: stringList(s.Action, 'Action'),
      resources: stringList(s.Resource, 'Resource'),
      conditions: parseConditions(s.Condition),
    }
  } catch (error) {
    if (!(error instanceof StatementProblem)) throw error
    return {...base, parseable: false, problem: error.message}
  }
}

/** Parses GetPolicy's `Policy` string. `undefined` (no policy: GetPolicy answered 404) is an empty policy. */
export function parsePolicy(policy: string | undefined): ParsedPolicy {
  if (policy === undefined || policy === '') return {statements: [], bytes: 0}
  const bytes = byteLength(policy)
  let doc: unknown
  try {
    doc = JSON.parse(policy)
  } catch (error) {
    return {statements: [], bytes, problem: `the policy is not valid JSON (${(error as Error).message})`}
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return {statements: [], bytes, problem: 'the policy is not a JSON object'}
  const d = doc as Record<string, unknown>
  // IAM accepts a single statement object as well as an array.
  const rawStatements = d.Statement === undefined ? [] : Array.isArray(d.Statement) ? d.Statement : [d.Statement]
  return {
    version: typeof d.Version === 'string' ? d.Version : undefined,
    id: typeof d.Id === 'string' ? d.Id : undefined,
    statements: rawStatements.map((raw, index) => parseStatement(raw, index)),
    bytes,
  }
}

/** Condition keys compare case-insensitively in IAM (`AWS:SourceArn` = `aws:sourcearn`). */
const keyIs = (clause: ConditionClause, key: string): boolean => clause.key.toLowerCase() === key.toLowerCase()

const POSITIVE_SOURCE_OPERATORS: readonly ConditionOperatorBase[] = ['ArnLike', 'ArnEquals', 'StringEquals', 'StringLike', 'StringEqualsIgnoreCase']

/** The `AWS:SourceArn` values a statement requires (ArnLike, ArnEquals, StringEquals, StringLike). */
export function sourceArnsOf(statement: ParsedStatement): string[] {
  return statement.conditions
    .filter((c) => keyIs(c, 'aws:SourceArn') && POSITIVE_SOURCE_OPERATORS.includes(c.base))
    .flatMap((c) => c.values)
}

/** The `AWS:SourceAccount` values a statement requires. */
export function sourceAccountsOf(statement: ParsedStatement): string[] {
  return statement.conditions
    .filter((c) => keyIs(c, 'aws:SourceAccount') && POSITIVE_SOURCE_OPERATORS.includes(c.base))
    .flatMap((c) => c.values)
}

/** True when the statement names the service principal explicitly (not through `*`). */
export function hasServicePrincipal(statement: ParsedStatement, service: string): boolean {
  return statement.principals.some((p) => p.kind === 'service' && p.value.toLowerCase() === service.toLowerCase())
}

/** Action names compare case-insensitively, with `*` / `?` wildcards (`lambda:*`, `lambda:Invoke*`). */
export function actionMatches(statement: ParsedStatement, action: string): boolean {
  const wanted = action.toLowerCase()
  return statement.actions.some((a) => globMatch(a.toLowerCase(), wanted))
}

export interface InvokeRequest {
  /** Service principal of the caller, e.g. `apigateway.amazonaws.com`. */
  principal: string
  /** Defaults to `lambda:InvokeFunction`. */
  action?: string
  functionArn: string
  sourceArn?: string
  sourceAccount?: string
}

export interface InvokeDecision {
  allowed: boolean
  /** The statement that decided: the matching Deny, or the first matching Allow. */
  statementSid?: string
  statementIndex?: number
  /** `explicit-deny`, `allowed`, or `no-matching-statement` (implicit deny). */
  reason: 'allowed' | 'explicit-deny' | 'no-matching-statement'
}

function principalMatches(statement: ParsedStatement, principal: string): boolean {
  const wanted = principal.toLowerCase()
  return statement.principals.some((p) => p.kind === 'any' || (p.kind === 'service' && p.value.toLowerCase() === wanted))
}

/** A statement's ARN patterns split once: the audit evaluates one policy against every route. */
interface CompiledStatement {
  /** `*`, a split ARN pattern, or `undefined` for a value that is not an ARN (matches nothing). */
  resources: Array<'*' | ArnComponents | undefined>
  /** Per clause, the split ARN patterns of its values (Arn* operators only). */
  arnValues: Array<Array<ArnComponents | undefined> | undefined>
}

const compiledStatements = new WeakMap<ParsedStatement, CompiledStatement>()

function compiled(statement: ParsedStatement): CompiledStatement {
  let c = compiledStatements.get(statement)
  if (!c) {
    c = {
      resources: statement.resources.map((r) => (r === '*' ? '*' : splitArn(r))),
      arnValues: statement.conditions.map((clause) => (clause.base.startsWith('Arn') ? clause.values.map((v) => splitArn(v)) : undefined)),
    }
    compiledStatements.set(statement, c)
  }
  return c
}

interface RequestContext {
  functionArn: ArnComponents | undefined
  /** Condition keys, lower-cased, with the value and its split form when it is an ARN. */
  keys: Map<string, {value: string; arn?: ArnComponents}>
}

function valueMatches(base: ConditionOperatorBase, pattern: string, patternArn: ArnComponents | undefined, actual: {value: string; arn?: ArnComponents}): boolean {
  switch (base) {
    case 'ArnLike':
    case 'ArnEquals':
    case 'ArnNotLike':
    case 'ArnNotEquals':
      return patternArn !== undefined && actual.arn !== undefined && arnPartsLike(patternArn, actual.arn)
    case 'StringEquals':
    case 'StringNotEquals':
      return pattern === actual.value
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return pattern.toLowerCase() === actual.value.toLowerCase()
    case 'StringLike':
    case 'StringNotLike':
      return globMatch(pattern, actual.value)
    default:
      return false
  }
}

const NEGATED: readonly ConditionOperatorBase[] = ['ArnNotLike', 'ArnNotEquals', 'StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike']

/**
 * One condition clause against the request context. IAM: a key absent from the context makes a positive
 * operator false and a negated one true; `…IfExists` makes any operator true when the key is absent;
 * `Null: {key: "true"}` holds when the key is absent.
 */
function clauseHolds(clause: ConditionClause, arnValues: Array<ArnComponents | undefined> | undefined, context: RequestContext): boolean {
  const actual = context.keys.get(clause.key.toLowerCase())
  if (clause.base === 'Null') {
    return clause.values.some((v) => (v.toLowerCase() === 'true') === (actual === undefined))
  }
  const negated = NEGATED.includes(clause.base)
  if (actual === undefined) return clause.ifExists || negated
  const anyMatch = clause.values.some((v, i) => valueMatches(clause.base, v, arnValues?.[i], actual))
  return negated ? !anyMatch : anyMatch
}

function requestContext(request: InvokeRequest): RequestContext {
  const keys = new Map<string, {value: string; arn?: ArnComponents}>()
  if (request.sourceArn !== undefined) keys.set('aws:sourcearn', {value: request.sourceArn, arn: splitArn(request.sourceArn)})
  if (request.sourceAccount !== undefined) keys.set('aws:sourceaccount', {value: request.sourceAccount})
  return {functionArn: splitArn(request.functionArn), keys}
}

function applies(statement: ParsedStatement, request: InvokeRequest, context: RequestContext): boolean {
  if (!principalMatches(statement, request.principal)) return false
  if (!actionMatches(statement, request.action ?? INVOKE_ACTION)) return false
  const c = compiled(statement)
  const fnArn = context.functionArn
  if (!c.resources.some((r) => r === '*' || (r !== undefined && fnArn !== undefined && arnPartsLike(r, fnArn)))) return false
  return statement.conditions.every((clause, i) => clauseHolds(clause, c.arnValues[i], context))
}

/** True when the statement applies to the request (principal, action, resource and every condition). */
export function statementApplies(statement: ParsedStatement, request: InvokeRequest): boolean {
  return applies(statement, request, requestContext(request))
}

/**
 * Lambda's decision for a service-principal invoke: any applicable Deny refuses, otherwise the first
 * applicable Allow permits, otherwise it is an implicit deny. Unparseable statements are skipped (Lambda
 * would not have stored them; we cannot know what they meant).
 */
export function evaluateInvoke(policy: ParsedPolicy, request: InvokeRequest): InvokeDecision {
  let allow: ParsedStatement | undefined
  const context = requestContext(request)
  for (const statement of policy.statements) {
    if (!statement.parseable || !applies(statement, request, context)) continue
    if (statement.effect === 'Deny') {
      return {allowed: false, statementSid: statement.sid, statementIndex: statement.index, reason: 'explicit-deny'}
    }
    allow ??= statement
  }
  if (allow) return {allowed: true, statementSid: allow.sid, statementIndex: allow.index, reason: 'allowed'}
  return {allowed: false, reason: 'no-matching-statement'}
}

/** Bytes of the policy after removing the given statements (0 when none is left: Lambda drops the policy). */
export function policyBytesWithout(policy: ParsedPolicy, removedIndexes: ReadonlySet<number>): number {
  if (removedIndexes.size === 0) return policy.bytes
  const remaining = policy.statements.filter((s) => !removedIndexes.has(s.index))
  if (remaining.length === 0) return 0
  // The policy string is compact JSON; removing a statement drops its text and one separating comma.
  const freed = policy.statements.filter((s) => removedIndexes.has(s.index)).reduce((sum, s) => sum + s.bytes + 1, 0)
  return Math.max(0, policy.bytes - freed)
}
