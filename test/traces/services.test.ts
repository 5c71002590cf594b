import {describe, expect, test} from 'vitest'
import type {TraceSummaryQuery, XRayReader, XRayTrace, XRayTraceSummary} from '../../src/aws/xray.js'
import {recordingProgress} from '../../src/progress.js'
import {traceSummaryFromSegments} from '../../src/traces/facts.js'
import {listTraces} from '../../src/traces/list.js'
import {showTrace} from '../../src/traces/show.js'
import {asDocuments, restTrace, T0} from './builders.js'

function idAt(n: number, seconds = T0): string {
  return `1-${seconds.toString(16)}-${n.toString(16).padStart(24, '0')}`
}

function reader(summaries: XRayTraceSummary[], traces: XRayTrace[] = []) {
  const queries: TraceSummaryQuery[] = []
  const asked: string[][] = []
  const xray: XRayReader = {
    async traceSummaries(query) {
      queries.push(query)
      return {summaries, tracesProcessed: summaries.length * 3, truncated: false, pages: 1}
    },
    async traces(ids) {
      asked.push([...ids])
      return {traces: traces.filter((t) => ids.includes(t.id)), unprocessedIds: [], calls: 1}
    },
  }
  return {xray, queries, asked}
}

const scope = {expression: 'service("orders-getOrder")', functions: ['orders-getOrder']}
const window = {start: new Date(T0 * 1000 - 900_000), end: new Date(T0 * 1000 + 60_000)}

function summaryAt(n: number, seconds: number, outcome: 'ok' | 'error' = 'ok'): XRayTraceSummary {
  const summary = traceSummaryFromSegments(idAt(n, seconds), asDocuments(restTrace({outcome, start: seconds})))
  return {...summary, StartTime: new Date(summary.StartTime * 1000)}
}

describe('listTraces', () => {
  test('sends the scope filter and window, lists newest first, keeps the newest `limit`', async () => {
    const {xray, queries} = reader([summaryAt(1, T0 - 30), summaryAt(2, T0 - 10, 'error'), summaryAt(3, T0 - 20)])
    const progress = recordingProgress()
    const result = await listTraces({xray, scope, window, limit: 2, progress})
    expect(queries[0]).toMatchObject({filterExpression: scope.expression, start: window.start, end: window.end})
    expect(result.traces.map((t) => t.id)).toEqual([idAt(2, T0 - 10), idAt(3, T0 - 20)])
    expect(result).toMatchObject({truncated: true, tracesProcessed: 9, filter: scope.expression, window: {start: window.start.toISOString()}})
    expect(result.traces[0]).toMatchObject({badge: 'fault', status: 502, rootCause: {type: 'TypeError'}})
    expect(progress.events.map((e) => [e.status, e.detail])).toEqual([
      ['start', undefined],
      ['done', '3 found, 9 scanned'],
    ])
  })
})

describe('showTrace', () => {
  test('fetches one trace by id and builds its view', async () => {
    const id = idAt(9)
    const {xray, asked} = reader([], [{id, limitExceeded: false, documents: asDocuments(restTrace({outcome: 'error'}))}])
    const view = await showTrace({xray, selector: {traceId: id}, barWidth: 40})
    expect(asked).toEqual([[id]])
    expect(view).toMatchObject({id, spanCount: 6, classification: {verdict: 'function-error', status: 502}, limitExceeded: false})
    expect(view.waterfall.rows[0].bar).toEqual({offset: 0, length: 40})
  })

  test('--last-failed picks the newest trace the failure scope returns', async () => {
    const newest = idAt(5, T0 - 5)
    const {xray, queries, asked} = reader(
      [summaryAt(4, T0 - 50, 'error'), summaryAt(5, T0 - 5, 'error')],
      [{id: newest, limitExceeded: false, documents: asDocuments(restTrace({outcome: 'error'}))}],
    )
    const failedScope = {expression: `${scope.expression} AND (fault OR error)`, functions: scope.functions}
    const view = await showTrace({xray, selector: {latest: 'failed', scope: failedScope, window}})
    expect(queries[0].filterExpression).toBe(failedScope.expression)
    expect(asked).toEqual([[newest]])
    expect(view.id).toBe(newest)
  })

  test('no trace in the window is a clear error', async () => {
    const {xray} = reader([])
    await expect(showTrace({xray, selector: {latest: 'any', scope, window}})).rejects.toMatchObject({code: 'TRACE_NONE', exitCode: 1})
  })

  test('an id X-Ray does not know is TRACE_NOT_FOUND', async () => {
    const {xray} = reader([], [])
    await expect(showTrace({xray, selector: {traceId: idAt(1)}})).rejects.toMatchObject({code: 'TRACE_NOT_FOUND'})
  })

  test('a malformed id is rejected before any call', async () => {
    const {xray, asked} = reader([])
    await expect(showTrace({xray, selector: {traceId: 'abc'}})).rejects.toMatchObject({code: 'TRACE_ID_INVALID', exitCode: 2})
    expect(asked).toEqual([])
  })
})
