/**
 * A UDP X-Ray daemon (aws-semantics §6.7): each datagram is the header `{"format":"json","version":1}`, a
 * newline, and one segment or subsegment document. Instrumented handlers (the official X-Ray SDK,
 * Powertools Tracer) send their subsegments here through `AWS_XRAY_DAEMON_ADDRESS`; every parsed document
 * is handed to `onSegments`, unmodified.
 */

import {createSocket} from 'node:dgram'

export interface XrayDaemonOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /** 127.0.0.1 unless told otherwise: the emulator never listens beyond the machine. */
  host?: string
  onSegments: (documents: Record<string, unknown>[]) => void
  /** Called with datagrams that are not a valid header + JSON document (for diagnostics). */
  onRejected?: (reason: string) => void
}

export interface XrayDaemon {
  /** `host:port`, the value for `AWS_XRAY_DAEMON_ADDRESS`. */
  address: string
  port: number
  close(): Promise<void>
}

/** Splits one datagram into its document, or explains why it is not one. */
export function parseDaemonDatagram(datagram: Buffer): {document: Record<string, unknown>} | {error: string} {
  const text = datagram.toString('utf8')
  const newline = text.indexOf('\n')
  if (newline < 0) return {error: 'missing header line'}
  let header: {format?: unknown; version?: unknown}
  try {
    header = JSON.parse(text.slice(0, newline))
  } catch {
    return {error: 'header is not JSON'}
  }
  if (header?.format !== 'json' || header.version !== 1) return {error: 'header must be {"format":"json","version":1}'}
  let document: unknown
  try {
    document = JSON.parse(text.slice(newline + 1))
  } catch {
    return {error: 'document is not JSON'}
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) return {error: 'document is not an object'}
  return {document: document as Record<string, unknown>}
}

export function startXrayDaemon(options: XrayDaemonOptions): Promise<XrayDaemon> {
  const host = options.host ?? '127.0.0.1'
  const socket = createSocket('udp4')
  socket.on('message', (datagram) => {
    const parsed = parseDaemonDatagram(datagram)
    if ('document' in parsed) options.onSegments([parsed.document])
    else options.onRejected?.(parsed.error)
  })
  return new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', reject)
      socket.on('error', (error) => options.onRejected?.(`socket error: ${error.message}`))
      const port = socket.address().port
      resolve({
        address: `${host}:${port}`,
        port,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      })
    })
  })
}
