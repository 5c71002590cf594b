/**
 * Emulator lifecycle: where its data lives, whether it runs, starting it (foreground or detached), stopping it.
 *
 * Files in the data directory (default `~/.tracegate/local`, else `TRACEGATE_LOCAL_DIR`, else `--data-dir`):
 * - `emulator.pid`  — the serving process's pid, created exclusively (`wx`), so two emulators never share a store;
 * - `emulator.json` — {pid, port, url, dataDir, startedAt, version, accountId, detached};
 * - `emulator.log`  — stdout/stderr of a detached emulator;
 * - `emulator.sqlite` (+ `-wal`, `-shm`) — the store.
 *
 * A pid file whose process is gone is stale: it is removed with a note, and the start continues.
 */
import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {get as httpGet} from 'node:http'
import {createServer} from 'node:net'
import {homedir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {isUserError, UserError} from '../errors.js'
import {type Progress, silentProgress} from '../progress.js'
import {VERSION} from '../version.js'
import {DEFAULT_PORT, HEALTH_PATH} from './constants.js'
import {ISOLATIONS, type Isolation} from './runtime/isolation.js'
import {SAMPLINGS, type Sampling} from './runtime/sampling.js'
import type {EmulatorExtension, HealthReport, RequestLogEntry, RunningEmulator} from './server.js'

export const PID_FILE = 'emulator.pid'
export const STATE_FILE = 'emulator.json'
export const LOG_FILE = 'emulator.log'
export const DATA_DIR_ENV = 'TRACEGATE_LOCAL_DIR'
/** UDP port of the emulator's X-Ray daemon (handlers get it as AWS_XRAY_DAEMON_ADDRESS); default: a free port. */
export const XRAY_PORT_ENV = 'TRACEGATE_LOCAL_XRAY_PORT'
/** What runs a handler: `thread` (default) or `process` (see src/local/runtime/sandbox.ts). */
export const ISOLATION_ENV = 'TRACEGATE_LOCAL_ISOLATION'
/** Which undecided requests traced functions and stages record: `aws` (default, as on AWS) or `all` (runtime/sampling.ts). */
export const SAMPLING_ENV = 'TRACEGATE_LOCAL_SAMPLING'
const DEFAULT_START_TIMEOUT_MS = 15_000

export interface EmulatorState {
  pid: number
  port: number
  url: string
  dataDir: string
  startedAt: string
  version: string
  accountId: string
  detached: boolean
  /** What runs handlers (absent in the state of emulators older than the choice). */
  isolation?: Isolation
  /** X-Ray sampling of undecided requests (absent in the state of emulators older than the choice). */
  sampling?: Sampling
}

/** `--data-dir`, else `TRACEGATE_LOCAL_DIR`, else `~/.tracegate/local`; always absolute. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag || env[DATA_DIR_ENV] || join(homedir(), '.tracegate', 'local'))
}

/** Environment lines that point the AWS CLI and SDKs at the emulator. */
export function envHints(url: string, region = 'us-east-1'): string[] {
  return [
    `export AWS_ENDPOINT_URL=${url}`,
    `export AWS_REGION=${region}`,
    'export AWS_ACCESS_KEY_ID=tracegate AWS_SECRET_ACCESS_KEY=tracegate-local',
    // AWS_ENDPOINT_URL is read by the SDKs and by the AWS CLI from 2.13 (v1 from 1.29); older ones call AWS itself.
    `# AWS CLI older than 2.13: pass --endpoint-url ${url}`,
  ]
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, PID_FILE), 'utf8').trim(), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function readState(dataDir: string): EmulatorState | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, STATE_FILE), 'utf8')) as EmulatorState
  } catch {
    return undefined
  }
}

function removeRuntimeFiles(dataDir: string): void {
  rmSync(join(dataDir, PID_FILE), {force: true})
  rmSync(join(dataDir, STATE_FILE), {force: true})
}

/**
 * GET /_tracegate/health with a fresh, non-kept-alive connection (a pooled keep-alive socket would hold the CLI
 * process open after it is done).
 */
