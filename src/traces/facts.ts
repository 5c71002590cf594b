/**
 * What X-Ray indexes about a trace: the facts filter expressions are evaluated against (aws-semantics §6.8)
 * and the GetTraceSummaries summary. Shared by the emulator (which answers GetTraceSummaries from stored
 * documents) and the CLI; plain JSON so it can be stored.
 *
 * Field meanings follow the X-Ray API reference for TraceSummary: HasFault/HasError describe the *root*
 * segment; HasThrottle is set when *any* segment document has a 429; IsPartial when any is in progress;
 * ResponseTime is the root segment's own time; Duration runs from the earliest start to the last end.
 */
import type {AnnotationValue, RawSegment} from './segments.js'
import {buildSpanTree, type Span, type TraceTree} from './tree.js'

export interface HttpFacts {
  url?: string
  method?: string
  status?: number
  useragent?: string
  clientip?: string
}

/** One node of the service graph: a segment's (name, origin), or a service inferred from a subsegment. */
export interface ServiceFacts {
  name: string
  type?: string
  accountId?: string
  inferred: boolean
  ok: boolean
  error: boolean
  fault: boolean
  throttle: boolean
  /** Seconds; the longest of the node's spans. Absent while every one is in progress. */
  responseTime?: number
  duration?: number
  http: HttpFacts
  annotations: Record<string, AnnotationValue[]>
}

/** A call from one service node to another. Flags come from the caller's subsegment when there is one. */
export interface EdgeFacts {
  from: {name: string; type?: string}
  to: {name: string; type?: string}
  ok: boolean
  error: boolean
  fault: boolean
  throttle: boolean
  responseTime?: number
}

export interface TraceFacts {
  ok: boolean
  error: boolean
  fault: boolean
  throttle: boolean
  partial: boolean
  /** Seconds; the root segment's time (0 while it is in progress). */
  responseTime: number
  /** Seconds; earliest start to the last end. */
  duration: number
  http: HttpFacts
  /** `user` of every segment. */
  users: string[]
  /** Every value each annotation key took, across segments. */
  annotations: Record<string, AnnotationValue[]>
  services: ServiceFacts[]
  edges: EdgeFacts[]
}

export interface ServiceId {
  Name: string
  Names: string[]
  AccountId?: string
  Type?: string
}

export interface RootCauseEntity {
  Name: string
  Exceptions?: Array<{Name: string; Message: string}>
  Remote?: boolean
}

export interface RootCause {
  Services: Array<ServiceId & {EntityPath: RootCauseEntity[]; Inferred: boolean}>
  ClientImpacting: boolean
}

export interface AnnotationValueShape {
  NumberValue?: number
  BooleanValue?: boolean
  StringValue?: string
}

/** GetTraceSummaries' `TraceSummaries[]` item, wire shape (times in epoch seconds). */
export interface TraceSummaryShape {
  Id: string
  StartTime: number
  Duration: number
  ResponseTime?: number
  HasFault: boolean
  HasError: boolean
  HasThrottle: boolean
  IsPartial: boolean
  Http: {HttpURL?: string; HttpStatus?: number; HttpMethod?: string; UserAgent?: string; ClientIp?: string}
  Annotations: Record<string, Array<{AnnotationValue: AnnotationValueShape; ServiceIds: ServiceId[]}>>
  Users: Array<{UserName: string; ServiceIds: ServiceId[]}>
  ServiceIds: ServiceId[]
  ResourceARNs: Array<{ARN: string}>
  EntryPoint?: ServiceId
  FaultRootCauses: RootCause[]
  ErrorRootCauses: RootCause[]
}

// X-Ray reports times with millisecond precision.
function seconds(value: number): number {
  return Math.round(value * 1000) / 1000
}

/** The segment the request entered through: the earliest root segment, true roots before orphans. */
export function rootSegmentOf(tree: TraceTree): Span | undefined {
  return tree.roots.find((r) => r.kind === 'segment' && !r.orphan) ?? tree.roots.find((r) => r.kind === 'segment') ?? tree.roots[0]
}

function httpOf(span: Span | undefined): HttpFacts {
  const request = span?.http?.request
  return {
    url: request?.url,
    method: request?.method,
    status: span?.http?.response?.status,
    useragent: request?.user_agent,
    clientip: request?.client_ip,
  }
}

function accountIdOf(span: Span): string | undefined {
  const id = span.aws?.account_id
  return typeof id === 'string' ? id : undefined
}

/** A subsegment that calls another service that did not send its own segment: X-Ray infers a node. */
function infersService(span: Span): boolean {
  return (
    span.kind === 'subsegment' &&
    (span.namespace === 'aws' || span.namespace === 'remote') &&
    !span.children.some((c) => c.kind === 'segment')
  )
}

function inferredIdentity(span: Span): {name: string; type?: string} {
  // AWS SDK subsegments are named after the service ("DynamoDB"); X-Ray types the node AWS::{service}.
  return span.namespace === 'aws' ? {name: span.name, type: `AWS::${span.name}`} : {name: span.name}
}

function serviceKey(name: string, type: string | undefined): string {
  return `${name}\u0000${type ?? ''}`
}

