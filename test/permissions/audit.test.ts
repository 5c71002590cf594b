import {describe, expect, test} from 'vitest'
import {type AuditInput, auditPolicy, type FunctionAudit, type PermissionsSnapshot} from '../../src/permissions/audit.js'
import {sourceArnForRoute} from '../../src/permissions/arn.js'
import {
  ACCOUNT,
  apiGatewayStatement,
  crossAccountStatement,
  eventsStatement,
  executeApi,
  FUNCTION_ARN,
  FUNCTION_NAME,
  httpApi,
  policyDocument,
  REGION,
  restApi,
  s3Statement,
  tracegateStatement,
} from './fixtures.js'

const CREATE_ORDER_ARN = FUNCTION_ARN.replace('getOrder', 'createOrder')

/** The APIs of a realistic account: a SAM REST API, a tracegate HTTP API, a catch-all API, one in us-west-2. */
const snapshot: PermissionsSnapshot = {
  regions: [REGION, 'us-west-2'],
  apis: [
    restApi({
      apiId: 'restapi001',
      name: 'orders-sam',
      stages: ['Prod', 'Stage'],
      routeKeys: ['GET /orders/{id}', 'POST /orders'],
      routeFunctions: {'GET /orders/{id}': FUNCTION_ARN, 'POST /orders': CREATE_ORDER_ARN},
    }),
    httpApi({
      apiId: 'httpapi001',
      name: 'orders',
      stages: ['$default'],
      routeKeys: ['GET /orders/{id}', 'DELETE /orders/{id}'],
      routeFunctions: {'GET /orders/{id}': FUNCTION_NAME, 'DELETE /orders/{id}': FUNCTION_ARN},
    }),
    httpApi({apiId: 'catchall01', stages: ['$default'], routeKeys: ['$default'], routeFunctions: {$default: FUNCTION_ARN}}),
    restApi({
      apiId: 'westapi001',
      region: 'us-west-2',
      stages: ['prod'],
      routeKeys: ['GET /orders/{id}'],
      routeFunctions: {'GET /orders/{id}': FUNCTION_ARN},
    }),
  ],
}

function audit(statements: unknown[], snap: PermissionsSnapshot = snapshot, extra: Partial<AuditInput> = {}): FunctionAudit {
  return auditPolicy({functionArn: FUNCTION_ARN, policy: policyDocument(statements), snapshot: snap, ...extra})
}

function only(statement: unknown, snap?: PermissionsSnapshot) {
  return audit([statement], snap).statements[0]
}

const grant = (sid: string, resource: string, region = REGION, account = ACCOUNT) =>
  apiGatewayStatement({sid, sourceArn: executeApi(resource, region, account)})

describe('auditPolicy: statements that still work', () => {
  test('a SAM-style per-route grant for an existing route is ok, for every stage and console tests', () => {
    const s = only(grant('getOrderGetOrderPermissionProd', 'restapi001/*/GET/orders/*'))
    expect(s.status).toBe('ok')
    expect(s.reason).toMatch(/grants GET \/orders\/\{id\} on stage Prod, Stage, test-invoke-stage \(console tests\) of API restapi001 \(orders-sam\)/)
    expect(s.covers.map((c) => c.stage)).toEqual(['Prod', 'Stage', 'test-invoke-stage'])
    expect(s.apiIds).toEqual(['restapi001'])
    expect(s.createdByTracegate).toBe(false)
  })

  test('a console-added grant with the path template is ok', () => {
    expect(only(grant('lambda-0f6d3c1e-4b7a-4a8e-9d52-6c0a1f7e2b33', 'restapi001/Prod/GET/orders/{id}')).status).toBe('ok')
  })

  test("tracegate's own grant is ok and recognised as tracegate's", () => {
    const arn = sourceArnForRoute({region: REGION, account: ACCOUNT, apiId: 'httpapi001', stage: '$default', routeKey: 'GET /orders/{id}', apiType: 'http'})
    const s = only(tracegateStatement('httpapi001', arn))
    expect(s).toMatchObject({status: 'ok', createdByTracegate: true})
  })

  test('the HTTP $default route grant the console suggests is ok', () => {
    expect(only(grant('default-route', 'catchall01/*/$default')).status).toBe('ok')
  })

  test("SAM's old three-part $default grant never matches: stale-route", () => {
    const s = only(grant('sam-default', 'catchall01/*/*/$default'))
    expect(s.status).toBe('stale-route')
    expect(s.reason).toMatch(/no route of API catchall01 matches/)
  })

  test('a full wildcard grant on an API with a catch-all route is what the route needs, not over-broad', () => {
    expect(only(grant('cdk', 'catchall01/*/*')).status).toBe('ok')
  })

  test('a cross-region API (read in its own region) is checked there and is ok', () => {
    const s = only(grant('west', 'westapi001/prod/GET/orders/*', 'us-west-2'))
    expect(s.status).toBe('ok')
    expect(s.reason).toMatch(/API in us-west-2, a cross-region integration/)
  })
})