export function fetchHealth(url: string, timeoutMs = 1000): Promise<HealthReport | undefined> {
  return new Promise((resolveHealth) => {
    const request = httpGet(`${url}${HEALTH_PATH}`, {agent: false, headers: {connection: 'close'}, timeout: timeoutMs}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        try {
          const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as HealthReport
          resolveHealth(response.statusCode === 200 && report.service === 'tracegate-emulator' ? report : undefined)
        } catch {
          resolveHealth(undefined)
        }
      })
      response.on('error', () => resolveHealth(undefined))
    })
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolveHealth(undefined))
  })
}

type Probe =
  | {kind: 'running'; state: EmulatorState; health: HealthReport}
  | {kind: 'stale'; pid: number; reason: string}
  | {kind: 'unresponsive'; pid: number; state?: EmulatorState}
  | {kind: 'none'}

/** What the pid and state files say, checked against the process table and the health endpoint. */
async function probe(dataDir: string): Promise<Probe> {
  const pid = readPid(dataDir)
  if (pid === undefined) return {kind: 'none'}
  if (!isAlive(pid)) return {kind: 'stale', pid, reason: `process ${pid} is no longer running`}
  const state = readState(dataDir)
  if (state?.url) {
    const health = await fetchHealth(state.url)
    if (health && health.pid === pid) return {kind: 'running', state, health}
  }
  // The pid is alive but does not answer as our emulator: either it is still starting or hung, or the pid was
  // reused by an unrelated process after a crash. On Linux the command line tells which.
  const cmdline = processCommandLine(pid)
  if (cmdline !== undefined && !/tracegate|daemon\.(js|ts)|bin\/run\.js|bin\/dev\.js|local\/server/.test(cmdline)) {
    return {kind: 'stale', pid, reason: `pid ${pid} now belongs to another program`}
  }
  return {kind: 'unresponsive', pid, state}
}

function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return undefined
  }
}

/** Creates the data directory and proves it is writable, or throws LOCAL_DATA_DIR_UNWRITABLE. */
export function checkDataDirWritable(dataDir: string): void {
  const probeFile = join(dataDir, `.write-test-${process.pid}`)
  try {
    mkdirSync(dataDir, {recursive: true})
    writeFileSync(probeFile, '')
    unlinkSync(probeFile)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    throw new UserError('LOCAL_DATA_DIR_UNWRITABLE', `The emulator cannot write its data directory ${dataDir} (${code})`, {
      exit: 'emulator',
      suggestion: `Pick a writable directory with --data-dir DIR or ${DATA_DIR_ENV}=DIR`,
      details: {dataDir, code},
      cause: error,
    })
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer()
    server.once('error', () => resolvePort(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)))
  })
}

/** Throws LOCAL_PORT_IN_USE naming who holds the port (another tracegate emulator, or another program). */
async function explainBusyPort(port: number, dataDir: string): Promise<HealthReport | undefined> {
  const health = await fetchHealth(`http://127.0.0.1:${port}`)
  if (health && resolve(health.dataDir) === dataDir) return health
  if (health) {
    throw new UserError(
      'LOCAL_PORT_IN_USE',
      `Port ${port} is used by another tracegate emulator (pid ${health.pid}, data dir ${health.dataDir})`,
      {
        exit: 'emulator',
        suggestion: `Stop it with: tracegate local stop --data-dir ${health.dataDir}, or pick another port with --port`,
        details: {port, pid: health.pid, dataDir: health.dataDir},
      },
    )
  }
  throw new UserError('LOCAL_PORT_IN_USE', `Port ${port} on 127.0.0.1 is in use by another program`, {
    exit: 'emulator',
    suggestion: 'Stop that program, or start the emulator on another port with --port',
    details: {port},
  })
}

function alreadyRunning(state: EmulatorState): UserError {
  return new UserError(
    'LOCAL_ALREADY_RUNNING',
    `An emulator is already running for ${state.dataDir} at ${state.url} (pid ${state.pid})`,
    {
      exit: 'emulator',
      suggestion: 'Use it as it is, or stop it first with: tracegate local stop',
      details: {...state},
    },
  )
}

/** Claims the pid file exclusively; a stale one is replaced. */
function claimPidFile(dataDir: string, notes: string[]): void {
  const path = join(dataDir, PID_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, {flag: 'wx'})
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = readPid(dataDir)
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
        const state = readState(dataDir)
        throw alreadyRunning(
          state ?? {pid, port: 0, url: '(starting)', dataDir, startedAt: '', version: '', accountId: '', detached: true},
        )
      }
      notes.push(`Removed a stale pid file (${pid === undefined ? 'unreadable' : `process ${pid} is gone`})`)
      removeRuntimeFiles(dataDir)
    }
  }
  throw new UserError('LOCAL_PID_FILE', `Could not create ${path}`, {exit: 'emulator'})
}

