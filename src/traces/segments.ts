/**
 * X-Ray segment documents as they arrive from BatchGetTraces (`Segments[].Document`, a JSON *string*,
 * aws-semantics §6.9) or from the emulator's store (already objects). Parsing never throws: a trace is
 * evidence, and one malformed document must not hide the others, so problems are collected and returned.
 */

export interface HttpRequestFields {
  method?: string
  url?: string
  user_agent?: string
  client_ip?: string
  x_forwarded_for?: boolean
  traced?: boolean
}

export interface HttpResponseFields {
  status?: number
  content_length?: number
}

export interface StackFrame {
  path?: string
  line?: number
  label?: string
}

/** One entry of `cause.exceptions` (aws-semantics §6.2). */
export interface ExceptionDocument {
  id?: string
  message?: string
  type?: string
  remote?: boolean
  truncated?: number
  skipped?: number
  /** Id of the exception that caused this one. */
  cause?: string
  stack?: StackFrame[]
}

export interface CauseDocument {
  working_directory?: string
  paths?: string[]
  exceptions?: ExceptionDocument[]
}

export type AnnotationValue = string | number | boolean

/** A segment or subsegment document (aws-semantics §6.2). Only the fields tracegate reads are typed. */
export interface SegmentDocument {
  id: string
  name: string
  trace_id?: string
  parent_id?: string
  /** `"subsegment"` when a subsegment is sent on its own. */
  type?: string
  start_time: number
  end_time?: number
  in_progress?: boolean
  origin?: string
  namespace?: string
  user?: string
  resource_arn?: string
  inferred?: boolean
  http?: {request?: HttpRequestFields; response?: HttpResponseFields}
  aws?: Record<string, unknown>
  error?: boolean
  fault?: boolean
  throttle?: boolean
  /** An exception id (16 hex) recorded elsewhere in the trace, or the full cause object. */
  cause?: string | CauseDocument
  annotations?: Record<string, AnnotationValue>
  metadata?: Record<string, unknown>
  subsegments?: SegmentDocument[]
  precursor_ids?: string[]
}

/** A document that could not be used, and why. `index` is its position in the input list. */
export interface DocumentProblem {
  index: number
  id?: string
  reason: string
}

export interface ParsedDocuments {
  documents: SegmentDocument[]
  problems: DocumentProblem[]
}

/** What a caller may hand us: the raw JSON string, a parsed object, or BatchGetTraces' `{Id, Document}`. */
export type RawSegment = string | {Document?: string; Id?: string} | Record<string, unknown>

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function optionalBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined
}

function httpFields(value: unknown): SegmentDocument['http'] {
  if (!isRecord(value)) return undefined
  const http: NonNullable<SegmentDocument['http']> = {}
  if (isRecord(value.request)) {
    const r = value.request
    http.request = {
      method: optionalString(r.method),
      url: optionalString(r.url),
      user_agent: optionalString(r.user_agent),
      client_ip: optionalString(r.client_ip),
      x_forwarded_for: optionalBoolean(r.x_forwarded_for),
      traced: optionalBoolean(r.traced),
    }
  }
  if (isRecord(value.response)) {
    const r = value.response
    // Some SDKs send the status as a string; X-Ray indexes it as a number.
    const status = typeof r.status === 'string' && /^\d{3}$/.test(r.status) ? Number(r.status) : optionalNumber(r.status)
    http.response = {status, content_length: optionalNumber(r.content_length)}
  }
  return http
}

function stackFrames(value: unknown): StackFrame[] | undefined {
  if (!Array.isArray(value)) return undefined
  return value.filter(isRecord).map((f) => ({
    path: optionalString(f.path),
    line: optionalNumber(f.line),
    label: optionalString(f.label),
  }))
}

