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

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

const STRING_FIELDS = ['trace_id', 'parent_id', 'type', 'origin', 'namespace', 'user', 'resource_arn'] as const
const FLAG_FIELDS = ['error', 'fault', 'throttle', 'inferred', 'in_progress'] as const
const RECORD_FIELDS = ['aws', 'metadata'] as const

function normaliseHttp(doc: Record<string, unknown>): void {
  const http = doc.http
  if (http === undefined) return
  if (!isRecord(http)) {
    delete doc.http
    return
  }
  if (http.request !== undefined && !isRecord(http.request)) delete http.request
  if (http.response !== undefined && !isRecord(http.response)) delete http.response
  const response = http.response as Record<string, unknown> | undefined
  if (response && response.status !== undefined && !isFiniteNumber(response.status)) {
    // Some SDKs send the status as a string; X-Ray indexes it as a number.
    if (typeof response.status === 'string' && /^\d{3}$/.test(response.status)) response.status = Number(response.status)
    else delete response.status
  }
}

function normaliseCause(doc: Record<string, unknown>): void {
  const cause = doc.cause
  if (cause === undefined || typeof cause === 'string') return
  if (!isRecord(cause)) {
    delete doc.cause
    return
  }
  if (cause.exceptions === undefined) return
  if (!Array.isArray(cause.exceptions)) {
    delete cause.exceptions
    return
  }
  cause.exceptions = cause.exceptions.filter(isRecord)
  for (const e of cause.exceptions as Record<string, unknown>[]) {
    for (const key of ['id', 'message', 'type', 'cause'] as const) if (e[key] !== undefined && typeof e[key] !== 'string') delete e[key]
    if (e.stack !== undefined) e.stack = Array.isArray(e.stack) ? e.stack.filter(isRecord) : undefined
  }
}

function normaliseAnnotations(doc: Record<string, unknown>): void {
  const annotations = doc.annotations
  if (annotations === undefined) return
  if (!isRecord(annotations)) {
    delete doc.annotations
    return
  }
  for (const [key, v] of Object.entries(annotations)) {
    // Annotations are flat string/number/bool values (§6.2); anything else is not indexed by X-Ray.
    if (!(typeof v === 'string' || typeof v === 'boolean' || isFiniteNumber(v))) delete annotations[key]
  }
}

/**
 * Validates one (sub)segment object in place (the input is our own freshly parsed copy): required fields
 * checked, wrongly typed optional fields dropped. Returns the document or the reason it is unusable. Bad
 * subsegments are dropped and reported; the segment itself is kept.
 */
function toDocument(value: unknown, problems: DocumentProblem[], index: number): SegmentDocument | string {
  if (!isRecord(value)) return 'not a JSON object'
  if (typeof value.id !== 'string' || value.id === '') return 'missing "id"'
  if (typeof value.name !== 'string') return 'missing "name"'
  if (!isFiniteNumber(value.start_time)) return 'missing or non-numeric "start_time"'
  const inProgress = value.in_progress === true
  if (!inProgress && !isFiniteNumber(value.end_time)) return 'has neither "end_time" nor "in_progress": true'
  if (inProgress || (value.end_time !== undefined && !isFiniteNumber(value.end_time))) delete value.end_time

  for (const key of STRING_FIELDS) if (value[key] !== undefined && typeof value[key] !== 'string') delete value[key]
  for (const key of FLAG_FIELDS) if (value[key] !== undefined && value[key] !== true) delete value[key]
  for (const key of RECORD_FIELDS) if (value[key] !== undefined && !isRecord(value[key])) delete value[key]
  if (value.precursor_ids !== undefined && !Array.isArray(value.precursor_ids)) delete value.precursor_ids
  normaliseHttp(value)
  normaliseCause(value)
  normaliseAnnotations(value)

  if (value.subsegments !== undefined) {
    if (!Array.isArray(value.subsegments)) {
      delete value.subsegments
    } else {
      const kept: SegmentDocument[] = []
      for (const sub of value.subsegments) {
        const parsed = toDocument(sub, problems, index)
        if (typeof parsed === 'string') {
          const subId = isRecord(sub) && typeof sub.id === 'string' ? sub.id : undefined
          problems.push({index, id: subId, reason: `subsegment of ${value.id} ${parsed}`})
        } else {
          kept.push(parsed)
        }
      }
      value.subsegments = kept
    }
  }
  return value as unknown as SegmentDocument
}

/** Parses and validates segment documents; never throws. */
export function parseSegmentDocuments(raw: readonly RawSegment[]): ParsedDocuments {
  const documents: SegmentDocument[] = []
  const problems: DocumentProblem[] = []
  raw.forEach((item, index) => {
    let value: unknown = item
    if (isRecord(item) && typeof item.Document === 'string' && !('name' in item)) value = item.Document
    // Validation edits in place: work on our own copy of a caller's object.
    else if (isRecord(item)) value = structuredClone(item)
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
