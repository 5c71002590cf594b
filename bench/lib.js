// Shared helpers for bench scripts. Every bench script prints one JSON object per line:
//   {"bench":"startup","metric":"tracegate --help","value":212,"unit":"ms","baseline":98,"baselineLabel":"node -e 0","ratio":2.16,"target":"<= 2.5x"}
// bench/run.js collects them into one table.
import {spawnSync} from 'node:child_process'
import {createServer} from 'node:net'

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Wall time of a command in ms (spawned synchronously; includes process start-up). */
export function timeCommand(command, args, options = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, {stdio: 'ignore', ...options})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`)
  return ms
}

export function report(row) {
  const out = {...row}
  if (out.baseline !== undefined && out.ratio === undefined && out.baseline > 0) {
    out.ratio = Math.round((out.value / out.baseline) * 100) / 100
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address()
      server.close(() => resolve(port))
    })
  })
}