export interface ServeOptions {
  port?: number
  dataDir?: string
  accountId?: string
  detached?: boolean
  extensions?: EmulatorExtension[]
  /** UDP port of the X-Ray daemon; default TRACEGATE_LOCAL_XRAY_PORT, else a free port. */
  xrayDaemonPort?: number
  /** What runs handlers; default TRACEGATE_LOCAL_ISOLATION, else `thread`. */
  isolation?: Isolation
  /** X-Ray sampling of undecided requests; default TRACEGATE_LOCAL_SAMPLING, else `aws`. */
  sampling?: Sampling
  onRequest?: (entry: RequestLogEntry) => void
}

/**
 * A `local start` choice asked for by option or environment (unset or empty: the default); a value the emulator
 * does not know is the user's to fix (LOCAL_BAD_{NAME}).
 */
function resolveChoice<T extends string>(value: string | undefined, choice: {name: string; env: string; values: readonly T[]; fallback: T; hint?: string}): T {
  if (value === undefined || value === '') return choice.fallback
  if ((choice.values as readonly string[]).includes(value)) return value as T
  throw new UserError(`LOCAL_BAD_${choice.name.toUpperCase()}`, `Unknown ${choice.name} "${value}" (from --${choice.name} or ${choice.env})`, {
    suggestion: `Use one of: ${choice.values.join(', ')}${choice.hint ? ` (${choice.hint})` : ''}`,
  })
}

/** The isolation asked for, by option or environment. */
export function resolveIsolation(value: string | undefined = process.env[ISOLATION_ENV]): Isolation {
  return resolveChoice(value, {name: 'isolation', env: ISOLATION_ENV, values: ISOLATIONS, fallback: 'thread'})
}

/** How `local start` and `local status` describe a sampling, with the flag that chose it (and the other one). */
export function samplingText(sampling: Sampling): string {
  return sampling === 'all'
    ? 'every request traced (--sampling all)'
    : '1 request per second plus 5 % traced, as on AWS (--sampling aws; --sampling all traces every request)'
}

/** The sampling asked for, by option or environment. */
export function resolveSampling(value: string | undefined = process.env[SAMPLING_ENV]): Sampling {
  return resolveChoice(value, {
    name: 'sampling',
    env: SAMPLING_ENV,
    values: SAMPLINGS,
    fallback: 'aws',
    hint: 'all: every request is traced; aws: 1 request per second plus 5 %, as on AWS',
  })
}

export interface ServingEmulator {
  emulator: RunningEmulator
  state: EmulatorState
  /** Things the user should know (e.g. a stale pid file was cleaned). */
  notes: string[]
  /** Stops serving and removes the pid and state files. */
  stop(): Promise<void>
}

/**
 * Runs the emulator in this process (`local start` in the foreground, and the detached daemon): checks for a
 * running or stale emulator on the same data directory, claims the pid file, listens, writes the state file.
 */
