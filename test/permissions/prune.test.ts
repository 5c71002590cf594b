import {describe, expect, test} from 'vitest'
import {auditPolicy, type PermissionsSnapshot} from '../../src/permissions/audit.js'
import {parsePolicy} from '../../src/permissions/policy.js'
import {planPrune, type PruneOptions} from '../../src/permissions/prune.js'
import {
  ACCOUNT,
  apiGatewayStatement,
  eventsStatement,
  executeApi,
  FUNCTION_ARN,
  httpApi,
  policyDocument,
  REGION,
  restApi,
  s3Statement,
  tracegateStatement,
} from './fixtures.js'

const snapshot: PermissionsSnapshot = {
  apis: [
    restApi({apiId: 'restapi001', stages: ['Prod'], routeKeys: ['GET /orders/{id}'], routeFunctions: {'GET /orders/{id}': FUNCTION_ARN}}),
    httpApi({apiId: 'httpapi001', stages: ['$default'], routeKeys: ['GET /orders/{id}'], routeFunctions: {'GET /orders/{id}': FUNCTION_ARN}}),
  ],
}

const grant = (sid: string, resource: string, region = REGION) => apiGatewayStatement({sid, sourceArn: executeApi(resource, region, ACCOUNT)})

function plan(statements: unknown[], options?: PruneOptions, revisionId = 'rev-1') {
  const document = policyDocument(statements)
  const policy = parsePolicy(document)
  const audit = auditPolicy({functionArn: FUNCTION_ARN, policy, revisionId, snapshot})
  return {audit, plan: planPrune(audit, policy, options), document}
}

const mixed = [
  grant('sam', 'restapi001/*/GET/orders/*'), // ok
  grant('console', 'restapi001/*/GET/orders/{id}'), // duplicate
  grant('serverless', 'restapi001/*/*'), // over-broad, sam also grants the route
  tracegateStatement('deadapi001', executeApi('deadapi001/$default/GET/orders/*')), // stale-api
  grant('v1', 'restapi001/v1/GET/orders/*'), // stale-stage
  grant('put', 'httpapi001/$default/PUT/orders/*'), // stale-route
  grant('east1', 'restapi001/*/GET/orders/*', 'us-east-1'), // region-mismatch
  s3Statement, // foreign
  eventsStatement, // foreign
  {Sid: 'broken', Effect: 'Allow'}, // unparseable
  grant('http-broad', 'httpapi001/*'), // over-broad, the only grant for httpapi001
]

describe('planPrune', () => {
  test('by default removes stale-*, region-mismatch and duplicate statements, nothing else', () => {
    const {plan: p} = plan(mixed)
    expect(p.removals.map((r) => [r.sid, r.status])).toEqual([
      ['console', 'duplicate'],
      [expect.stringMatching(/^tracegate-deadapi001-/), 'stale-api'],
      ['v1', 'stale-stage'],
      ['put', 'stale-route'],
      ['east1', 'region-mismatch'],
    ])
    expect(p.skipped).toEqual([])
    expect(p.revisionId).toBe('rev-1')
  })

  test('never plans foreign, unparseable or ok statements, even with --include over-broad', () => {
    const {plan: p} = plan(mixed, {include: ['over-broad']})
    const sids = p.removals.map((r) => r.sid)
    for (const kept of ['sam', 's3-invoke', 'AWSEvents_nightly-report_Id1', 'broken']) expect(sids).not.toContain(kept)
  })

  test('--include over-broad removes a broad grant whose routes another statement grants', () => {
    const {plan: p} = plan(mixed, {include: ['over-broad']})
    expect(p.removals.find((r) => r.sid === 'serverless')).toMatchObject({status: 'over-broad'})
  })

  test('an over-broad grant that is the only grant for a route is kept, with the reason', () => {
    const {plan: p} = plan(mixed, {include: ['over-broad']})
    expect(p.removals.map((r) => r.sid)).not.toContain('http-broad')
    expect(p.skipped).toEqual([
      {
        index: 10,
        sid: 'http-broad',
        status: 'over-broad',
        reason: 'it is the only grant for GET /orders/{id} on $default; run tracegate deploy to add per-route grants first',
      },
    ])
  })

  test('reports the bytes freed exactly as the re-serialised policy shrinks', () => {
    const {plan: p} = plan(mixed)
    const removed = new Set(p.removals.map((r) => r.index))
    const remaining = mixed.filter((_, i) => !removed.has(i))
    expect(p.bytesBefore).toBe(Buffer.byteLength(policyDocument(mixed)))
    expect(p.bytesAfter).toBe(Buffer.byteLength(policyDocument(remaining)))
    expect(p.bytesFreed).toBe(p.bytesBefore - p.bytesAfter)
    expect(p.bytesFreed).toBe(p.removals.reduce((n, r) => n + r.bytes + 1, 0))
  })

  test('removing every statement frees the whole policy (Lambda deletes it)', () => {
    const {plan: p} = plan([grant('v1', 'restapi001/v1/GET/orders/*')])
    expect(p.bytesAfter).toBe(0)
    expect(p.bytesFreed).toBe(p.bytesBefore)
  })

  test('a prunable statement without a Sid is skipped: RemovePermission needs one', () => {
    const {Sid: _, ...noSid} = grant('x', 'deadapi001/*')
    const {plan: p} = plan([noSid])
    expect(p.removals).toEqual([])
    expect(p.skipped).toEqual([{index: 0, status: 'stale-api', reason: 'it has no Sid, and RemovePermission needs a statement id'}])
  })

  test('a clean policy plans nothing', () => {
    const {plan: p} = plan([grant('sam', 'restapi001/*/GET/orders/*'), s3Statement])
    expect(p.removals).toEqual([])
    expect(p.bytesFreed).toBe(0)
  })

  test('a near-20 KB policy of stale grants is pruned to the live ones', () => {
    const stale = Array.from({length: 55}, (_, i) => {
      const apiId = `gone${String(i).padStart(6, '0')}`
      return tracegateStatement(apiId, executeApi(`${apiId}/$default/GET/orders/*`))
    })
    const live = tracegateStatement('httpapi001', executeApi('httpapi001/$default/GET/orders/*'))
    const statements = [...stale.slice(0, 20), live, ...stale.slice(20)]
    const {audit, plan: p} = plan(statements)
    expect(audit.size.nearLimit).toBe(true)
    expect(p.removals).toHaveLength(55)
    expect(p.bytesAfter).toBe(Buffer.byteLength(policyDocument([live])))
  })
})
