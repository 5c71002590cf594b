/**
 * The invoke result as display lines, shared by the plain and Ink renderers (STYLE rule 4): what the
 * response panel and the diagnosis panel show, without any styling.
 */
import type {CheckState} from '../../diagnose/checklist.js'
import type {Confidence} from '../../diagnose/verdicts.js'
import type {InvokeResult} from '../../invoke/invoke.js'
import {formatBytes} from '../../invoke/response.js'
import {formatDuration} from '../plain.js'

export type Tone = 'ok' | 'fail' | 'warn' | 'dim'

export interface ResponsePanelView {
  /** `500 Internal Server Error` */
  status: string
  tone: Tone
  /** `GET https://…/orders/42 · HTTP API · 120 ms` */
  subtitle: string
  headers: [string, string][]
  body: string
  /** `showing 16.0 KB of 1.2 MB (use --json for up to 1 MB)` when cut. */
  bodyNote?: string
}

export interface DiagnosisPanelView {
  title: string
  verdict: string
  tone: Tone
  confidence: Confidence
  cause: string
  checks: Array<{mark: string; tone: Tone; label: string; detail: string}>
  notes: string[]
  contradictions: string[]
  fixSummary: string
  commands: string[]
  code?: string
}

export const CHECK_MARK: Record<CheckState, {mark: string; tone: Tone}> = {
  pass: {mark: '✓', tone: 'ok'},
  fail: {mark: '✗', tone: 'fail'},
  unknown: {mark: '?', tone: 'warn'},
}

export function responsePanel(result: InvokeResult): ResponsePanelView {
  const r = result.response
  const api = result.request.apiType === 'http' ? 'HTTP API' : 'REST API'
  const body = r.body.kind === 'empty' ? '(empty body)' : r.body.text
  const shown = Buffer.byteLength(r.body.text)
  return {
    status: `${r.status} ${r.statusText}`.trim(),
    tone: r.status >= 500 ? 'fail' : r.status >= 400 ? 'warn' : 'ok',
    subtitle: `${result.request.method} ${result.request.url} · ${api} · ${formatDuration(r.durationMs)}`,
    headers: r.headers,
    body,
    bodyNote: r.body.truncated ? `showing ${formatBytes(shown)} of ${formatBytes(r.body.bytes)}` : undefined,
  }
}

export function diagnosisPanel(result: InvokeResult): DiagnosisPanelView | undefined {
  const d = result.diagnosis
  if (!d) return undefined
  return {
    title: d.title,
    verdict: d.verdict,
    tone: d.verdict === 'ok' ? 'ok' : d.verdict === 'unknown' ? 'warn' : 'fail',
    confidence: d.confidence,
    cause: d.cause,
    checks: d.evidence.map((item) => ({...CHECK_MARK[item.state], label: item.label, detail: item.detail})),
    notes: d.notes,
    contradictions: d.contradictions,
    fixSummary: d.fix.summary,
    commands: d.fix.commands,
    code: d.fix.code,
  }
}
