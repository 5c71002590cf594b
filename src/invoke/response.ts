import {isUtf8} from 'node:buffer'

/**
 * How a response is shown: the headers that explain a failure, and the body pretty-printed when it is JSON,
 * cut with a note when it is huge. Pure, so the renderers (Ink, plain, JSON) share it.
 */

/** Headers that identify the request and say who answered (aws-semantics §5, §6.1), in display order. */
export const HEADERS_THAT_MATTER = [
  'content-type',
  'apigw-requestid',
  'x-amzn-requestid',
  'x-amz-apigw-id',
  'x-amzn-errortype',
  'x-amzn-trace-id',
  'x-amz-function-error',
] as const

/** Display names in AWS's own casing. */
const DISPLAY_NAME: Record<string, string> = {
  'content-type': 'Content-Type',
  'apigw-requestid': 'apigw-requestid',
  'x-amzn-requestid': 'x-amzn-RequestId',
  'x-amz-apigw-id': 'x-amz-apigw-id',
  'x-amzn-errortype': 'x-amzn-ErrorType',
  'x-amzn-trace-id': 'X-Amzn-Trace-Id',
  'x-amz-function-error': 'X-Amz-Function-Error',
}

export interface BodyView {
  /** What to show: pretty JSON, text, or a one-line description of binary data. */
  text: string
  kind: 'json' | 'text' | 'binary' | 'empty'
  /** Size of the whole body. */
  bytes: number
  truncated: boolean
}

export interface ResponseView {
  status: number
  statusText: string
  durationMs: number
  /** The headers that matter, `[display name, value]`. */
  headers: [string, string][]
  body: BodyView
}

export function pickHeaders(headers: Record<string, string>): [string, string][] {
  return HEADERS_THAT_MATTER.filter((h) => headers[h] !== undefined).map((h) => [DISPLAY_NAME[h], headers[h]])
}

/** Text longer than `limit` characters is cut at a line end when one is near, with the remainder counted. */
function cut(text: string, limit: number): {text: string; truncated: boolean} {
  if (text.length <= limit) return {text, truncated: false}
  const nl = text.lastIndexOf('\n', limit)
  const end = nl > limit * 0.8 ? nl : limit
  return {text: text.slice(0, end), truncated: true}
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/**
 * `limit`: the most characters to show. JSON is recognised by content type or by parsing (API Gateway's own
 * errors are JSON; a handler may forget the content type).
 */
export function presentBody(body: Buffer, contentType: string | undefined, limit: number): BodyView {
  const bytes = body.length
  if (bytes === 0) return {text: '', kind: 'empty', bytes, truncated: false}
  if (!isUtf8(body)) return {text: `(${formatBytes(bytes)} of binary data${contentType ? `, ${contentType}` : ''})`, kind: 'binary', bytes, truncated: false}
  const raw = body.toString('utf8')
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{"]/.test(raw)
  if (looksJson && bytes <= 8 * 1024 * 1024) {
    try {
      const pretty = JSON.stringify(JSON.parse(raw), null, 2)
      return {...cut(pretty, limit), kind: 'json', bytes}
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return {...cut(raw, limit), kind: 'text', bytes}
}

export function viewResponse(
  response: {status: number; statusText: string; durationMs: number; headers: Record<string, string>; body: Buffer},
  limit: number,
): ResponseView {
  return {
    status: response.status,
    statusText: response.statusText,
    durationMs: response.durationMs,
    headers: pickHeaders(response.headers),
    body: presentBody(response.body, response.headers['content-type'], limit),
  }
}

/** The `Root=` of an `X-Amzn-Trace-Id` header (aws-semantics §6.1). */
export function traceIdOf(header: string | undefined): string | undefined {
  const root = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/i.exec(header ?? '')
  return root?.[1]
}
