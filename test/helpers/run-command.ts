import {fileURLToPath} from 'node:url'
import {run} from '@oclif/core'

/** The package root (where package.json and its "oclif" section are). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface RunOptions {
  /** oclif root; defaults to this package. */
  root?: string
  /** Working directory for the run (process.chdir; vitest runs tests in forks, where that is allowed). */
  cwd?: string
  /** Environment overrides for the run; `undefined` removes a variable. Restored afterwards. */
  env?: Record<string, string | undefined>
  /** Pretend stdout / stderr are terminals (Ink mode needs stderr to be a TTY and CI unset). */
  tty?: {stdout?: boolean; stderr?: boolean; columns?: number}
}

export interface RunResult<T = unknown> {
  stdout: string
  stderr: string
  /** process.exitCode after the run (0 when unset), or the exit an oclif error carried. */
  exitCode: number
  /** What the command's run() returned. */
  result?: T
  /** An error that escaped the command (BaseCommand normally handles them and sets the exit code). */
  error?: Error
}

type Write = typeof process.stdout.write

/**
 * Runs a tracegate command in this process with `run(argv, {root})` from @oclif/core and captures its output.
 *
 * Why not `@oclif/test`'s runCommand: its stdout stub never calls the callback of `write(chunk, cb)`, and Ink's
 * unmount waits for exactly that, so Ink-mode commands hang (STACK.md gotcha 4). This spy honours callbacks.
 * In tests (NODE_ENV=test) oclif maps dist/commands to src/commands and loads them through tsx (gotcha 3), so
 * no build is needed; with a build it works the same.
 *
 * Runs are serialised: stdout/stderr, cwd, env and process.exitCode are process-wide.
 */
export async function runCommand<T = unknown>(argv: string[], options: RunOptions = {}): Promise<RunResult<T>> {
  const previous = queue
  let release!: () => void
  queue = new Promise((resolve) => {
    release = resolve
  })
  await previous
  try {
    return await runNow<T>(argv, options)
  } finally {
    release()
  }
}

let queue: Promise<void> = Promise.resolve()

async function runNow<T>(argv: string[], options: RunOptions): Promise<RunResult<T>> {
  const out: string[] = []
  const err: string[] = []
  const originalOut = process.stdout.write
  const originalErr = process.stderr.write
  const originalCwd = process.cwd()
  const originalExitCode = process.exitCode
  const savedEnv = new Map<string, string | undefined>()
  const restoreTty = [fakeTty(process.stdout, options.tty?.stdout, options.tty?.columns), fakeTty(process.stderr, options.tty?.stderr, options.tty?.columns)]

  process.stdout.write = capture(out)
  process.stderr.write = capture(err)
  for (const [key, value] of Object.entries(options.env ?? {})) {
    savedEnv.set(key, process.env[key])
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  if (options.cwd) process.chdir(options.cwd)
  process.exitCode = undefined

  let result: T | undefined
  let error: Error | undefined
  let exitCode: number
  try {
    result = (await run(argv, {root: options.root ?? PACKAGE_ROOT})) as T
  } catch (e) {
    error = e as Error
  } finally {
    process.stdout.write = originalOut
    process.stderr.write = originalErr
    if (options.cwd) process.chdir(originalCwd)
    for (const [key, value] of savedEnv) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    for (const restore of restoreTty) restore()
    const oclifExit = (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit
    exitCode = Number(process.exitCode ?? oclifExit ?? (error ? 1 : 0))
    process.exitCode = originalExitCode
  }
  return {stdout: out.join(''), stderr: err.join(''), exitCode, result, error}
}

/** A write() that records the chunk and calls the callback, as a real stream does once the data is flushed. */
function capture(sink: string[]): Write {
  return ((chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | ((e?: Error | null) => void), callback?: (e?: Error | null) => void) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const cb = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback
    if (cb) queueMicrotask(() => cb(null))
    return true
  }) as Write
}

/** Sets isTTY (and columns) on a stream for the run; returns the function that puts the originals back. */
function fakeTty(stream: NodeJS.WriteStream, tty: boolean | undefined, columns = 100): () => void {
  if (tty === undefined) return () => {}
  const descriptors = {
    isTTY: Object.getOwnPropertyDescriptor(stream, 'isTTY'),
    columns: Object.getOwnPropertyDescriptor(stream, 'columns'),
  }
  Object.defineProperty(stream, 'isTTY', {value: tty, configurable: true, writable: true})
  Object.defineProperty(stream, 'columns', {value: tty ? columns : undefined, configurable: true, writable: true})
  return () => {
    for (const [key, descriptor] of Object.entries(descriptors)) {
      if (descriptor) Object.defineProperty(stream, key, descriptor)
      else delete (stream as unknown as Record<string, unknown>)[key]
    }
  }
}
