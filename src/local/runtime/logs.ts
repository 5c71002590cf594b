/**
 * The text of Lambda's execution log: the runtime's console lines and the platform's START / END / REPORT
 * lines, and the `LogType: Tail` result (aws-semantics §1.2: base64 of the last 4 KB).
 */

/** The console line format of the Node.js runtime client when it writes to Lambda's telemetry descriptor
 *  (the path used in Lambda): `time\trequestId\tLEVEL\tmessage`, newlines kept, one trailing newline.
 *  During init the request id is the literal `undefined`, as on Lambda. */
export function consoleLine(time: Date, requestId: string | undefined, level: string, message: string): string {
  return `${time.toISOString()}\t${requestId}\t${level}\t${message}\n`
}

export function startLine(requestId: string, version = '$LATEST'): string {
  return `START RequestId: ${requestId} Version: ${version}\n`
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`
}

export interface ReportFields {
  requestId: string
  durationMs: number
  billedMs: number
  memoryMb: number
  maxMemoryUsedMb: number
  initDurationMs?: number
  /** `timeout` or `error` (with `errorType`), as Lambda appends them to REPORT. */
  status?: 'timeout' | 'error'
  errorType?: string
  xray?: {traceId: string; segmentId: string; sampled: boolean}
}

/** `REPORT RequestId: …\tDuration: 2.19 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 68 MB\t…` */
export function reportLine(fields: ReportFields): string {
  let line =
    `REPORT RequestId: ${fields.requestId}\tDuration: ${fields.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${fields.billedMs} ms\tMemory Size: ${fields.memoryMb} MB\tMax Memory Used: ${fields.maxMemoryUsedMb} MB\t`
  if (fields.initDurationMs !== undefined) line += `Init Duration: ${fields.initDurationMs.toFixed(2)} ms\t`
  if (fields.status) line += `Status: ${fields.status}\t`
  if (fields.errorType) line += `Error Type: ${fields.errorType}\t`
  if (fields.xray) {
    line += `\nXRAY TraceId: ${fields.xray.traceId}\tSegmentId: ${fields.xray.segmentId}\tSampled: ${fields.xray.sampled}\t`
  }
  return line + '\n'
}

/** `INIT_REPORT` for a failed init, which Lambda writes before the START of the invocation that needed it. */
export function initReportLine(initDurationMs: number, errorType: string): string {
  return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}\n`
}

export const LOG_TAIL_BYTES = 4096

/** `X-Amz-Log-Result`: base64 of the last 4 KB of the execution log. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, 'utf8')
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64')
}
