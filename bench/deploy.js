// Deploy critical path: a 3-function project deployed against mocked AWS clients that answer every call after a
// fixed latency (BENCH_LATENCY_MS, default 20 ms). Reports the wall time of a first deploy and of a no-op
// redeploy, and the number of sequential AWS round trips on the critical path (the longest chain of calls where
// each starts after the previous one answered). Needs a build: `npm run build && node bench/deploy.js`.
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import * as apigw from '@aws-sdk/client-apigatewayv2'
import * as iam from '@aws-sdk/client-iam'
import * as lambda from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {createAwsClients} from '../dist/aws/clients.js'
import {parseProject} from '../dist/config/loader.js'
import {createDeployApis} from '../dist/deploy/apis.js'
import {deploy} from '../dist/deploy/deploy.js'
import {report} from './lib.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 20)
const REGION = 'us-east-1'
const ACCOUNT = '123456789012'

// ---------------------------------------------------------------- a 3-function project
const dir = mkdtempSync(join(tmpdir(), 'tracegate-bench-deploy-'))
const files = {
  'src/get-order.js': 'exports.handler = async (e) => ({statusCode: 200, body: JSON.stringify(e.pathParameters)})\n',
  'src/create-order.js': 'exports.handler = async () => ({statusCode: 201, body: "{}"})\n',
  'src/list-orders.js': 'exports.handler = async () => ({statusCode: 200, body: "[]"})\n',
  'tracegate.json': JSON.stringify({
    name: 'bench',
    region: REGION,
    functions: {
      getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']},
      createOrder: {handler: 'src/create-order.handler', routes: ['POST /orders']},
      listOrders: {handler: 'src/list-orders.handler', routes: ['GET /orders']},
    },
  }),
}
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(dir, path)), {recursive: true})
  writeFileSync(join(dir, path), text)
}
const project = parseProject(files['tracegate.json'], join(dir, 'tracegate.json'))

// ---------------------------------------------------------------- a minimal AWS behind the mocks
const state = {roles: new Map(), functions: new Map(), apis: new Map(), n: 0}
const calls = []
const notFound = (Ctor, message) => new Ctor({message, $metadata: {httpStatusCode: 404}})
const id = () => `x${(++state.n).toString(36).padStart(6, '0')}`

function fn(name) {
  const f = state.functions.get(String(name).replace(/^.*:function:/, ''))
  if (!f) throw notFound(lambda.ResourceNotFoundException, `Function not found: ${name}`)
  return f
}
function api(apiId) {
  const a = state.apis.get(apiId)
  if (!a) throw notFound(apigw.NotFoundException, `Invalid API identifier specified ${apiId}`)
  return a
}
function role(name) {
  const r = state.roles.get(name)
  if (!r) throw notFound(iam.NoSuchEntityException, `The role with name ${name} cannot be found.`)
  return r
}

