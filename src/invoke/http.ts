import {randomBytes} from 'node:crypto'
import {UserError} from '../errors.js'

export interface SentRequest {
  method: string
  url: string
  /** Every header sent, as sent (the user's, plus user-agent, content-type and the trace header we add). */
  headers: [string, string][]
  body?: Buffer
}

export interface ReceivedResponse {
  status: number
  statusText: string
  /** Lower-case names; repeated headers joined with ", " (as fetch does). */
  headers: Record<string, string>
  body: Buffer
  /** From sending the request to the last byte of the body. */
  durationMs: number
  startedAt: Date
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/**
 * A fresh X-Ray trace id, `1-{epoch seconds, 8 hex}-{96 random bits}` (aws-semantics §6.1). Sent as
 * `X-Amzn-Trace-Id: Root=…;Sampled=1` so the request's trace can be looked up by id afterwards: REST stages
 * continue an incoming trace, and HTTP APIs forward the header to the integration (§6.5).
 */
export function newTraceId(now: Date = new Date()): string {
  return `1-${Math.floor(now.getTime() / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`
}

/**
 * Sends the request and reads the whole answer. Redirects are not followed: what API Gateway answered is the
 * evidence. `timeoutMs` bounds the whole exchange (API Gateway itself gives up after 29-30 s, §5).
 */
export async function sendRequest(request: SentRequest, options: {timeoutMs: number; fetch?: FetchLike}): Promise<ReceivedResponse> {
  const doFetch = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init))
  const startedAt = new Date()
  const started = performance.now()
  let response: Response
  let body: Buffer
  try {
    response = await doFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    })
    body = Buffer.from(await response.arrayBuffer())
  } catch (error) {
    const e = error as {name?: string; message?: string; cause?: {code?: string; message?: string}}
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new UserError('INVOKE_TIMEOUT', `${request.method} ${request.url} did not answer within ${Math.round(options.timeoutMs / 1000)} s`, {
        suggestion: 'API Gateway answers within 30 s even when the function is slower; check the URL and your network',
        exit: 'failure',
      })
    }
    const code = e.cause?.code
    throw new UserError('INVOKE_UNREACHABLE', `Could not reach ${request.url}: ${code ?? e.cause?.message ?? e.message}`, {
      suggestion: 'Check the URL (tracegate deploy prints it) and your network; with --local the emulator must be running',
      exit: 'failure',
      cause: error,
    })
  }
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value
  })
  return {status: response.status, statusText: response.statusText, headers, body, durationMs: Math.round(performance.now() - started), startedAt}
}
