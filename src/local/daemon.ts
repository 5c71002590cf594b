/**
 * Entry point of a detached emulator (`ensureEmulator` spawns `node dist/local/daemon.js --port P --data-dir D`).
 * It reports `ready` (or the error) to its parent over IPC, then detaches and serves until SIGTERM/SIGINT.
 */
import {isUserError} from '../errors.js'
import type {DaemonMessage} from './lifecycle.js'
import {serveEmulator} from './lifecycle.js'

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

function tell(message: DaemonMessage): void {
  if (process.send && process.connected) process.send(message)
}

async function main(): Promise<void> {
  const port = Number(argument('--port') ?? '4577')
  const dataDir = argument('--data-dir')
  const accountId = argument('--account-id')
  try {
    const serving = await serveEmulator({port, dataDir, accountId, detached: true})
    const stop = () => {
      void serving.stop().then(() => process.exit(0))
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
    process.stdout.write(`${new Date().toISOString()} tracegate emulator ${serving.state.version} serving ${serving.state.url} (pid ${process.pid}, data ${serving.state.dataDir})\n`)
    for (const note of serving.notes) process.stdout.write(`${note}\n`)
    tell({type: 'ready', state: serving.state, notes: serving.notes})
    if (process.connected) process.disconnect()
  } catch (error) {
    const e = error as Error & {code?: string; suggestion?: string; exitCode?: number}
    process.stderr.write(`${new Date().toISOString()} tracegate emulator failed to start: ${e.message}\n`)
    tell({
      type: 'error',
      code: isUserError(error) ? e.code : 'LOCAL_START_FAILED',
      message: e.message,
      suggestion: e.suggestion,
      exitCode: e.exitCode,
    })
    process.exitCode = 5
    if (process.connected) process.disconnect()
  }
}

void main()
