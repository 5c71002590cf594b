import {render} from 'ink-testing-library'
import {describe, expect, test} from 'vitest'
import type {TraceListResult} from '../../src/traces/list.js'
import {traceViewFromDocuments} from '../../src/traces/show.js'
import {traceSummaryFromSegments} from '../../src/traces/facts.js'
import {traceListLine} from '../../src/traces/summary.js'
import {paletteFor, stripAnsi} from '../../src/ui/colors.js'
import {TraceFeed} from '../../src/ui/traces/feed.js'
import {FollowView} from '../../src/ui/traces/FollowView.js'
import {plainTraceList, plainWaterfall} from '../../src/ui/traces/plain.js'
import {TraceListView} from '../../src/ui/traces/TraceList.js'
import {WaterfallView} from '../../src/ui/traces/Waterfall.js'
import {asDocuments, lambdaSegments, restTrace, sdkCall, segment, T0, TRACE_ID} from './builders.js'

const WIDTHS = [80, 160] as const
const colour = paletteFor({isTTY: true}, {})
const noColour = paletteFor({isTTY: false}, {})

function failingView() {
  return traceViewFromDocuments(
    TRACE_ID,
    asDocuments(
      restTrace({
        outcome: 'error',
        exception: {type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')"},
        calls: [sdkCall({start_time: T0 + 0.02, end_time: T0 + 0.03})],
        annotations: {customer: 'acme'},
      }),
    ),
  )
}

/** The last frame that has content (CI=true makes Ink write only final frames, STACK.md gotcha 5). */
function frameOf(frames: string[]): string {
  return stripAnsi([...frames].reverse().find((f) => f.trim() !== '') ?? '')
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '')
}

describe('WaterfallView', () => {
  test.each(WIDTHS)('at width %i: header with the verdict, one row per span, the exception under the span that threw', (width) => {
    const {frames} = render(<WaterfallView view={failingView()} width={width} />)
    const frame = frameOf(frames)
    const rows = lines(frame)
    expect(rows[0]).toMatch(/^Trace 1-5759e988-bd862e3fe1be46a994272793 · 502 function error in orders-getOrd/)
    expect(rows.every((r) => [...r].length <= width)).toBe(true)
    const names = ['orders/dev Stage', '  Lambda Invoke', '    orders-getOrder Lambda', '      orders-getOrder Function', '        Invocation', '          DynamoDB GetItem', '        Overhead']
    for (const name of names) expect(rows.some((r) => r.startsWith(name))).toBe(true)
    const fnRow = rows.findIndex((r) => r.startsWith('      orders-getOrder Function'))
    expect(rows[fnRow + 1]).toMatch(/✗ TypeError: Cannot read properties of undefined/)
    expect(rows[fnRow + 2]).toContain('at handler (/var/task/src/get-order.js:12)')
    expect(frame).toContain('+20.0ms')
    expect(frame).toContain('502')
  })

  test.each(WIDTHS)('at width %i the bars are scaled to the columns left: the root spans the whole bar area', (width) => {
    const {frames} = render(<WaterfallView view={failingView()} width={width} />)
    const rows = lines(frameOf(frames))
    const root = rows.find((r) => r.startsWith('orders/dev Stage'))!
    const bar = root.length - root.indexOf('█')
    expect(root.endsWith('█')).toBe(true)
    expect(root.length).toBe(width)
    // Name, timing and status columns take the rest.
    expect(bar).toBeGreaterThan(width - 70)
    const dynamo = rows.find((r) => r.includes('DynamoDB GetItem'))!
    // A 10 ms call in a 54 ms trace, starting at 20 ms: a short bar, well inside the area.
    const dynamoBar = dynamo.split('█').length - 1
    expect(dynamoBar).toBeGreaterThanOrEqual(1)
    expect(dynamoBar).toBeLessThan(bar / 2)
    expect(dynamo.indexOf('█')).toBeGreaterThan(root.indexOf('█'))
  })

  test('the wide layout shows more bar than the narrow one', () => {
    const narrow = lines(frameOf(render(<WaterfallView view={failingView()} width={80} />).frames)).find((r) => r.startsWith('orders/dev'))!
    const wide = lines(frameOf(render(<WaterfallView view={failingView()} width={160} />).frames)).find((r) => r.startsWith('orders/dev'))!
    expect(wide.split('█').length - 1).toBeGreaterThan(narrow.split('█').length - 1 + 60)
  })

  test('annotations and metadata appear only with details', () => {
    const plain = frameOf(render(<WaterfallView view={failingView()} width={160} />).frames)
    const detailed = frameOf(render(<WaterfallView view={failingView()} width={160} details />).frames)
    expect(plain).not.toContain('annotation customer')
    expect(detailed).toContain('annotation customer = "acme"')
    expect(detailed).toContain('annotation aws:api_id = "a1b2c3d4e5"')
    expect(detailed).toContain('metadata default {"extended_request_id"')
  })

  test('orphans, in-progress spans and inferred statuses are explained under the waterfall', () => {
    const view = traceViewFromDocuments(TRACE_ID, [
      ...asDocuments(lambdaSegments({outcome: 'error'})),
      JSON.stringify(segment({name: 'lost', parent_id: 'ffffffffffffffff', end_time: undefined, in_progress: true, start_time: T0 + 0.01})),
      '{broken',
    ], {apiType: 'http'})
    const frame = frameOf(render(<WaterfallView view={view} width={120} />).frames)
    expect(frame).toMatch(/lost \[orphan\]/)
    expect(frame).toContain('500* function error in orders-getOrder')
    expect(frame).toContain('* status inferred from Lambda segments')
    expect(frame).toContain('1 span(s) name a parent that is not in the trace')
    expect(frame).toContain('1 span(s) still in progress (▒)')
    expect(frame).toMatch(/document 4 skipped: not valid JSON/)
    expect(frame).toContain('▒')
  })
})