const handlers = [
  [lambda, 'GetFunction', (i) => {
    const f = fn(i.FunctionName)
    f.config.State = 'Active'
    f.config.LastUpdateStatus = 'Successful'
    return {Configuration: {...f.config}, Tags: {...f.tags}}
  }],
  [lambda, 'ListFunctions', () => ({Functions: [...state.functions.values()].map((f) => ({...f.config}))})],
  [lambda, 'GetPolicy', (i) => {
    const f = fn(i.FunctionName)
    if (!f.policy.length) throw notFound(lambda.ResourceNotFoundException, 'The resource you requested does not exist.')
    return {Policy: JSON.stringify({Version: '2012-10-17', Id: 'default', Statement: f.policy})}
  }],
  [lambda, 'CreateFunction', (i) => {
    const config = {
      FunctionName: i.FunctionName,
      FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${i.FunctionName}`,
      Runtime: i.Runtime, Role: i.Role, Handler: i.Handler, MemorySize: i.MemorySize, Timeout: i.Timeout,
      Environment: i.Environment, TracingConfig: i.TracingConfig, Description: i.Description,
      CodeSha256: createHash('sha256').update(i.Code.ZipFile).digest('base64'),
      State: 'Pending', LastUpdateStatus: 'Successful',
    }
    state.functions.set(i.FunctionName, {config, tags: {...i.Tags}, policy: []})
    return {...config}
  }],
  [lambda, 'AddPermission', (i) => {
    const statement = {Sid: i.StatementId, Effect: 'Allow', Principal: {Service: i.Principal}, Action: i.Action, Resource: fn(i.FunctionName).config.FunctionArn, Condition: {ArnLike: {'AWS:SourceArn': i.SourceArn}}}
    fn(i.FunctionName).policy.push(statement)
    return {Statement: JSON.stringify(statement)}
  }],
  [apigw, 'GetApis', () => ({Items: [...state.apis.values()].map((a) => a.view)})],
  [apigw, 'GetIntegrations', (i) => ({Items: [...api(i.ApiId).integrations.values()]})],
  [apigw, 'GetRoutes', (i) => ({Items: [...api(i.ApiId).routes.values()]})],
  [apigw, 'GetStages', (i) => ({Items: [...api(i.ApiId).stages.values()]})],
  [apigw, 'CreateApi', (i) => {
    const apiId = id()
    const view = {ApiId: apiId, Name: i.Name, ProtocolType: i.ProtocolType, Tags: i.Tags, ApiEndpoint: `https://${apiId}.execute-api.${REGION}.amazonaws.com`}
    state.apis.set(apiId, {view, integrations: new Map(), routes: new Map(), stages: new Map()})
    return view
  }],
  [apigw, 'CreateStage', (i) => {
    const stage = {StageName: i.StageName, AutoDeploy: i.AutoDeploy}
    api(i.ApiId).stages.set(i.StageName, stage)
    return stage
  }],
  [apigw, 'CreateIntegration', (i) => {
    const integration = {IntegrationId: id(), IntegrationType: i.IntegrationType, IntegrationUri: i.IntegrationUri, PayloadFormatVersion: i.PayloadFormatVersion}
    api(i.ApiId).integrations.set(integration.IntegrationId, integration)
    return integration
  }],
  [apigw, 'CreateRoute', (i) => {
    const route = {RouteId: id(), RouteKey: i.RouteKey, Target: i.Target, AuthorizationType: i.AuthorizationType}
    api(i.ApiId).routes.set(route.RouteId, route)
    return route
  }],
  [iam, 'GetRole', (i) => ({Role: role(i.RoleName)})],
  [iam, 'ListAttachedRolePolicies', (i) => ({AttachedPolicies: [...role(i.RoleName).attached].map((PolicyArn) => ({PolicyArn}))})],
  [iam, 'CreateRole', (i) => {
    const r = {RoleName: i.RoleName, Arn: `arn:aws:iam::${ACCOUNT}:role/${i.RoleName}`, Tags: i.Tags, attached: new Set()}
    state.roles.set(i.RoleName, r)
    return {Role: r}
  }],
  [iam, 'AttachRolePolicy', (i) => void role(i.RoleName).attached.add(i.PolicyArn)],
]

const mocks = new Map([[lambda, mockClient(lambda.LambdaClient)], [apigw, mockClient(apigw.ApiGatewayV2Client)], [iam, mockClient(iam.IAMClient)]])
for (const [sdk, name, handle] of handlers) {
  mocks.get(sdk).on(sdk[`${name}Command`]).callsFake(async (input) => {
    const call = {name, start: performance.now(), end: 0}
    calls.push(call)
    await new Promise((resolve) => setTimeout(resolve, LATENCY))
    call.end = performance.now()
    return handle(input)
  })
}

/** Longest chain of calls in which each one started after the previous one had answered. */
function criticalPath(list) {
  const sorted = [...list].sort((a, b) => a.start - b.start)
  const depth = new Map()
  for (const c of sorted) {
    let d = 1
    for (const p of sorted) if (p.end <= c.start && depth.has(p)) d = Math.max(d, depth.get(p) + 1)
    depth.set(c, d)
  }
  return Math.max(0, ...depth.values())
}

async function measure() {
  calls.length = 0
  const apis = await createDeployApis(createAwsClients({region: REGION, local: true}))
  const started = performance.now()
  const result = await deploy({project, apis, region: REGION})
  const wall = performance.now() - started
  return {wall, result, calls: calls.length, writes: calls.filter((c) => !/^(Get|List)/.test(c.name)).length, roundTrips: criticalPath(calls)}
}

// Warm esbuild and the SDK once on a throwaway state, then measure a first deploy and a no-op redeploy.
await measure()
state.roles.clear()
state.functions.clear()
state.apis.clear()
const first = await measure()
const noop = await measure()
if (noop.writes !== 0) throw new Error(`no-op redeploy made ${noop.writes} write calls`)

report({
  bench: 'deploy',
  metric: `first deploy, 3 functions, ${LATENCY} ms/call (wall ms)`,
  value: Math.round(first.wall),
  unit: 'ms',
  baseline: first.roundTrips * LATENCY,
  baselineLabel: `${first.roundTrips} sequential round trips x ${LATENCY} ms`,
  criticalPathRoundTrips: first.roundTrips,
  calls: first.calls,
  writeCalls: first.writes,
  noopRedeployMs: Math.round(noop.wall),
  noopRoundTrips: noop.roundTrips,
  noopCalls: noop.calls,
  noopWriteCalls: noop.writes,
  latencyMs: LATENCY,
})
