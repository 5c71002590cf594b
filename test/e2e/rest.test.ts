/**
 * A REST API project end to end through the built CLI (child processes of `node bin/run.js`, plain output and
 * --json) against an emulator of this file's own: `new --template rest-api`, an ok, a throwing and a malformed
 * endpoint; deploy; invoke answers 200, 502, 502, and 500 once a permission is removed, each diagnosed with
 * REST's rules (aws-semantics §5: 500 = invocation rejected, 502 = function error or malformed response);
 * `traces show` renders the stage segment above the function segments (§6.4); destroy.
 *
 * The tests run in order and share one project.
 */
import {join} from 'node:path'
import {readFileSync, writeFileSync} from 'node:fs'
import {GetPolicyCommand, LambdaClient, RemovePermissionCommand} from '@aws-sdk/client-lambda'
import {afterAll, describe, expect, test} from 'vitest'
import {type CliResult, setupE2e} from './helpers.js'

const e2e = setupE2e({prefix: 'tracegate-e2e-rest-'})
const STEP_TIMEOUT = 90_000

const THROWING_HANDLER = `export const handler = async (event) => {
  const order = undefined
  return {statusCode: 200, body: JSON.stringify({id: event.pathParameters.id, total: order.total})}
}
`
const THROWN_MESSAGE = "Cannot read properties of undefined (reading 'total')"

/** REST proxies are strict: an unknown key in the response makes API Gateway answer 502 (aws-semantics §4.2). */
const MALFORMED_HANDLER = `export const handler = async () => ({statusCode: 200, body: JSON.stringify({ok: true}), cookies: ['session=1']})
`

interface DeployJson {
  apiId: string
  url: string
  stage: string
  routes: Array<{routeKey: string; function: string; url: string}>
  plan: Array<{resource: string; name: string; action: string}>
}

interface InvokeJson {
  request: {method: string; url: string}
  response: {status: number; headers: [string, string][]; body: {text: string}}
  diagnosis?: {verdict: string; confidence: string; cause: string}
  failed: boolean
}

const project = () => join(e2e.workDir, 'shop')
const inProject = (args: string[]) => e2e.run(args, {cwd: project(), timeoutMs: STEP_TIMEOUT})

