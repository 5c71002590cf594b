import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type AwsClients, createAwsClients} from '../aws/clients.js'
import {createApiGatewayV2Api} from '../aws/apigatewayv2.js'
import {createLambdaApi} from '../aws/lambda.js'
import {createPermissionsAws} from '../aws/permissions.js'
import {xrayReader} from '../aws/xray.js'
import {loadProject} from '../config/loader.js'
import type {ProjectConfig} from '../config/schema.js'
import {createDeployApis} from '../deploy/apis.js'
import {deploy} from '../deploy/deploy.js'
import {applyDestroy, planDestroy} from '../deploy/destroy.js'
import type {Diagnosis} from '../diagnose/diagnose.js'
import {invokeEndpoint} from '../invoke/invoke.js'
import {traceIdOf} from '../invoke/response.js'
import {emulatorStatus, ensureEmulator, stopEmulator} from '../local/lifecycle.js'
import {deployedCodeSha256Reader, localSources} from '../package/local-sources.js'
import {sourceArnForRoute} from '../permissions/arn.js'
import {prunePermissions} from '../permissions/service.js'
import {statementIdFor} from '../permissions/statement-id.js'
import {type Progress, step} from '../progress.js'
import {addEndpoint} from '../scaffold/add-endpoint.js'
import {createProject} from '../scaffold/new-project.js'
import {showTrace, type TraceView} from '../traces/show.js'
import {HEALTHY_HANDLER, MALFORMED_HANDLER, THROWING_HANDLER} from './handlers.js'

const REGION = 'us-east-1'

export interface DemoCall {
  route: string
  /** What the endpoint was built to show. */
  scenario: 'ok' | 'throws' | 'malformed' | 'permission-removed'
  status: number
  verdict: string
  confidence?: string
  cause?: string
  fix?: string
  /** Code that shows the fix, when there is some. */
  fixCode?: string
  traceId?: string
}

export interface DemoResult {
  project: string
  emulator: {endpoint: string; started: boolean}
  url: string
  calls: DemoCall[]
  /** The waterfall of the throwing endpoint's trace. */
  trace?: TraceView
  prune: {removed: number; bytesFreed: number}
  destroyed: number
  /** True when every call got the verdict its scenario should produce. */
  allExpected: boolean
  durationMs: number
}

export interface DemoOptions {
  progress: Progress
  /** Keep the temporary project directory (for looking at it afterwards). */
  keep?: boolean
  /** Emulator port when the demo starts its own (default: a free one). */
  port?: number
}

const EXPECTED: Record<DemoCall['scenario'], string> = {
  ok: 'ok',
  throws: 'function-error',
  malformed: 'malformed-response',
  'permission-removed': 'invocation-rejected/permission',
}