describe('auditPolicy: stale statements, with the precise reason', () => {
  test('an API that no longer exists is stale-api', () => {
    const s = only(grant('old', 'deadapi001/$default/GET/orders/*'))
    expect(s).toMatchObject({status: 'stale-api', apiIds: ['deadapi001']})
    expect(s.reason).toBe(`API deadapi001 no longer exists in ${REGION}`)
  })

  test('a stage that no longer exists is stale-stage, naming the stages that do', () => {
    const s = only(grant('v1', 'restapi001/v1/GET/orders/*'))
    expect(s.status).toBe('stale-stage')
    expect(s.reason).toBe('stage "v1" no longer exists on API restapi001 (orders-sam) (stages: Prod, Stage)')
  })

  test('an API without any stage makes its grants stale-stage', () => {
    const snap = {apis: [httpApi({apiId: 'nostage001', stages: []})]}
    expect(only(grant('x', 'nostage001/*/GET/orders/*'), snap).status).toBe('stale-stage')
  })

  test('a method/path no route matches is stale-route, listing the routes', () => {
    const s = only(grant('put', 'httpapi001/$default/PUT/orders/*'))
    expect(s.status).toBe('stale-route')
    expect(s.reason).toBe('no route of API httpapi001 (orders) matches "$default/PUT/orders/*" (routes: GET /orders/{id}, DELETE /orders/{id})')
  })

  test('a grant for a route that now integrates with another function is stale-route', () => {
    const s = only(grant('createOrderPermission', 'restapi001/*/POST/orders'))
    expect(s.status).toBe('stale-route')
    expect(s.reason).toMatch(/integrate with other functions \(POST \/orders → orders-createOrder\)/)
  })

  test('a route whose integration is unknown keeps its grant alive', () => {
    const snap = {apis: [restApi({apiId: 'restapi001', routeFunctions: {'POST /orders': null}})]}
    expect(only(grant('createOrderPermission', 'restapi001/*/POST/orders'), snap).status).toBe('ok')
  })

  test('a source ARN in the wrong region for an API of the function\'s region is region-mismatch', () => {
    const s = only(grant('east1', 'restapi001/*/GET/orders/*', 'us-east-1'))
    expect(s.status).toBe('region-mismatch')
    expect(s.reason).toBe(
      "source ARN names region us-east-1, but API restapi001 is in us-east-2; API Gateway presents the API's own region, so this grant never matches (aws-semantics §3)",
    )
  })

  test('an unknown API in a region that was not read is region-mismatch, in a region that was read stale-api', () => {
    expect(only(grant('eu', 'euapi00001/*/GET/x', 'eu-west-1')).status).toBe('region-mismatch')
    const s = only(grant('west-gone', 'goneapi001/*/GET/x', 'us-west-2'))
    expect(s).toMatchObject({status: 'stale-api', reason: 'API goneapi001 no longer exists in us-west-2'})
  })
})