function shown(r: CliResult): string {
  return `$ tracegate ${r.args.join(' ')}\nexit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

function traceIdOf(result: InvokeJson): string | undefined {
  const header = result.response.headers.find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1]
  return /Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(header ?? '')?.[1]
}

afterAll(() => {
  process.stderr.write(`\n[e2e rest] ${e2e.timings()}\n`)
})

describe('a REST API project on the emulator', () => {
  let deployed: DeployJson
  const calls: Record<string, InvokeJson> = {}

  test('new --template rest-api, three endpoints (ok, throwing, malformed) and deploy', {timeout: STEP_TIMEOUT}, async () => {
    const created = await e2e.run(['new', 'shop', '--template', 'rest-api', '--json'])
    expect(created.exitCode, shown(created)).toBe(0)
    const config = JSON.parse(readFileSync(join(project(), 'tracegate.json'), 'utf8'))
    expect(config.api).toMatchObject({type: 'rest'})

    const order = await inProject(['endpoint', 'add', 'GET /orders/{id}', '--function', 'getOrder', '--json'])
    expect(order.exitCode, shown(order)).toBe(0)
    writeFileSync(join(project(), order.json<{files: string[]}>().files.find((f) => f.startsWith('src/'))!), THROWING_HANDLER)
    const profile = await inProject(['endpoint', 'add', 'GET /profile', '--function', 'getProfile', '--json'])
    expect(profile.exitCode, shown(profile)).toBe(0)
    writeFileSync(join(project(), profile.json<{files: string[]}>().files.find((f) => f.startsWith('src/'))!), MALFORMED_HANDLER)

    const r = await inProject(['deploy', '--local', '--json'])
    expect(r.exitCode, shown(r)).toBe(0)
    deployed = r.json<DeployJson>()
    expect(deployed.stage).toBe('prod')
    expect(deployed.url).toBe(`${e2e.endpoint}/_aws/execute-api/${deployed.apiId}/prod`)
    expect(deployed.routes.map((x) => x.routeKey).sort()).toEqual(['GET /hello', 'GET /orders/{id}', 'GET /profile'])
    expect(deployed.plan.find((p) => p.resource === 'stage')).toMatchObject({name: 'prod', action: 'create'})

    const again = await inProject(['deploy', '--local', '--json'])
    expect(again.exitCode, shown(again)).toBe(0)
    expect(again.json<{summary: {changes: number}}>().summary.changes).toBe(0)
  })

  test('invoke: 200 for the ok route (exit 0), 502 for the throwing and the malformed one, each diagnosed (exit 3)', {timeout: STEP_TIMEOUT}, async () => {
    const ok = await inProject(['invoke', 'GET /hello', '--local', '--json'])
    expect(ok.exitCode, shown(ok)).toBe(0)
    calls.ok = ok.json<InvokeJson>()
    expect(calls.ok.response.status).toBe(200)
    expect(calls.ok.request.url).toBe(`${deployed.url}/hello`)

    const throws = await inProject(['invoke', 'GET /orders/7', '--local', '--json'])
    expect(throws.exitCode, shown(throws)).toBe(3)
    calls.throws = throws.json<InvokeJson>()
    expect(calls.throws.response.status).toBe(502)
    // REST's gateway answer (invoke shows JSON bodies indented): lower-case "server error" (§5).
    expect(JSON.parse(calls.throws.response.body.text)).toEqual({message: 'Internal server error'})
    expect(calls.throws.diagnosis?.verdict, shown(throws)).toBe('function-error')
    expect(calls.throws.diagnosis?.cause).toContain(THROWN_MESSAGE)

    const malformed = await inProject(['invoke', 'GET /profile', '--local', '--json'])
    expect(malformed.exitCode, shown(malformed)).toBe(3)
    calls.malformed = malformed.json<InvokeJson>()
    expect(calls.malformed.response.status).toBe(502)
    expect(calls.malformed.diagnosis?.verdict, shown(malformed)).toBe('malformed-response')
    expect(calls.malformed.diagnosis?.cause).toMatch(/cookies/)

    const plain = await inProject(['invoke', 'GET /orders/7', '--local'])
    expect(plain.exitCode, shown(plain)).toBe(3)
    expect(plain.stdout.split('\n')[0]).toMatch(/^502 Bad Gateway/)
    expect(plain.stdout).toMatch(/✗ Function error \(function-error, confidence \w+\)/)
  })

  test('after the permission of the ok route is removed by hand, it answers 500, diagnosed as invocation-rejected/permission', {timeout: STEP_TIMEOUT}, async () => {
    const lambda = new LambdaClient({region: 'us-east-1', endpoint: e2e.endpoint, credentials: {accessKeyId: 'e2e', secretAccessKey: 'e2e'}, maxAttempts: 1})
    try {
      const policy = await lambda.send(new GetPolicyCommand({FunctionName: 'shop-getHello'}))
      const statements = JSON.parse(policy.Policy ?? '{"Statement":[]}').Statement as Array<{Sid: string; Condition: unknown}>
      expect(JSON.stringify(statements[0].Condition)).toContain(`${deployed.apiId}/prod/GET/hello`)
      for (const s of statements) await lambda.send(new RemovePermissionCommand({FunctionName: 'shop-getHello', StatementId: s.Sid}))
    } finally {
      lambda.destroy()
    }
    const denied = await inProject(['invoke', 'GET /hello', '--local', '--json'])
    expect(denied.exitCode, shown(denied)).toBe(3)
    calls.denied = denied.json<InvokeJson>()
    expect(calls.denied.response.status).toBe(500)
    expect(JSON.parse(calls.denied.response.body.text)).toEqual({message: 'Internal server error'})
    expect(calls.denied.diagnosis?.verdict, shown(denied)).toBe('invocation-rejected/permission')
    expect(calls.denied.diagnosis?.cause).toContain(`${deployed.apiId}/prod/GET/hello`)
  })

  test('traces show renders the stage segment above the function segments, with the status the stage answered', {timeout: STEP_TIMEOUT}, async () => {
    const failing = traceIdOf(calls.throws)!
    expect(failing).toMatch(/^1-/)
    const plain = await inProject(['traces', 'show', failing, '--local'])
    expect(plain.exitCode, shown(plain)).toBe(0)
    const lines = plain.stdout.split('\n')
    expect(lines[0]).toContain(`Trace ${failing}`)
    expect(lines[0]).toMatch(/502 function error in shop-getOrder/)
    const stageRow = lines.findIndex((l) => /^shop\/prod\s+Stage\b/.test(l))
    const lambdaRow = lines.findIndex((l) => /^\s+shop-getOrder\s+Lambda\b/.test(l))
    const functionRow = lines.findIndex((l) => /^\s+shop-getOrder\s+Function\b/.test(l))
    expect(stageRow, plain.stdout).toBeGreaterThanOrEqual(0)
    expect(lambdaRow, plain.stdout).toBeGreaterThan(stageRow)
    expect(functionRow, plain.stdout).toBeGreaterThan(lambdaRow)
    expect(plain.stdout).toContain(`TypeError: ${THROWN_MESSAGE}`)

    const json = await inProject(['traces', 'show', failing, '--local', '--json'])
    expect(json.exitCode, shown(json)).toBe(0)
    const view = json.json<{classification: {verdict: string; apiType: string; status: number; statusInferred: boolean}; waterfall: {rows: Array<{name: string; tag?: string; depth: number}>}}>()
    expect(view.classification).toMatchObject({verdict: 'function-error', apiType: 'rest', status: 502, statusInferred: false})
    expect(view.waterfall.rows[0]).toMatchObject({name: 'shop/prod', tag: 'Stage', depth: 0})

    const denied = await inProject(['traces', 'show', traceIdOf(calls.denied)!, '--local', '--json'])
    expect(denied.exitCode, shown(denied)).toBe(0)
    expect(denied.json<{classification: {verdict: string; status: number}}>().classification).toMatchObject({verdict: 'permission-denied', status: 500})
  })

  test('redeploy restores the removed grant; permissions then audits every REST grant as ok, and the route answers again', {timeout: STEP_TIMEOUT}, async () => {
    const redeploy = await inProject(['deploy', '--local', '--json'])
    expect(redeploy.exitCode, shown(redeploy)).toBe(0)
    expect(redeploy.json<{plan: Array<{resource: string; name: string; action: string}>}>().plan.filter((p) => p.action !== 'noop')).toEqual([
      expect.objectContaining({resource: 'permission', name: 'shop-getHello GET /hello', action: 'create'}),
    ])
    const audit = await inProject(['permissions', '--local', '--json'])
    expect(audit.exitCode, shown(audit)).toBe(0)
    const report = audit.json<{functions: Array<{functionName: string; statements: Array<{status: string}>}>}>()
    const statuses = report.functions.flatMap((f) => f.statements.map((s) => `${f.functionName} ${s.status}`)).sort()
    expect(statuses).toEqual(['shop-getHello ok', 'shop-getOrder ok', 'shop-getProfile ok'])
    const ok = await inProject(['invoke', 'GET /hello', '--local', '--json'])
    expect(ok.exitCode, shown(ok)).toBe(0)
  })

  test('destroy --yes removes the REST API, the functions and the role', {timeout: STEP_TIMEOUT}, async () => {
    const r = await inProject(['destroy', '--yes', '--local'])
    expect(r.exitCode, shown(r)).toBe(0)
    expect(r.stdout).toContain('Destroyed shop')
    const again = await inProject(['destroy', '--yes', '--local', '--json'])
    expect(again.exitCode, shown(again)).toBe(0)
    expect(again.json<{summary: {changes: number}}>().summary.changes).toBe(0)
  })
})
