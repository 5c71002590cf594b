import type {InvokeResult} from '../../invoke/invoke.js'
import type {Palette} from '../colors.js'
import {type DiagnosisPanelView, diagnosisPanel, type ResponsePanelView, responsePanel, type Tone} from './model.js'

function paint(c: Palette, tone: Tone, text: string): string {
  switch (tone) {
    case 'ok':
      return c.green(text)
    case 'fail':
      return c.red(text)
    case 'warn':
      return c.yellow(text)
    case 'dim':
      return c.dim(text)
  }
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((line) => (line ? `${by}${line}` : line))
    .join('\n')
}

export function plainResponse(view: ResponsePanelView, c: Palette): string {
  const lines = [`${paint(c, view.tone, c.bold(view.status))}  ${c.dim(view.subtitle)}`]
  for (const [name, value] of view.headers) lines.push(`${c.dim(`${name}:`)} ${value}`)
  lines.push('', view.body)
  if (view.bodyNote) lines.push(c.dim(`… ${view.bodyNote}`))
  return `${lines.join('\n')}\n`
}

export function plainDiagnosis(view: DiagnosisPanelView, c: Palette): string {
  const mark = view.tone === 'ok' ? '✓' : view.tone === 'warn' ? '?' : '✗'
  const lines = [
    `${paint(c, view.tone, `${mark} ${c.bold(view.title)}`)} ${c.dim(`(${view.verdict}, confidence ${view.confidence})`)}`,
    indent(view.cause),
    '',
    c.bold('Evidence'),
  ]
  const width = Math.max(...view.checks.map((check) => check.label.length), 0)
  for (const check of view.checks) {
    lines.push(`  ${paint(c, check.tone, check.mark)} ${check.label.padEnd(width)}  ${c.dim(check.detail)}`)
  }
  if (view.contradictions.length > 0) {
    lines.push('', c.yellow('Conflicting evidence'))
    for (const text of view.contradictions) lines.push(`  ${c.yellow('!')} ${text}`)
  }
  for (const note of view.notes) lines.push('', `${c.cyan('›')} ${note}`)
  lines.push('', c.bold('Fix'), indent(view.fixSummary))
  if (view.code) lines.push(indent(c.cyan(view.code), '    '))
  for (const command of view.commands) lines.push(`    ${c.dim('$')} ${command}`)
  return `${lines.join('\n')}\n`
}

/** The whole human view of an invoke: the response, then (when there is one) the diagnosis. */
export function plainInvoke(result: InvokeResult, c: Palette): string {
  const diagnosis = diagnosisPanel(result)
  return plainResponse(responsePanel(result), c) + (diagnosis ? `\n${plainDiagnosis(diagnosis, c)}` : '')
}