describe('auditPolicy: over-broad and foreign statements', () => {
  test('a Serverless-style apiId/*/* grant on an API without catch-all is over-broad', () => {
    const s = only(grant('serverless', 'restapi001/*/*'))
    expect(s.status).toBe('over-broad')
    expect(s.reason).toMatch(/grants every method and path of API restapi001 \(orders-sam\) on stage Prod, Stage, but its routes are GET \/orders\/\{id\}/)
    expect(s.reason).toMatch(/restapi001\/Prod\/GET\/orders\/\* is enough/)
    expect(s.covers.length).toBeGreaterThan(0)
  })

  test('{apiId}/* and a stage-wide grant are over-broad too', () => {
    expect(only(grant('a', 'httpapi001/*')).status).toBe('over-broad')
    expect(only(grant('b', 'restapi001/Prod/*')).status).toBe('over-broad')
  })

  test('a grant for any API is over-broad', () => {
    const s = only(grant('any', '*/*/*/*'))
    expect(s.status).toBe('over-broad')
    expect(s.reason).toBe(`grants every API in ${REGION}; grant per API and route instead`)
  })

  test('method-specific wildcards for one path are not over-broad', () => {
    expect(only(grant('m', 'restapi001/*/*/orders/*')).status).toBe('ok')
  })

  test.each([
    ['S3', s3Statement, /principal s3.amazonaws.com is not API Gateway/],
    ['EventBridge', eventsStatement, /principal events.amazonaws.com is not API Gateway/],
    ['a cross-account role', crossAccountStatement, /principal AWS:arn:aws:iam::210987654321:root is not API Gateway/],
    ['API Gateway in another account', grant('other-acct', 'otherapi01/*', REGION, '210987654321'), /account 210987654321; tracegate can only check APIs of the function's account/],
    ['an API Gateway grant without a source ARN', {Sid: 'open', Effect: 'Allow', Principal: {Service: 'apigateway.amazonaws.com'}, Action: 'lambda:InvokeFunction', Resource: FUNCTION_ARN}, /without an AWS:SourceArn condition/],
    ['a Deny', {...grant('deny', 'restapi001/*'), Effect: 'Deny'}, /a Deny statement/],
    ['a Lambda authorizer grant', grant('authz', 'restapi001/authorizers/x7y8z9'), /Lambda authorizer grant/],
    ['another action', apiGatewayStatement({sid: 'url', sourceArn: executeApi('restapi001/*'), action: 'lambda:InvokeFunctionUrl'}), /is not lambda:InvokeFunction/],
    ['a non-execute-api source ARN', apiGatewayStatement({sid: 'sns', sourceArn: 'arn:aws:sns:us-east-2:123456789012:topic'}), /service "sns"/],
  ])('%s is foreign', (_label, statement, reason) => {
    const s = only(statement)
    expect(s.status).toBe('foreign')
    expect(s.reason).toMatch(reason)
  })

  test.each([
    ['no Effect', {...grant('x', 'restapi001/*'), Effect: undefined}, /"Effect" is missing/],
    ['a source ARN that is not an ARN', apiGatewayStatement({sid: 'bad', sourceArn: 'restapi001/*/GET/x'}), /is not an ARN/],
    ['a source ARN without an API id', apiGatewayStatement({sid: 'bad', sourceArn: 'arn:aws:execute-api:us-east-2:123456789012:'}), /names no API id/],
  ])('a statement with %s is unparseable', (_label, statement, reason) => {
    const s = only(statement)
    expect(s.status).toBe('unparseable')
    expect(s.reason).toMatch(reason)
  })
})

describe('auditPolicy: duplicates', () => {
  test('the same grant twice: the later one is the duplicate, naming the first', () => {
    const result = audit([grant('sam', 'restapi001/*/GET/orders/*'), grant('console', 'restapi001/*/GET/orders/{id}')])
    expect(result.statements.map((s) => s.status)).toEqual(['ok', 'duplicate'])
    expect(result.statements[1]).toMatchObject({duplicateOf: 'sam'})
    expect(result.statements[1].reason).toMatch(/^sam already grants the same routes/)
  })

  test("on equal grants tracegate's statement is kept, since deploy would add it back", () => {
    const arn = executeApi('restapi001/Prod/GET/orders/*')
    const result = audit([grant('console', 'restapi001/Prod/GET/orders/*'), tracegateStatement('restapi001', arn)])
    expect(result.statements.map((s) => s.status)).toEqual(['duplicate', 'ok'])
    expect(result.statements[0].duplicateOf).toMatch(/^tracegate-restapi001-/)
  })

  test('a stage-scoped grant is a duplicate of an any-stage grant for the same route', () => {
    const result = audit([grant('prod-only', 'restapi001/Prod/GET/orders/*'), grant('all-stages', 'restapi001/*/GET/orders/*')])
    expect(result.statements.map((s) => s.status)).toEqual(['duplicate', 'ok'])
    expect(result.statements[0].reason).toMatch(/all-stages already grants a superset/)
  })

  test("a tracegate grant inside a larger foreign-made grant is kept and says so", () => {
    const arn = executeApi('restapi001/Prod/GET/orders/*')
    const result = audit([grant('all-stages', 'restapi001/*/GET/orders/*'), tracegateStatement('restapi001', arn)])
    expect(result.statements.map((s) => s.status)).toEqual(['ok', 'ok'])
    expect(result.statements[1].reason).toMatch(/also granted by all-stages, kept because deploy would add it back/)
  })

  test('an over-broad grant never makes a precise grant a duplicate', () => {
    const result = audit([grant('broad', 'restapi001/*/*'), grant('precise', 'restapi001/*/GET/orders/*')])
    expect(result.statements.map((s) => s.status)).toEqual(['over-broad', 'ok'])
  })
})

describe('auditPolicy: routes, size and counts', () => {
  test('a route of this function that no statement grants is reported with the grant to add', () => {
    const arn = sourceArnForRoute({region: REGION, account: ACCOUNT, apiId: 'httpapi001', stage: '$default', routeKey: 'GET /orders/{id}', apiType: 'http'})
    const result = audit([tracegateStatement('httpapi001', arn)], {apis: [snapshot.apis[1]]})
    expect(result.routes).toHaveLength(2)
    expect(result.uncoveredRoutes).toEqual([
      {
        apiId: 'httpapi001',
        region: REGION,
        stage: '$default',
        routeKey: 'DELETE /orders/{id}',
        apiType: 'http',
        presentedArn: executeApi('httpapi001/$default/DELETE/orders/{id}'),
        suggestedSourceArn: executeApi('httpapi001/$default/DELETE/orders/*'),
      },
    ])
    expect(result.routes.find((r) => r.routeKey === 'GET /orders/{id}')?.grantedBy).toMatch(/^tracegate-httpapi001-/)
  })

  test('a route refused by a Deny is uncovered and names the Deny', () => {
    const deny = {...grant('deny-get', 'httpapi001/*/GET/*'), Effect: 'Deny'}
    const result = audit([grant('all', 'httpapi001/*/*/orders/*'), deny], {apis: [snapshot.apis[1]]})
    expect(result.uncoveredRoutes.map((r) => [r.routeKey, r.deniedBy])).toEqual([['GET /orders/{id}', 'deny-get']])
  })

  test('a route that invokes an alias keeps grants alive but is not reported uncovered (the alias has its own policy)', () => {
    const snap = {apis: [httpApi({apiId: 'aliasapi01', routeKeys: ['GET /x'], routeFunctions: {'GET /x': `${FUNCTION_ARN}:live`}})]}
    const result = audit([grant('alias', 'aliasapi01/*/GET/x')], snap)
    expect(result.statements[0].status).toBe('ok')
    expect(result.routes).toEqual([])
    expect(audit([], snap).uncoveredRoutes).toEqual([])
  })

  test('routes of other functions are never reported as uncovered', () => {
    const result = audit([], {apis: [snapshot.apis[0]]})
    expect(result.uncoveredRoutes.map((r) => r.routeKey)).toEqual(['GET /orders/{id}', 'GET /orders/{id}'])
  })

  test('counts every status and the statements tracegate created', () => {
    const arn = executeApi('httpapi001/$default/GET/orders/*')
    const result = audit([
      grant('sam', 'restapi001/*/GET/orders/*'),
      grant('console', 'restapi001/*/GET/orders/{id}'),
      grant('serverless', 'restapi001/*/*'),
      tracegateStatement('httpapi001', arn),
      tracegateStatement('deadapi001', executeApi('deadapi001/$default/GET/orders/*')),
      grant('v1', 'restapi001/v1/GET/orders/*'),
      grant('put', 'httpapi001/$default/PUT/orders/*'),
      grant('east1', 'restapi001/*/GET/orders/*', 'us-east-1'),
      s3Statement,
      eventsStatement,
      {Sid: 'broken', Effect: 'Allow'},
    ])
    expect(result.statements.map((s) => s.status)).toEqual([
      'ok',
      'duplicate',
      'over-broad',
      'ok',
      'stale-api',
      'stale-stage',
      'stale-route',
      'region-mismatch',
      'foreign',
      'foreign',
      'unparseable',
    ])
    expect(result.counts).toEqual({
      ok: 2,
      'stale-api': 1,
      'stale-stage': 1,
      'stale-route': 1,
      'region-mismatch': 1,
      duplicate: 1,
      'over-broad': 1,
      foreign: 2,
      unparseable: 1,
    })
    expect(result.tracegateStatements).toBe(2)
    expect(result).toMatchObject({functionName: FUNCTION_NAME, region: REGION, account: ACCOUNT, functionArn: FUNCTION_ARN})
  })

  test('a policy near 20 KB warns at 80 % and one over the limit is flagged', () => {
    const statements = Array.from({length: 58}, (_, i) => {
      const apiId = `gone${String(i).padStart(6, '0')}`
      return tracegateStatement(apiId, executeApi(`${apiId}/$default/GET/orders/*`))
    })
    const near = audit(statements)
    expect(near.size.bytes).toBe(Buffer.byteLength(policyDocument(statements)))
    expect(near.size.bytes).toBeGreaterThan(0.8 * 20_480)
    expect(near.size.bytes).toBeLessThan(20_480)
    expect(near.size).toMatchObject({limit: 20_480, nearLimit: true, overLimit: false})
    expect(near.counts['stale-api']).toBe(58)

    const over = audit([...statements, ...statements.slice(0, 10)])
    expect(over.size).toMatchObject({nearLimit: true, overLimit: true})
    const small = audit(statements.slice(0, 5))
    expect(small.size.nearLimit).toBe(false)
  })

  test('no policy at all audits to nothing, with every route uncovered', () => {
    const result = auditPolicy({functionArn: FUNCTION_ARN, policy: undefined, snapshot: {apis: [snapshot.apis[2]]}})
    expect(result.statements).toEqual([])
    expect(result.size.bytes).toBe(0)
    expect(result.uncoveredRoutes.map((r) => r.suggestedSourceArn)).toEqual([executeApi('catchall01/*/$default')])
  })

  test('a policy that is not JSON is reported, with no statements', () => {
    const result = auditPolicy({functionArn: FUNCTION_ARN, policy: '{oops', snapshot})
    expect(result.policyProblem).toMatch(/not valid JSON/)
    expect(result.statements).toEqual([])
  })

  test('a function ARN that is not one is a user error', () => {
    expect(() => auditPolicy({functionArn: 'getOrder', policy: undefined, snapshot})).toThrow(/not a Lambda function ARN/)
  })
})

describe('auditPolicy: APIs tracegate does not audit', () => {
  test('a grant for a WebSocket API is foreign, never stale', () => {
    const snap = {apis: [{apiId: 'wsapi00001', type: 'websocket' as const, stages: ['prod'], routeKeys: ['$connect']}]}
    const s = only(grant('ws', 'wsapi00001/*/$connect'), snap)
    expect(s.status).toBe('foreign')
    expect(s.reason).toMatch(/WebSocket API/)
  })

  test('a grant for an API whose routes were not read is left alone', () => {
    const snap = {apis: [httpApi({apiId: 'listed0001', stages: [], routeKeys: [], detailed: false})]}
    expect(only(grant('x', 'listed0001/*/GET/x'), snap)).toMatchObject({status: 'foreign', reason: expect.stringMatching(/were not read/)})
  })
})
