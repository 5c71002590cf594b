/**
 * IAM on the awsQuery protocol (aws-semantics §1.5): `POST /` with a form body naming the `Action`; XML
 * responses in the `https://iam.amazonaws.com/doc/2010-05-08/` namespace; XML errors
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 *
 * Roles and their managed-policy attachments are stored; managed policies themselves are not, so any
 * well-formed policy ARN can be attached (AWS-managed ARNs such as AWSLambdaBasicExecutionRole are what
 * tracegate attaches).
 */
import {type RoleRecord, InvalidCursorError} from '../store.js'
import {type EmulatorRequest, ServiceError, type WireResponse} from '../wire.js'
import type {ControlContext} from './context.js'
import {iamUniqueId} from './ids.js'

const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/'

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'})[c]!)
}

/** A tiny XML builder: `element('Role', [element('Path', '/')])`. Strings are escaped. */
type Node = string | {raw: string}

function element(name: string, content?: Node | Node[]): {raw: string} {
  if (content === undefined) return {raw: `<${name}/>`}
  const parts = Array.isArray(content) ? content : [content]
  const inner = parts.map((part) => (typeof part === 'string' ? escapeXml(part) : part.raw)).join('')
  return {raw: `<${name}>${inner}</${name}>`}
}

function iamError(status: number, code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): ServiceError {
  return new ServiceError(status, code, message, {Type: type, Code: code, Message: message})
}

const noSuchRole = (name: string) => iamError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`)

export function iamErrorResponse(error: ServiceError, requestId: string): WireResponse {
  const type = typeof error.body.Type === 'string' ? error.body.Type : 'Sender'
  const xml = element('ErrorResponse', [
    element('Error', [element('Type', type), element('Code', error.code), element('Message', error.message)]),
    element('RequestId', requestId),
  ]).raw.replace('<ErrorResponse>', `<ErrorResponse xmlns="${NAMESPACE}">`)
  return {status: error.status, headers: {'content-type': 'text/xml'}, body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`}
}

