import {describe, expect, test} from 'vitest'
import type {FunctionState} from '../../src/aws/lambda.js'
import {type HttpApiDetail, httpApiTarget} from '../../src/deploy/http-api.js'
import type {DesiredFunction, DesiredState, ObservedState} from '../../src/deploy/model.js'
import {functionChanges, planDeploy, planRole} from '../../src/deploy/plan.js'
import {parsePolicy} from '../../src/permissions/policy.js'
import {statementIdFor} from '../../src/permissions/statement-id.js'

// Pure planning with plain data: no SDK, no mocks. The target's plan never calls its client.
const target = httpApiTarget(undefined as never)
const ARN = (name: string) => `arn:aws:lambda:us-east-2:123456789012:function:${name}`
const ROLE = 'arn:aws:iam::123456789012:role/shop-lambda'

function desiredFn(overrides: Partial<DesiredFunction> = {}): DesiredFunction {
  return {
    key: 'get',
    name: 'shop-get',
    settings: {name: 'shop-get', runtime: 'nodejs20.x', handler: 'src/get.handler', memory: 256, timeout: 10, environment: {}, tracing: 'Active'},
    codeSha256: 'sha-1',
    zip: Buffer.alloc(0),
    zipSize: 0,
    routes: ['GET /items/{id}'],
    ...overrides,
  }
}

function desired(functions = [desiredFn()], overrides: Partial<DesiredState> = {}): DesiredState {
  return {
    project: 'shop',
    region: 'us-east-2',
    roleName: 'shop-lambda',
    functions,
    api: {
      type: 'http',
      name: 'shop',
      stage: '$default',
      permissions: 'route',
      routes: functions.flatMap((f) => f.routes.map((routeKey) => ({routeKey, functionKey: f.key, functionName: f.name}))),
    },
    ...overrides,
  }
}

function existingFn(overrides: Partial<FunctionState> = {}): FunctionState {
  return {
    name: 'shop-get',
    arn: ARN('shop-get'),
    runtime: 'nodejs20.x',
    handler: 'src/get.handler',
    role: ROLE,
    memory: 256,
    timeout: 10,
    environment: {},
    tracing: 'Active',
    description: '',
    codeSha256: 'sha-1',
    state: 'Active',
    lastUpdateStatus: 'Successful',
    tags: {'tracegate:project': 'shop'},
    ...overrides,
  }
}

function observed(overrides: Partial<ObservedState<HttpApiDetail>> = {}): ObservedState<HttpApiDetail> {
  return {
    role: {name: 'shop-lambda', arn: ROLE, tags: {'tracegate:project': 'shop'}, attachedPolicies: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess']},
    functions: {'shop-get': existingFn()},
    strays: [],
    policies: {},
    extraApis: [],
    foreignApis: [],
    ...overrides,
  }
}

const api = (detail: Partial<HttpApiDetail> = {}) => ({
  apiId: 'abc123',
  name: 'shop',
  endpoint: 'https://abc123.execute-api.us-east-2.amazonaws.com',
  tags: {'tracegate:project': 'shop'},
  detail: {
    integrations: [{integrationId: 'i1', integrationType: 'AWS_PROXY', integrationUri: ARN('shop-get'), payloadFormatVersion: '2.0'}],
    routes: [{routeId: 'r1', routeKey: 'GET /items/{id}', target: 'integrations/i1'}],
    stages: [{stageName: '$default', autoDeploy: true}],
    ...detail,
  },
})

const grant = (sourceArn: string, sid = statementIdFor('abc123', sourceArn), principal = 'apigateway.amazonaws.com') =>
  parsePolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{Sid: sid, Effect: 'Allow', Principal: {Service: principal}, Action: 'lambda:InvokeFunction', Resource: ARN('shop-get'), Condition: {ArnLike: {'AWS:SourceArn': sourceArn}}}],
    }),
  ).statements[0]
const GET_ITEM = 'arn:aws:execute-api:us-east-2:123456789012:abc123/$default/GET/items/*'

