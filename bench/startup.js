// CLI start-up: median of `tracegate --help` vs Node's own floor (`node -e 0`), measured in the same run.
import {fileURLToPath} from 'node:url'
import {median, report, timeCommand} from './lib.js'

const runs = Number(process.env.BENCH_RUNS ?? 10)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const env = {...process.env, CI: '1'}

// One warm-up of each, so the file-system cache is equally hot for both.
timeCommand(process.execPath, ['-e', '0'], {env})
timeCommand(process.execPath, [bin, '--help'], {env})

const node = []
const help = []
for (let i = 0; i < runs; i++) {
  node.push(timeCommand(process.execPath, ['-e', '0'], {env}))
  help.push(timeCommand(process.execPath, [bin, '--help'], {env}))
}
report({
  bench: 'startup',
  metric: 'tracegate --help (median ms)',
  value: Math.round(median(help)),
  unit: 'ms',
  baseline: Math.round(median(node)),
  baselineLabel: 'node -e 0',
  target: '<= 2.5x',
})