export async function serveEmulator(options: ServeOptions = {}): Promise<ServingEmulator> {
  const dataDir = resolveDataDir(options.dataDir)
  const isolation = options.isolation ?? resolveIsolation()
  const sampling = options.sampling ?? resolveSampling()
  const notes: string[] = []
  const found = await probe(dataDir)
  if (found.kind === 'running') throw alreadyRunning(found.state)
  if (found.kind === 'unresponsive') {
    throw new UserError(
      'LOCAL_UNRESPONSIVE',
      `An emulator process (pid ${found.pid}) holds ${dataDir} but does not answer its health check`,
      {exit: 'emulator', suggestion: 'Stop it with: tracegate local stop (or kill that pid), then start again'},
    )
  }
  if (found.kind === 'stale') {
    notes.push(`Removed a stale pid file (${found.reason})`)
    removeRuntimeFiles(dataDir)
  }
  checkDataDirWritable(dataDir)
  const port = options.port ?? DEFAULT_PORT
  if (port !== 0 && !(await portFree(port))) {
    const other = await explainBusyPort(port, dataDir)
    if (other) throw alreadyRunning({...other, detached: true, startedAt: other.startedAt, version: other.version})
  }
  claimPidFile(dataDir, notes)
  let emulator: RunningEmulator
  try {
    // Loaded here, not at the top: `--local` commands only need ensureEmulator, never the server itself.
    const {startEmulator} = await import('./server.js')
    emulator = await startEmulator({
      port,
      dataDir,
      accountId: options.accountId,
      extensions: options.extensions,
      dataPlane: {
        xrayDaemonPort: options.xrayDaemonPort ?? (process.env[XRAY_PORT_ENV] ? Number(process.env[XRAY_PORT_ENV]) : undefined),
        isolation,
        sampling,
      },
      onRequest: options.onRequest,
    })
  } catch (error) {
    removeRuntimeFiles(dataDir)
    if (isUserError(error) && error.code === 'LOCAL_PORT_IN_USE') await explainBusyPort(port, dataDir)
    throw error
  }
  const state: EmulatorState = {
    pid: process.pid,
    port: emulator.port,
    url: emulator.url,
    dataDir,
    startedAt: emulator.startedAt.toISOString(),
    version: VERSION,
    accountId: emulator.accountId,
    detached: options.detached ?? false,
    isolation,
    sampling,
  }
  writeFileSync(join(dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`)
  let stopped: Promise<void> | undefined
  return {
    emulator,
    state,
    notes,
    stop() {
      stopped ??= (async () => {
        await emulator.close()
        if (readPid(dataDir) === process.pid) removeRuntimeFiles(dataDir)
      })()
      return stopped
    },
  }
}

/** The daemon entry point and how to run it: the built `.js`, or the `.ts` source through tsx in development. */
function daemonCommand(): {command: string; args: string[]} {
  const here = fileURLToPath(import.meta.url)
  if (here.endsWith('.ts')) {
    return {command: process.execPath, args: ['--import', 'tsx', join(here, '..', 'daemon.ts')]}
  }
  return {command: process.execPath, args: [join(here, '..', 'daemon.js')]}
}

function logTail(dataDir: string, lines = 15): string {
  try {
    return readFileSync(join(dataDir, LOG_FILE), 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** Messages the daemon sends over IPC before detaching. */
export type DaemonMessage =
  | {type: 'ready'; state: EmulatorState; notes: string[]}
  | {type: 'error'; code?: string; message: string; suggestion?: string; exitCode?: number}

export interface EnsureOptions {
  port?: number
  dataDir?: string
  accountId?: string
  timeoutMs?: number
  progress?: Progress
  /** For an emulator this call starts (one already running keeps its own). */
  isolation?: Isolation
  /** For an emulator this call starts (one already running keeps its own). */
  sampling?: Sampling
}

export interface EnsureResult {
  endpoint: string
  port: number
  pid: number
  dataDir: string
  /** False when an emulator was already running for this data directory. */
  started: boolean
  notes: string[]
  /** What runs its handlers, when the emulator says (older ones do not). */
  isolation?: Isolation
  /** Its X-Ray sampling, when the emulator says (older ones do not). */
  sampling?: Sampling
}

/**
 * Makes sure an emulator serves `dataDir`, starting one detached if needed and waiting until it is healthy.
 * Used by `--local` on every AWS-touching command and by `local start --detach`.
 */
export async function ensureEmulator(options: EnsureOptions = {}): Promise<EnsureResult> {
  const progress = options.progress ?? silentProgress
  const dataDir = resolveDataDir(options.dataDir)
  const notes: string[] = []
  const found = await probe(dataDir)
  if (found.kind === 'running') {
    if (options.port !== undefined && options.port !== 0 && options.port !== found.state.port) {
      throw new UserError(
        'LOCAL_ALREADY_RUNNING',
        `The emulator for ${dataDir} already runs on port ${found.state.port}, not ${options.port}`,
        {exit: 'emulator', suggestion: 'Use that one, or stop it first with: tracegate local stop'},
      )
    }
    notes.push(...keptSettings(found.state, options))
    return {endpoint: found.state.url, port: found.state.port, pid: found.state.pid, dataDir, started: false, notes, isolation: found.state.isolation, sampling: found.state.sampling}
  }
  if (found.kind === 'unresponsive') {
    // Possibly another command is starting it right now: give it a moment before declaring it hung.
    const ready = await waitForHealthyState(dataDir, found.pid, 3000)
    if (ready) return {endpoint: ready.url, port: ready.port, pid: ready.pid, dataDir, started: false, notes, isolation: ready.isolation, sampling: ready.sampling}
    throw new UserError(
      'LOCAL_UNRESPONSIVE',
      `An emulator process (pid ${found.pid}) holds ${dataDir} but does not answer its health check`,
      {exit: 'emulator', suggestion: 'Stop it with: tracegate local stop, then try again'},
    )
  }
  if (found.kind === 'stale') {
    removeRuntimeFiles(dataDir)
    const note = `Removed a stale pid file (${found.reason})`
    notes.push(note)
    progress.emit({step: 'local:stale', status: 'warn', label: note})
  }
  checkDataDirWritable(dataDir)
  const port = options.port ?? DEFAULT_PORT
  if (port !== 0 && !(await portFree(port))) {
    const adopted = await explainBusyPort(port, dataDir)
    if (adopted) {
      return {endpoint: adopted.url, port: adopted.port, pid: adopted.pid, dataDir, started: false, notes}
    }
  }

  const started = performance.now()
  progress.emit({step: 'local:start', status: 'start', label: 'Start the local emulator'})
  try {
    const state = await spawnDaemon({
      dataDir,
      port,
      accountId: options.accountId,
      isolation: options.isolation,
      sampling: options.sampling,
      timeoutMs: options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    })
    notes.push(...state.notes)
    progress.emit({
      step: 'local:start',
      status: 'done',
      label: 'Start the local emulator',
      detail: state.state.url,
      durationMs: Math.round(performance.now() - started),
    })
    return {endpoint: state.state.url, port: state.state.port, pid: state.state.pid, dataDir, started: true, notes, isolation: state.state.isolation, sampling: state.state.sampling}
  } catch (error) {
    const e = error as {code?: string; message: string; suggestion?: string}
    progress.emit({
      step: 'local:start',
      status: 'fail',
      label: 'Start the local emulator',
      durationMs: Math.round(performance.now() - started),
      error: {code: e.code, message: e.message, suggestion: e.suggestion},
    })
    throw error
  }
}

async function waitForHealthyState(dataDir: string, pid: number, timeoutMs: number): Promise<EmulatorState | undefined> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const state = readState(dataDir)
    if (state && state.pid === pid) {
      const health = await fetchHealth(state.url, 500)
      if (health?.pid === pid) return state
    }
    if (!isAlive(pid)) return undefined
    await new Promise((r) => setTimeout(r, 50))
  }
  return undefined
}

/** Notes for settings asked of an emulator that already runs with others: it keeps its own until restarted. */
function keptSettings(running: Pick<EmulatorState, 'isolation' | 'sampling'>, asked: {isolation?: Isolation; sampling?: Sampling}): string[] {
  const notes: string[] = []
  const restart = 'stop it with `tracegate local stop` and start it again to change this'
  if (asked.isolation && running.isolation && asked.isolation !== running.isolation) {
    notes.push(`The running emulator keeps --isolation ${running.isolation}, not ${asked.isolation}: ${restart}`)
  }
  if (asked.sampling && running.sampling && asked.sampling !== running.sampling) {
    notes.push(`The running emulator keeps --sampling ${running.sampling}, not ${asked.sampling}: ${restart}`)
  }
  return notes
}

function spawnDaemon(options: {
  dataDir: string
  port: number
  accountId?: string
  isolation?: Isolation
  sampling?: Sampling
  timeoutMs: number
}): Promise<{state: EmulatorState; notes: string[]}> {
  const {command, args} = daemonCommand()
  const argv = [...args, '--port', String(options.port), '--data-dir', options.dataDir]
  if (options.accountId) argv.push('--account-id', options.accountId)
  const logPath = join(options.dataDir, LOG_FILE)
  // Keep the log from growing without bound across many starts: start it afresh past 5 MB.
  const log = openSync(logPath, existsSync(logPath) && statSync(logPath).size > 5 * 1024 * 1024 ? 'w' : 'a')
  const child = spawn(command, argv, {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(options.isolation ? {[ISOLATION_ENV]: options.isolation} : {}),
      ...(options.sampling ? {[SAMPLING_ENV]: options.sampling} : {}),
    },
  })
  closeSync(log)
  return new Promise((resolveStart, reject) => {
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.removeAllListeners()
      if (child.connected) child.disconnect()
      child.unref()
      fn()
    }
    const timer = setTimeout(() => {
      finish(() => {
        child.kill('SIGTERM')
        reject(
          new UserError('LOCAL_START_TIMEOUT', `The emulator did not become healthy within ${options.timeoutMs} ms`, {
            exit: 'emulator',
            suggestion: `See ${join(options.dataDir, LOG_FILE)}${tailHint(options.dataDir)}`,
          }),
        )
      })
    }, options.timeoutMs)
    child.on('message', (message: DaemonMessage) => {
      if (message.type === 'ready') finish(() => resolveStart({state: message.state, notes: message.notes}))
      if (message.type === 'error') {
        finish(() =>
          reject(
            new UserError(message.code ?? 'LOCAL_START_FAILED', message.message, {
              exit: 'emulator',
              suggestion: message.suggestion,
            }),
          ),
        )
      }
    })
    child.on('error', (error) => finish(() => reject(error)))
    child.on('exit', (code, signal) => {
      finish(() =>
        reject(
          new UserError('LOCAL_START_FAILED', `The emulator exited before it was ready (${signal ?? `exit code ${code}`})`, {
            exit: 'emulator',
            suggestion: `See ${join(options.dataDir, LOG_FILE)}${tailHint(options.dataDir)}`,
          }),
        ),
      )
    })
  })
}

function tailHint(dataDir: string): string {
  const tail = logTail(dataDir, 5)
  return tail ? `; its last lines:\n${tail}` : ''
}

export interface StopResult {
  stopped: boolean
  pid?: number
  dataDir: string
  notes: string[]
}

/** Stops the emulator serving `dataDir` (SIGTERM, then SIGKILL after `timeoutMs`). */
export async function stopEmulator(options: {dataDir?: string; timeoutMs?: number} = {}): Promise<StopResult> {
  const dataDir = resolveDataDir(options.dataDir)
  const found = await probe(dataDir)
  if (found.kind === 'none') return {stopped: false, dataDir, notes: [`No emulator is running for ${dataDir}`]}
  if (found.kind === 'stale') {
    removeRuntimeFiles(dataDir)
    return {stopped: false, dataDir, notes: [`No emulator was running; removed a stale pid file (${found.reason})`]}
  }
  const pid = found.kind === 'running' ? found.state.pid : found.pid
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + (options.timeoutMs ?? 5000)
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  const notes: string[] = []
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL')
    notes.push(`The emulator (pid ${pid}) did not stop within ${options.timeoutMs ?? 5000} ms and was killed`)
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 25))
  }
  if (readPid(dataDir) === pid) removeRuntimeFiles(dataDir)
  return {stopped: true, pid, dataDir, notes}
}

export interface EmulatorStatus {
  running: boolean
  dataDir: string
  pid?: number
  port?: number
  url?: string
  version?: string
  startedAt?: string
  uptimeSeconds?: number
  detached?: boolean
  isolation?: Isolation
  sampling?: Sampling
  counts?: {functions: number; apis: number; httpApis?: number; restApis?: number; traces: number}
  notes: string[]
}

/** Port, pid, data dir, counts and uptime of the emulator serving `dataDir` (read-only: nothing is cleaned). */
export async function emulatorStatus(options: {dataDir?: string} = {}): Promise<EmulatorStatus> {
  const dataDir = resolveDataDir(options.dataDir)
  const found = await probe(dataDir)
  if (found.kind === 'running') {
    const {health, state} = found
    return {
      running: true,
      dataDir,
      pid: health.pid,
      port: health.port,
      url: health.url,
      version: health.version,
      startedAt: health.startedAt,
      uptimeSeconds: health.uptimeSeconds,
      detached: state.detached,
      ...(state.isolation ? {isolation: state.isolation} : {}),
      ...(state.sampling ? {sampling: state.sampling} : {}),
      counts: health.counts,
      notes: [],
    }
  }
  if (found.kind === 'stale') {
    return {running: false, dataDir, notes: [`A stale pid file is left (${found.reason}); the next start removes it`]}
  }
  if (found.kind === 'unresponsive') {
    return {running: false, dataDir, pid: found.pid, notes: [`Process ${found.pid} holds the pid file but does not answer`]}
  }
  return {running: false, dataDir, notes: []}
}