describe('planDeploy', () => {
  test('everything in place is all noop', () => {
    const plan = planDeploy(desired(), observed({api: api(), policies: {'shop-get': [grant(GET_ITEM)]}}), target)
    expect(plan.role.action).toBe('noop')
    expect(plan.functions.map((f) => f.action)).toEqual(['noop'])
    expect(plan.api.actions.map((a) => a.action)).toEqual(['noop', 'noop', 'noop', 'noop'])
    expect(plan.permissions).toEqual([
      {functionKey: 'get', functionName: 'shop-get', routeKey: 'GET /items/{id}', action: 'noop', reason: 'unchanged', statementId: statementIdFor('abc123', GET_ITEM), sourceArn: GET_ITEM},
    ])
  })

  test('statements for an API that is gone are removed; others\' statements are left alone', () => {
    const old = 'arn:aws:execute-api:us-east-2:123456789012:zzz999/$default/GET/items/*'
    const manual = {...grant(old, 'my-own-statement')}
    const plan = planDeploy(desired(), observed({api: api(), policies: {'shop-get': [grant(GET_ITEM), grant(old, statementIdFor('zzz999', old)), manual]}}), target)
    expect(plan.permissions.filter((p) => p.action === 'delete')).toEqual([
      expect.objectContaining({statementId: statementIdFor('zzz999', old), reason: 'grants API zzz999, not abc123'}),
    ])
  })

  test('a statement whose id matches but whose content was edited is replaced', () => {
    const edited = grant(GET_ITEM, undefined, 'events.amazonaws.com')
    const plan = planDeploy(desired(), observed({api: api(), policies: {'shop-get': [edited]}}), target)
    expect(plan.permissions[0]).toMatchObject({action: 'update', reason: 'statement differs (replaced)'})
  })

  test('routes added by hand to other backends are left alone; duplicate integrations of a function are pruned', () => {
    const plan = planDeploy(
      desired(),
      observed({
        api: api({
          integrations: [
            {integrationId: 'i1', integrationType: 'AWS_PROXY', integrationUri: ARN('shop-get'), payloadFormatVersion: '2.0'},
            {integrationId: 'i2', integrationType: 'AWS_PROXY', integrationUri: ARN('shop-get'), payloadFormatVersion: '2.0'},
            {integrationId: 'h1', integrationType: 'HTTP_PROXY', integrationUri: 'https://example.com'},
          ],
          routes: [
            {routeId: 'r1', routeKey: 'GET /items/{id}', target: 'integrations/i1'},
            {routeId: 'r2', routeKey: 'GET /legacy', target: 'integrations/h1'},
          ],
        }),
      }),
      target,
    )
    const changes = plan.api.actions.filter((a) => a.action !== 'noop')
    expect(changes).toEqual([{resource: 'integration', name: 'shop-get', action: 'delete', reason: 'duplicate integration'}])
  })

  test('an integration with payload format 1.0 is updated to 2.0', () => {
    const plan = planDeploy(
      desired(),
      observed({api: api({integrations: [{integrationId: 'i1', integrationType: 'AWS_PROXY', integrationUri: ARN('shop-get'), payloadFormatVersion: '1.0'}]})}),
      target,
    )
    expect(plan.api.actions.find((a) => a.resource === 'integration')).toMatchObject({action: 'update', changes: ['payload format 1.0 → 2.0']})
  })

  test('a stage without auto-deploy is updated, other stages are deleted', () => {
    const plan = planDeploy(
      desired(),
      observed({api: api({stages: [{stageName: '$default', autoDeploy: false}, {stageName: 'old', autoDeploy: true}]})}),
      target,
    )
    expect(plan.api.actions.filter((a) => a.resource === 'stage')).toEqual([
      {resource: 'stage', name: '$default', action: 'update', reason: 'auto-deploy is off'},
      {resource: 'stage', name: 'old', action: 'delete', reason: 'not in tracegate.json (the stage is "$default")'},
    ])
  })

  test('a duplicate tagged API is reported, the oldest one is used', () => {
    const plan = planDeploy(desired(), observed({api: api(), extraApis: [{...api(), apiId: 'dup222'}]}), target)
    expect(plan.api.apiId).toBe('abc123')
    expect(plan.warnings[0]).toMatch(/dup222/)
  })
})

describe('planRole', () => {
  test('an untagged role with our name is not adopted', () => {
    expect(() => planRole(desired(), observed({role: {name: 'shop-lambda', arn: ROLE, tags: {}, attachedPolicies: []}}))).toThrow(
      expect.objectContaining({code: 'ROLE_NOT_OURS'}),
    )
  })

  test('missing managed policies are attached; other partitions use their own policy ARNs', () => {
    const role = planRole(desired([desiredFn()], {region: 'cn-north-1'}), observed({role: {name: 'shop-lambda', arn: ROLE, tags: {'tracegate:project': 'shop'}, attachedPolicies: []}}))
    expect(role.action).toBe('update')
    expect(role.attach).toEqual(['arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', 'arn:aws-cn:iam::aws:policy/AWSXRayDaemonWriteAccess'])
  })
})

describe('functionChanges', () => {
  const role = {name: 'shop-lambda', arn: ROLE, managed: true, action: 'noop' as const, reason: '', attach: []}

  test('names each difference, and environment changes by key only', () => {
    const d = desiredFn({codeSha256: 'sha-2', settings: {...desiredFn().settings, timeout: 30, environment: {A: '1', B: 'new'}}})
    const current = existingFn({environment: {B: 'old', C: 'x'}, tracing: undefined, description: 'old'})
    expect(functionChanges(d, current, role)).toEqual({
      code: true,
      configuration: ['timeout 10 → 30', 'tracing PassThrough → Active', 'description', 'environment +A -C ~B'],
    })
  })

  test('a role that is to be created is matched by name', () => {
    expect(functionChanges(desiredFn(), existingFn(), {...role, arn: undefined}).configuration).toEqual([])
    expect(functionChanges(desiredFn(), existingFn({role: 'arn:aws:iam::123456789012:role/other'}), {...role, arn: undefined}).configuration).toEqual(['role → shop-lambda'])
  })
})