function respond(action: string, requestId: string, result?: Node[]): WireResponse {
  const parts: Node[] = []
  if (result) parts.push(element(`${action}Result`, result))
  parts.push(element('ResponseMetadata', element('RequestId', requestId)))
  const xml = element(`${action}Response`, parts).raw.replace(`<${action}Response>`, `<${action}Response xmlns="${NAMESPACE}">`)
  return {status: 200, headers: {'content-type': 'text/xml'}, body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`}
}

/** Reads `Prefix.member.N.Key` / `.Value` pairs (awsQuery list-of-structure serialisation). */
function memberList(form: URLSearchParams, prefix: string): {Key: string; Value: string}[] {
  const out: {Key: string; Value: string}[] = []
  for (let i = 1; form.has(`${prefix}.member.${i}.Key`); i++) {
    out.push({Key: form.get(`${prefix}.member.${i}.Key`) ?? '', Value: form.get(`${prefix}.member.${i}.Value`) ?? ''})
  }
  return out
}

function validation(value: string | null, member: string, constraint: string): ServiceError {
  return iamError(
    400,
    'ValidationError',
    `1 validation error detected: Value ${value === null ? 'null' : `'${value}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
  )
}

const ROLE_NAME_REGEX = /^[\w+=,.@-]{1,64}$/

function roleName(form: URLSearchParams): string {
  const name = form.get('RoleName')
  if (name === null) throw validation(null, 'roleName', 'Member must not be null')
  if (name.length > 64) throw validation(name, 'roleName', 'Member must have length less than or equal to 64')
  if (!ROLE_NAME_REGEX.test(name)) {
    throw validation(name, 'roleName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]+')
  }
  return name
}

function tagNodes(tags: {Key: string; Value: string}[]): {raw: string} {
  return element(
    'Tags',
    tags.map((tag) => element('member', [element('Key', tag.Key), element('Value', tag.Value)])),
  )
}

/** AssumeRolePolicyDocument is returned URL-encoded (aws-semantics §1.5). */
function roleNode(role: RoleRecord, wrapper = 'Role'): {raw: string} {
  const parts: Node[] = [
    element('Path', role.path),
    element('RoleName', role.roleName),
    element('RoleId', role.roleId),
    element('Arn', role.arn),
    element('CreateDate', role.createDate),
    element('AssumeRolePolicyDocument', encodeURIComponent(role.assumeRolePolicyDocument)),
  ]
  if (role.description !== undefined) parts.push(element('Description', role.description))
  parts.push(element('MaxSessionDuration', String(role.maxSessionDuration)))
  if (role.tags.length > 0) parts.push(tagNodes(role.tags))
  return element(wrapper, parts)
}

function mergeTags(current: {Key: string; Value: string}[], added: {Key: string; Value: string}[]) {
  const merged = [...current]
  for (const tag of added) {
    const i = merged.findIndex((t) => t.Key === tag.Key)
    if (i >= 0) merged[i] = tag
    else merged.push(tag)
  }
  if (merged.length > 50) throw iamError(409, 'LimitExceeded', 'Cannot exceed quota for TagsPerRole: 50.')
  return merged
}

function createRole(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const document = form.get('AssumeRolePolicyDocument')
  if (document === null) throw validation(null, 'assumeRolePolicyDocument', 'Member must not be null')
  try {
    const parsed = JSON.parse(document) as unknown
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
  } catch {
    throw iamError(400, 'MalformedPolicyDocument', 'This policy contains invalid Json')
  }
  const path = form.get('Path') ?? '/'
  if (!/^(\/|\/[\u0021-\u007E]+\/)$/.test(path)) {
    throw validation(path, 'path', 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)')
  }
  const maxSession = form.has('MaxSessionDuration') ? Number(form.get('MaxSessionDuration')) : 3600
  if (!Number.isInteger(maxSession) || maxSession < 3600 || maxSession > 43200) {
    throw validation(String(form.get('MaxSessionDuration')), 'maxSessionDuration', 'Member must have value between 3600 and 43200')
  }
  const role: RoleRecord = {
    roleName: name,
    roleId: iamUniqueId('AROA'),
    arn: `arn:aws:iam::${ctx.accountId}:role${path}${name}`,
    path,
    createDate: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    assumeRolePolicyDocument: document,
    description: form.get('Description') ?? undefined,
    maxSessionDuration: maxSession,
    tags: mergeTags([], memberList(form, 'Tags')),
  }
  if (!ctx.store.insertRole(role)) throw iamError(409, 'EntityAlreadyExists', `Role with name ${name} already exists.`)
  return respond('CreateRole', requestId, [roleNode(role)])
}

function getRole(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const role = ctx.store.getRole(name)
  if (!role) throw noSuchRole(name)
  return respond('GetRole', requestId, [roleNode(role)])
}

function deleteRole(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  ctx.store.transaction(() => {
    if (!ctx.store.getRole(name)) throw noSuchRole(name)
    const role = ctx.store.getRole(name)!
    if (ctx.store.listAttachedRolePolicies(name, {limit: 1}).items.length > 0) {
      throw iamError(409, 'DeleteConflict', 'Cannot delete entity, must detach all policies first.')
    }
    if (Object.keys(role.inlinePolicies ?? {}).length > 0) {
      throw iamError(409, 'DeleteConflict', 'Cannot delete entity, must delete policies first.')
    }
    ctx.store.deleteRole(name)
  })
  return respond('DeleteRole', requestId)
}

const POLICY_ARN_REGEX = /^arn:aws[a-zA-Z-]*:iam::(aws|\d{12}):policy\/([\u0021-\u007E]+\/)?[\w+=,.@-]+$/

function policyArn(form: URLSearchParams): string {
  const arn = form.get('PolicyArn')
  if (arn === null) throw validation(null, 'policyArn', 'Member must not be null')
  // AWS's words, two spaces included (LocalStack's AWS-validated test_role_attach_policy, non_existent_malformed_policy_arn).
  if (!POLICY_ARN_REGEX.test(arn)) throw iamError(400, 'ValidationError', 'Invalid ARN:  Could not be parsed!')
  return arn
}

function attachRolePolicy(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const arn = policyArn(form)
  ctx.store.transaction(() => {
    if (!ctx.store.getRole(name)) throw noSuchRole(name)
    ctx.store.attachRolePolicy(name, arn)
  })
  return respond('AttachRolePolicy', requestId)
}

function detachRolePolicy(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const arn = policyArn(form)
  ctx.store.transaction(() => {
    if (!ctx.store.getRole(name)) throw noSuchRole(name)
    if (!ctx.store.detachRolePolicy(name, arn)) throw iamError(404, 'NoSuchEntity', `Policy ${arn} was not found.`)
  })
  return respond('DetachRolePolicy', requestId)
}

function maxItems(form: URLSearchParams): number {
  const raw = form.get('MaxItems')
  if (raw === null) return 100
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw validation(raw, 'maxItems', 'Member must have value between 1 and 1000')
  }
  return n
}

function listAttachedRolePolicies(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const limit = maxItems(form)
  const marker = form.get('Marker') ?? undefined
  if (!ctx.store.getRole(name)) throw noSuchRole(name)
  let page: ReturnType<typeof ctx.store.listAttachedRolePolicies>
  try {
    page = ctx.store.listAttachedRolePolicies(name, {after: marker || undefined, limit})
  } catch (error) {
    if (error instanceof InvalidCursorError) throw iamError(400, 'InvalidInput', 'Invalid Marker.')
    throw error
  }
  const prefix = form.get('PathPrefix')
  const arns = prefix ? page.items.filter((arn) => (arn.split(':policy')[1] ?? '').startsWith(prefix)) : page.items
  const result: Node[] = [
    element(
      'AttachedPolicies',
      arns.map((arn) => element('member', [element('PolicyName', arn.slice(arn.lastIndexOf('/') + 1)), element('PolicyArn', arn)])),
    ),
    element('IsTruncated', page.next ? 'true' : 'false'),
  ]
  if (page.next) result.push(element('Marker', page.next))
  return respond('ListAttachedRolePolicies', requestId, result)
}

function tagRole(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const tags = memberList(form, 'Tags')
  if (tags.length === 0) throw validation(null, 'tags', 'Member must not be null')
  ctx.store.transaction(() => {
    const role = ctx.store.getRole(name)
    if (!role) throw noSuchRole(name)
    ctx.store.saveRole({...role, tags: mergeTags(role.tags, tags)})
  })
  return respond('TagRole', requestId)
}

function untagRole(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const keys: string[] = []
  for (let i = 1; form.has(`TagKeys.member.${i}`); i++) keys.push(form.get(`TagKeys.member.${i}`) ?? '')
  ctx.store.transaction(() => {
    const role = ctx.store.getRole(name)
    if (!role) throw noSuchRole(name)
    ctx.store.saveRole({...role, tags: role.tags.filter((tag) => !keys.includes(tag.Key))})
  })
  return respond('UntagRole', requestId)
}

function listRoleTags(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const role = ctx.store.getRole(name)
  if (!role) throw noSuchRole(name)
  return respond('ListRoleTags', requestId, [tagNodes(role.tags), element('IsTruncated', 'false')])
}

function listRoles(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const limit = maxItems(form)
  const marker = form.get('Marker') ?? undefined
  let page: ReturnType<typeof ctx.store.listRoles>
  try {
    page = ctx.store.listRoles({after: marker || undefined, limit})
  } catch (error) {
    if (error instanceof InvalidCursorError) throw iamError(400, 'InvalidInput', 'Invalid Marker.')
    throw error
  }
  const prefix = form.get('PathPrefix')
  const roles = prefix ? page.items.filter((role) => role.path.startsWith(prefix)) : page.items
  const result: Node[] = [
    element('Roles', roles.map((role) => roleNode(role, 'member'))),
    element('IsTruncated', page.next ? 'true' : 'false'),
  ]
  if (page.next) result.push(element('Marker', page.next))
  return respond('ListRoles', requestId, result)
}

const POLICY_NAME_REGEX = /^[\w+=,.@-]{1,128}$/

function policyName(form: URLSearchParams): string {
  const name = form.get('PolicyName')
  if (name === null) throw validation(null, 'policyName', 'Member must not be null')
  if (!POLICY_NAME_REGEX.test(name)) {
    throw validation(name, 'policyName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]+')
  }
  return name
}

/** Inline role policies (PutRolePolicy and friends): stored on the role; documents must be JSON objects. */
function putRolePolicy(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const policy = policyName(form)
  const document = form.get('PolicyDocument')
  if (document === null) throw validation(null, 'policyDocument', 'Member must not be null')
  try {
    const parsed = JSON.parse(document) as unknown
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
  } catch {
    throw iamError(400, 'MalformedPolicyDocument', 'This policy contains invalid Json')
  }
  ctx.store.transaction(() => {
    const role = ctx.store.getRole(name)
    if (!role) throw noSuchRole(name)
    ctx.store.saveRole({...role, inlinePolicies: {...role.inlinePolicies, [policy]: document}})
  })
  return respond('PutRolePolicy', requestId)
}

function noSuchRolePolicy(policy: string): ServiceError {
  return iamError(404, 'NoSuchEntity', `The role policy with name ${policy} cannot be found.`)
}

function getRolePolicy(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const policy = policyName(form)
  const role = ctx.store.getRole(name)
  if (!role) throw noSuchRole(name)
  const document = role.inlinePolicies?.[policy]
  if (document === undefined) throw noSuchRolePolicy(policy)
  return respond('GetRolePolicy', requestId, [
    element('RoleName', role.roleName),
    element('PolicyName', policy),
    element('PolicyDocument', encodeURIComponent(document)),
  ])
}

function listRolePolicies(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const role = ctx.store.getRole(name)
  if (!role) throw noSuchRole(name)
  const names = Object.keys(role.inlinePolicies ?? {}).sort()
  return respond('ListRolePolicies', requestId, [
    element('PolicyNames', names.map((n) => element('member', n))),
    element('IsTruncated', 'false'),
  ])
}

function deleteRolePolicy(form: URLSearchParams, ctx: ControlContext, requestId: string): WireResponse {
  const name = roleName(form)
  const policy = policyName(form)
  ctx.store.transaction(() => {
    const role = ctx.store.getRole(name)
    if (!role) throw noSuchRole(name)
    if (role.inlinePolicies?.[policy] === undefined) throw noSuchRolePolicy(policy)
    const {[policy]: _removed, ...rest} = role.inlinePolicies
    ctx.store.saveRole({...role, inlinePolicies: rest})
  })
  return respond('DeleteRolePolicy', requestId)
}

type IamAction = (form: URLSearchParams, ctx: ControlContext, requestId: string) => WireResponse

export const IAM_ACTIONS: Readonly<Record<string, IamAction>> = {
  CreateRole: createRole,
  GetRole: getRole,
  DeleteRole: deleteRole,
  AttachRolePolicy: attachRolePolicy,
  DetachRolePolicy: detachRolePolicy,
  ListAttachedRolePolicies: listAttachedRolePolicies,
  TagRole: tagRole,
  UntagRole: untagRole,
  ListRoleTags: listRoleTags,
  ListRoles: listRoles,
  PutRolePolicy: putRolePolicy,
  GetRolePolicy: getRolePolicy,
  ListRolePolicies: listRolePolicies,
  DeleteRolePolicy: deleteRolePolicy,
}

/** Serves one awsQuery request (the form body is already in `request.body`). */
export function handleIam(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const form = new URLSearchParams(request.body.toString('utf8'))
  for (const [key, value] of request.query) if (!form.has(key)) form.set(key, value)
  const action = form.get('Action')
  if (action === null) throw iamError(400, 'MissingAction', 'Missing Action')
  const handler = Object.hasOwn(IAM_ACTIONS, action) ? IAM_ACTIONS[action] : undefined
  if (!handler) throw iamError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)
  return handler(form, ctx, request.requestId)
}
