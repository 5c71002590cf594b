// Permission audit at scale, against tracegate's embedded emulator through real SDK clients: one function
// whose resource policy is near Lambda's 20,480-byte limit (58 tracegate statements: 40 for live APIs, 18 for
// deleted ones) in a region with 50 HTTP APIs. Reports the AWS calls one audit makes (policies first, then the
// APIs listed once per region and only the 40 named ones read in detail), the audit's wall time (median of
// BENCH_RUNS), the CPU time of the pure classification alone, and what a prune plan would free.
// Needs a build: `npm run build && node bench/permissions.js`.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import * as apigw from '@aws-sdk/client-apigatewayv2'
import * as lambda from '@aws-sdk/client-lambda'
import {strToU8, zipSync} from 'fflate'
import {createAwsClients} from '../dist/aws/clients.js'
import {createPermissionsAws} from '../dist/aws/permissions.js'
import {startEmulator} from '../dist/local/server.js'
import {sourceArnForRoute} from '../dist/permissions/arn.js'
import {auditPolicy} from '../dist/permissions/audit.js'
import {parsePolicy} from '../dist/permissions/policy.js'
import {planPrune} from '../dist/permissions/prune.js'
import {auditPermissions} from '../dist/permissions/service.js'
import {statementIdFor} from '../dist/permissions/statement-id.js'
import {median, report} from './lib.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const REGION = 'us-east-1'
const FUNCTION = 'bench-getOrder'
const LIVE_APIS = 50
const GRANTED_LIVE = 40
const DELETED = 18

const dataDir = mkdtempSync(join(tmpdir(), 'tracegate-bench-permissions-'))
const emulator = await startEmulator({port: 0, dataDir, dataPlane: false})
try {
  const config = {region: REGION, endpoint: emulator.url, credentials: {accessKeyId: 'bench', secretAccessKey: 'bench'}, maxAttempts: 1}
  const l = new lambda.LambdaClient(config)
  const v2 = new apigw.ApiGatewayV2Client(config)

  const fn = await l.send(
    new lambda.CreateFunctionCommand({
      FunctionName: FUNCTION,
      Role: `arn:aws:iam::${emulator.accountId}:role/bench`,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: {ZipFile: zipSync({'index.js': strToU8('exports.handler = async () => ({statusCode: 200})')}, {mtime: new Date(2020, 0, 1)})},
    }),
  )

  async function attach(i, grant) {
    const api = await v2.send(new apigw.CreateApiCommand({Name: `bench-${i}`, ProtocolType: 'HTTP'}))
    const integration = await v2.send(
      new apigw.CreateIntegrationCommand({ApiId: api.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fn.FunctionArn, PayloadFormatVersion: '2.0'}),
    )
    for (const routeKey of ['GET /orders/{id}', 'POST /orders']) {
      await v2.send(new apigw.CreateRouteCommand({ApiId: api.ApiId, RouteKey: routeKey, Target: `integrations/${integration.IntegrationId}`}))
    }
    await v2.send(new apigw.CreateStageCommand({ApiId: api.ApiId, StageName: '$default', AutoDeploy: true}))
    if (grant) {
      const sourceArn = sourceArnForRoute({region: REGION, account: emulator.accountId, apiId: api.ApiId, stage: '$default', routeKey: 'GET /orders/{id}', apiType: 'http'})
      await l.send(
        new lambda.AddPermissionCommand({
          FunctionName: FUNCTION,
          StatementId: statementIdFor(api.ApiId, sourceArn),
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: sourceArn,
        }),
      )
    }
    return api.ApiId
  }

  for (let i = 0; i < LIVE_APIS; i++) await attach(i, i < GRANTED_LIVE)
  for (let i = 0; i < DELETED; i++) {
    const apiId = await attach(LIVE_APIS + i, true)
    await v2.send(new apigw.DeleteApiCommand({ApiId: apiId}))
  }
  const policy = await l.send(new lambda.GetPolicyCommand({FunctionName: FUNCTION}))
  const policyBytes = Buffer.byteLength(policy.Policy)

  // One warm-up, then timed runs; each run builds fresh clients, as a CLI invocation does.
  const silent = {emit() {}}
  const runAudit = async () => {
    const aws = await createPermissionsAws(createAwsClients({region: REGION, endpoint: emulator.url, local: true}))
    const started = performance.now()
    const result = await auditPermissions(aws, {functions: [FUNCTION]}, silent)
    return {ms: performance.now() - started, result}
  }
  await runAudit()
  const times = []
  let last
  for (let i = 0; i < RUNS; i++) {
    const {ms, result} = await runAudit()
    times.push(ms)
    last = result
  }
  const audit = last.functions[0]
  if (audit.counts.ok !== GRANTED_LIVE || audit.counts['stale-api'] !== DELETED) {
    throw new Error(`unexpected audit: ${JSON.stringify(audit.counts)}`)
  }

  // The pure classification alone (no I/O): the same policy against the same 50-API snapshot.
  const aws = await createPermissionsAws(createAwsClients({region: REGION, endpoint: emulator.url, local: true}))
  const listings = await aws.listApis(REGION)
  const snapshot = {apis: await Promise.all(listings.map((a) => aws.describeApi(a))), regions: [REGION]}
  const parsed = parsePolicy(policy.Policy)
  const cpu = []
  for (let i = 0; i < 20; i++) {
    const started = performance.now()
    auditPolicy({functionArn: fn.FunctionArn, policy: parsed, snapshot})
    cpu.push(performance.now() - started)
  }
  const plan = planPrune(auditPolicy({functionArn: fn.FunctionArn, policy: parsed, snapshot}), parsed)

  const common = {bench: 'permissions'}
  report({...common, metric: `policy size (${audit.statements.length} statements)`, value: policyBytes, unit: 'bytes', baseline: 20480, baselineLabel: 'Lambda limit', target: '>= 80 % of the limit'})
  report({
    ...common,
    metric: `AWS calls per audit (${LIVE_APIS} APIs, ${GRANTED_LIVE} named)`,
    value: last.awsCalls,
    unit: 'calls',
    // GetFunctionConfiguration, ListAliases (an alias has a policy of its own), GetPolicy, then the APIs.
    baseline: 1 + 1 + 1 + 2 + 3 * LIVE_APIS,
    baselineLabel: 'reading every API',
    target: '3 + 3 per named API + 2 per region',
  })
  report({...common, metric: 'audit wall time on the emulator (median)', value: Math.round(median(times)), unit: 'ms'})
  report({...common, metric: 'classification only, 58 statements x 50 APIs (median)', value: Number(median(cpu).toFixed(2)), unit: 'ms'})
  report({...common, metric: `prune plan: ${plan.removals.length} statements removed`, value: plan.bytesFreed, unit: 'bytes freed'})
  l.destroy()
  v2.destroy()
} finally {
  await emulator.close()
  rmSync(dataDir, {recursive: true, force: true})
}
