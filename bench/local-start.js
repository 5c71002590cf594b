// Emulator start-up: median wall time from spawning `node bin/run.js local start --port <free> --data-dir <tmp>`
// to the first healthy answer of GET /_tracegate/health, over BENCH_RUNS runs (fresh data dir each run, so the
// store is created and migrated every time). Needs a build (`npm run build`): bin/run.js loads dist/.
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {get} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {freePort, median, report, timeCommand} from './lib.js'

const runs = Number(process.env.BENCH_RUNS ?? 10)
const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')

if (!existsSync(join(root, 'dist', 'commands', 'local', 'start.js'))) {
  process.stderr.write('bench/local-start needs a build: run `npm run build` first\n')
  process.exit(1)
}

function healthy(port) {
  return new Promise((resolve) => {
    const request = get({host: '127.0.0.1', port, path: '/_tracegate/health', agent: false, timeout: 500}, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode === 200))
    })
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolve(false))
  })
}

/** CPU time (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

async function once() {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'tracegate-bench-local-'))
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, [bin, 'local', 'start', '--port', String(port), '--data-dir', dataDir, '--quiet'], {
    stdio: 'ignore',
    env: {...process.env, CI: '1'},
  })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  try {
    while (!(await healthy(port))) {
      if (exited) throw new Error(`tracegate local start exited before answering (data dir ${dataDir})`)
      if (Number(process.hrtime.bigint() - started) / 1e6 > 30_000) throw new Error('no healthy answer within 30 s')
      await new Promise((r) => setTimeout(r, 2))
    }
    return {wall: Number(process.hrtime.bigint() - started) / 1e6, cpu: cpuMs(child.pid)}
  } finally {
    child.kill('SIGTERM')
    if (!exited) await new Promise((r) => child.once('exit', r))
    rmSync(dataDir, {recursive: true, force: true})
  }
}

await once() // warm-up: file-system cache
timeCommand(process.execPath, ['-e', '0'])
const times = []
const cpu = []
const node = []
// Interleaved with Node's own floor, so a loaded machine shows in the baseline too.
for (let i = 0; i < runs; i++) {
  node.push(timeCommand(process.execPath, ['-e', '0']))
  const run = await once()
  times.push(run.wall)
  if (run.cpu !== undefined) cpu.push(run.cpu)
}
report({
  bench: 'local-start',
  metric: 'tracegate local start → healthy (median ms)',
  value: Math.round(median(times)),
  unit: 'ms',
  baseline: Math.round(median(node)),
  baselineLabel: 'node -e 0',
  runs,
  min: Math.round(Math.min(...times)),
  max: Math.round(Math.max(...times)),
  // CPU time the start-up process used until its first healthy answer: less sensitive to a busy machine.
  ...(cpu.length > 0 ? {cpuMs: Math.round(median(cpu))} : {}),
  target: '< 1000 ms (serverless-offline ≈ 4700 ms to open its port)',
})
