/**
 * Segment documents → one span tree per trace (STYLE rule 4: a pure model between AWS and Ink).
 *
 * Every link is made by id, whatever the arrival order: a subsegment embedded in a document is linked to the
 * (sub)segment that contains it, a segment or a subsegment sent alone is linked through its `parent_id`, which
 * may name a *subsegment* of another document (the REST stage's `Lambda` subsegment is the parent of the
 * `AWS::Lambda` segment, aws-semantics §6.4). Duplicate ids are resolved the way X-Ray does: a complete
 * document overwrites an in-progress one (§6.2). Spans whose parent is not in the trace are kept as roots and
 * marked `orphan`.
 */
import {
  type AnnotationValue,
  type DocumentProblem,
  type HttpRequestFields,
  type HttpResponseFields,
  parseSegmentDocuments,
  type RawSegment,
  type SegmentDocument,
  type StackFrame,
} from './segments.js'

export type SpanKind = 'segment' | 'subsegment'

export interface SpanException {
  id?: string
  type: string
  message: string
  remote: boolean
  frames: StackFrame[]
  /** Frames the SDK dropped from the recorded stack. */
  truncated?: number
  skipped?: number
  /** Id of the exception that caused this one. */
  causeId?: string
  workingDirectory?: string
}

export interface Span {
  id: string
  name: string
  kind: SpanKind
  traceId?: string
  origin?: string
  namespace?: string
  /** The parent's id: the containing (sub)segment for embedded subsegments, else `parent_id`. */
  parentId?: string
  /** Id of the nearest ancestor-or-self that is a segment (the "service" the span belongs to). */
  segmentId: string
  startTime: number
  /** Absent while in progress. */
  endTime?: number
  inProgress: boolean
  error: boolean
  fault: boolean
  throttle: boolean
  http?: {request?: HttpRequestFields; response?: HttpResponseFields}
  aws?: Record<string, unknown>
  annotations: Record<string, AnnotationValue>
  metadata?: Record<string, unknown>
  user?: string
  resourceArn?: string
  inferred: boolean
  /** Exceptions recorded on this span (`cause.exceptions`). */
  exceptions: SpanException[]
  /** When `cause` is an exception id: the exception was recorded on another span (a descendant). */
  causeExceptionId?: string
  children: Span[]
  /** `parent_id` names a span that is not in the trace (or the links formed a cycle). */
  orphan: boolean
  /** The span starts before, or ends after, its parent: clocks of different hosts disagree. */
  clockSkew: boolean
  depth: number
}

export interface TraceTree {
  traceId?: string
  /** Top-level spans, earliest first: true roots, then orphans in start order. */
  roots: Span[]
  /** Every span, depth-first in display order. */
  spans: Span[]
  byId: Map<string, Span>
  /** Earliest start of any span, epoch seconds. */
  startTime: number
  /** Latest end (or start, for in-progress spans) of any span, epoch seconds. */
  endTime: number
  orphanCount: number
  inProgressCount: number
  problems: DocumentProblem[]
}

// One millisecond: X-Ray times are float seconds and SDKs round differently, so smaller gaps are not skew.
const SKEW_TOLERANCE_S = 0.001

interface Candidate {
  span: Span
  order: number
}

function exceptionsOf(doc: SegmentDocument): SpanException[] {
  if (!doc.cause || typeof doc.cause === 'string') return []
  const workingDirectory = doc.cause.working_directory
  return (doc.cause.exceptions ?? []).map((e) => ({
    id: e.id,
    type: e.type ?? 'Error',
    message: e.message ?? '',
    remote: e.remote === true,
    frames: e.stack ?? [],
    truncated: e.truncated,
    skipped: e.skipped,
    causeId: e.cause,
    workingDirectory,
  }))
}

function spanOf(doc: SegmentDocument, kind: SpanKind, parentId: string | undefined, traceId: string | undefined): Span {
  return {
    id: doc.id,
    name: doc.name,
    kind,
    traceId: doc.trace_id ?? traceId,
    origin: doc.origin,
    namespace: doc.namespace,
    parentId,
    segmentId: doc.id,
    startTime: doc.start_time,
    endTime: doc.in_progress ? undefined : doc.end_time,
    inProgress: doc.in_progress === true,
    error: doc.error === true,
    fault: doc.fault === true,
    throttle: doc.throttle === true,
    http: doc.http,
    aws: doc.aws,
    annotations: doc.annotations ?? {},
    metadata: doc.metadata,
    user: doc.user,
    resourceArn: doc.resource_arn,
    inferred: doc.inferred === true,
    exceptions: exceptionsOf(doc),
    causeExceptionId: typeof doc.cause === 'string' ? doc.cause : undefined,
    children: [],
    orphan: false,
    clockSkew: false,
    depth: 0,
  }
}

/** A complete span beats an in-progress one; otherwise the later arrival wins (§6.2). */
function better(current: Candidate, next: Candidate): boolean {
  if (current.span.inProgress !== next.span.inProgress) return current.span.inProgress
  return next.order > current.order
}

function byStart(a: Span, b: Span): number {
  return a.startTime - b.startTime
}

