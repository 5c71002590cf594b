/**
 * The whole journey through the built CLI, as a user runs it: child processes of `node bin/run.js`, plain output
 * (CI=1, NO_COLOR=1) and --json, against an emulator of this file's own (temp data dir, free port; --local starts
 * it). Assertions are on what a user sees — stdout, stderr, exit codes, files — not on durations or ids.
 *
 * The tests run in order and share one project; a failing step usually explains the ones after it.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
// A permission removed by hand, as someone with the AWS CLI or console would: a real SDK client, from outside
// tracegate (the emulator's tests drive it the same way).
import {AddPermissionCommand, GetPolicyCommand, LambdaClient, RemovePermissionCommand} from '@aws-sdk/client-lambda'
import {afterAll, describe, expect, test} from 'vitest'
import {MALFORMED_HANDLER, THROWING_HANDLER} from '../../src/demo/handlers.js'
import {type CliResult, descendantsOf, isAlive, lineWith, setupE2e} from './helpers.js'

const e2e = setupE2e({prefix: 'tracegate-e2e-cli-'})
const STEP_TIMEOUT = 60_000

// The demo's broken handlers: a TypeError deep in a helper, and cookies as a string (payload 2.0, aws-semantics §4.2).
const THROWN_MESSAGE = "Cannot read properties of undefined (reading 'total')"

interface DeployJson {
  plan: Array<{resource: string; name: string; action: string}>
  summary: {create: number; update: number; delete: number; changes: number}
  apiId: string
  url: string
  routes: Array<{routeKey: string; function: string; url: string}>
  functions: Array<{key: string; name: string; action: string}>
}

interface InvokeJson {
  request: {method: string; url: string}
  response: {status: number; headers: [string, string][]; body: {text: string}}
  diagnosis?: {verdict: string; confidence: string; cause: string; fix: {summary: string}}
}

const project = () => join(e2e.workDir, 'app')
const inProject = (args: string[], env?: Record<string, string | undefined>) => e2e.run(args, {cwd: project(), env})

/** What a run printed, for assertion messages. */
function shown(r: CliResult): string {
  return `$ tracegate ${r.args.slice(0).join(' ')}\nexit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

function expectExit(r: CliResult, code: number): void {
  expect(r.exitCode, shown(r)).toBe(code)
}

/** Runs tasks two at a time: independent calls overlap without starving the emulator of this 2-core machine. */
async function twoAtATime<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]()
    }
  }
  await Promise.all([worker(), worker()])
  return results
}

function lambdaClient(): LambdaClient {
  return new LambdaClient({
    region: 'us-east-1',
    endpoint: e2e.endpoint,
    credentials: {accessKeyId: 'e2e', secretAccessKey: 'e2e'},
    maxAttempts: 1,
  })
}

function traceIdOf(result: InvokeJson): string | undefined {
  const header = result.response.headers.find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1]
  return /Root=([^;]+)/.exec(header ?? '')?.[1]
}

afterAll(() => {
  // Where the time goes, for the report (the suite's budget is about two minutes).
  process.stderr.write(`\n[e2e cli] ${e2e.timings()}\n`)
})

describe('usage errors exit 2 and change nothing', () => {
  test('an unknown flag, a bad route key and a missing tracegate.json each exit 2 with the fix, without starting the emulator', {timeout: STEP_TIMEOUT}, async () => {
    const noEmulator = join(e2e.root, 'never-started')
    const env = {TRACEGATE_LOCAL_DIR: noEmulator}
    const [badFlag, badFlagJson, noConfig, noConfigJson, missingArg] = await twoAtATime([
      () => e2e.run(['deploy', '--bogus'], {env}),
      () => e2e.run(['deploy', '--bogus', '--json'], {env}),
      () => e2e.run(['deploy', '--local'], {env}),
      () => e2e.run(['invoke', 'GET /hello', '--local', '--json'], {env}),
      () => e2e.run(['invoke', '--local'], {env}),
    ])

    expectExit(badFlag, 2)
    expect(badFlag.stdout).toBe('')
    expect(badFlag.stderr).toContain('Nonexistent flag: --bogus')
    expect(badFlag.stderr).toContain('tracegate deploy --help')

    expectExit(badFlagJson, 2)
    expect(badFlagJson.json()).toMatchObject({error: {code: 'USAGE', message: expect.stringContaining('--bogus')}})

    expectExit(noConfig, 2)
    expect(noConfig.stdout).toBe('')
    expect(noConfig.stderr).toContain('No tracegate.json found')
    expect(noConfig.stderr).toMatch(/Try: .*tracegate new/)

    expectExit(noConfigJson, 2)
    expect(noConfigJson.json()).toMatchObject({error: {code: 'CONFIG_NOT_FOUND'}})

    expectExit(missingArg, 2)
    expect(missingArg.stderr).toMatch(/target/i)

    // Config and flags are checked before any AWS call, so --local never had a reason to start an emulator.
    expect(existsSync(noEmulator)).toBe(false)
  })
})

describe('the journey: new → endpoint add → deploy → invoke → traces → permissions → destroy', () => {
  test('new scaffolds a project and says what to do next; --json gives the same as data', {timeout: STEP_TIMEOUT}, async () => {
    const [plain, json] = await twoAtATime([() => e2e.run(['new', 'app']), () => e2e.run(['new', 'json-app', '--json'])])

    expectExit(plain, 0)
    expect(plain.stdout).toContain('Created app')
    expect(plain.stdout).toContain('GET /hello')
    expect(plain.stdout).toContain('tracegate endpoint add')
    expect(plain.stderr).toContain('tracegate.json')
    expect(existsSync(join(project(), 'tracegate.json'))).toBe(true)

    expectExit(json, 0)
    expect(json.stderr).toBe('')
    expect(json.json()).toMatchObject({name: 'json-app'})
    expect(existsSync(join(e2e.workDir, 'json-app', 'tracegate.json'))).toBe(true)
  })

  test('new refuses a directory that is not empty (exit 2) and overwrites nothing', {timeout: STEP_TIMEOUT}, async () => {
    const before = readFileSync(join(project(), 'tracegate.json'), 'utf8')
    const again = await e2e.run(['new', 'app'])
    expectExit(again, 2)
    expect(again.stderr).toMatch(/not empty/i)
    expect(again.stderr).toContain('--force')
    expect(readFileSync(join(project(), 'tracegate.json'), 'utf8')).toBe(before)
  })

  test('endpoint add registers routes with handlers; a bad route key exits 2 and leaves tracegate.json alone', {timeout: STEP_TIMEOUT}, async () => {
    const orders = await inProject(['endpoint', 'add', 'POST /orders'])
    expectExit(orders, 0)
    expect(orders.stdout).toContain('Added POST /orders → postOrders')
    expect(orders.stdout).toContain('src/post-orders.mjs')

    // Two more endpoints, then their handlers are replaced by broken ones, as a developer would edit them.
    const getOrder = await inProject(['endpoint', 'add', 'GET /orders/{id}', '--function', 'getOrder', '--json'])
    expectExit(getOrder, 0)
    expect(getOrder.stderr).toBe('')
    const added = getOrder.json<{route: string; function: string; functionName: string; files: string[]}>()
    expect(added).toMatchObject({route: 'GET /orders/{id}', function: 'getOrder', functionName: 'app-getOrder'})
    const orderHandler = added.files.find((f) => f.startsWith('src/'))!
    writeFileSync(join(project(), orderHandler), THROWING_HANDLER)

    const profile = await inProject(['endpoint', 'add', 'GET /profile', '--function', 'getProfile', '--json'])
    expectExit(profile, 0)
    const profileHandler = profile.json<{files: string[]}>().files.find((f) => f.startsWith('src/'))!
    writeFileSync(join(project(), profileHandler), MALFORMED_HANDLER)

    const config = readFileSync(join(project(), 'tracegate.json'), 'utf8')
    const badRoute = await inProject(['endpoint', 'add', 'GETT /x'])
    expectExit(badRoute, 2)
    expect(badRoute.stderr).toContain('"GETT" is not an HTTP method')
    expect(badRoute.stderr).toMatch(/Try: .*GET/)
    expect(readFileSync(join(project(), 'tracegate.json'), 'utf8')).toBe(config)

    const functions = Object.keys(JSON.parse(config).functions)
    expect(functions).toEqual(['getHello', 'postOrders', 'getOrder', 'getProfile'])
  })

  let deployed: DeployJson
  test('deploy --local --json starts the emulator and returns the plan, the API, its URL, routes and functions', {timeout: STEP_TIMEOUT}, async () => {
    const r = await inProject(['deploy', '--local', '--json'])
    expectExit(r, 0)
    // --json: the result only, progress nowhere.
    expect(r.stderr).toBe('')
    deployed = r.json<DeployJson>()
    expect(deployed.apiId).toMatch(/^[a-z0-9]+$/)
    expect(deployed.url).toBe(`${e2e.endpoint}/_aws/execute-api/${deployed.apiId}`)
    expect(deployed.routes.map((x) => x.routeKey).sort()).toEqual(['GET /hello', 'GET /orders/{id}', 'GET /profile', 'POST /orders'])
    expect(deployed.routes.find((x) => x.routeKey === 'POST /orders')).toMatchObject({function: 'app-postOrders', url: `${deployed.url}/orders`})
    expect(deployed.functions.map((f) => f.name).sort()).toEqual(['app-getHello', 'app-getOrder', 'app-getProfile', 'app-postOrders'])
    expect(deployed.functions.every((f) => f.action === 'create')).toBe(true)
    expect(deployed.summary.create).toBeGreaterThan(0)
    expect(deployed.plan.filter((p) => p.resource === 'permission')).toHaveLength(4)
  })

  test('redeploying unchanged code says there are no changes and still prints the URL and routes', {timeout: STEP_TIMEOUT}, async () => {
    const r = await inProject(['deploy', '--local'])
    expectExit(r, 0)
    expect(r.stdout).toMatch(/No changes/)
    expect(r.stdout).toContain(deployed.url)
    const route = lineWith(r.stdout, 'GET /orders/{id}')
    expect(route).toContain(`${deployed.url}/orders/{id}`)
    expect(route).toContain('app-getOrder')
    // Nothing is created, updated or deleted: every step is "unchanged".
    expect(r.stderr).not.toMatch(/^✓ (Create|Update|Delete|Allow)/m)
  })

  test('invoke of a working route answers 200 with its body and exits 0', {timeout: STEP_TIMEOUT}, async () => {
    const [plain, json] = await twoAtATime([
      () => inProject(['invoke', 'GET /hello', '--local']),
      () => inProject(['invoke', 'GET /hello', '--local', '--json']),
    ])
    expectExit(plain, 0)
    expect(plain.stdout.split('\n')[0]).toMatch(/^200 OK {2}GET .*\/hello/)
    expect(plain.stdout).toContain('Hello from getHello')
    expect(plain.stdout).not.toContain('✗')

    expectExit(json, 0)
    expect(json.stderr).toBe('')
    const result = json.json<InvokeJson>()
    expect(result).toMatchObject({request: {method: 'GET'}, response: {status: 200}})
    expect(result.diagnosis).toBeUndefined()
    expect(result.response.body.text).toContain('Hello from getHello')
  })

  let throwing: InvokeJson
  test('each failure is diagnosed with its cause and exits 3: function error, malformed response, no such route', {timeout: STEP_TIMEOUT}, async () => {
    const [throws, malformed, noRoute, throwsPlain, malformedPlain] = await twoAtATime([
      () => inProject(['invoke', 'GET /orders/7', '--local', '--json']),
      () => inProject(['invoke', 'GET /profile', '--local', '--json']),
      () => inProject(['invoke', 'GET /nope', '--local', '--json']),
      () => inProject(['invoke', 'GET /orders/7', '--local']),
      () => inProject(['invoke', 'GET /profile', '--local']),
    ])

    expectExit(throws, 3)
    throwing = throws.json<InvokeJson>()
    expect(throwing.response.status).toBe(500)
    expect(throwing.diagnosis?.verdict, shown(throws)).toBe('function-error')
    expect(throwing.diagnosis?.cause).toContain(THROWN_MESSAGE)

    expectExit(malformed, 3)
    const bad = malformed.json<InvokeJson>()
    expect(bad.response.status).toBe(500)
    expect(bad.diagnosis?.verdict, shown(malformed)).toBe('malformed-response')
    expect(bad.diagnosis?.cause).toMatch(/cookies/)

    expectExit(noRoute, 3)
    const missing = noRoute.json<InvokeJson>()
    expect(missing.response.status).toBe(404)
    expect(missing.diagnosis?.verdict, shown(noRoute)).toBe('route-not-found')

    // Plain: the status line, the verdict with its cause, the evidence and the fix, on stdout.
    expectExit(throwsPlain, 3)
    expect(throwsPlain.stdout.split('\n')[0]).toMatch(/^500 Internal Server Error/)
    expect(throwsPlain.stdout).toMatch(/✗ Function error \(function-error, confidence \w+\)/)
    expect(throwsPlain.stdout).toContain(`TypeError: ${THROWN_MESSAGE}`)
    expect(throwsPlain.stdout).toContain('Evidence')
    expect(throwsPlain.stdout).toContain('Fix')
    expectExit(malformedPlain, 3)
    expect(malformedPlain.stdout).toContain('(malformed-response,')
  })

  test('after the invoke permission is removed by hand, invoke diagnoses invocation-rejected/permission and names the fix', {timeout: STEP_TIMEOUT}, async () => {
    const lambda = lambdaClient()
    try {
      const policy = await lambda.send(new GetPolicyCommand({FunctionName: 'app-postOrders'}))
      const statements = JSON.parse(policy.Policy ?? '{"Statement":[]}').Statement as Array<{Sid: string}>
      expect(statements).toHaveLength(1)
      for (const s of statements) await lambda.send(new RemovePermissionCommand({FunctionName: 'app-postOrders', StatementId: s.Sid}))
    } finally {
      lambda.destroy()
    }

    const [json, plain] = await twoAtATime([
      () => inProject(['invoke', 'POST /orders', '-d', '{"item":"book","qty":2}', '--local', '--json']),
      () => inProject(['invoke', 'POST /orders', '-d', '{"item":"book","qty":2}', '--local']),
    ])
    expectExit(json, 3)
    const result = json.json<InvokeJson>()
    expect(result.response.status).toBe(500)
    expect(result.diagnosis?.verdict, shown(json)).toBe('invocation-rejected/permission')
    expect(result.diagnosis?.cause).toContain(`${deployed.apiId}/$default/POST/orders`)

    expectExit(plain, 3)
    expect(plain.stdout).toContain('(invocation-rejected/permission,')
    expect(plain.stdout).toContain('tracegate deploy')
    expect(plain.stdout).toContain('aws lambda add-permission --function-name app-postOrders')
  })

  test('the suggested fix works: deploy restores the permission and the route answers 200', {timeout: STEP_TIMEOUT}, async () => {
    const redeploy = await inProject(['deploy', '--local'])
    expectExit(redeploy, 0)
    expect(redeploy.stderr).toMatch(/Allow API Gateway to invoke app-postOrders for POST \/orders/)
    const call = await inProject(['invoke', 'POST /orders', '-d', '{"item":"book","qty":2}', '--local', '--json'])
    expectExit(call, 0)
    expect(call.json<InvokeJson>().response.status).toBe(200)
  })

  let failingTraceId: string
  test('traces --errors lists the failing request with its exception, and not the ones that succeeded', {timeout: STEP_TIMEOUT}, async () => {
    failingTraceId = traceIdOf(throwing)!
    expect(failingTraceId, 'the throwing call carries an X-Amzn-Trace-Id').toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/)

    const [json, plain] = await twoAtATime([
      () => inProject(['traces', '--errors', '--json', '--local']),
      () => inProject(['traces', '--errors', '--local']),
    ])
    expectExit(json, 0)
    expect(json.stderr).toBe('')
    const list = json.json<{traces: Array<{id: string; functions: string[]; rootCause?: {type?: string; message?: string}}>}>()
    const failing = list.traces.find((t) => t.id === failingTraceId)
    expect(failing, JSON.stringify(list, null, 2)).toBeDefined()
    expect(failing?.functions).toEqual(['app-getOrder'])
    expect(failing?.rootCause).toMatchObject({type: 'TypeError', message: THROWN_MESSAGE})
    // --errors: the healthy hello calls and the malformed response (Lambda ran the function without an error;
    // only API Gateway rejects its answer) are not listed.
    const listed = list.traces.flatMap((t) => t.functions)
    expect(listed).not.toContain('app-getHello')
    expect(listed).not.toContain('app-getProfile')

    expectExit(plain, 0)
    expect(plain.stdout).toContain(`TypeError: ${THROWN_MESSAGE}`)
    expect(plain.stdout).toContain('app-getOrder')
    expect(plain.stdout).toContain('tracegate traces show ')
  })

  test('traces show renders the waterfall of the failing request with the exception under the span that threw', {timeout: STEP_TIMEOUT}, async () => {
    const [plain, json] = await twoAtATime([
      () => inProject(['traces', 'show', failingTraceId, '--local']),
      () => inProject(['traces', 'show', failingTraceId, '--local', '--json']),
    ])
    expectExit(plain, 0)
    const lines = plain.stdout.split('\n')
    expect(lines[0]).toContain(`Trace ${failingTraceId}`)
    expect(lines[0]).toMatch(/function error in app-getOrder/)
    // One row per span, each with a bar; the function's row is nested under the Lambda service's.
    const lambdaRow = lines.findIndex((l) => /^app-getOrder\s+Lambda\b/.test(l))
    const functionRow = lines.findIndex((l) => /^\s+app-getOrder\s+Function\b/.test(l))
    expect(lambdaRow, plain.stdout).toBeGreaterThanOrEqual(0)
    expect(functionRow).toBeGreaterThan(lambdaRow)
    expect(lines[lambdaRow]).toContain('█')
    expect(plain.stdout).toMatch(/✗ TypeError: Cannot read properties of undefined/)
    expect(lineWith(plain.stdout, /^\s+Invocation\b/)).toContain('█')

    expectExit(json, 0)
    const view = json.json<{id: string; classification: {verdict: string; exception?: {message: string}}; waterfall: {rows: unknown[]}}>()
    expect(view.id).toBe(failingTraceId)
    expect(view.classification).toMatchObject({verdict: 'function-error', exception: {message: THROWN_MESSAGE}})
    expect(view.waterfall.rows.length).toBeGreaterThanOrEqual(3)
  })

  test('permissions finds a statement for an API that no longer exists; prune needs --yes, removes only it, then has nothing left', {timeout: STEP_TIMEOUT}, async () => {
    // A grant left behind by an API someone deleted (as after a hand-made test API).
    const lambda = lambdaClient()
    try {
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: 'app-getHello',
          StatementId: 'legacy-api',
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: 'arn:aws:execute-api:us-east-1:000000000000:gone123456/$default/GET/hello',
        }),
      )
    } finally {
      lambda.destroy()
    }

    const [audit, auditJson, refused] = await twoAtATime([
      () => inProject(['permissions', '--local']),
      () => inProject(['permissions', '--local', '--json']),
      // No terminal to confirm on: prune refuses without --yes and removes nothing.
      () => inProject(['permissions', 'prune', '--local']),
    ])
    expectExit(audit, 0)
    expect(lineWith(audit.stdout, 'legacy-api')).toMatch(/stale-api/)
    expect(audit.stdout).toContain('API gone123456 no longer exists')
    expect(audit.stdout).toContain('tracegate permissions prune')
    expectExit(auditJson, 0)
    const report = auditJson.json<{functions: Array<{functionName: string; statements: Array<{sid: string; status: string}>}>}>()
    const statuses = report.functions.flatMap((f) => f.statements.map((s) => `${f.functionName} ${s.status}`)).sort()
    expect(statuses).toEqual(['app-getHello ok', 'app-getHello stale-api', 'app-getOrder ok', 'app-getProfile ok', 'app-postOrders ok'])

    expectExit(refused, 2)
    expect(refused.stderr).toContain('--yes')

    // The statement the refused prune planned is still there to remove.
    const pruned = await inProject(['permissions', 'prune', '--yes', '--local', '--json'])
    expectExit(pruned, 0)
    expect(pruned.json()).toMatchObject({totals: {planned: 1, removed: 1, failed: 0}})

    const [again, after] = await twoAtATime([
      () => inProject(['permissions', 'prune', '--yes', '--local']),
      () => inProject(['permissions', '--local', '--json']),
    ])
    expectExit(again, 0)
    expect(again.stdout).not.toContain('legacy-api')
    const remaining = after.json<typeof report>().functions.flatMap((f) => f.statements.map((s) => s.status))
    expect(remaining).toEqual(['ok', 'ok', 'ok', 'ok'])
  })

  test('destroy needs --yes without a terminal, removes everything with it, and a second destroy has nothing to do', {timeout: STEP_TIMEOUT}, async () => {
    const refused = await inProject(['destroy', '--local'])
    expectExit(refused, 2)
    expect(refused.stderr).toContain('--yes')

    const destroyed = await inProject(['destroy', '--yes', '--local'])
    expectExit(destroyed, 0)
    expect(destroyed.stdout).toMatch(/Destroyed app .*1 API, 4 functions, role app-lambda/)

    const [second, secondPlain, status, gone] = await twoAtATime([
      () => inProject(['destroy', '--yes', '--local', '--json']),
      () => inProject(['destroy', '--yes', '--local']),
      () => e2e.run(['local', 'status', '--json']),
      () => inProject(['invoke', 'GET /hello', '--local', '--json']),
    ])
    expectExit(second, 0)
    expect(second.stderr).toBe('')
    expect(second.json()).toMatchObject({plan: [], summary: {changes: 0}})
    expectExit(secondPlain, 0)
    expect(secondPlain.stdout).toMatch(/Nothing to destroy/)
    expect(secondPlain.stderr).not.toMatch(/Delete/)

    expect(status.json()).toMatchObject({running: true, counts: {functions: 0, apis: 0}})
    // The project's API is gone: invoke says so and how to bring it back.
    expectExit(gone, 2)
    expect(gone.json()).toMatchObject({error: {code: 'API_NOT_FOUND', suggestion: expect.stringContaining('tracegate deploy')}})
  })

  test('local stop ends the emulator and its handler workers; nothing is left running', {timeout: STEP_TIMEOUT}, async () => {
    const status = await e2e.run(['local', 'status', '--json'])
    const {pid} = status.json<{pid: number}>()
    const children = descendantsOf(pid)

    const stop = await e2e.run(['local', 'stop'])
    expectExit(stop, 0)
    expect(stop.stdout).toContain(`Stopped the emulator (pid ${pid})`)
    const deadline = Date.now() + 5000
    while ([pid, ...children].some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect([pid, ...children].filter(isAlive)).toEqual([])

    const after = await e2e.run(['local', 'status'])
    expectExit(after, 5)
    expect(after.stdout).toContain('Not running')
  })
})
