// Runs every bench script in this folder and prints one table. Each script prints JSON lines (see lib.js).
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {cpus} from 'node:os'
import {fileURLToPath} from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2)
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && f !== 'lib.js')
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort()

const rows = []
let failed = 0
for (const script of scripts) {
  process.stderr.write(`running ${script}...\n`)
  const result = spawnSync(process.execPath, [`${dir}${script}`], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  if (result.status !== 0) {
    failed++
    process.stderr.write(`${script} failed (exit ${result.status}):\n${result.stderr}\n`)
    continue
  }
  for (const line of result.stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue
    try {
      rows.push(JSON.parse(line))
    } catch {
      // not a result line
    }
  }
}

const fmt = (v, unit) => (v === undefined ? '' : `${typeof v === 'number' ? Number(v.toFixed(2)) : v}${unit ? ` ${unit}` : ''}`)
const table = [['bench', 'metric', 'value', 'baseline', 'ratio', 'target']]
for (const r of rows) {
  table.push([
    r.bench,
    r.metric,
    fmt(r.value, r.unit),
    r.baseline === undefined ? '' : `${fmt(r.baseline, r.unit)} (${r.baselineLabel ?? 'baseline'})`,
    r.ratio === undefined ? '' : `${r.ratio}x`,
    r.target ?? '',
  ])
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)))
const line = (row) => `| ${row.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`
console.log(`tracegate benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n`)
console.log(line(table[0]))
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
for (const row of table.slice(1)) console.log(line(row))
if (failed) {
  console.error(`\n${failed} bench script(s) failed`)
  process.exitCode = 1
}
