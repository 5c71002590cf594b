/**
 * Runs the CLI in-process and captures stdout/stderr. `@oclif/test`'s runCommand hangs with Ink (its stdout
 * stub never calls write callbacks, STACK.md gotcha 4), so this spies on the streams and honours callbacks.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {run} from '@oclif/core'
import {vi} from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number
}

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean

function capture(stream: NodeJS.WriteStream, into: string[]) {
  return vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    const done = typeof encoding === 'function' ? encoding : callback
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)())
    return true
  }) as Write)
}

export async function runCli(argv: string[], options: {cwd?: string; env?: Record<string, string | undefined>} = {}): Promise<CliResult> {
  const out: string[] = []
  const err: string[] = []
  const stdout = capture(process.stdout, out)
  const stderr = capture(process.stderr, err)
  const previousCwd = process.cwd()
  const previousEnv = {...process.env}
  const previousExitCode = process.exitCode
  process.exitCode = undefined
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  if (options.cwd) process.chdir(options.cwd)
  try {
    await run(argv, ROOT)
  } catch (error) {
    // oclif rethrows after handling an exit (e.g. --help); the exit code is what matters.
    if (!(error as {oclif?: unknown}).oclif) throw error
  } finally {
    process.chdir(previousCwd)
    for (const key of Object.keys(process.env)) if (!(key in previousEnv)) delete process.env[key]
    Object.assign(process.env, previousEnv)
    stdout.mockRestore()
    stderr.mockRestore()
  }
  const exitCode = Number(process.exitCode ?? 0)
  process.exitCode = previousExitCode
  return {stdout: out.join(''), stderr: err.join(''), exitCode}
}

/** A directory with a tracegate.json for the given project. */
export function projectDir(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracegate-traces-'))
  writeFileSync(join(dir, 'tracegate.json'), JSON.stringify(config, null, 2))
  return dir
}

/** A directory with no tracegate.json (nor in its parents, under the system temp directory). */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'tracegate-none-'))
}
