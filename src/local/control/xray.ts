/**
 * X-Ray (restJson1, every operation a POST, aws-semantics §1.4 and §6): PutTraceSegments stores each document
 * exactly as received; GetTraceSummaries lists traces by time range with NextToken pagination;
 * BatchGetTraces returns up to 5 traces with each segment's `Document` as a JSON string; GetTraceGraph builds
 * the service graph of the given traces, GetServiceGraph that of a time frame; GetSamplingRules lists the Default
 * rule.
 */
import {
  evaluateFilter,
  type FilterAst,
  isFilterExpressionError,
  parseFilterExpression,
  traceFactsFromSegments,
  traceSummaryFromSegments,
} from '../../traces/filter.js'
import {InvalidCursorError, type Page, type StoredSegment, type TraceRecord, type TraceTimeRange} from '../store.js'
import {type EmulatorRequest, json, parseJsonBody, type Route, ServiceError, type WireResponse} from '../wire.js'
import type {ControlContext} from './context.js'
import {traceGraph} from './trace-graph.js'

/** X-Ray's InvalidRequestException has no modelled status; 400 (aws-semantics §1.4). Its member is `Message`. */
export function invalidRequest(message: string): ServiceError {
  return new ServiceError(400, 'InvalidRequestException', message, {Message: message})
}

function body(request: EmulatorRequest): Record<string, unknown> {
  return parseJsonBody(request, (reason) => invalidRequest(`Request body is not valid JSON: ${reason}`))
}

const TRACE_ID_REGEX = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/
const SEGMENT_ID_REGEX = /^[0-9a-f]{16}$/
/** Documents older than this are refused with InvalidTraceId (the 30 days are unconfirmed, aws-semantics §6.1). */
const MAX_TRACE_AGE_SECONDS = 30 * 24 * 3600
const MAX_DOCUMENT_BYTES = 64 * 1024

export interface XrayOptions {
  /** Trace summaries per GetTraceSummaries page (X-Ray has no MaxResults; the server picks). */
  summariesPageSize: number
}

export const DEFAULT_XRAY_OPTIONS: XrayOptions = {summariesPageSize: 100}

interface Unprocessed {
  Id?: string
  ErrorCode: string
  Message: string
}

/**
 * Validates one segment document (aws-semantics §6.2). Error codes other than InvalidTraceId are not in the
 * reference; `InvalidSegment` names the rest, with a message saying which field is wrong.
 */
function checkDocument(raw: unknown, now: number): {ok: true; doc: Record<string, unknown>} | {ok: false; error: Unprocessed} {
  if (typeof raw !== 'string') return {ok: false, error: {ErrorCode: 'InvalidSegment', Message: 'Segment document must be a string'}}
  if (Buffer.byteLength(raw, 'utf8') > MAX_DOCUMENT_BYTES) {
    return {ok: false, error: {ErrorCode: 'InvalidSegment', Message: 'Segment document exceeds 64 KB'}}
  }
  let doc: unknown
  try {
    doc = JSON.parse(raw)
  } catch {
    return {ok: false, error: {ErrorCode: 'InvalidSegment', Message: 'Segment document is not valid JSON'}}
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return {ok: false, error: {ErrorCode: 'InvalidSegment', Message: 'Segment document must be a JSON object'}}
  }
  const d = doc as Record<string, unknown>
  const id = typeof d.id === 'string' ? d.id : undefined
  const fail = (code: string, message: string) => ({ok: false as const, error: {...(id ? {Id: id} : {}), ErrorCode: code, Message: message}})
  if (!id || !SEGMENT_ID_REGEX.test(id)) return fail('InvalidSegment', 'id must be 16 hexadecimal digits')
  if (typeof d.trace_id !== 'string' || !TRACE_ID_REGEX.test(d.trace_id)) {
    return fail('InvalidTraceId', `Invalid trace id: ${String(d.trace_id)}`)
  }
  const idTime = Number.parseInt(d.trace_id.slice(2, 10), 16)
  if (now - idTime > MAX_TRACE_AGE_SECONDS) return fail('InvalidTraceId', `Trace id ${d.trace_id} is too old`)
  if (typeof d.name !== 'string' || d.name.length === 0 || d.name.length > 200) {
    return fail('InvalidSegment', 'name must be 1 to 200 characters')
  }
  if (typeof d.start_time !== 'number') return fail('InvalidSegment', 'start_time must be a number (epoch seconds)')
  if (typeof d.end_time !== 'number' && d.in_progress !== true) {
    return fail('InvalidSegment', 'a segment needs end_time or in_progress: true')
  }
  if (d.type === 'subsegment' && (typeof d.parent_id !== 'string' || !SEGMENT_ID_REGEX.test(d.parent_id))) {
    return fail('InvalidSegment', 'a subsegment sent on its own needs parent_id')
  }
  return {ok: true, doc: d}
}

