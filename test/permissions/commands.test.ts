import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {APIGatewayClient} from '@aws-sdk/client-api-gateway'
import {ApiGatewayV2Client} from '@aws-sdk/client-apigatewayv2'
import {GetFunctionConfigurationCommand, LambdaClient, RemovePermissionCommand, ResourceNotFoundException} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import type {AuditReport, PruneReport} from '../../src/permissions/service.js'
import {runCommand} from '../helpers/run-command.js'
import {FakePolicy, installApis} from './fake-aws.js'
import {executeApi, FUNCTION_ARN, FUNCTION_NAME, REGION, s3Statement, tracegateStatement} from './fixtures.js'

const lambda = mockClient(LambdaClient)
const v2 = mockClient(ApiGatewayV2Client)
const v1 = mockClient(APIGatewayClient)

// No real credentials, region or endpoint leak in: every SDK call is answered by the mocks.
const env = {
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
}
const emptyDir = () => mkdtempSync(join(tmpdir(), 'tracegate-perm-'))
const cli = (args: string[], cwd = emptyDir()) => runCommand([...args, '--region', REGION], {env, cwd})

const grantFor = (apiId: string) => tracegateStatement(apiId, executeApi(`${apiId}/$default/GET/orders/*`))
const liveApi = {id: 'liveapi001', stages: ['$default'], routes: [{key: 'GET /orders/{id}', fn: FUNCTION_ARN}]}

beforeEach(() => {
  lambda.reset()
  v2.reset()
  v1.reset()
  lambda.on(GetFunctionConfigurationCommand, {FunctionName: FUNCTION_NAME}).resolves({FunctionName: FUNCTION_NAME, FunctionArn: FUNCTION_ARN})
  installApis(v2, v1, () => [liveApi])
})

describe('tracegate permissions', () => {
  test('--json prints the audit report only, with no progress on stderr', async () => {
    new FakePolicy([grantFor('liveapi001'), grantFor('deadapi001'), s3Statement]).install(lambda)
    const run = await cli(['permissions', '--function', FUNCTION_NAME, '--json'])
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toBe('')
    const report = JSON.parse(run.stdout) as AuditReport
    expect(report.functions[0].statements.map((s) => s.status)).toEqual(['ok', 'stale-api', 'foreign'])
    expect(report.awsCalls).toBeGreaterThan(0)
  })

  test('plain output lists statements and goes to stdout, progress to stderr', async () => {
    new FakePolicy([grantFor('deadapi001')]).install(lambda)
    const run = await cli(['permissions', '--function', FUNCTION_NAME])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('API deadapi001 no longer exists in us-east-2')
    expect(run.stderr).toContain('✓ Read 1 resource policy')
    // The suggested prune covers what this audit covered: the same function, in the same region.
    expect(run.stdout).toContain(`1 statement to prune: tracegate permissions prune --function ${FUNCTION_NAME} --region ${REGION}\n`)
  })

  test('on a terminal the audit is an Ink table', async () => {
    new FakePolicy([grantFor('deadapi001')]).install(lambda)
    const run = await runCommand(['permissions', '--function', FUNCTION_NAME, '--region', REGION], {
      env: {...env, CI: undefined, NO_COLOR: '1'},
      cwd: emptyDir(),
      tty: {stdout: true, stderr: true, columns: 120},
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/STATUS\s+SID\s+GRANT/)
    expect(run.stdout).toContain('API deadapi001 no longer exists in us-east-2')
  })

  test('in a directory without tracegate.json and without --function, says how to name functions (exit 2)', async () => {
    const run = await cli(['permissions'])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('NO_FUNCTIONS')
    expect(run.stderr).toContain('--function NAME')
  })

  test("in a project, audits the project's functions", async () => {
    const dir = emptyDir()
    writeFileSync(
      join(dir, 'tracegate.json'),
      JSON.stringify({name: 'orders', region: REGION, functions: {getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']}}}),
    )
    new FakePolicy([grantFor('liveapi001')]).install(lambda)
    const run = await runCommand(['permissions', '--json'], {env, cwd: dir})
    expect(run.exitCode).toBe(0)
    expect((JSON.parse(run.stdout) as AuditReport).functions.map((f) => f.functionName)).toEqual([FUNCTION_NAME])
  })

  test('--function and --all-functions together are a usage error', async () => {
    const run = await cli(['permissions', '--function', FUNCTION_NAME, '--all-functions'])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('FLAGS_CONFLICT')
  })
})

describe('tracegate permissions prune', () => {
  test('--yes --json removes the stale statements and reports bytes freed', async () => {
    const policy = new FakePolicy([grantFor('deadapi001'), grantFor('liveapi001')])
    policy.install(lambda)
    const run = await cli(['permissions', 'prune', '--function', FUNCTION_NAME, '--yes', '--json'])
    expect(run.exitCode).toBe(0)
    const report = JSON.parse(run.stdout) as PruneReport
    expect(report.totals.removed).toBe(1)
    expect(report.totals.bytesFreed).toBeGreaterThan(300)
    expect(policy.sids()).toEqual([grantFor('liveapi001').Sid])
  })

  test('an AWS error after some removals exits 4 (partial) and says what was left', async () => {
    const policy = new FakePolicy([grantFor('deadapi001'), grantFor('deadapi002')])
    policy.install(lambda)
    lambda
      .on(RemovePermissionCommand, {StatementId: grantFor('deadapi002').Sid as string})
      .rejects(Object.assign(new Error('Lambda is having a bad day'), {name: 'ServiceException', $fault: 'server', $metadata: {httpStatusCode: 500}}))
    const run = await cli(['permissions', 'prune', '--function', FUNCTION_NAME, '--yes'])
    expect(run.exitCode).toBe(4)
    expect(run.stdout).toContain(`= ${grantFor('deadapi002').Sid}: not attempted after an error`)
    expect(run.stdout).toContain('1 statement removed')
    expect(policy.sids()).toEqual([grantFor('deadapi002').Sid])
  })

  test('--include accepts only over-broad', async () => {
    const run = await cli(['permissions', 'prune', '--function', FUNCTION_NAME, '--include', 'foreign'])
    expect(run.exitCode).toBe(2)
    expect(lambda).not.toHaveReceivedCommand(RemovePermissionCommand)
  })

  test('a named function that does not exist is reported, and nothing is pruned', async () => {
    lambda
      .on(GetFunctionConfigurationCommand, {FunctionName: 'nope'})
      .rejects(new ResourceNotFoundException({message: 'Function not found', $metadata: {httpStatusCode: 404}}))
    new FakePolicy([]).install(lambda)
    const run = await cli(['permissions', 'prune', '--function', 'nope', '--yes'])
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toContain('Function nope does not exist in us-east-2')
    expect(run.stdout).toContain('Nothing to prune')
  })
})
