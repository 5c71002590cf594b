/**
 * `tracegate permissions` and `permissions prune` end to end against the embedded emulator: the real CLI
 * command in-process, real SDK clients, the emulator's Lambda and ApiGatewayV2 wire protocols and RevisionId.
 */
import {type ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, DeleteApiCommand} from '@aws-sdk/client-apigatewayv2'
import {AddPermissionCommand, CreateAliasCommand, CreateFunctionCommand, GetPolicyCommand, type LambdaClient, RemovePermissionCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {sourceArnForRoute} from '../../src/permissions/arn.js'
import type {AuditReport, PruneReport} from '../../src/permissions/service.js'
import {statementIdFor} from '../../src/permissions/statement-id.js'
import {runCommand} from '../helpers/run-command.js'
import {clientsFor, handlerZip, REGION, ROLE, startTestEmulator, type TestEmulator} from '../local/helpers.js'

const FUNCTION = 'orders-getOrder'
let emu: TestEmulator
let lambda: LambdaClient
let apigw: ApiGatewayV2Client
let account: string
let functionArn: string

function env() {
  // Static dummy credentials so the SDK never walks the credential chain; no region or endpoint leaks in.
  return {
    AWS_ACCESS_KEY_ID: 'tracegate',
    AWS_SECRET_ACCESS_KEY: 'tracegate-local',
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL: undefined,
  }
}

const cli = <T>(args: string[]) =>
  runCommand<T>([...args, '--function', FUNCTION, '--region', REGION, '--endpoint-url', emu.emulator.url], {env: env(), cwd: emu.dataDir})

/**
 * An HTTP API with one route to `integrationUri` (the function, or an alias's or version's ARN), a $default stage,
 * and tracegate's grant for it in the policy of `grantTo` (`name:live` or `name:1` for an alias's or version's own).
 */
async function attachApi(name: string, integrationUri = functionArn, grantTo = FUNCTION): Promise<{apiId: string; sid: string; endpoint: string}> {
  const api = await apigw.send(new CreateApiCommand({Name: name, ProtocolType: 'HTTP'}))
  const apiId = api.ApiId!
  const integration = await apigw.send(
    new CreateIntegrationCommand({ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: integrationUri, PayloadFormatVersion: '2.0'}),
  )
  await apigw.send(new CreateRouteCommand({ApiId: apiId, RouteKey: 'GET /orders/{id}', Target: `integrations/${integration.IntegrationId}`}))
  await apigw.send(new CreateStageCommand({ApiId: apiId, StageName: '$default', AutoDeploy: true}))
  const sourceArn = sourceArnForRoute({region: REGION, account, apiId, stage: '$default', routeKey: 'GET /orders/{id}', apiType: 'http'})
  const sid = statementIdFor(apiId, sourceArn)
  await lambda.send(new AddPermissionCommand({FunctionName: grantTo, StatementId: sid, Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: sourceArn}))
  return {apiId, sid, endpoint: api.ApiEndpoint!}
}

async function policySids(): Promise<string[]> {
  const policy = await lambda.send(new GetPolicyCommand({FunctionName: FUNCTION})).catch(() => undefined)
  if (!policy?.Policy) return []
  return (JSON.parse(policy.Policy).Statement as Array<{Sid: string}>).map((s) => s.Sid)
}

beforeAll(async () => {
  emu = await startTestEmulator()
  const clients = clientsFor(emu.emulator.url)
  lambda = clients.lambda
  apigw = clients.apigw
  const fn = await lambda.send(
    new CreateFunctionCommand({FunctionName: FUNCTION, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: {ZipFile: handlerZip()}}),
  )
  functionArn = fn.FunctionArn!
  account = functionArn.split(':')[4]
})

afterAll(async () => {
  await emu?.stop()
})

describe('permissions on the emulator', () => {
  test('three APIs attached, two deleted: the audit names them, prune --yes removes exactly their statements, a second prune does nothing', async () => {
    const kept = await attachApi('orders-kept')
    const goneA = await attachApi('orders-gone-a')
    const goneB = await attachApi('orders-gone-b')
    await apigw.send(new DeleteApiCommand({ApiId: goneA.apiId}))
    await apigw.send(new DeleteApiCommand({ApiId: goneB.apiId}))

    const audit = await cli<AuditReport>(['permissions', '--json'])
    expect(audit.exitCode).toBe(0)
    const report = JSON.parse(audit.stdout) as AuditReport
    const statuses = Object.fromEntries(report.functions[0].statements.map((s) => [s.sid, s.status]))
    expect(statuses).toEqual({[kept.sid]: 'ok', [goneA.sid]: 'stale-api', [goneB.sid]: 'stale-api'})
    expect(report.functions[0].statements.every((s) => s.createdByTracegate)).toBe(true)

    const plain = await cli(['permissions'])
    expect(plain.stdout).toContain(`stale-api`)
    expect(plain.stdout).toContain(`API ${goneA.apiId} no longer exists in ${REGION}`)
    expect(plain.stdout).toContain('2 statements to prune: tracegate permissions prune')

    const pruned = await cli<PruneReport>(['permissions', 'prune', '--yes', '--json'])
    expect(pruned.exitCode).toBe(0)
    const result = JSON.parse(pruned.stdout) as PruneReport
    expect(result.functions[0].removed.map((r) => r.sid).sort()).toEqual([goneA.sid, goneB.sid].sort())
    expect(result.functions[0].replans).toBe(0)
    expect(result.totals.bytesFreed).toBeGreaterThan(0)
    expect(await policySids()).toEqual([kept.sid])
    // The grant that stayed still lets API Gateway invoke the function.
    const answer = await fetch(`${kept.endpoint}/orders/42`)
    expect(answer.status).toBe(200)

    const again = await cli(['permissions', 'prune', '--yes'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('Nothing to prune')
    expect(await policySids()).toEqual([kept.sid])
    expect((await fetch(`${kept.endpoint}/orders/42`)).status).toBe(200)
  })

  test('without a terminal and without --yes, prune refuses and removes nothing', async () => {
    const gone = await attachApi('orders-gone-c')
    await apigw.send(new DeleteApiCommand({ApiId: gone.apiId}))
    const before = await policySids()
    const run = await cli(['permissions', 'prune'])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('CONFIRMATION_REQUIRED')
    expect(run.stderr).toContain('--yes')
    expect(await policySids()).toEqual(before)

    const dry = await cli(['permissions', 'prune', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain(gone.sid)
    expect(dry.stdout).toContain('Dry run: nothing was removed')
    expect(await policySids()).toEqual(before)
  })

  test('the 200 above is the grant at work: without it the HTTP API answers 500', async () => {
    const api = await attachApi('orders-check')
    expect((await fetch(`${api.endpoint}/orders/1`)).status).toBe(200)
    await lambda.send(new RemovePermissionCommand({FunctionName: FUNCTION, StatementId: api.sid}))
    expect((await fetch(`${api.endpoint}/orders/1`)).status).toBe(500)
    const audit = JSON.parse((await cli(['permissions', '--json', '--all-apis'])).stdout) as AuditReport
    expect(audit.functions[0].uncoveredRoutes.map((r) => [r.apiId, r.routeKey])).toContainEqual([api.apiId, 'GET /orders/{id}'])
  })

  /**
   * Two APIs integrate `qualifiedArn` (an alias's or a version's) and are granted in its own policy; one is deleted.
   * The audit (with `flags`) reports the qualifier's policy after the function's, ok and stale-api; prune removes the
   * stale grant there only, and the kept route still answers.
   */
  async function auditsQualifiedPolicy(name: string, qualifier: string, qualifiedArn: string, flags: string[]) {
    const attach = (apiName: string) => attachApi(apiName, qualifiedArn, `${name}:${qualifier}`)
    const kept = await attach(`${name}-kept`)
    const gone = await attach(`${name}-gone`)
    await apigw.send(new DeleteApiCommand({ApiId: gone.apiId}))
    const run = <T>(args: string[]) =>
      runCommand<T>([...args, ...flags, '--function', name, '--region', REGION, '--endpoint-url', emu.emulator.url], {env: env(), cwd: emu.dataDir})

    const report = JSON.parse((await run(['permissions', '--json'])).stdout) as AuditReport
    expect(report.functions.map((f) => f.functionName)).toEqual([name, `${name}:${qualifier}`])
    const qualified = report.functions[1]
    expect(qualified.functionArn).toBe(qualifiedArn)
    expect(Object.fromEntries(qualified.statements.map((s) => [s.sid, s.status]))).toEqual({[kept.sid]: 'ok', [gone.sid]: 'stale-api'})
    expect(qualified.uncoveredRoutes).toEqual([])

    const pruned = JSON.parse((await run(['permissions', 'prune', '--yes', '--json'])).stdout) as PruneReport
    expect(pruned.functions.flatMap((f) => f.removed.map((r) => [f.functionName, r.sid]))).toEqual([[`${name}:${qualifier}`, gone.sid]])
    const left = await lambda.send(new GetPolicyCommand({FunctionName: name, Qualifier: qualifier}))
    expect((JSON.parse(left.Policy!).Statement as Array<{Sid: string}>).map((s) => s.Sid)).toEqual([kept.sid])
    expect((await fetch(`${kept.endpoint}/orders/7`)).status).toBe(200)
  }

  const createPublished = (name: string) =>
    lambda.send(new CreateFunctionCommand({FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: {ZipFile: handlerZip()}, Publish: true}))

  test('an alias’s own policy is audited and pruned too: routes that integrate the alias keep its grants', async () => {
    const fn = await createPublished('orders-aliased')
    const alias = await lambda.send(new CreateAliasCommand({FunctionName: 'orders-aliased', Name: 'live', FunctionVersion: fn.Version}))
    await auditsQualifiedPolicy('orders-aliased', 'live', alias.AliasArn!, [])
  })

  test('with --versions, a published version’s own policy is audited and pruned too; without it, only the function and its aliases', async () => {
    const fn = await createPublished('orders-versioned')
    expect(fn.FunctionArn).toMatch(/:1$/)
    const without = await runCommand(['permissions', '--json', '--function', 'orders-versioned', '--region', REGION, '--endpoint-url', emu.emulator.url], {env: env(), cwd: emu.dataDir})
    expect((JSON.parse(without.stdout) as AuditReport).functions.map((f) => f.functionName)).toEqual(['orders-versioned'])
    await auditsQualifiedPolicy('orders-versioned', '1', fn.FunctionArn!, ['--versions'])
  })
})