function listResult(): TraceListResult {
  const failed = traceListLine(
    traceSummaryFromSegments('1-5759e988-000000000000000000000001', asDocuments(restTrace({outcome: 'error', exception: {type: 'TypeError', message: 'x is undefined'}}))),
  )
  const ok = traceListLine(traceSummaryFromSegments('1-5759e988-000000000000000000000002', asDocuments(restTrace({outcome: 'ok', method: 'POST', path: '/orders'}))))
  const throttled = traceListLine(traceSummaryFromSegments('1-5759e988-000000000000000000000003', asDocuments(restTrace({outcome: 'throttle'}))))
  return {filter: 'service("orders-getOrder")', window: {start: '2024-05-01T10:00:00.000Z', end: '2024-05-01T10:15:00.000Z'}, traces: [failed, ok, throttled], tracesProcessed: 3, truncated: false}
}

describe('TraceListView', () => {
  test.each(WIDTHS)('at width %i: one line per trace with method, path, status, badge and root cause', (width) => {
    const frame = frameOf(render(<TraceListView result={listResult()} width={width} />).frames)
    const rows = lines(frame)
    expect(rows).toHaveLength(4)
    expect(rows.every((r) => [...r].length <= width)).toBe(true)
    expect(rows[0]).toMatch(/GET +\/dev\/orders\/42 +502 +\d+(\.\d)?ms FAULT +TypeError: x is unde/)
    expect(rows[1]).toMatch(/POST +\/dev\/orders +200 .* ok/)
    expect(rows[2]).toMatch(/500 .* FAULT +throttled \(orders-ge/)
    expect(rows[3]).toBe('3 traces. Show one: tracegate traces show 1-5759e988-000000000000000000000001')
    if (width === 160) expect(rows[0]).toContain('(orders-getOrder)')
  })

  test('an empty list says so', () => {
    const frame = frameOf(render(<TraceListView result={{...listResult(), traces: []}} width={80} />).frames)
    expect(frame).toContain('No traces between 2024-05-01T10:00:00.000Z and 2024-05-01T10:15:00.000Z.')
  })
})

describe('FollowView', () => {
  test('traces stream in above a live status line; an update is marked', async () => {
    const feed = new TraceFeed('Following traces of 2 functions (Ctrl-C to stop)')
    const {frames, rerender} = render(<FollowView feed={feed} width={120} />)
    const [first, , third] = listResult().traces
    feed.push({kind: 'new', trace: first})
    feed.push({kind: 'new', trace: third})
    feed.push({kind: 'updated', trace: {...first, badge: 'ok', status: 200}})
    feed.setStatus('X-Ray is throttling GetTraceSummaries (next poll in 4 s)', 'throttle')
    rerender(<FollowView feed={feed} width={120} />)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const frame = stripAnsi(frames.join(''))
    expect(frame).toMatch(/GET +\/dev\/orders\/42 +502/)
    expect(frame).toMatch(/↻ .*GET +\/dev\/orders\/42 +200/)
    expect(frameOf(frames)).toContain('X-Ray is throttling GetTraceSummaries (next poll in 4 s)')
    feed.stop('Stopped after 2 traces')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(frameOf(frames)).toContain('■ Stopped after 2 traces')
  })
})

describe('plain renderer', () => {
  test('the waterfall in plain text has the same rows as the Ink view, and no colour without a TTY', () => {
    const text = plainWaterfall(failingView(), noColour, 100)
    expect(text).not.toMatch(/\u001B\[/)
    const rows = lines(text)
    expect(rows[0]).toMatch(/^Trace 1-5759e988-bd862e3fe1be46a994272793 · 502 function error/)
    expect(rows.filter((r) => r.includes('█'))).toHaveLength(7)
    expect(rows.every((r) => [...r].length <= 100)).toBe(true)
  })

  test('with colour, a fault row is red and an ok row green', () => {
    const text = plainWaterfall(failingView(), colour, 100)
    const stage = text.split('\n').find((l) => stripAnsi(l).startsWith('orders/dev'))!
    expect(stage).toContain('\u001B[31m 502\u001B[39m')
    const dynamo = text.split('\n').find((l) => stripAnsi(l).includes('DynamoDB'))!
    expect(dynamo).toContain('\u001B[32m 200\u001B[39m')
  })

  test('the list ends with a hint, and says when more matched than the limit', () => {
    const text = plainTraceList({...listResult(), truncated: true}, noColour, 120)
    expect(lines(text).at(-1)).toBe('3 traces (more matched: raise --limit or narrow --since). Show one: tracegate traces show 1-5759e988-000000000000000000000001')
  })
})
