/**
 * A GetTraceSummaries summary → the one line `tracegate traces` shows per trace: time, method, path,
 * status, duration, badge and the root-cause exception. Accepts both the SDK shape (Date times, optional
 * fields) and the wire shape `traceSummaryFromSegments` produces (epoch seconds).
 *
 * The summary's `Http.HttpStatus` and `HasFault` describe the root segment only. Behind an HTTP API that is
 * Lambda's `AWS::Lambda` service segment (HTTP APIs emit no segment of their own, aws-semantics §6.5), which
 * says 200 even when the function threw. So the status API Gateway answered is inferred the way
 * `traces show` infers it: the summary is turned into a skeleton trace (the services and root-cause entity
 * paths it names) and classified by `classifyTrace`, so one set of §5 rules serves both views.
 */
import {type ApiKind, classifyTrace} from './classify.js'
import type {CauseDocument, SegmentDocument} from './segments.js'
import {buildSpanTreeFromDocuments} from './tree.js'

export type TraceBadge = 'fault' | 'throttle' | 'error' | 'partial' | 'ok'

interface RootCauseLike {
  Services?: Array<{
    Name?: string
    Type?: string
    Inferred?: boolean
    EntityPath?: Array<{Name?: string; Exceptions?: Array<{Name?: string; Message?: string}>; Remote?: boolean}>
  }>
  ClientImpacting?: boolean
}

/** The fields of a trace summary this module reads (a structural subset of the SDK's `TraceSummary`). */
export interface TraceSummaryLike {
  Id?: string
  StartTime?: Date | number
  Duration?: number
  ResponseTime?: number
  HasFault?: boolean
  HasError?: boolean
  HasThrottle?: boolean
  IsPartial?: boolean
  Http?: {HttpURL?: string; HttpStatus?: number; HttpMethod?: string; UserAgent?: string; ClientIp?: string}
  ServiceIds?: Array<{Name?: string; Type?: string}>
  EntryPoint?: {Name?: string; Type?: string}
  FaultRootCauses?: RootCauseLike[]
  ErrorRootCauses?: RootCauseLike[]
}

export interface RootCauseLine {
  /** Which root-cause list it came from; `throttle` for an error root cause of a throttled trace. */
  kind: 'fault' | 'error' | 'throttle'
  /** The service (or inferred downstream) where it happened. */
  service: string
  /** Path of entities inside that service, e.g. `orders-getOrder > Invocation`. */
  path: string[]
  type?: string
  message?: string
}

export interface TraceListLine {
  id: string
  /** ISO-8601, from the trace id's time when the summary has no StartTime. */
  time?: string
  method?: string
  url?: string
  /** The URL's path (what a person scans for), or the URL when it cannot be parsed. */
  path?: string
  /** What API Gateway answered: the REST stage's status, inferred from the failure (then `statusInferred`), else the root's. */
  status?: number
  /** `status` was inferred from Lambda's segments (§5 rules), shown with a `*`; present only when true. */
  statusInferred?: true
  durationMs?: number
  responseTimeMs?: number
  badge: TraceBadge
  rootCause?: RootCauseLine
  /** Lambda functions in the trace (AWS::Lambda::Function nodes, else AWS::Lambda). */
  functions: string[]
}

export function badgeOf(summary: TraceSummaryLike): TraceBadge {
  if (summary.HasFault) return 'fault'
  if (summary.HasThrottle) return 'throttle'
  if (summary.HasError) return 'error'
  if (summary.IsPartial) return 'partial'
  return 'ok'
}

/** Epoch seconds encoded in an X-Ray trace id (`1-{8 hex seconds}-{24 hex}`, §6.1). */
export function traceIdTime(id: string): Date | undefined {
  const match = /^1-([0-9a-f]{8})-[0-9a-f]{24}$/i.exec(id)
  return match ? new Date(Number.parseInt(match[1], 16) * 1000) : undefined
}

function isoOf(value: Date | number | undefined, id: string): string | undefined {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'number') return new Date(value * 1000).toISOString()
  return traceIdTime(id)?.toISOString()
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const parsed = new URL(url)
    return `${parsed.pathname}${parsed.search}`
  } catch {
    return url
  }
}

/**
 * The first root cause that carries an exception. Without one: for a throttled trace the error root cause
 * (the service that answered 429 is more telling than the 5xx it caused upstream), else the first one.
 */
export function rootCauseOf(summary: TraceSummaryLike): RootCauseLine | undefined {
  const lists: Array<[RootCauseLine['kind'], RootCauseLike[]]> = [
    ['fault', summary.FaultRootCauses ?? []],
    ['error', summary.ErrorRootCauses ?? []],
  ]
  const fallbacks: RootCauseLine[] = []
  for (const [kind, causes] of lists) {
    for (const cause of causes) {
      for (const service of cause.Services ?? []) {
        const path = (service.EntityPath ?? []).map((e) => e.Name ?? '?')
        for (const entity of [...(service.EntityPath ?? [])].reverse()) {
          const exception = entity.Exceptions?.[0]
          if (exception) return {kind, service: service.Name ?? '?', path, type: exception.Name, message: exception.Message}
        }
        fallbacks.push({kind: kind === 'error' && summary.HasThrottle ? 'throttle' : kind, service: service.Name ?? '?', path})
      }
    }
  }
  return fallbacks.find((f) => f.kind === 'throttle') ?? fallbacks[0]
}

export interface TraceListLineOptions {
  /**
   * The project's API type: decides the §5 column (HTTP API 500, REST 502 for a function error) when the
   * trace has no REST stage segment. Without it such a trace is read as an HTTP API request: tracegate turns
   * X-Ray tracing on for every REST stage it deploys, so a trace through one of its REST APIs has a stage.
   */
  apiType?: ApiKind
}