function putTraceSegments(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const input = body(request)
  const documents = input.TraceSegmentDocuments
  if (!Array.isArray(documents)) throw invalidRequest('TraceSegmentDocuments is required and must be a list of strings')
  const now = Date.now() / 1000
  const unprocessed: Unprocessed[] = []
  ctx.store.transaction(() => {
    for (const raw of documents) {
      const checked = checkDocument(raw, now)
      if (!checked.ok) {
        unprocessed.push(checked.error)
        continue
      }
      const doc = checked.doc
      ctx.store.putSegment(
        request.region,
        {
          traceId: String(doc.trace_id),
          id: String(doc.id),
          kind: doc.type === 'subsegment' ? 'subsegment' : 'segment',
          parentId: typeof doc.parent_id === 'string' ? doc.parent_id : undefined,
          startTime: doc.start_time as number,
          endTime: typeof doc.end_time === 'number' ? doc.end_time : undefined,
          inProgress: doc.in_progress === true,
          document: raw as string,
        },
        now,
      )
    }
  })
  return json(200, {UnprocessedTraceSegments: unprocessed})
}

/** Accepts epoch seconds (what the SDK sends) or an ISO-8601 string. */
function timestamp(value: unknown, member: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string') {
    const n = Number(value)
    if (Number.isFinite(n)) return n
    const parsed = Date.parse(value)
    if (Number.isFinite(parsed)) return parsed / 1000
  }
  throw invalidRequest(`${member} is required and must be a timestamp`)
}

/** The parts of a segment document that subsegment folding needs. */
interface SegmentDoc {
  id?: string
  parent_id?: string
  subsegments?: SegmentDoc[]
}

function parseFilter(expression: unknown): FilterAst | undefined {
  if (typeof expression !== 'string' || expression.trim() === '') return undefined
  try {
    return parseFilterExpression(expression)
  } catch (error) {
    if (isFilterExpressionError(error)) throw invalidRequest(`Invalid filter expression: ${error.message}`)
    throw error
  }
}

/**
 * Traces in the time range, oldest first. With a filter, store pages are scanned until `pageSize` traces match
 * (or the range is exhausted); the token then points after the last trace scanned, so no trace is skipped or
 * repeated. Summaries and filter facts come from src/traces (the same code the CLI uses on real AWS answers).
 */
function getTraceSummaries(request: EmulatorRequest, ctx: ControlContext, options: XrayOptions): WireResponse {
  const input = body(request)
  const start = timestamp(input.StartTime, 'StartTime')
  const end = timestamp(input.EndTime, 'EndTime')
  if (end < start) throw invalidRequest('EndTime must be after StartTime')
  const rangeType = (input.TimeRangeType ?? 'TraceId') as TraceTimeRange
  if (!['TraceId', 'Event', 'Service'].includes(rangeType)) {
    throw invalidRequest(`Invalid TimeRangeType: ${String(input.TimeRangeType)}. Use TraceId, Event or Service.`)
  }
  const filter = parseFilter(input.FilterExpression)
  let token = typeof input.NextToken === 'string' && input.NextToken !== '' ? input.NextToken : undefined
  const summaries: Record<string, unknown>[] = []
  let processed = 0
  let next: string | undefined
  do {
    let page: Page<TraceRecord>
    try {
      page = ctx.store.listTraces(request.region, {start, end, rangeType, after: token, limit: options.summariesPageSize})
    } catch (error) {
      if (error instanceof InvalidCursorError) throw invalidRequest('Invalid NextToken')
      throw error
    }
    for (const trace of page.items) {
      processed++
      const documents = assembleSegments(ctx.store.getSegments(trace.traceId)).map((s) => s.Document)
      if (filter && !evaluateFilter(filter, traceFactsFromSegments(documents))) continue
      summaries.push(traceSummaryFromSegments(trace.traceId, documents) as unknown as Record<string, unknown>)
    }
    next = page.next
    token = page.next
  } while (filter && next && summaries.length < options.summariesPageSize)
  return json(200, {
    TraceSummaries: summaries,
    ApproximateTime: Math.floor(Date.now() / 1000),
    TracesProcessedCount: processed,
    ...(next ? {NextToken: next} : {}),
  })
}

