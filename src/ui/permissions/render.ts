/**
 * Where permission results go: an Ink table on a TTY, plain lines otherwise, nothing for --json (the command
 * returns the result and oclif prints it). Ink and React are imported only for an Ink render (STACK.md §4).
 */
import type {AuditReport} from '../../permissions/service.js'
import {paletteFor} from '../colors.js'
import type {OutputMode} from '../mode.js'
import {formatAuditView} from './format.js'
import {auditView} from './model.js'

type Out = NodeJS.WriteStream

/** `prune`: the command that prunes what the audit covered (see `pruneCommand`). */
export async function renderAudit(report: AuditReport, mode: OutputMode, prune: string, out: Out = process.stdout): Promise<void> {
  if (mode === 'json') return
  const view = auditView(report, prune)
  if (mode === 'plain' || !out.isTTY) {
    out.write(formatAuditView(view, paletteFor(out)))
    return
  }
  const [{render}, {createElement}, {AuditTable}] = await Promise.all([import('ink'), import('react'), import('./AuditTable.js')])
  const instance = render(createElement(AuditTable, {view, width: out.columns || 100}), {stdout: out, patchConsole: false, exitOnCtrlC: false})
  instance.unmount()
  await instance.waitUntilExit().catch(() => {})
}
