/**
 * A GetTraceSummaries summary → the one line `tracegate traces` shows per trace: time, method, path,
 * status, duration, badge and the root-cause exception. Accepts both the SDK shape (Date times, optional
 * fields) and the wire shape `traceSummaryFromSegments` produces (epoch seconds).
 */

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
  status?: number
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

export function traceListLine(summary: TraceSummaryLike): TraceListLine {
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
  return line
}