/**
 * Subsegments that arrived on their own are folded into their parent's `subsegments`, so each returned
 * document is a whole segment, as X-Ray returns it.
 */
export function assembleSegments(stored: StoredSegment[]): {Id: string; Document: string}[] {
  const segments = stored.filter((s) => s.kind === 'segment')
  const loose = stored.filter((s) => s.kind === 'subsegment')
  if (loose.length === 0) return segments.map((s) => ({Id: s.id, Document: s.document}))
  const parsed = new Map(segments.map((s) => [s.id, JSON.parse(s.document) as SegmentDoc]))
  const pending = loose.map((s) => JSON.parse(s.document) as SegmentDoc)
  const find = (node: SegmentDoc, id: string): SegmentDoc | undefined => {
    if (node.id === id) return node
    for (const child of node.subsegments ?? []) {
      const hit = find(child, id)
      if (hit) return hit
    }
    return undefined
  }
  const touched = new Set<string>()
  let progress = true
  while (pending.length > 0 && progress) {
    progress = false
    for (let i = pending.length - 1; i >= 0; i--) {
      const sub = pending[i]
      for (const [segmentId, doc] of parsed) {
        const parent = find(doc, String(sub.parent_id))
        if (!parent) continue
        const {type: _t, trace_id: _tr, parent_id: _p, ...rest} = sub as SegmentDoc & {type?: string; trace_id?: string}
        parent.subsegments = [...(parent.subsegments ?? []).filter((s) => s.id !== rest.id), rest]
        touched.add(segmentId)
        pending.splice(i, 1)
        progress = true
        break
      }
    }
  }
  return segments.map((s) => ({Id: s.id, Document: touched.has(s.id) ? JSON.stringify(parsed.get(s.id)) : s.document}))
}

function batchGetTraces(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const input = body(request)
  const ids = input.TraceIds
  if (!Array.isArray(ids) || ids.length === 0) throw invalidRequest('TraceIds is required: 1 to 5 trace ids')
  if (ids.length > 5) {
    throw invalidRequest(`TraceIds has ${ids.length} items; BatchGetTraces accepts at most 5 trace ids per call`)
  }
  for (const id of ids) {
    if (typeof id !== 'string' || id.length < 1 || id.length > 35) throw invalidRequest(`Invalid trace id: ${String(id)}`)
  }
  const traces: Record<string, unknown>[] = []
  const unprocessed: string[] = []
  for (const id of ids as string[]) {
    const trace = ctx.store.getTrace(id)
    if (!trace || trace.region !== request.region) {
      // Whether X-Ray lists unknown ids here or omits them is unconfirmed (aws-semantics §6.9); listing them
      // tells the caller which ids had nothing.
      unprocessed.push(id)
      continue
    }
    const stored = ctx.store.getSegments(id)
    const segments = assembleSegments(stored)
    const end = trace.lastEnd ?? trace.firstStart
    // Milliseconds, as GetTraceSummaries reports it (and X-Ray does: `"Duration": 0.047`), not float noise.
    traces.push({Id: id, Duration: Math.round(Math.max(0, end - trace.firstStart) * 1000) / 1000, LimitExceeded: false, Segments: segments})
  }
  return json(200, {Traces: traces, UnprocessedTraceIds: unprocessed})
}

/**
 * The service graph of the given traces (trace-graph.ts). Unknown ids, and traces of another region, add
 * nothing. The graph of a handful of traces is small, so it is answered in one page and NextToken is never
 * returned (choice: X-Ray documents no page size for GetTraceGraph).
 */
function getTraceGraph(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const input = body(request)
  const ids = input.TraceIds
  if (!Array.isArray(ids) || ids.length === 0) throw invalidRequest('TraceIds is required: at least one trace id')
  for (const id of ids) {
    if (typeof id !== 'string') throw invalidRequest(`Invalid trace id: ${String(id)}`)
  }
  const traces: string[][] = []
  for (const id of new Set(ids as string[])) {
    const trace = ctx.store.getTrace(id)
    if (!trace || trace.region !== request.region) continue
    traces.push(assembleSegments(ctx.store.getSegments(id)).map((s) => s.Document))
  }
  return json(200, {Services: traceGraph(traces)})
}

