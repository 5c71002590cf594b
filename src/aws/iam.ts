/**
 * The narrow IAM interface deploy and destroy use: the Lambda execution role `{project}-lambda`.
 * IAM speaks awsQuery (aws-semantics §1.5); the SDK hides that.
 */
import type {IAMClient, Role} from '@aws-sdk/client-iam'
import type {AwsClients} from './clients.js'
import {awsCall, awsCallOrMissing, type Clock, errorName, isAlreadyExists, isNotFound, systemClock, toUserError, withRetry} from './errors.js'

export interface RoleState {
  name: string
  arn: string
  tags: Record<string, string>
}

export interface CreateRoleInput {
  name: string
  /** The trust policy (who may assume the role), as a JSON document. */
  trustPolicy: Record<string, unknown>
  description?: string
  tags: Record<string, string>
}

export interface IamApi {
  /** The role with its tags, or undefined. */
  getRole(name: string): Promise<RoleState | undefined>
  /** ARNs of the managed policies attached to the role (all pages). */
  listAttachedPolicies(name: string): Promise<string[]>
  /** Names of the role's inline policies (all pages). */
  listInlinePolicies(name: string): Promise<string[]>
  /** Creates the role; if it already exists (a lost response), returns the existing one. */
  createRole(input: CreateRoleInput): Promise<RoleState>
  attachPolicy(roleName: string, policyArn: string): Promise<void>
  detachPolicy(roleName: string, policyArn: string): Promise<void>
  deleteInlinePolicy(roleName: string, policyName: string): Promise<void>
  /**
   * Deletes the role. Missing is fine. Managed policies must be detached first; inline policies someone added
   * are deleted when IAM answers DeleteConflict (tracegate adds none, so that read is rarely needed).
   */
  deleteRole(name: string): Promise<void>
}

function toRoleState(role: Role | undefined): RoleState {
  const tags: Record<string, string> = {}
  for (const tag of role?.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? ''
  return {name: role?.RoleName ?? '', arn: role?.Arn ?? '', tags}
}

export async function createIamApi(clients: AwsClients, options: {clock?: Clock} = {}): Promise<IamApi> {
  const [sdk, client] = await Promise.all([import('@aws-sdk/client-iam'), clients.iam()])
  return iamApi(client, sdk, options.clock ?? systemClock)
}

function iamApi(client: IAMClient, sdk: typeof import('@aws-sdk/client-iam'), clock: Clock): IamApi {
  const call = <T>(action: string, resource: string, work: () => Promise<T>) => awsCall(action, work, {clock, resource})
  const callOrMissing = <T>(action: string, resource: string, work: () => Promise<T>) => awsCallOrMissing(action, work, {clock, resource})

  async function getRole(name: string): Promise<RoleState | undefined> {
    const response = await callOrMissing('iam:GetRole', name, () => client.send(new sdk.GetRoleCommand({RoleName: name})))
    return response ? toRoleState(response.Role) : undefined
  }

  async function listInlinePolicies(name: string): Promise<string[]> {
    const names: string[] = []
    let marker: string | undefined
    do {
      const page = await call('iam:ListRolePolicies', name, () => client.send(new sdk.ListRolePoliciesCommand({RoleName: name, Marker: marker})))
      names.push(...(page.PolicyNames ?? []))
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return names
  }

  async function deleteInlinePolicy(roleName: string, policyName: string): Promise<void> {
    await callOrMissing('iam:DeleteRolePolicy', roleName, () => client.send(new sdk.DeleteRolePolicyCommand({RoleName: roleName, PolicyName: policyName})))
  }

  return {
    getRole,
    listInlinePolicies,
    deleteInlinePolicy,

    async listAttachedPolicies(name) {
      const arns: string[] = []
      let marker: string | undefined
      do {
        const page = await call('iam:ListAttachedRolePolicies', name, () =>
          client.send(new sdk.ListAttachedRolePoliciesCommand({RoleName: name, Marker: marker})),
        )
        for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn)
        marker = page.IsTruncated ? page.Marker : undefined
      } while (marker)
      return arns
    },

    async createRole(input) {
      try {
        const response = await withRetry(
          () =>
            client.send(
              new sdk.CreateRoleCommand({
                RoleName: input.name,
                AssumeRolePolicyDocument: JSON.stringify(input.trustPolicy),
                Description: input.description,
                Tags: Object.entries(input.tags).map(([Key, Value]) => ({Key, Value})),
              }),
            ),
          {clock},
        )
        return toRoleState(response.Role)
      } catch (error) {
        if (isAlreadyExists(error)) {
          const existing = await getRole(input.name)
          if (existing) return existing
        }
        throw toUserError(error, 'iam:CreateRole', input.name)
      }
    },

    async attachPolicy(roleName, policyArn) {
      // Attaching an already attached policy is a no-op in IAM.
      await call('iam:AttachRolePolicy', roleName, () => client.send(new sdk.AttachRolePolicyCommand({RoleName: roleName, PolicyArn: policyArn})))
    },

    async detachPolicy(roleName, policyArn) {
      await callOrMissing('iam:DetachRolePolicy', roleName, () => client.send(new sdk.DetachRolePolicyCommand({RoleName: roleName, PolicyArn: policyArn})))
    },

    async deleteRole(name) {
      const remove = () => withRetry(() => client.send(new sdk.DeleteRoleCommand({RoleName: name})), {clock})
      try {
        await remove()
      } catch (error) {
        if (isNotFound(error)) return
        if (!/DeleteConflict/.test(errorName(error))) throw toUserError(error, 'iam:DeleteRole', name)
        for (const policy of await listInlinePolicies(name)) await deleteInlinePolicy(name, policy)
        try {
          await remove()
        } catch (again) {
          if (!isNotFound(again)) throw toUserError(again, 'iam:DeleteRole', name)
        }
      }
    },
  }
}
