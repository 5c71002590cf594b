/**
 * How an invoke result reaches stdout: Ink panels on a TTY, plain lines otherwise, nothing with --json (the
 * command returns the result and oclif prints it). Ink and React are imported only for an Ink render.
 */
import type {InvokeResult} from '../../invoke/invoke.js'
import {paletteFor} from '../colors.js'
import type {OutputMode} from '../mode.js'
import {diagnosisPanel, responsePanel} from './model.js'
import {plainInvoke} from './plain.js'

type Out = NodeJS.WriteStream

export async function renderInvokeResult(result: InvokeResult, mode: OutputMode, out: Out = process.stdout): Promise<void> {
  if (mode === 'json') return
  if (mode === 'plain') {
    out.write(plainInvoke(result, paletteFor(out)))
    return
  }
  const [{render}, {createElement}, {InvokeView}] = await Promise.all([import('ink'), import('react'), import('./Panels.js')])
  const width = Math.max(40, Math.min(out.columns || 100, 120))
  const element = createElement(InvokeView, {response: responsePanel(result), diagnosis: diagnosisPanel(result), width})
  const instance = render(element, {stdout: out, patchConsole: false, exitOnCtrlC: false})
  instance.unmount()
  await instance.waitUntilExit().catch(() => {})
}
