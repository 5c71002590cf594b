/**
 * Stateful fakes behind aws-sdk-client-mock: a Lambda resource policy whose RevisionId rotates on every
 * change (412 on a stale one), and HTTP APIs answered from a list.
 */
import {GetRestApisCommand} from '@aws-sdk/client-api-gateway'
import {GetApisCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand} from '@aws-sdk/client-apigatewayv2'
import {GetPolicyCommand, PreconditionFailedException, RemovePermissionCommand, ResourceNotFoundException} from '@aws-sdk/client-lambda'
import type {AwsStub} from 'aws-sdk-client-mock'

// biome-ignore lint/suspicious/noExplicitAny: the stubs are typed by their clients; the fakes only call .on()
type Stub = AwsStub<any, any, any>

/** A Lambda resource policy that behaves like the service: RevisionId rotates on every change, 412 on a stale one. */
export class FakePolicy {
  statements: Record<string, unknown>[]
  revision = 1
  /** Runs just before the n-th RemovePermission is applied (1-based), to simulate a concurrent writer. */
  beforeRemove = new Map<number, () => void>()
  removeCalls = 0

  constructor(statements: Record<string, unknown>[]) {
    this.statements = [...statements]
  }

  get revisionId() {
    return `rev-${this.revision}`
  }

  change(mutate: (s: Record<string, unknown>[]) => void) {
    mutate(this.statements)
    this.revision++
  }

  install(lambda: Stub) {
    lambda.on(GetPolicyCommand).callsFake(() => {
      if (this.statements.length === 0) {
        throw new ResourceNotFoundException({message: 'The resource you requested does not exist.', $metadata: {httpStatusCode: 404}})
      }
      return {Policy: JSON.stringify({Version: '2012-10-17', Id: 'default', Statement: this.statements}), RevisionId: this.revisionId}
    })
    lambda.on(RemovePermissionCommand).callsFake((input: {StatementId: string; RevisionId?: string}) => {
      this.removeCalls++
      this.beforeRemove.get(this.removeCalls)?.()
      if (input.RevisionId !== undefined && input.RevisionId !== this.revisionId) {
        throw new PreconditionFailedException({
          message: 'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id',
          $metadata: {httpStatusCode: 412},
        })
      }
      const index = this.statements.findIndex((s) => s.Sid === input.StatementId)
      if (index === -1) {
        throw new ResourceNotFoundException({message: `Statement ${input.StatementId} is not found in resource policy.`, $metadata: {httpStatusCode: 404}})
      }
      this.change((s) => s.splice(index, 1))
      return {}
    })
  }

  sids() {
    return this.statements.map((s) => s.Sid)
  }
}

export interface FakeHttpApi {
  id: string
  stages: string[]
  routes: Array<{key: string; fn: string}>
  tags?: Record<string, string>
}

export function installApis(v2: Stub, v1: Stub, apis: () => FakeHttpApi[]) {
  v2.on(GetApisCommand).callsFake(() => ({Items: apis().map((a) => ({ApiId: a.id, Name: a.id, ProtocolType: 'HTTP', Tags: a.tags ?? {}}))}))
  const find = (id: string) => apis().find((a) => a.id === id)!
  v2.on(GetStagesCommand).callsFake((input: {ApiId: string}) => ({Items: find(input.ApiId).stages.map((StageName) => ({StageName}))}))
  v2.on(GetRoutesCommand).callsFake((input: {ApiId: string}) => ({
    Items: find(input.ApiId).routes.map((r, i) => ({RouteId: `r${i}`, RouteKey: r.key, Target: `integrations/i${i}`})),
  }))
  v2.on(GetIntegrationsCommand).callsFake((input: {ApiId: string}) => ({
    Items: find(input.ApiId).routes.map((r, i) => ({IntegrationId: `i${i}`, IntegrationType: 'AWS_PROXY', IntegrationUri: r.fn})),
  }))
  // tracegate's emulator has no API Gateway v1; real AWS answers an empty list here.
  v1.on(GetRestApisCommand).resolves({items: []})
}