/** Builds the span tree from already-parsed documents (see `buildSpanTree` for raw input). */
export function buildSpanTreeFromDocuments(documents: readonly SegmentDocument[], problems: DocumentProblem[] = []): TraceTree {
  const winners = new Map<string, Candidate>()
  let order = 0
  const consider = (span: Span) => {
    const candidate = {span, order: order++}
    const current = winners.get(span.id)
    if (!current || better(current, candidate)) winners.set(span.id, candidate)
  }

  // Flatten without recursion: a 5,000-span document may nest deeply.
  for (const doc of documents) {
    const kind: SpanKind = doc.type === 'subsegment' ? 'subsegment' : 'segment'
    const stack: Array<{doc: SegmentDocument; kind: SpanKind; parentId?: string}> = [{doc, kind, parentId: doc.parent_id}]
    while (stack.length > 0) {
      const item = stack.pop()!
      consider(spanOf(item.doc, item.kind, item.parentId, doc.trace_id))
      const subs = item.doc.subsegments ?? []
      for (let i = subs.length - 1; i >= 0; i--) stack.push({doc: subs[i], kind: 'subsegment', parentId: item.doc.id})
    }
  }

  const candidates = [...winners.values()].sort((a, b) => a.order - b.order)
  const byId = new Map<string, Span>()
  for (const {span} of candidates) byId.set(span.id, span)

  const roots: Span[] = []
  for (const {span} of candidates) {
    const parent = span.parentId === undefined ? undefined : byId.get(span.parentId)
    if (parent && parent !== span) {
      parent.children.push(span)
    } else {
      span.orphan = span.parentId !== undefined
      roots.push(span)
    }
  }

  const spans: Span[] = []
  const visited = new Set<Span>()
  const walk = (root: Span) => {
    const stack: Span[] = [root]
    while (stack.length > 0) {
      const span = stack.pop()!
      if (visited.has(span)) continue
      visited.add(span)
      spans.push(span)
      span.children.sort(byStart)
      for (let i = span.children.length - 1; i >= 0; i--) {
        const child = span.children[i]
        child.depth = span.depth + 1
        child.segmentId = child.kind === 'segment' ? child.id : span.segmentId
        // Lambda's Initialization subsegment starts before its function segment on AWS itself (the segment
        // starts with the invoke phase, aws-semantics §6.3): that is not clock skew.
        const initPhase = child.name === 'Initialization' && span.origin === 'AWS::Lambda::Function'
        const startsEarly = !initPhase && child.startTime < span.startTime - SKEW_TOLERANCE_S
        const endsLate =
          child.endTime !== undefined && span.endTime !== undefined && child.endTime > span.endTime + SKEW_TOLERANCE_S
        child.clockSkew = startsEarly || endsLate
        stack.push(child)
      }
    }
  }

  // True roots first, then orphans; each group by start time.
  roots.sort((a, b) => Number(a.orphan) - Number(b.orphan) || byStart(a, b))
  for (const root of roots) walk(root)

  // Spans never reached sit on a parent_id cycle: cut each cycle at its earliest unreached span.
  for (const {span} of candidates) {
    if (visited.has(span)) continue
    const parent = span.parentId === undefined ? undefined : byId.get(span.parentId)
    if (parent) parent.children = parent.children.filter((c) => c !== span)
    span.orphan = true
    span.depth = 0
    roots.push(span)
    walk(span)
  }

  let startTime = Number.POSITIVE_INFINITY
  let endTime = Number.NEGATIVE_INFINITY
  let inProgressCount = 0
  for (const span of spans) {
    startTime = Math.min(startTime, span.startTime)
    endTime = Math.max(endTime, span.endTime ?? span.startTime)
    if (span.inProgress) inProgressCount++
  }
  if (spans.length === 0) startTime = endTime = 0

  return {
    traceId: spans.find((s) => s.traceId)?.traceId,
    roots,
    spans,
    byId,
    startTime,
    endTime,
    orphanCount: roots.filter((r) => r.orphan).length,
    inProgressCount,
    problems,
  }
}

/** Parses documents (JSON strings, objects, or BatchGetTraces `{Id, Document}`) and builds the span tree. */
export function buildSpanTree(raw: readonly RawSegment[]): TraceTree {
  const {documents, problems} = parseSegmentDocuments(raw)
  return buildSpanTreeFromDocuments(documents, problems)
}

/** The span's ancestors, nearest first, up to its root (orphans are roots: their parent is not followed). */
export function ancestorsOf(tree: TraceTree, span: Span): Span[] {
  const out: Span[] = []
  let current = span
  while (!current.orphan && current.parentId !== undefined) {
    const parent = tree.byId.get(current.parentId)
    if (!parent || out.includes(parent) || parent === span) break
    out.push(parent)
    current = parent
  }
  return out
}

/** The span and everything below it, depth first in start order (the order `children` keeps). */
export function subtreeOf(root: Span): Span[] {
  const out: Span[] = []
  const stack = [root]
  while (stack.length > 0) {
    const span = stack.pop()!
    out.push(span)
    for (let i = span.children.length - 1; i >= 0; i--) stack.push(span.children[i])
  }
  return out
}