/** Traces read per store page while a service graph is built (the graph itself is answered in one page). */
const SERVICE_GRAPH_PAGE = 500

/**
 * GetServiceGraph: the service graph (trace-graph.ts) of the traces whose last segment ended in
 * [StartTime, EndTime] (choice: X-Ray documents "services that processed a traced request during the time
 * frame", not how a request that straddles the frame counts), in one page (NextToken is never returned, as for
 * GetTraceGraph). The emulator has only the `Default` group; another group name is refused.
 */
function getServiceGraph(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  const input = body(request)
  const start = timestamp(input.StartTime, 'StartTime')
  const end = timestamp(input.EndTime, 'EndTime')
  if (end < start) throw invalidRequest('EndTime must be after StartTime')
  for (const member of ['GroupName', 'GroupARN'] as const) {
    const group = input[member]
    if (group === undefined || group === null) continue
    const name = typeof group === 'string' ? group.slice(group.lastIndexOf('/') + 1) : ''
    if (name !== 'Default') throw invalidRequest(`Group ${String(group)} not found (the emulator has only the Default group)`)
  }
  const traces: string[][] = []
  let after: string | undefined
  do {
    const page = ctx.store.listTraces(request.region, {start, end, rangeType: 'Service', after, limit: SERVICE_GRAPH_PAGE})
    for (const trace of page.items) traces.push(assembleSegments(ctx.store.getSegments(trace.traceId)).map((s) => s.Document))
    after = page.next
  } while (after)
  return json(200, {StartTime: start, EndTime: end, Services: traceGraph(traces), ContainsOldGroupVersions: false})
}

/**
 * GetSamplingRules: X-Ray's `Default` rule, the one every account starts with and the one Lambda applies (1 request
 * per second, then 5 %). The emulator keeps no other rules (CreateSamplingRule is not implemented); its own
 * `local start --sampling` choice is a property of the emulator, not a rule, so it is not listed here.
 */
function getSamplingRules(request: EmulatorRequest, ctx: ControlContext): WireResponse {
  body(request)
  return json(200, {
    SamplingRuleRecords: [
      {
        SamplingRule: {
          RuleName: 'Default',
          RuleARN: `arn:aws:xray:${request.region}:${ctx.accountId}:sampling-rule/Default`,
          ResourceARN: '*',
          Priority: 10000,
          FixedRate: 0.05,
          ReservoirSize: 1,
          ServiceName: '*',
          ServiceType: '*',
          Host: '*',
          HTTPMethod: '*',
          URLPath: '*',
          Version: 1,
          Attributes: {},
        },
        CreatedAt: 0,
        ModifiedAt: 0,
      },
    ],
  })
}

export function xrayRoutes(options: XrayOptions = DEFAULT_XRAY_OPTIONS): readonly Route<ControlContext>[] {
  return [
    {method: 'POST', pattern: '/TraceSegments', operation: 'PutTraceSegments', handle: (r, _p, c) => putTraceSegments(r, c)},
    {method: 'POST', pattern: '/TraceSummaries', operation: 'GetTraceSummaries', handle: (r, _p, c) => getTraceSummaries(r, c, options)},
    {method: 'POST', pattern: '/Traces', operation: 'BatchGetTraces', handle: (r, _p, c) => batchGetTraces(r, c)},
    {method: 'POST', pattern: '/TraceGraph', operation: 'GetTraceGraph', handle: (r, _p, c) => getTraceGraph(r, c)},
    {method: 'POST', pattern: '/ServiceGraph', operation: 'GetServiceGraph', handle: (r, _p, c) => getServiceGraph(r, c)},
    {method: 'POST', pattern: '/GetSamplingRules', operation: 'GetSamplingRules', handle: (r, _p, c) => getSamplingRules(r, c)},
  ]
}

export const XRAY_PATHS = ['/TraceSegments', '/TraceSummaries', '/Traces', '/TraceGraph', '/ServiceGraph', '/GetSamplingRules', '/SamplingTargets', '/TelemetryRecords']
