/**
 * Frames in the user's source, through the built CLI against the embedded emulator: a TypeScript handler
 * throws at a known line of a file it imports; `invoke --json` and `traces show` must name that file and line,
 * not the deployed bundle. After the code changes without a deploy, they must keep the bundle's frames and
 * say why; after the deploy they follow the new line.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {type CliResult, setupE2e} from './helpers.js'

const e2e = setupE2e({prefix: 'tracegate-e2e-frames-'})
const STEP_TIMEOUT = 60_000

const CONFIG = {
  name: 'frames',
  region: 'us-east-1',
  defaults: {tracing: 'Active'},
  functions: {getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']}},
}

const HANDLER_TS = `import {totalOf} from './lib/orders'

export const handler = async (event: {pathParameters?: {id?: string}}) => {
  const total = totalOf(event.pathParameters?.id ?? 'missing')
  return {statusCode: 200, body: JSON.stringify({total})}
}
`
// The TypeError is raised on line 8 (reading `.total` of undefined), at column 16 (`order.total`).
const ORDERS_TS = `interface Order {
  id: string
  total: number
}
const orders = new Map<string, Order>([['42', {id: '42', total: 19.99}]])

export function totalOf(id: string): number {
  return orders.get(id)!.total
}
`
const THROW_LINE = 8

interface InvokeJson {
  response: {status: number; headers: [string, string][]}
  diagnosis?: {verdict: string; cause: string; notes: string[]; frames?: Array<{frame: string; deployedFrame?: string}>}
}

interface TraceJson {
  waterfall: {rows: Array<{name: string; exceptions: Array<{frames: string[]; deployedFrames?: string[]}>}>}
  notes?: string[]
}

const project = () => join(e2e.workDir, 'frames')
const inProject = (args: string[]) => e2e.run(args, {cwd: project()})

function shown(r: CliResult): string {
  return `$ tracegate ${r.args.join(' ')}\nexit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

function traceIdOf(result: InvokeJson): string | undefined {
  const header = result.response.headers.find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1]
  return /Root=([^;]+)/.exec(header ?? '')?.[1]
}

function exceptionFrames(view: TraceJson): {frames: string[]; deployedFrames?: string[]} | undefined {
  return view.waterfall.rows.flatMap((r) => r.exceptions).find((e) => e.frames.length > 0)
}

describe('frames name the TypeScript source, not the deployed bundle', () => {
  let traceId = ''

  test('deploy, then invoke --json names src/lib/orders.ts at the line that threw, with the bundle frame beside it', {timeout: STEP_TIMEOUT}, async () => {
    mkdirSync(join(project(), 'src/lib'), {recursive: true})
    writeFileSync(join(project(), 'tracegate.json'), JSON.stringify(CONFIG, null, 2))
    writeFileSync(join(project(), 'src/get-order.ts'), HANDLER_TS)
    writeFileSync(join(project(), 'src/lib/orders.ts'), ORDERS_TS)
    const deployed = await inProject(['deploy', '--local', '--json'])
    expect(deployed.exitCode, shown(deployed)).toBe(0)

    const run = await inProject(['invoke', 'GET /orders/7', '--local', '--json'])
    expect(run.exitCode, shown(run)).toBe(3)
    const result = run.json<InvokeJson>()
    expect(result.diagnosis?.verdict, shown(run)).toBe('function-error')
    expect(result.diagnosis?.cause).toContain(`in totalOf at src/lib/orders.ts:${THROW_LINE}:`)
    const first = result.diagnosis?.frames?.[0]
    expect(first?.frame).toMatch(new RegExp(`^at totalOf \\(src/lib/orders\\.ts:${THROW_LINE}:\\d+\\)$`))
    expect(first?.deployedFrame).toMatch(/^at totalOf \(\/var\/task\/src\/get-order\.js:\d+:\d+\)$/)
    expect(result.diagnosis?.frames?.[1]?.frame).toMatch(/^at (Runtime\.)?handler \(src\/get-order\.ts:4:\d+\)$/)
    expect(result.diagnosis?.notes.join('\n')).not.toContain('differs')
    traceId = traceIdOf(result) ?? ''
    expect(traceId).toMatch(/^1-/)
  })

  test('traces show in the project puts the exception at the source line (X-Ray frames carry no column)', {timeout: STEP_TIMEOUT}, async () => {
    const [plain, json] = [await inProject(['traces', 'show', traceId, '--local']), await inProject(['traces', 'show', traceId, '--local', '--json'])]
    expect(plain.exitCode, shown(plain)).toBe(0)
    expect(plain.stdout).toContain(`at totalOf (src/lib/orders.ts:${THROW_LINE})`)
    expect(plain.stdout).not.toContain('/var/task/src/get-order.js')
    expect(json.exitCode, shown(json)).toBe(0)
    const e = exceptionFrames(json.json<TraceJson>())
    expect(e?.frames[0]).toBe(`totalOf (src/lib/orders.ts:${THROW_LINE})`)
    expect(e?.deployedFrames?.[0]).toMatch(/^totalOf \(\/var\/task\/src\/get-order\.js:\d+\)$/)
  })

  test('after the code changes without a deploy, the frames stay the bundle and a note says why', {timeout: STEP_TIMEOUT}, async () => {
    writeFileSync(join(project(), 'src/lib/orders.ts'), `const loadedAt = Date.now()\n${ORDERS_TS}export {loadedAt}\n`)
    const json = await inProject(['invoke', 'GET /orders/7', '--local', '--json'])
    expect(json.exitCode, shown(json)).toBe(3)
    const result = json.json<InvokeJson>()
    expect(result.diagnosis?.verdict).toBe('function-error')
    expect(result.diagnosis?.cause).toMatch(/in totalOf at src\/get-order\.js:\d+:\d+/)
    expect(result.diagnosis?.frames?.[0]).toEqual({frame: expect.stringMatching(/^at totalOf \(\/var\/task\/src\/get-order\.js:\d+:\d+\)$/)})
    expect(result.diagnosis?.notes).toContain(
      'frames-getOrder: local source differs from the deployed code; lines refer to the deployed bundle (src/get-order.js)',
    )

    const shownTrace = await inProject(['traces', 'show', traceId, '--local'])
    expect(shownTrace.exitCode, shown(shownTrace)).toBe(0)
    expect(shownTrace.stdout).toMatch(/at totalOf \(\/var\/task\/src\/get-order\.js:\d+\)/)
    expect(shownTrace.stderr).toContain('local source differs from the deployed code; lines refer to the deployed bundle')
  })

  test('after deploying the change, invoke follows the new line', {timeout: STEP_TIMEOUT}, async () => {
    const deployed = await inProject(['deploy', '--local', '--json'])
    expect(deployed.exitCode, shown(deployed)).toBe(0)
    const run = await inProject(['invoke', 'GET /orders/7', '--local'])
    expect(run.exitCode, shown(run)).toBe(3)
    expect(run.stdout).toContain(`in totalOf at src/lib/orders.ts:${THROW_LINE + 1}:`)
    expect(run.stdout).not.toContain('local source differs')
  })
})