/**
 * The whole story on the embedded emulator, in a temporary directory: scaffold, deploy, call and diagnose
 * four endpoints, show a failure's trace, prune a stale permission, destroy, and leave nothing behind.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const {progress} = options
  const started = performance.now()
  const workDir = mkdtempSync(join(tmpdir(), 'tracegate-demo-'))
  const name = `demo-${randomBytes(3).toString('hex')}`
  let ownEmulatorDir: string | undefined
  try {
    // 1. An emulator: reuse the user's running one, else start a private one we remove afterwards.
    const emulator = await step(progress, 'emulator', 'Start the embedded emulator', async () => {
      const running = await emulatorStatus({})
      if (running.running && running.url) return {endpoint: running.url, started: false}
      ownEmulatorDir = join(workDir, 'emulator')
      const ensured = await ensureEmulator({dataDir: ownEmulatorDir, port: options.port ?? 0})
      return {endpoint: ensured.endpoint, started: true}
    }, (e) => (e.started ? e.endpoint : `reusing ${e.endpoint}`))
    const aws = createAwsClients({region: REGION, endpoint: emulator.endpoint, local: true})

    // 2. A project with four endpoints.
    const project = await step(progress, 'scaffold', `Scaffold project ${name} with 4 endpoints`, async () => {
      const dir = join(workDir, name)
      const quiet: Progress = {emit() {}}
      await createProject({dir, name, template: 'http-api', lang: 'js', region: REGION, progress: quiet})
      const extra: Array<[string, string, string]> = [
        ['GET /orders/{id}', 'getOrder', THROWING_HANDLER],
        ['GET /profile', 'getProfile', MALFORMED_HANDLER],
        ['GET /reports', 'getReports', HEALTHY_HANDLER],
      ]
      for (const [route, functionKey, source] of extra) {
        const added = await addEndpoint({route, functionKey, lang: 'js', cwd: dir, progress: quiet})
        // The handler string names the module ("src/get-order.handler"); its file is the one scaffolded.
        const modulePath = added.handler.slice(0, added.handler.lastIndexOf('.'))
        const file = added.files.find((f) => f.startsWith(`${modulePath}.`))
        if (!file) throw new Error(`endpoint add created no handler file for ${route}`)
        writeFileSync(join(dir, file), source)
      }
      return loadProject(dir)
    }, (p) => p.functions.map((f) => f.routes[0]).join(', '))

    // 3. Deploy.
    const deployed = await deploy({project, apis: await createDeployApis(aws), region: REGION, progress: nested(progress, 'deploy')})
    progress.emit({step: 'deployed', status: 'info', label: `Deployed ${project.functions.length} functions behind ${deployed.url}`})

    // 4. Break one endpoint's permission, as a hand-edited policy or a half-finished deploy would.
    const reports = fn(project, 'getReports')
    await step(progress, 'break-permission', `Remove the invoke permission of ${reports.name}`, async () => {
      const lambda = await createLambdaApi(aws)
      const statements = await lambda.getPolicy(reports.name)
      for (const s of statements) if (s.sid) await lambda.removePermission(reports.name, s.sid)
      return statements.length
    }, (n) => `${n} statement${n === 1 ? '' : 's'} removed`)

    // 5. Call each endpoint through the gateway and diagnose it.
    const scenarios: Array<[string, DemoCall['scenario']]> = [
      ['GET /hello', 'ok'],
      ['GET /orders/7', 'throws'],
      ['GET /profile', 'malformed'],
      ['GET /reports', 'permission-removed'],
    ]
    const calls: DemoCall[] = []
    for (const [target, scenario] of scenarios) {
      const call = await step(progress, `invoke:${target}`, `Call ${target}`, async () => {
        // The emulator stores a request's segments before it answers: no need to wait for X-Ray as on AWS.
        const result = await invokeEndpoint({target, project, aws: async () => aws, replay: true, budgets: {trace: 1000}})
        return toCall(target, scenario, result.response.status, result.diagnosis, traceHeader(result.response.headers))
      }, (c) => `${c.status} → ${c.verdict}${c.verdict === EXPECTED[scenario] ? '' : ` (expected ${EXPECTED[scenario]})`}`)
      calls.push(call)
    }

    // 6. The failure's trace.
    const failing = calls.find((c) => c.scenario === 'throws')
    const trace = failing?.traceId
      ? await step(progress, 'trace', `Read the trace of ${failing.route}`, () => readTrace(aws, project, failing.traceId!), (v) => `${v.spanCount} spans, ${v.classification.verdict}`)
      : undefined

    // 7. A second API attached to a function, then deleted: its statement goes stale, and prune removes it.
    await step(progress, 'second-api', 'Attach a second API to the hello function, then delete the API', () => attachAndDeleteSecondApi(aws, project), (id) => `API ${id}`)
    const pruned = await step(progress, 'prune', 'Prune stale permissions', async () => {
      const report = await prunePermissions(await createPermissionsAws(aws), {project: project.name, functions: project.functions.map((f) => f.name)}, {emit() {}})
      return report.totals
    }, (t) => `${t.removed} removed, ${t.bytesFreed} bytes freed`)

    // 8. Destroy.
    const destroyed = await step(progress, 'destroy', `Destroy ${project.name}`, async () => {
      const input = {project, apis: await createDeployApis(aws), region: REGION}
      const plan = await planDestroy({...input, progress: {emit() {}}})
      await applyDestroy(plan, {...input, progress: {emit() {}}})
      return plan.summary.changes
    }, (n) => `${n} resources deleted`)

    return {
      project: project.name,
      emulator,
      url: deployed.url ?? '',
      calls,
      trace,
      prune: {removed: pruned.removed, bytesFreed: pruned.bytesFreed},
      destroyed,
      allExpected: calls.every((c) => c.verdict === EXPECTED[c.scenario]),
      durationMs: Math.round(performance.now() - started),
    }
  } finally {
    if (ownEmulatorDir) {
      const dataDir = ownEmulatorDir
      await step(progress, 'emulator-stop', 'Stop the emulator the demo started', () => stopEmulator({dataDir})).catch(() => {})
    }
    if (!options.keep) rmSync(workDir, {recursive: true, force: true})
  }
}

function fn(project: ProjectConfig, key: string) {
  const found = project.functions.find((f) => f.key === key)
  if (!found) throw new Error(`demo project has no function ${key}`)
  return found
}

/** Deploy's own steps, shown one level down in the narration. */
function nested(progress: Progress, prefix: string): Progress {
  return {
    emit(event) {
      // Only finished steps: the demo narrates one line per step.
      if (event.status === 'start') return
      progress.emit({...event, step: `${prefix}:${event.step}`, label: `  ${event.label}`})
    },
  }
}

