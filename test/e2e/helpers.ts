/**
 * End-to-end helpers: run the *built* CLI (`node bin/run.js …`) as a child process, the way a user runs it,
 * against an emulator of its own (a temp data dir and a free port per test file).
 *
 * - `ensureBuilt()` runs `npm run build` once when dist/ or oclif.manifest.json is missing or older than src/,
 *   under a lock file, so test files running in parallel never build twice or run a half-built dist.
 * - `setupE2e()` registers beforeAll/afterAll: build, temp dirs, a free port; afterwards `local stop` with the same
 *   environment and the temp dirs removed, so no emulator or handler worker outlives the file.
 */
import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll} from 'vitest'

/** The repository root (package.json, bin/, dist/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = join(REPO_ROOT, 'bin', 'run.js')

const BUILD_LOCK = join(REPO_ROOT, '.tracegate-test', 'build.lock')
const BUILD_TIMEOUT_MS = 5 * 60_000
/** What the build reads: a change to any of these makes dist/ stale. */
const BUILD_INPUTS = ['src', 'package.json', 'tsconfig.json']

export interface CliResult {
  args: string[]
  stdout: string
  stderr: string
  /** The process's exit code (a signal counts as 128 + its number). */
  exitCode: number
  durationMs: number
  /** stdout parsed as JSON (throws with the output when it is not JSON). */
  json<T = Record<string, unknown>>(): T
}

