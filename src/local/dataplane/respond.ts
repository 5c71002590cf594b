/** Writing answers from the data plane's extensions, which talk to the response directly. */
import type {IncomingHttpHeaders, ServerResponse} from 'node:http'
import type {ServiceError} from '../wire.js'

export type OutgoingHeaders = Record<string, string | string[]>

export function writeResponse(response: ServerResponse, status: number, headers: OutgoingHeaders, body: Buffer | string = ''): void {
  if (response.headersSent || response.destroyed) return
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  headers['content-length'] = String(bytes.length)
  response.writeHead(status, headers)
  response.end(bytes)
}

/** A restJson1 error as the control plane renders it: code in `x-amzn-ErrorType`, members in the body. */
export function writeServiceError(response: ServerResponse, error: ServiceError, requestId: string): void {
  writeResponse(
    response,
    error.status,
    {'content-type': 'application/json', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.code, ...error.headers},
    JSON.stringify(error.body),
  )
}

/** One header's value (the last one when the client repeated it). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  if (Array.isArray(value)) return value[value.length - 1]
  return value
}
