/**
 * GetTraceGraph (aws-semantics §1.4): the service graph of a few traces, built from their stored segment
 * documents. Pure: whole segment documents (subsegments already folded in, as `assembleSegments` returns them)
 * in, the wire `Services` list out (timestamps as epoch seconds, what restJson1 sends).
 *
 * The shape is the SDK's `Service` / `Edge` / `ServiceStatistics` / `EdgeStatistics` / `HistogramEntry`. How
 * X-Ray builds the graph is only partly documented; the rules below follow its service map and are marked
 * "choice" where AWS's exact rule is not documented:
 * - One node per (name, type). A segment is a node typed by its `origin`; a subsegment with `namespace`
 *   `aws` is a downstream node typed `AWS::<name>`, one with `namespace` `remote` a node typed `remote`.
 * - A segment whose `parent_id` is another segment's id, or a subsegment of another segment, is called by
 *   that segment's service: one edge caller → callee. When the parent is itself a downstream (`aws`/`remote`)
 *   subsegment, that subsegment *is* the traced call, so it makes no separate node (the service map merges a
 *   traced downstream call with the service it reached).
 * - A downstream subsegment nested inside another downstream subsegment makes no node (choice: the SDKs
 *   record the HTTP call under the AWS call; both describe one request).
 */

/** Epoch seconds on the wire, as X-Ray sends every timestamp. */
export interface GraphHistogramEntry {
  Value: number
  Count: number
}

export interface GraphStatistics {
  OkCount: number
  ErrorStatistics: {ThrottleCount: number; OtherCount: number; TotalCount: number}
  FaultStatistics: {OtherCount: number; TotalCount: number}
  TotalCount: number
  TotalResponseTime: number
}

export interface GraphEdge {
  ReferenceId: number
  StartTime: number
  EndTime: number
  SummaryStatistics: GraphStatistics
  ResponseTimeHistogram: GraphHistogramEntry[]
  Aliases: []
}

export interface GraphService {
  ReferenceId: number
  Name: string
  Names: string[]
  Root: boolean
  AccountId?: string
  Type?: string
  State: 'active'
  StartTime?: number
  EndTime?: number
  Edges: GraphEdge[]
  SummaryStatistics: GraphStatistics
  DurationHistogram: GraphHistogramEntry[]
  ResponseTimeHistogram: GraphHistogramEntry[]
}

/** The parts of a segment or subsegment document the graph reads. */
interface GraphDoc {
  id?: unknown
  name?: unknown
  parent_id?: unknown
  origin?: unknown
  namespace?: unknown
  start_time?: unknown
  end_time?: unknown
  in_progress?: unknown
  error?: unknown
  throttle?: unknown
  fault?: unknown
  http?: {response?: {status?: unknown}}
  aws?: {account_id?: unknown; api_gateway?: {account_id?: unknown}}
  resource_arn?: unknown
  subsegments?: GraphDoc[]
}

/** One request seen by a node or an edge. */
interface Call {
  start: number
  end?: number
  outcome: Outcome
}

type Outcome = 'ok' | 'throttle' | 'error' | 'fault'

interface Node {
  referenceId: number
  name: string
  type: string
  accountId?: string
  root: boolean
  calls: Call[]
  edges: Map<number, Call[]>
}

const DOWNSTREAM_NAMESPACES = new Set(['aws', 'remote'])

/**
 * A fault (5xx) outranks an error (4xx); a throttle (429) is an error counted as ThrottleCount. The flags win;
 * without them the HTTP status decides (choice: the SDKs set both, but hand-written documents may carry only
 * the status).
 */
function outcomeOf(doc: GraphDoc): Outcome {
  const status = typeof doc.http?.response?.status === 'number' ? doc.http.response.status : undefined
  if (doc.fault === true || (status !== undefined && status >= 500)) return 'fault'
  if (doc.throttle === true || status === 429) return 'throttle'
  if (doc.error === true || (status !== undefined && status >= 400)) return 'error'
  return 'ok'
}

function callOf(doc: GraphDoc): Call {
  const start = typeof doc.start_time === 'number' ? doc.start_time : 0
  const end = typeof doc.end_time === 'number' && doc.in_progress !== true ? doc.end_time : undefined
  return {start, end, outcome: outcomeOf(doc)}
}

const ACCOUNT_ID = /^\d{12}$/

function accountOf(doc: GraphDoc): string | undefined {
  for (const candidate of [doc.aws?.account_id, doc.aws?.api_gateway?.account_id]) {
    if (typeof candidate === 'string' && ACCOUNT_ID.test(candidate)) return candidate
  }
  // arn:partition:service:region:account:resource (an API Gateway stage ARN has no account).
  const account = typeof doc.resource_arn === 'string' ? doc.resource_arn.split(':')[4] : undefined
  return account && ACCOUNT_ID.test(account) ? account : undefined
}

/**
 * Response times rounded to the millisecond, one entry per distinct value, ascending (choice: X-Ray does not
 * document its bucket width).
 */
function histogram(calls: Call[]): GraphHistogramEntry[] {
  const counts = new Map<number, number>()
  for (const call of calls) {
    if (call.end === undefined) continue
    const value = Math.round(Math.max(0, call.end - call.start) * 1000) / 1000
    counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([Value, Count]) => ({Value, Count}))
}

