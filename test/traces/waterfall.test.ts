import {describe, expect, test} from 'vitest'
import {buildSpanTree} from '../../src/traces/tree.js'
import {barGeometry, buildWaterfall, formatDuration, spanStatus, waterfallLayout, withBarWidth} from '../../src/traces/waterfall.js'
import {asDocuments, lambdaSegments, restTrace, sdkCall, segment, subsegment, T0} from './builders.js'

describe('buildWaterfall', () => {
  test('one row per span in display order with depth, offsets, durations and tags', () => {
    const tree = buildSpanTree(asDocuments(restTrace({outcome: 'ok', calls: [sdkCall({start_time: T0 + 0.02, end_time: T0 + 0.03})]})))
    const waterfall = buildWaterfall(tree, {barWidth: 50})
    expect(waterfall.rows.map((r) => [r.depth, r.name, r.tag])).toEqual([
      [0, 'orders/dev', 'Stage'],
      [1, 'Lambda', 'Invoke'],
      [2, 'orders-getOrder', 'Lambda'],
      [3, 'orders-getOrder', 'Function'],
      [4, 'Invocation', undefined],
      [5, 'DynamoDB', 'GetItem'],
      [4, 'Overhead', undefined],
    ])
    expect(waterfall.rows[0]).toMatchObject({startOffsetMs: 0, httpStatus: 200, status: 'ok', bar: {offset: 0, length: 50}})
    expect(waterfall.rows[5]).toMatchObject({startOffsetMs: 20, durationMs: 10})
    expect(waterfall.totalMs).toBeCloseTo(waterfall.rows[0].durationMs!, 3)
  })

  test('colour classes: fault beats throttle beats error', () => {
    expect(spanStatus({fault: true, throttle: true, error: true})).toBe('fault')
    expect(spanStatus({fault: false, throttle: true, error: true})).toBe('throttle')
    expect(spanStatus({fault: false, throttle: false, error: true})).toBe('error')
    expect(spanStatus({fault: false, throttle: false, error: false})).toBe('ok')
  })

  test('exceptions sit on the span that threw, cut to the first frames', () => {
    const tree = buildSpanTree(asDocuments(lambdaSegments({outcome: 'error', exception: {type: 'TypeError', message: 'x is undefined'}})))
    const waterfall = buildWaterfall(tree, {barWidth: 40, maxFrames: 2})
    const fn = waterfall.rows.find((r) => r.tag === 'Function')!
    expect(fn.status).toBe('fault')
    expect(fn.exceptions).toEqual([
      {
        type: 'TypeError',
        message: 'x is undefined',
        remote: false,
        frames: ['handler (/var/task/src/get-order.js:12)', 'runtime (file:///var/runtime/index.mjs:1173)'],
        moreFrames: 1,
      },
    ])
    expect(waterfall.rows.filter((r) => r.exceptions.length > 0)).toHaveLength(1)
  })

  test('an in-progress span has no duration and its bar runs to the end of the trace', () => {
    const root = segment({name: 'fn', start_time: T0, end_time: T0 + 1, subsegments: [subsegment({name: 'waiting', start_time: T0 + 0.5, end_time: undefined, in_progress: true})]})
    const waterfall = buildWaterfall(buildSpanTree(asDocuments([root])), {barWidth: 10})
    expect(waterfall.rows[1]).toMatchObject({inProgress: true, durationMs: undefined, bar: {offset: 5, length: 5}})
  })

  test('orphans and clock skew are carried to the rows', () => {
    const orphan = segment({name: 'lost', parent_id: 'ffffffffffffffff'})
    const waterfall = buildWaterfall(buildSpanTree(asDocuments([orphan])), {barWidth: 10})
    expect(waterfall.rows[0]).toMatchObject({orphan: true, clockSkew: false})
  })

  test('annotations and metadata are kept for --details', () => {
    const tree = buildSpanTree(asDocuments(restTrace({outcome: 'ok'})))
    const row = buildWaterfall(tree, {barWidth: 10}).rows[0]
    expect(row.annotations).toEqual({'aws:api_id': 'a1b2c3d4e5', 'aws:api_stage': 'dev'})
    expect(row.metadata).toMatchObject({default: {request_id: expect.any(String)}})
  })

  test('withBarWidth recomputes bars for a resize without touching timings', () => {
    const waterfall = buildWaterfall(buildSpanTree(asDocuments(restTrace())), {barWidth: 20})
    const wide = withBarWidth(waterfall, 100)
    expect(wide.rows.map((r) => r.startOffsetMs)).toEqual(waterfall.rows.map((r) => r.startOffsetMs))
    expect(wide.rows[0].bar).toEqual({offset: 0, length: 100})
    expect(withBarWidth(waterfall, 20)).toBe(waterfall)
  })
})

describe('barGeometry', () => {
  test.each([
    // start, duration, total, width → offset, length
    [0, 100, 100, 50, 0, 50],
    [50, 50, 100, 50, 25, 25],
    [10, 0.001, 100, 50, 5, 1],
    [99.9, 0.1, 100, 50, 49, 1],
    [90, 50, 100, 20, 18, 2],
    [0, undefined, 100, 20, 0, 20],
    [0, 0, 0, 30, 0, 30],
  ])('start %s dur %s of %s in %s columns → offset %s, length %s', (start, duration, total, width, offset, length) => {
    expect(barGeometry(start, duration, total, width)).toEqual({offset, length})
  })

  test('a bar never leaves its width', () => {
    for (let start = 0; start <= 120; start += 7) {
      for (const width of [1, 10, 33, 80]) {
        const bar = barGeometry(start, 30, 100, width)
        expect(bar.offset + bar.length).toBeLessThanOrEqual(width)
        expect(bar.length).toBeGreaterThanOrEqual(1)
      }
    }
  })
})

describe('waterfallLayout', () => {
  test.each([80, 120, 160, 200])('columns add up to a width of %i', (width) => {
    const layout = waterfallLayout(width)
    expect(layout.nameWidth + layout.timingWidth + layout.statusWidth + layout.barWidth + 3).toBe(width)
  })

  test('the name column shrinks to the longest name', () => {
    const waterfall = buildWaterfall(buildSpanTree(asDocuments([segment({name: 'a'})])), {barWidth: 10})
    expect(waterfallLayout(160, waterfall).nameWidth).toBe(16)
    expect(waterfallLayout(160, waterfall).barWidth).toBe(160 - 16 - 20 - 4 - 3)
  })
})

test.each([
  [undefined, '…'],
  [0.25, '0.25ms'],
  [12.34, '12.3ms'],
  [456.7, '457ms'],
  [1234, '1.23s'],
  [123_000, '2m03s'],
])('formatDuration(%s) is %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text)
})
