import type {DemoResult} from '../demo/demo.js'
import type {Palette} from './colors.js'
import {formatDuration} from './plain.js'
import {plainWaterfall} from './traces/plain.js'

/** The demo's closing report: each call's diagnosis, the failure's waterfall, what was cleaned up. */
export function formatDemoResult(result: DemoResult, c: Palette, width: number): string {
  const lines: string[] = ['', c.bold('What the gateway answered, and why')]
  const routeWidth = Math.max(...result.calls.map((call) => call.route.length))
  for (const call of result.calls) {
    const status = call.status < 400 ? c.green(String(call.status)) : c.red(String(call.status))
    const verdict = call.verdict === 'ok' ? c.green(call.verdict) : c.yellow(call.verdict)
    lines.push(`  ${call.route.padEnd(routeWidth)}  ${status}  ${verdict}${call.confidence && call.verdict !== 'ok' ? c.dim(` (${call.confidence} confidence)`) : ''}`)
    if (call.verdict !== 'ok') {
      if (call.cause) lines.push(`  ${' '.repeat(routeWidth)}  ${c.dim('cause')} ${call.cause}`)
      if (call.fix) lines.push(`  ${' '.repeat(routeWidth)}  ${c.dim('fix  ')} ${call.fix}`)
      for (const codeLine of call.fixCode?.split('\n') ?? []) lines.push(`  ${' '.repeat(routeWidth)}        ${c.cyan(codeLine)}`)
    }
  }
  if (result.trace) {
    const failing = result.calls.find((call) => call.scenario === 'throws')
    lines.push('', c.bold(`Trace of ${failing?.route ?? 'the failure'}`), plainWaterfall(result.trace, c, width).replace(/\n$/, ''))
  }
  lines.push(
    '',
    `Pruned ${result.prune.removed} stale permission${result.prune.removed === 1 ? '' : 's'} (${result.prune.bytesFreed} bytes freed), destroyed ${result.destroyed} resources.`,
    result.allExpected
      ? c.green(`Done in ${formatDuration(result.durationMs)}: every failure was diagnosed correctly.`)
      : c.red(`Done in ${formatDuration(result.durationMs)}, but not every verdict was the expected one (see above).`),
    '',
    c.dim('Next: tracegate new my-app && cd my-app && tracegate deploy --local && tracegate invoke "GET /hello" --local'),
  )
  return `${lines.join('\n')}\n`
}