interface ServiceIndex {
  services: ServiceFacts[]
  /** Segment span id (or inferring subsegment id) → service. */
  bySpan: Map<string, ServiceFacts>
}

function addToService(service: ServiceFacts, span: Span): void {
  service.error ||= span.error
  service.fault ||= span.fault
  service.throttle ||= span.throttle
  service.ok = !service.error && !service.fault && !service.throttle
  if (span.endTime !== undefined) {
    const time = seconds(span.endTime - span.startTime)
    service.responseTime = Math.max(service.responseTime ?? 0, time)
    service.duration = Math.max(service.duration ?? 0, time)
  }
  if (!service.http.url && !service.http.status) service.http = httpOf(span)
  for (const [key, value] of Object.entries(span.annotations)) {
    const values = (service.annotations[key] ??= [])
    if (!values.includes(value)) values.push(value)
  }
}

function indexServices(tree: TraceTree): ServiceIndex {
  const byKey = new Map<string, ServiceFacts>()
  const bySpan = new Map<string, ServiceFacts>()
  const services: ServiceFacts[] = []
  const serviceFor = (name: string, type: string | undefined, inferred: boolean, accountId?: string) => {
    const key = serviceKey(name, type)
    let service = byKey.get(key)
    if (!service) {
      service = {name, type, inferred, ok: true, error: false, fault: false, throttle: false, http: {}, annotations: {}}
      if (accountId) service.accountId = accountId
      byKey.set(key, service)
      services.push(service)
    }
    return service
  }
  for (const span of tree.spans) {
    if (span.kind === 'segment') {
      const service = serviceFor(span.name, span.origin, span.inferred, accountIdOf(span))
      addToService(service, span)
      bySpan.set(span.id, service)
    } else if (infersService(span)) {
      const {name, type} = inferredIdentity(span)
      const service = serviceFor(name, type, true)
      addToService(service, span)
      bySpan.set(span.id, service)
    } else {
      // Annotations on subsegments are indexed for the segment's service.
      const owner = bySpan.get(span.segmentId)
      if (owner) {
        for (const [key, value] of Object.entries(span.annotations)) {
          const values = (owner.annotations[key] ??= [])
          if (!values.includes(value)) values.push(value)
        }
      }
    }
  }
  return {services, bySpan}
}

function edgesOf(tree: TraceTree, index: ServiceIndex): EdgeFacts[] {
  const edges = new Map<string, EdgeFacts>()
  const add = (caller: ServiceFacts | undefined, callee: ServiceFacts | undefined, flags: Span) => {
    if (!caller || !callee || caller === callee) return
    const key = `${serviceKey(caller.name, caller.type)}\u0001${serviceKey(callee.name, callee.type)}`
    let edge = edges.get(key)
    if (!edge) {
      edge = {
        from: {name: caller.name, type: caller.type},
        to: {name: callee.name, type: callee.type},
        ok: true,
        error: false,
        fault: false,
        throttle: false,
      }
      edges.set(key, edge)
    }
    edge.error ||= flags.error
    edge.fault ||= flags.fault
    edge.throttle ||= flags.throttle
    edge.ok = !edge.error && !edge.fault && !edge.throttle
    if (flags.endTime !== undefined) edge.responseTime = Math.max(edge.responseTime ?? 0, seconds(flags.endTime - flags.startTime))
  }
  for (const span of tree.spans) {
    if (span.kind === 'segment' && !span.orphan && span.parentId !== undefined) {
      const parent = tree.byId.get(span.parentId)
      if (!parent) continue
      // The caller's subsegment is the client-side view of the call, as X-Ray uses for edge statistics.
      add(index.bySpan.get(parent.segmentId), index.bySpan.get(span.id), parent.kind === 'subsegment' ? parent : span)
    } else if (infersService(span)) {
      add(index.bySpan.get(span.segmentId), index.bySpan.get(span.id), span)
    }
  }
  return [...edges.values()]
}

function annotationsOf(tree: TraceTree): Record<string, AnnotationValue[]> {
  const out: Record<string, AnnotationValue[]> = {}
  for (const span of tree.spans) {
    for (const [key, value] of Object.entries(span.annotations)) {
      const values = (out[key] ??= [])
      if (!values.includes(value)) values.push(value)
    }
  }
  return out
}

function durationOf(tree: TraceTree): number {
  let end = Number.NEGATIVE_INFINITY
  for (const span of tree.spans) if (span.endTime !== undefined) end = Math.max(end, span.endTime)
  return end === Number.NEGATIVE_INFINITY ? 0 : seconds(Math.max(0, end - tree.startTime))
}

/** Facts of an already-built tree (use when you also need the tree). */
export function traceFactsFromTree(tree: TraceTree): TraceFacts {
  const root = rootSegmentOf(tree)
  const index = indexServices(tree)
  const fault = root?.fault === true
  const error = root?.error === true
  const rootThrottle = root?.throttle === true
  return {
    ok: root !== undefined && !fault && !error && !rootThrottle,
    error,
    fault,
    throttle: tree.spans.some((s) => s.throttle),
    partial: tree.inProgressCount > 0,
    responseTime: root?.endTime === undefined ? 0 : seconds(root.endTime - root.startTime),
    duration: durationOf(tree),
    http: httpOf(root),
    users: [...new Set(tree.spans.map((s) => s.user).filter((u): u is string => u !== undefined))],
    annotations: annotationsOf(tree),
    services: index.services,
    edges: edgesOf(tree, index),
  }
}