const STAGE = 'AWS::ApiGateway::Stage'
const LAMBDA_SERVICE = 'AWS::Lambda'

function skeletonId(n: number): string {
  return n.toString(16).padStart(16, '0')
}

/**
 * The trace as far as the summary describes it: the entry segment (with the root's status and flags), any
 * REST stage, and for each root cause the service's segment with its entity path as nested subsegments.
 * The deepest entity carries the list's flag (fault or error), as does any entity that recorded an exception
 * (X-Ray SDKs set the flag with the cause); a Lambda service node in the error list of a throttled trace is
 * the one that answered 429. Inferred downstream nodes are left out: they never decide the gateway's status.
 */
export function skeletonDocuments(summary: TraceSummaryLike): SegmentDocument[] {
  let next = 1
  const segments = new Map<string, SegmentDocument>()
  const keyOf = (name: string | undefined, type: string | undefined) => `${name ?? '?'}\u0000${type ?? ''}`
  const entry = summary.EntryPoint ?? summary.ServiceIds?.find((s) => s.Type === STAGE) ?? summary.ServiceIds?.[0]
  const root: SegmentDocument | undefined = entry
    ? {id: skeletonId(next++), name: entry.Name ?? '?', origin: entry.Type, start_time: 0, end_time: 0}
    : undefined
  if (root && entry) {
    if (summary.HasFault) root.fault = true
    if (summary.HasError) root.error = true
    const status = summary.Http?.HttpStatus
    if (status !== undefined) root.http = {response: {status}}
    if (summary.HasThrottle && status === 429) root.throttle = true
    segments.set(keyOf(entry.Name, entry.Type), root)
  }
  const segmentFor = (name: string | undefined, type: string | undefined): SegmentDocument => {
    const key = keyOf(name, type)
    let segment = segments.get(key)
    if (!segment) {
      segment = {id: skeletonId(next++), name: name ?? '?', origin: type, start_time: 0, end_time: 0}
      if (root) segment.parent_id = root.id
      segments.set(key, segment)
    }
    return segment
  }
  for (const stage of summary.ServiceIds ?? []) if (stage.Type === STAGE) segmentFor(stage.Name, stage.Type)

  const lists: Array<['fault' | 'error', RootCauseLike[]]> = [
    ['fault', summary.FaultRootCauses ?? []],
    ['error', summary.ErrorRootCauses ?? []],
  ]
  for (const [flag, causes] of lists) {
    for (const cause of causes) {
      for (const service of cause.Services ?? []) {
        if (service.Inferred) continue
        let span = segmentFor(service.Name, service.Type)
        const path = service.EntityPath ?? []
        path.forEach((entity, i) => {
          if (i > 0) {
            const name = entity.Name ?? '?'
            span.subsegments ??= []
            let child = span.subsegments.find((c) => c.name === name)
            if (!child) {
              child = {id: skeletonId(next++), name, start_time: 0, end_time: 0}
              if (entity.Remote) child.namespace = 'remote'
              span.subsegments.push(child)
            }
            span = child
          }
          const exceptions = entity.Exceptions ?? []
          if (exceptions.length > 0) {
            const cause: CauseDocument = {exceptions: exceptions.map((e) => ({type: e.Name, message: e.Message}))}
            span.cause ??= cause
          }
          if (i === path.length - 1 || exceptions.length > 0) span[flag] = true
          if (flag === 'error' && summary.HasThrottle && service.Type === LAMBDA_SERVICE && i === 0) span.throttle = true
        })
        if (path.length === 0) span[flag] = true
      }
    }
  }
  return [...segments.values()]
}

/** The list line with the default options (one argument, so it can be passed to `Array.map`). */
export function traceListLine(summary: TraceSummaryLike): TraceListLine {
  return traceListLineWith(summary, {})
}

export function traceListLineWith(summary: TraceSummaryLike, options: TraceListLineOptions): TraceListLine {
  const id = summary.Id ?? ''
  const nodes = summary.ServiceIds ?? []
  const fnNodes = nodes.filter((s) => s.Type === 'AWS::Lambda::Function')
  const functions = [...new Set((fnNodes.length > 0 ? fnNodes : nodes.filter((s) => s.Type === 'AWS::Lambda')).map((s) => s.Name ?? ''))].filter(Boolean)
  const line: TraceListLine = {id, badge: badgeOf(summary), functions}
  const time = isoOf(summary.StartTime, id)
  if (time) line.time = time
  if (summary.Http?.HttpMethod) line.method = summary.Http.HttpMethod
  if (summary.Http?.HttpURL) {
    line.url = summary.Http.HttpURL
    line.path = pathOf(summary.Http.HttpURL)
  }
  if (summary.Http?.HttpStatus !== undefined) line.status = summary.Http.HttpStatus
  if (summary.Duration !== undefined) line.durationMs = Math.round(summary.Duration * 1_000_000) / 1000
  if (summary.ResponseTime !== undefined) line.responseTimeMs = Math.round(summary.ResponseTime * 1_000_000) / 1000
  const rootCause = rootCauseOf(summary)
  if (rootCause) line.rootCause = rootCause
  // Only a failure can change the status; an ok trace keeps what the root recorded.
  if (summary.HasFault || summary.HasError || summary.HasThrottle || rootCause) {
    const classification = classifyTrace(buildSpanTreeFromDocuments(skeletonDocuments(summary)), {apiType: options.apiType ?? 'http'})
    if (classification.statusInferred && classification.status !== undefined) {
      line.status = classification.status
      line.statusInferred = true
      // What the client got was a 5xx: badge it as the fault it was, whatever Lambda's own segment says.
      if (classification.status >= 500) line.badge = 'fault'
    }
  }
  return line
}
