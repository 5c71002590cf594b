/**
 * Lambda resource-based policies as AddPermission builds them and GetPolicy returns them (aws-semantics §3):
 * key order `Version, Id, Statement`; each statement `Sid, Effect, Principal, Action, Resource, Condition`.
 */

/** Lambda's limit on the whole policy document (aws-semantics §3, "Size limit"). */
export const POLICY_SIZE_LIMIT = 20480

export interface PermissionInput {
  statementId: string
  action: string
  principal: string
  /** The ARN the statement's `Resource` names (unqualified for `$LATEST`). */
  resource: string
  sourceArn?: string
  sourceAccount?: string
  principalOrgId?: string
  eventSourceToken?: string
  functionUrlAuthType?: string
}

/**
 * A service principal (`….amazonaws.com`) becomes `{"Service": …}`; an account id becomes the account's root
 * ARN and an ARN stays as is, both under `{"AWS": …}`; `*` stays `*`.
 */
export function principalFor(principal: string): unknown {
  if (principal === '*') return '*'
  if (/\.amazonaws\.com(\.cn)?$/.test(principal)) return {Service: principal}
  if (/^\d{12}$/.test(principal)) return {AWS: `arn:aws:iam::${principal}:root`}
  return {AWS: principal}
}

export function buildStatement(input: PermissionInput): Record<string, unknown> {
  const statement: Record<string, unknown> = {
    Sid: input.statementId,
    Effect: 'Allow',
    Principal: principalFor(input.principal),
    Action: input.action,
    Resource: input.resource,
  }
  const stringEquals: Record<string, string> = {}
  if (input.sourceAccount) stringEquals['AWS:SourceAccount'] = input.sourceAccount
  if (input.principalOrgId) stringEquals['aws:PrincipalOrgID'] = input.principalOrgId
  if (input.eventSourceToken) stringEquals['lambda:EventSourceToken'] = input.eventSourceToken
  if (input.functionUrlAuthType) stringEquals['lambda:FunctionUrlAuthType'] = input.functionUrlAuthType
  const condition: Record<string, unknown> = {}
  if (Object.keys(stringEquals).length > 0) condition.StringEquals = stringEquals
  if (input.sourceArn) condition.ArnLike = {'AWS:SourceArn': input.sourceArn}
  if (Object.keys(condition).length > 0) statement.Condition = condition
  return statement
}

export interface PolicyDocument {
  Version: '2012-10-17'
  Id: 'default'
  Statement: Record<string, unknown>[]
}

export function policyDocument(statements: Record<string, unknown>[]): PolicyDocument {
  return {Version: '2012-10-17', Id: 'default', Statement: statements}
}

/** Size in bytes of the document as GetPolicy serialises it (compact JSON). */
export function policySize(document: PolicyDocument): number {
  return Buffer.byteLength(JSON.stringify(document), 'utf8')
}
