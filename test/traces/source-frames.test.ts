
import {beforeAll, describe, expect, test} from 'vitest'
import type {XRayReader} from '../../src/aws/xray.js'
import type {FunctionConfig, ProjectConfig} from '../../src/config/schema.js'
import type {FunctionSources, LocalSources} from '../../src/package/local-sources.js'
import type {FrameMapper} from '../../src/package/source-frames.js'
import type {SegmentDocument} from '../../src/traces/segments.js'
import {showTrace} from '../../src/traces/show.js'
import {functionOfSpans, mapWaterfallFrames} from '../../src/traces/source-frames.js'
import {buildSpanTree} from '../../src/traces/tree.js'
import {buildWaterfall, type WaterfallException} from '../../src/traces/waterfall.js'
import {functionConfig, projectConfig, throwingHandlerBundle} from '../package/helpers.js'
import {asDocuments, lambdaSegments, T0, TRACE_ID} from './builders.js'

let dir: string
let mapper: FrameMapper
let thrownLine: number

function config(name: string): FunctionConfig {
  return functionConfig({key: name, name: `orders-${name}`, routes: []})
}

function project(): ProjectConfig {
  return projectConfig(dir, [config('getOrder')])
}

beforeAll(async () => {
  ;({dir, mapper, thrownLine} = await throwingHandlerBundle())
})

/** A trace where `orders-getOrder` (a project function) and `billing-charge` (another app's) both threw in src/get-order.js. */
function documents(): SegmentDocument[] {
  const withLine = (segments: SegmentDocument[]) => {
    for (const s of segments) {
      const first = typeof s.cause === 'object' ? s.cause.exceptions?.[0]?.stack?.[0] : undefined
      if (first) first.line = thrownLine
    }
    return segments
  }
  return [...withLine(lambdaSegments({outcome: 'error'})), ...withLine(lambdaSegments({functionName: 'billing-charge', outcome: 'error', start: T0 + 1}))]
}

function exceptionsOf(rows: Array<{name: string; exceptions: WaterfallException[]}>, name: string): WaterfallException[] {
  return rows.filter((r) => r.name === name).flatMap((r) => r.exceptions)
}

function reader(): XRayReader {
  return {
    traceSummaries: async () => ({summaries: [], tracesProcessed: 0, truncated: false, pages: 0}),
    traces: async (ids) => ({traces: ids.map((id) => ({id, limitExceeded: false, documents: asDocuments(documents())})), unprocessedIds: [], calls: 1}),
  }
}

function sources(answer: (name: string) => FunctionSources | undefined): LocalSources {
  return {forFunction: async (name) => answer(name)}
}

describe('mapWaterfallFrames', () => {
  test("maps the frames of a function's spans with that function's map only", () => {
    const tree = buildSpanTree(asDocuments(documents()))
    const functionOf = functionOfSpans(tree)
    const waterfall = mapWaterfallFrames(buildWaterfall(tree, {barWidth: 20}), functionOf, new Map([['orders-getOrder', mapper]]))
    expect(exceptionsOf(waterfall.rows, 'orders-getOrder')).toEqual([
      expect.objectContaining({
        frames: ['handler (src/get-order.ts:4)', 'runtime (file:///var/runtime/index.mjs:1173)', 'process.processTicksAndRejections (node:internal/process/task_queues:95)'],
        deployedFrames: [`handler (/var/task/src/get-order.js:${thrownLine})`, 'runtime (file:///var/runtime/index.mjs:1173)', 'process.processTicksAndRejections (node:internal/process/task_queues:95)'],
      }),
    ])
    const other = exceptionsOf(waterfall.rows, 'billing-charge')
    expect(other[0].frames[0]).toBe(`handler (/var/task/src/get-order.js:${thrownLine})`)
    expect(other[0].deployedFrames).toBeUndefined()
  })
})

describe('showTrace in a project', () => {
  test('names the source line of the project function and asks only for functions of the project', async () => {
    const asked: string[] = []
    const view = await showTrace({
      xray: reader(),
      selector: {traceId: TRACE_ID},
      sources: {
        project: project(),
        sources: sources((name) => {
          asked.push(name)
          return name === 'orders-getOrder' ? {status: 'mapped', functionName: name, mapper} : undefined
        }),
      },
    })
    expect(asked).toEqual(['orders-getOrder'])
    expect(exceptionsOf(view.waterfall.rows, 'orders-getOrder')[0].frames[0]).toBe('handler (src/get-order.ts:4)')
    expect(view.notes).toBeUndefined()
  })

  test('when the local source differs from the deployed code, the frames stay the bundle and a note says so', async () => {
    const note = 'orders-getOrder: local source differs from the deployed code; lines refer to the deployed bundle (src/get-order.js)'
    const view = await showTrace({
      xray: reader(),
      selector: {traceId: TRACE_ID},
      sources: {project: project(), sources: sources((name) => ({status: 'differs', functionName: name, note}))},
    })
    expect(exceptionsOf(view.waterfall.rows, 'orders-getOrder')[0]).toMatchObject({frames: [`handler (/var/task/src/get-order.js:${thrownLine})`, expect.any(String), expect.any(String)]})
    expect(exceptionsOf(view.waterfall.rows, 'orders-getOrder')[0].deployedFrames).toBeUndefined()
    expect(view.notes).toEqual([note])
  })

  test('a source lookup that hangs or fails never fails the view', async () => {
    const hanging: LocalSources = {forFunction: () => new Promise(() => {})}
    const slow = await showTrace({xray: reader(), selector: {traceId: TRACE_ID}, sources: {project: project(), sources: hanging, budgetMs: 20}})
    expect(slow.notes).toEqual(['orders-getOrder: the local source map was not ready in time; lines refer to the deployed bundle'])
    const failing: LocalSources = {forFunction: () => Promise.reject(new Error('esbuild crashed'))}
    const failed = await showTrace({xray: reader(), selector: {traceId: TRACE_ID}, sources: {project: project(), sources: failing}})
    expect(failed.notes?.[0]).toContain('esbuild crashed')
    expect(exceptionsOf(failed.waterfall.rows, 'orders-getOrder')[0].frames[0]).toBe(`handler (/var/task/src/get-order.js:${thrownLine})`)
  })
})