/** In-progress calls have no response yet, so they are left out of the counts (choice). */
function statistics(calls: Call[]): GraphStatistics {
  const done = calls.filter((c) => c.end !== undefined)
  const count = (outcome: Outcome) => done.filter((c) => c.outcome === outcome).length
  const throttle = count('throttle')
  const error = count('error')
  const fault = count('fault')
  const totalResponseTime = done.reduce((sum, c) => sum + Math.max(0, (c.end ?? c.start) - c.start), 0)
  return {
    OkCount: count('ok'),
    ErrorStatistics: {ThrottleCount: throttle, OtherCount: error, TotalCount: throttle + error},
    FaultStatistics: {OtherCount: fault, TotalCount: fault},
    TotalCount: done.length,
    TotalResponseTime: Math.round(totalResponseTime * 1000) / 1000,
  }
}

function timeRange(calls: Call[]): {StartTime?: number; EndTime?: number} {
  if (calls.length === 0) return {}
  const start = Math.min(...calls.map((c) => c.start))
  const ends = calls.flatMap((c) => (c.end === undefined ? [] : [c.end]))
  return {StartTime: start, ...(ends.length > 0 ? {EndTime: Math.max(...ends)} : {})}
}

function parseDocument(document: string): GraphDoc | undefined {
  try {
    const doc = JSON.parse(document) as unknown
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as GraphDoc) : undefined
  } catch {
    return undefined
  }
}

/**
 * The graph of the given traces, each a list of whole segment documents (JSON strings). Nodes are numbered
 * 0..n in the order they are first met: traces in the given order, segments by start time.
 */
export function traceGraph(traces: readonly (readonly string[])[]): GraphService[] {
  const nodes: Node[] = []
  const byKey = new Map<string, Node>()
  const nodeFor = (name: string, type: string): Node => {
    const key = `${type}\u0000${name}`
    let node = byKey.get(key)
    if (!node) {
      node = {referenceId: nodes.length, name, type, root: false, calls: [], edges: new Map()}
      nodes.push(node)
      byKey.set(key, node)
    }
    return node
  }
  const addEdge = (from: Node, to: Node, call: Call) => {
    const calls = from.edges.get(to.referenceId) ?? []
    calls.push(call)
    from.edges.set(to.referenceId, calls)
  }

  for (const documents of traces) {
    const segments = documents
      .map(parseDocument)
      .filter((d): d is GraphDoc => d !== undefined && typeof d.name === 'string' && typeof d.id === 'string')
      .sort((a, b) => Number(a.start_time ?? 0) - Number(b.start_time ?? 0))
    /** Every id in the trace → the segment that holds it, and the subsegment itself when it is one. */
    const owner = new Map<string, {segment: GraphDoc; sub?: GraphDoc; downstream: boolean}>()
    const index = (segment: GraphDoc, subs: GraphDoc[] | undefined, insideDownstream: boolean) => {
      for (const sub of subs ?? []) {
        const downstream = insideDownstream || DOWNSTREAM_NAMESPACES.has(String(sub.namespace))
        if (typeof sub.id === 'string') owner.set(sub.id, {segment, sub, downstream})
        index(segment, sub.subsegments, downstream)
      }
    }
    for (const segment of segments) {
      owner.set(String(segment.id), {segment, downstream: false})
      index(segment, segment.subsegments, false)
    }
    const tracedCalls = new Set(segments.map((s) => s.parent_id).filter((p): p is string => typeof p === 'string'))
    const segmentNode = (segment: GraphDoc) => nodeFor(String(segment.name), typeof segment.origin === 'string' ? segment.origin : '')

    for (const segment of segments) {
      const node = segmentNode(segment)
      node.accountId ??= accountOf(segment)
      const call = callOf(segment)
      node.calls.push(call)
      const parent = typeof segment.parent_id === 'string' ? owner.get(segment.parent_id) : undefined
      if (!parent || parent.segment === segment) {
        node.root = true
      } else {
        // The caller's view of a traced downstream call is its subsegment; a plain parent has none (choice).
        addEdge(segmentNode(parent.segment), node, parent.sub && parent.downstream ? callOf(parent.sub) : call)
      }
      const downstream = (subs: GraphDoc[] | undefined) => {
        for (const sub of subs ?? []) {
          if (!DOWNSTREAM_NAMESPACES.has(String(sub.namespace))) {
            downstream(sub.subsegments)
            continue
          }
          if (typeof sub.name !== 'string' || (typeof sub.id === 'string' && tracedCalls.has(sub.id))) continue
          const target = nodeFor(sub.name, sub.namespace === 'aws' ? `AWS::${sub.name}` : 'remote')
          const subCall = callOf(sub)
          target.calls.push(subCall)
          addEdge(node, target, subCall)
        }
      }
      downstream(segment.subsegments)
    }
  }

  return nodes.map((node) => ({
    ReferenceId: node.referenceId,
    Name: node.name,
    Names: [node.name],
    Root: node.root,
    ...(node.accountId ? {AccountId: node.accountId} : {}),
    // A segment without `origin` has no documented type; it is left out rather than invented (choice).
    ...(node.type ? {Type: node.type} : {}),
    State: 'active' as const,
    ...timeRange(node.calls),
    Edges: [...node.edges].map(([referenceId, calls]) => ({
      ReferenceId: referenceId,
      StartTime: timeRange(calls).StartTime ?? 0,
      EndTime: timeRange(calls).EndTime ?? timeRange(calls).StartTime ?? 0,
      SummaryStatistics: statistics(calls),
      ResponseTimeHistogram: histogram(calls),
      Aliases: [] as [],
    })),
    SummaryStatistics: statistics(node.calls),
    // A service's duration and response time are both the span of its own segments here (choice: X-Ray does
    // not say how they differ for one service).
    DurationHistogram: histogram(node.calls),
    ResponseTimeHistogram: histogram(node.calls),
  }))
}
