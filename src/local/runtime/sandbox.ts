/**
 * Where an execution environment runs: a worker thread (default) or a child process. Both run the same
 * `worker.js` and speak the same messages (`protocol.ts`); the pool sees only this interface.
 *
 * Why threads by default: a request through the data plane crosses to the environment and back. Between two
 * processes that is a pipe write and a wake-up of another process each way, which on a 2-core machine capped a
 * hello handler at about a quarter of plain Node's throughput before any gateway work; between threads of one
 * process the same round trip costs a fraction of that (measured with `bench/emulator.js`). A thread keeps what
 * the issue asks of an environment: its own module registry and globals, its own `process.env`, `process.exit`
 * ending only that environment (with its exit code), uncaught errors and `beforeExit` of its own, and a hard stop
 * on timeout (`terminate()` interrupts even a busy loop). Its JS heap is capped at the function's memory size,
 * so a runaway handler ends like an out-of-memory Lambda ("signal: killed") instead of taking the emulator down.
 *
 * What only a process gives (docs/emulator-fidelity.md): a working directory of its own (threads share the
 * emulator's; `process.cwd()` is made to answer the task root, but a relative path handed to `fs` resolves
 * against the emulator's directory), native addons that are not context-aware, signals, and crash isolation
 * from native code. `tracegate local start --isolation process` (or TRACEGATE_LOCAL_ISOLATION=process) runs
 * every environment as a child process instead.
 */

import {type ChildProcess, fork} from 'node:child_process'
import type {Socket} from 'node:net'
import {Worker} from 'node:worker_threads'
import type {Isolation} from './isolation.js'
import type {ParentMessage, WorkerMessage} from './protocol.js'


export interface SandboxEvents {
  message(message: WorkerMessage): void
  /** Output that bypassed the patched console (native writes, a fatal error before the runtime was up). */
  output(text: string): void
  /** The environment is gone; every message it sent has been delivered. */
  close(code: number | null, signal: NodeJS.Signals | null): void
}

export interface Sandbox {
  readonly isolation: Isolation
  /** JS heap cap in MB the sandbox was booted with (threads only; undefined: none). */
  readonly heapLimitMb: number | undefined
  /** Starts delivering events; before this they are buffered by the underlying stream or port. */
  listen(events: SandboxEvents): void
  send(message: ParentMessage): void
  /** Whether the sandbox keeps the emulator's event loop alive (working ones do, waiting ones do not). */
  hold(hold: boolean): void
  kill(): void
  readonly alive: boolean
}

export interface BootOptions {
  script: string
  /** Working directory of a process sandbox (threads share the emulator's). */
  cwd: string
  /** Cap on the JS heap of a thread sandbox: the function's memory size. */
  heapLimitMb?: number
}

/** Neutral until `init`: no variable of the emulator's own process (credentials!) is passed on. */
function neutralEnv(): Record<string, string> {
  return {PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}
}

export function bootSandbox(isolation: Isolation, options: BootOptions): Sandbox {
  return isolation === 'thread' ? threadSandbox(options) : processSandbox(options)
}

function threadSandbox(options: BootOptions): Sandbox {
  const worker = new Worker(options.script, {
    env: neutralEnv(),
    execArgv: [],
    stdout: true,
    stderr: true,
    ...(options.heapLimitMb ? {resourceLimits: {maxOldGenerationSizeMb: options.heapLimitMb}} : {}),
  })
  let alive = true
  let outOfMemory = false
  let events: SandboxEvents | undefined
  // Everything is heard from the start (an unheard 'error' event would take the whole emulator down) and
  // kept until `listen`: a standby thread says nothing, but a broken one may fail before it is taken.
  const early: ((listener: SandboxEvents) => void)[] = []
  const deliver = (event: (listener: SandboxEvents) => void) => (events ? event(events) : early.push(event))
  worker.on('message', (message: WorkerMessage) => deliver((listener) => listener.message(message)))
  worker.stdout.on('data', (chunk: Buffer) => deliver((listener) => listener.output(chunk.toString('utf8'))))
  worker.stderr.on('data', (chunk: Buffer) => deliver((listener) => listener.output(chunk.toString('utf8'))))
  worker.on('error', (error: Error & {code?: string}) => {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') outOfMemory = true
    // What a process would have printed to stderr before dying of an error the runtime could not catch.
    else deliver((listener) => listener.output(`${error.stack ?? String(error)}\n`))
  })
  // Messages the thread posted before it ended are emitted before 'exit'.
  worker.once('exit', (code) => {
    alive = false
    // Lambda ends a Node runtime that runs out of memory with SIGKILL ("Runtime exited with error: signal: killed").
    deliver((listener) => listener.close(outOfMemory ? null : code, outOfMemory ? 'SIGKILL' : null))
  })
  return {
    isolation: 'thread',
    heapLimitMb: options.heapLimitMb,
    listen(listener) {
      events = listener
      for (const event of early.splice(0)) event(listener)
    },
    send(message) {
      if (alive) worker.postMessage(message)
    },
    hold(hold) {
      if (hold) worker.ref()
      else worker.unref()
    },
    kill() {
      if (!alive) return
      alive = false
      void worker.terminate()
    },
    get alive() {
      return alive
    },
  }
}

function processSandbox(options: BootOptions): Sandbox {
  const child: ChildProcess = fork(options.script, [], {
    cwd: options.cwd,
    env: neutralEnv(),
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  })
  // A failed spawn is reported through 'close' (an environment that never came up); an unheard 'error'
  // event would take the whole emulator down.
  child.on('error', () => {})
  const alive = () => child.exitCode === null && child.signalCode === null
  return {
    isolation: 'process',
    heapLimitMb: undefined,
    listen(events) {
      child.stdout?.on('data', (chunk: Buffer) => events.output(chunk.toString('utf8')))
      child.stderr?.on('data', (chunk: Buffer) => events.output(chunk.toString('utf8')))
      child.on('message', (message: WorkerMessage) => events.message(message))
      // 'close' comes after the IPC channel and the pipes are drained, so no message or log line is lost.
      // A process that could not be spawned at all also ends here ('error', then 'close').
      child.on('close', (code, signal) => events.close(code, signal))
    },
    send(message) {
      if (!child.connected) return
      child.send(message, (error) => {
        if (error) child.kill('SIGKILL')
      })
    },
    hold(hold) {
      // Piped stdio of a child process are net.Sockets, typed as plain Readables.
      const pipes = [child.stdout, child.stderr] as unknown as (Socket | null)[]
      const handles: ({ref(): unknown; unref(): unknown} | null | undefined)[] = [child, child.channel, ...pipes]
      for (const handle of handles) {
        if (hold) handle?.ref()
        else handle?.unref()
      }
    },
    kill() {
      if (alive()) child.kill('SIGKILL')
    },
    get alive() {
      return alive()
    },
  }
}