function causeField(value: unknown): SegmentDocument['cause'] {
  if (typeof value === 'string') return value
  if (!isRecord(value)) return undefined
  const exceptions = Array.isArray(value.exceptions)
    ? value.exceptions.filter(isRecord).map(
        (e): ExceptionDocument => ({
          id: optionalString(e.id),
          message: optionalString(e.message),
          type: optionalString(e.type),
          remote: optionalBoolean(e.remote),
          truncated: optionalNumber(e.truncated),
          skipped: optionalNumber(e.skipped),
          cause: optionalString(e.cause),
          stack: stackFrames(e.stack),
        }),
      )
    : undefined
  return {
    working_directory: optionalString(value.working_directory),
    paths: Array.isArray(value.paths) ? value.paths.filter((p): p is string => typeof p === 'string') : undefined,
    exceptions,
  }
}

function annotationsField(value: unknown): Record<string, AnnotationValue> | undefined {
  if (!isRecord(value)) return undefined
  const out: Record<string, AnnotationValue> = {}
  for (const [key, v] of Object.entries(value)) {
    // Annotations are flat string/number/bool values (§6.2); anything else is not indexed by X-Ray.
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[key] = v
  }
  return out
}

/**
 * Validates one (sub)segment object. Returns the typed document or the reason it is unusable.
 * Bad subsegments are dropped and reported; the segment itself is kept.
 */
function toDocument(value: unknown, problems: DocumentProblem[], index: number): SegmentDocument | string {
  if (!isRecord(value)) return 'not a JSON object'
  const id = optionalString(value.id)
  if (!id) return 'missing "id"'
  const name = optionalString(value.name)
  if (name === undefined) return 'missing "name"'
  const start = optionalNumber(value.start_time)
  if (start === undefined) return 'missing or non-numeric "start_time"'
  const end = optionalNumber(value.end_time)
  const inProgress = value.in_progress === true
  if (end === undefined && !inProgress) return 'has neither "end_time" nor "in_progress": true'

  const doc: SegmentDocument = {id, name, start_time: start}
  if (end !== undefined && !inProgress) doc.end_time = end
  if (inProgress) doc.in_progress = true
  const strings = ['trace_id', 'parent_id', 'type', 'origin', 'namespace', 'user', 'resource_arn'] as const
  for (const key of strings) {
    const v = optionalString(value[key])
    if (v !== undefined) doc[key] = v
  }
  for (const key of ['error', 'fault', 'throttle', 'inferred'] as const) {
    if (value[key] === true) doc[key] = true
  }
  const http = httpFields(value.http)
  if (http) doc.http = http
  if (isRecord(value.aws)) doc.aws = value.aws
  const cause = causeField(value.cause)
  if (cause !== undefined) doc.cause = cause
  const annotations = annotationsField(value.annotations)
  if (annotations) doc.annotations = annotations
  if (isRecord(value.metadata)) doc.metadata = value.metadata
  if (Array.isArray(value.precursor_ids)) doc.precursor_ids = value.precursor_ids.filter((p): p is string => typeof p === 'string')
  if (Array.isArray(value.subsegments)) {
    doc.subsegments = []
    for (const sub of value.subsegments) {
      const parsed = toDocument(sub, problems, index)
      if (typeof parsed === 'string') {
        const subId = isRecord(sub) ? optionalString(sub.id) : undefined
        problems.push({index, id: subId, reason: `subsegment of ${id} ${parsed}`})
      } else {
        doc.subsegments.push(parsed)
      }
    }
  }
  return doc
}

/** Parses and validates segment documents; never throws. */
export function parseSegmentDocuments(raw: readonly RawSegment[]): ParsedDocuments {
  const documents: SegmentDocument[] = []
  const problems: DocumentProblem[] = []
  raw.forEach((item, index) => {
    let value: unknown = item
    if (isRecord(item) && typeof item.Document === 'string' && !('name' in item)) value = item.Document
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value)
      } catch (error) {
        problems.push({index, reason: `not valid JSON (${(error as Error).message})`})
        return
      }
    }
    const parsed = toDocument(value, problems, index)
    if (typeof parsed === 'string') {
      problems.push({index, id: isRecord(value) ? optionalString(value.id) : undefined, reason: parsed})
    } else {
      documents.push(parsed)
    }
  })
  return {documents, problems}
}