function traceHeader(headers: [string, string][]): string | undefined {
  return traceIdOf(headers.find(([h]) => h.toLowerCase() === 'x-amzn-trace-id')?.[1])
}

function toCall(route: string, scenario: DemoCall['scenario'], status: number, diagnosis: Diagnosis | undefined, traceId?: string): DemoCall {
  return {
    route,
    scenario,
    status,
    verdict: diagnosis?.verdict ?? (status < 400 ? 'ok' : 'unknown'),
    confidence: diagnosis?.confidence,
    cause: diagnosis?.cause,
    fix: diagnosis?.fix.summary,
    fixCode: diagnosis?.fix.code,
    traceId,
  }
}

async function readTrace(aws: AwsClients, project: ProjectConfig, traceId: string): Promise<TraceView> {
  const xray = xrayReader(await aws.xray())
  // Exception frames in the project's files, as the diagnosis names them (the deployed code is this project's build).
  const sources = {project, sources: localSources({project, deployedCodeSha256: deployedCodeSha256Reader(aws)})}
  // Segments reach X-Ray shortly after the response; the emulator stores them before it answers, AWS does not.
  let lastError: unknown
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return await showTrace({xray, selector: {traceId}, apiType: 'http', progress: {emit() {}}, sources})
    } catch (error) {
      lastError = error
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw lastError
}

async function attachAndDeleteSecondApi(aws: AwsClients, project: ProjectConfig): Promise<string> {
  const hello = fn(project, 'getHello')
  const apis = await createApiGatewayV2Api(aws)
  const lambda = await createLambdaApi(aws)
  const fnState = await lambda.getFunction(hello.name)
  if (!fnState) throw new Error(`${hello.name} is missing`)
  // Not tagged for the project: this is "another team's API" that deploy would never touch.
  const api = await apis.createApi({name: `${project.name}-legacy`, tags: {owner: 'legacy'}})
  const integration = await apis.createIntegration(api.apiId, {functionArn: fnState.arn})
  await apis.createRoute(api.apiId, {routeKey: 'GET /hello', integrationId: integration.integrationId})
  await apis.createStage(api.apiId, {stageName: '$default', autoDeploy: true})
  const account = fnState.arn.split(':')[4]
  const sourceArn = sourceArnForRoute({region: REGION, account, apiId: api.apiId, stage: '$default', routeKey: 'GET /hello', apiType: 'http'})
  await lambda.addPermission({functionName: hello.name, statementId: statementIdFor(api.apiId, sourceArn), sourceArn})
  await apis.deleteApi(api.apiId)
  return api.apiId
}