/** Facts of one trace from its segment documents (JSON strings or objects), for `evaluateFilter`. */
export function traceFactsFromSegments(documents: readonly RawSegment[]): TraceFacts {
  return traceFactsFromTree(buildSpanTree(documents))
}

function serviceIdOf(service: ServiceFacts): ServiceId {
  const id: ServiceId = {Name: service.name, Names: [service.name]}
  if (service.accountId) id.AccountId = service.accountId
  if (service.type) id.Type = service.type
  return id
}

function annotationShape(value: AnnotationValue): AnnotationValueShape {
  if (typeof value === 'number') return {NumberValue: value}
  if (typeof value === 'boolean') return {BooleanValue: value}
  return {StringValue: value}
}

function entityOf(span: Span, remote: boolean): RootCauseEntity {
  const entity: RootCauseEntity = {Name: span.name}
  if (span.exceptions.length > 0) entity.Exceptions = span.exceptions.map((e) => ({Name: e.type, Message: e.message}))
  if (remote) entity.Remote = true
  return entity
}

/**
 * Root causes for one flag: the deepest spans carrying it (no descendant carries it too), each reported with
 * the service it belongs to and the path from that service's segment down to the span.
 */
function rootCausesOf(tree: TraceTree, index: ServiceIndex, flag: 'fault' | 'error', root: Span | undefined): RootCause[] {
  const flaggedBelow = new Set<Span>()
  const causes: RootCause[] = []
  // Reverse pre-order visits every child before its parent.
  for (let i = tree.spans.length - 1; i >= 0; i--) {
    const span = tree.spans[i]
    const below = span.children.some((c) => c[flag] || flaggedBelow.has(c))
    if (below) flaggedBelow.add(span)
    if (!span[flag] || below) continue
    const inferred = infersService(span)
    const service = index.bySpan.get(inferred ? span.id : span.segmentId)
    if (!service) continue
    const path: RootCauseEntity[] = []
    if (inferred) {
      path.push(entityOf(span, true))
    } else {
      let current: Span | undefined = span
      while (current) {
        path.unshift(entityOf(current, current.namespace === 'remote'))
        if (current.kind === 'segment' || current.parentId === undefined) break
        current = tree.byId.get(current.parentId)
      }
    }
    causes.push({
      Services: [{...serviceIdOf(service), EntityPath: path, Inferred: service.inferred}],
      ClientImpacting: root?.[flag] === true,
    })
  }
  return causes.reverse()
}

/** The GetTraceSummaries summary of one trace, computed from its segment documents. */
export function traceSummaryFromSegments(id: string, documents: readonly RawSegment[]): TraceSummaryShape {
  const tree = buildSpanTree(documents)
  const facts = traceFactsFromTree(tree)
  const index = indexServices(tree)
  const root = rootSegmentOf(tree)

  const servicesWith = (predicate: (service: ServiceFacts) => boolean) => index.services.filter(predicate).map(serviceIdOf)
  const annotations: TraceSummaryShape['Annotations'] = {}
  for (const [key, values] of Object.entries(facts.annotations)) {
    annotations[key] = values.map((value) => ({
      AnnotationValue: annotationShape(value),
      ServiceIds: servicesWith((s) => s.annotations[key]?.includes(value) === true),
    }))
  }
  const users = facts.users.map((user) => ({
    UserName: user,
    ServiceIds: [
      ...new Set(tree.spans.filter((s) => s.user === user).map((s) => index.bySpan.get(s.segmentId))),
    ]
      .filter((s): s is ServiceFacts => s !== undefined)
      .map(serviceIdOf),
  }))
  const arns = [...new Set(tree.spans.map((s) => s.resourceArn).filter((a): a is string => a !== undefined))]
  const entry = root ? index.bySpan.get(root.segmentId) : undefined

  const summary: TraceSummaryShape = {
    Id: id,
    StartTime: tree.startTime,
    Duration: facts.duration,
    HasFault: facts.fault,
    HasError: facts.error,
    HasThrottle: facts.throttle,
    IsPartial: facts.partial,
    Http: {
      HttpURL: facts.http.url,
      HttpStatus: facts.http.status,
      HttpMethod: facts.http.method,
      UserAgent: facts.http.useragent,
      ClientIp: facts.http.clientip,
    },
    Annotations: annotations,
    Users: users,
    ServiceIds: index.services.map(serviceIdOf),
    ResourceARNs: arns.map((ARN) => ({ARN})),
    FaultRootCauses: rootCausesOf(tree, index, 'fault', root),
    ErrorRootCauses: rootCausesOf(tree, index, 'error', root),
  }
  if (root?.endTime !== undefined) summary.ResponseTime = facts.responseTime
  if (entry) summary.EntryPoint = serviceIdOf(entry)
  return summary
}