export interface RunOptions {
  /** Working directory (default: the test file's work dir). */
  cwd?: string
  /** Extra environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>
  /** Kill the child after this long (default 60 s). */
  timeoutMs?: number
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

/** dist/ and the manifest exist and were written after the last change to the build's inputs. */
export function isBuildFresh(root = REPO_ROOT): boolean {
  const manifest = join(root, 'oclif.manifest.json')
  const dist = join(root, 'dist')
  if (!existsSync(manifest) || !existsSync(join(dist, 'commands'))) return false
  const inputs = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(root, p))))
  // The manifest is the build's last step; dist/ is rewritten whole (the build starts with rm -rf dist).
  return Math.min(statSync(manifest).mtimeMs, newestMtime(dist)) >= inputs
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the build lock (an exclusively created file holding our pid); a lock whose process is gone is taken over. */
async function acquireBuildLock(): Promise<() => void> {
  mkdirSync(join(REPO_ROOT, '.tracegate-test'), {recursive: true})
  const deadline = Date.now() + BUILD_TIMEOUT_MS
  for (;;) {
    try {
      const fd = openSync(BUILD_LOCK, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(BUILD_LOCK, {force: true})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let holder = Number.NaN
    try {
      holder = Number.parseInt(readFileSync(BUILD_LOCK, 'utf8'), 10)
    } catch {
      // Removed between our open and read: try again.
    }
    // An empty file is a holder that has not written its pid yet; only a dead pid makes the lock stale.
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) rmSync(BUILD_LOCK, {force: true})
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the build lock ${BUILD_LOCK} (held by pid ${holder})`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

let built: Promise<void> | undefined

/** Builds the CLI (npm run build) when dist/ is missing or stale; once per process, serialised across processes. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (isBuildFresh()) return
    const release = await acquireBuildLock()
    try {
      // Another test file may have built while we waited for the lock.
      if (isBuildFresh()) return
      const result = await runProcess('npm', ['run', 'build'], {cwd: REPO_ROOT, env: cleanEnv(), timeoutMs: BUILD_TIMEOUT_MS})
      if (result.exitCode !== 0) {
        throw new Error(`npm run build failed (exit ${result.exitCode}):\n${(result.stdout + result.stderr).slice(-4000)}`)
      }
    } finally {
      release()
    }
  })()
  return built
}

/**
 * The parent's environment minus what would make the child behave unlike a user's shell: vitest's NODE_ENV=test
 * (oclif would then load src/ through tsx), AWS settings of the machine, tracegate's own overrides.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|TRACEGATE_|VITEST|npm_)/.test(key)) continue
    if (['NODE_ENV', 'NODE_OPTIONS', 'DEBUG', 'FORCE_COLOR', 'TEST'].includes(key)) continue
    env[key] = value
  }
  return env
}

/** Spawns a process and collects its output; never rejects for a non-zero exit. */
export function runProcess(
  command: string,
  args: string[],
  options: {cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number},
): Promise<CliResult> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 60_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8') + (timedOut ? `\n[killed after ${options.timeoutMs ?? 60_000} ms]` : '')
      resolve({
        args,
        stdout,
        stderr,
        exitCode: code ?? 128 + (signal ? signalNumber(signal) : 0),
        durationMs: Math.round(performance.now() - started),
        json<T>() {
          try {
            return JSON.parse(stdout) as T
          } catch {
            throw new Error(`${command} ${args.join(' ')}: stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`)
          }
        },
      })
    })
  })
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({SIGKILL: 9, SIGTERM: 15, SIGINT: 2} as Record<string, number>)[signal] ?? 0
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export class E2e {
  /** Temp root: holds the work dir, the emulator's data dir and a HOME of its own. */
  root = ''
  /** Where projects are created (the default cwd of `run`). */
  workDir = ''
  /** TRACEGATE_LOCAL_DIR of the child processes. */
  emulatorDir = ''
  /** TRACEGATE_LOCAL_PORT of the child processes. */
  port = 0
  /** Every command run, for the timing summary. */
  readonly runs: CliResult[] = []

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The environment a child runs with: plain output (CI=1, NO_COLOR=1) and this file's emulator. */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      HOME: join(this.root, 'home'),
      CI: '1',
      NO_COLOR: '1',
      TRACEGATE_LOCAL_DIR: this.emulatorDir,
      TRACEGATE_LOCAL_PORT: String(this.port),
    }
    for (const [key, value] of Object.entries(extra)) {
      if (value === undefined) delete env[key]
      else env[key] = value
    }
    return env
  }

  async start(prefix = 'tracegate-e2e-'): Promise<void> {
    await ensureBuilt()
    this.root = mkdtempSync(join(tmpdir(), prefix))
    this.workDir = join(this.root, 'work')
    this.emulatorDir = join(this.root, 'emulator')
    mkdirSync(this.workDir, {recursive: true})
    mkdirSync(join(this.root, 'home'), {recursive: true})
    this.port = await freePort()
  }

  /** `node bin/run.js ...args` in `cwd` (default: the work dir). */
  async run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const result = await runProcess(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? this.workDir,
      env: this.env(options.env),
      timeoutMs: options.timeoutMs,
    })
    this.runs.push(result)
    return result
  }

  /** Stops this file's emulator (if any) and removes the temp dirs. */
  async stop(): Promise<void> {
    if (!this.root) return
    if (existsSync(this.emulatorDir)) {
      await this.run(['local', 'stop'], {timeoutMs: 20_000})
      // Belt and braces: an emulator that did not stop is ours (its pid file is in our data dir); end it by id.
      const pidFile = join(this.emulatorDir, 'emulator.pid')
      const pid = existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8'), 10) : Number.NaN
      if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) process.kill(pid, 'SIGKILL')
    }
    rmSync(this.root, {recursive: true, force: true})
    this.root = ''
  }

  /** One line per command with its time, slowest first (for a test's log). */
  timings(): string {
    const total = this.runs.reduce((sum, r) => sum + r.durationMs, 0)
    const lines = [...this.runs].sort((a, b) => b.durationMs - a.durationMs).map((r) => `${String(r.durationMs).padStart(6)} ms  ${r.args.join(' ')}`)
    return `${this.runs.length} commands, ${total} ms in total\n${lines.join('\n')}`
  }
}

/** An E2e for this test file, started in beforeAll (which may build the CLI) and stopped in afterAll. */
export function setupE2e(options: {prefix?: string; timeoutMs?: number} = {}): E2e {
  const e2e = new E2e()
  beforeAll(() => e2e.start(options.prefix), options.timeoutMs ?? BUILD_TIMEOUT_MS)
  afterAll(() => e2e.stop(), 60_000)
  return e2e
}

/** Pids of `pid`'s descendants, from /proc (Linux); empty where /proc is not available. */
export function descendantsOf(pid: number): number[] {
  if (!existsSync('/proc')) return []
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], 10)
      parents.set(Number(entry), ppid)
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    const current = queue.shift()!
    for (const [child, parent] of parents) {
      if (parent === current) {
        found.push(child)
        queue.push(child)
      }
    }
  }
  return found
}

export function isAlive(pid: number): boolean {
  return pidAlive(pid)
}

/** The first line of `text` that contains `needle` (for readable assertions on plain output). */
export function lineWith(text: string, needle: string | RegExp): string | undefined {
  return text.split('\n').find((line) => (typeof needle === 'string' ? line.includes(needle) : needle.test(line)))
}
