/**
 * `tracegate local fault`: make a function of the running emulator throttle or be slow, on purpose, to reproduce
 * the failures API Gateway turns into 500 (Lambda throttled) and 503 (integration timeout). The emulator keeps
 * the fault in its store (`POST /_tracegate/faults`); the runtime applies it to every invocation until cleared.
 *
 * The emulator is found the way `local status` finds it: the state file in its data directory.
 */
import {request as httpRequest} from 'node:http'
import {UserError} from '../errors.js'
import type {FaultRecord, FaultRequest} from './dataplane/faults.js'
import {emulatorStatus} from './lifecycle.js'

/** The same path the emulator serves (kept here so the CLI never loads the server's modules). */
const FAULTS_PATH = '/_tracegate/faults'
/** Lambda's maximum timeout: a longer delay could only ever end in a timeout. */
const MAX_DELAY_MS = 900_000

export type FaultChange = {kind: 'throttle'} | {kind: 'delay'; delayMs: number} | {kind: 'clear'}

export interface FaultOptions {
  functionName: string
  change: FaultChange
  /** The function's region, when the same name exists in several. */
  region?: string
  dataDir?: string
}

export interface FaultResult extends FaultRecord {
  endpoint: string
}

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000}

/** `5s`, `500ms`, `1.5s`, `2m` → milliseconds. A bare number is milliseconds. */
export function parseDelay(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text)
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']) : Number.NaN
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UserError('FAULT_DELAY_INVALID', `--delay "${text}" is not a duration`, {suggestion: 'Use e.g. --delay 5s, --delay 500ms or --delay 1m'})
  }
  if (ms > MAX_DELAY_MS) {
    throw new UserError('FAULT_DELAY_INVALID', `--delay ${text} is longer than Lambda's 15-minute maximum timeout`, {
      suggestion: 'A delay past the function timeout only ever times out; use at most --delay 15m',
    })
  }
  return ms
}

function post(url: string, body: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    // No keep-alive agent: a pooled socket would hold the CLI process open after it is done.
    const req = httpRequest(url, {method: 'POST', agent: false, headers: {'content-type': 'application/json', connection: 'close'}}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

function messageOf(body: string): string {
  try {
    return String((JSON.parse(body) as {message?: unknown}).message ?? body)
  } catch {
    return body
  }
}

/** Sets or clears the fault on the running emulator; throws a UserError when it cannot. */
export async function applyFaultChange(options: FaultOptions): Promise<FaultResult> {
  const status = await emulatorStatus({dataDir: options.dataDir})
  if (!status.running || !status.url) {
    throw new UserError('LOCAL_NOT_RUNNING', `No emulator is running for ${status.dataDir}`, {
      exit: 'emulator',
      suggestion: 'Start it with: tracegate local start --detach (or deploy with --local), then try again',
    })
  }
  const request: FaultRequest = {
    functionName: options.functionName,
    ...(options.region ? {region: options.region} : {}),
    ...(options.change.kind === 'throttle' ? {throttle: true} : options.change.kind === 'delay' ? {delayMs: options.change.delayMs} : {clear: true}),
  }
  let answer: {status: number; body: string}
  try {
    answer = await post(`${status.url}${FAULTS_PATH}`, JSON.stringify(request))
  } catch (error) {
    throw new UserError('LOCAL_UNREACHABLE', `The emulator at ${status.url} did not answer: ${(error as Error).message}`, {
      exit: 'emulator',
      suggestion: 'Check it with: tracegate local status',
      cause: error,
    })
  }
  if (answer.status === 404) {
    throw new UserError('FUNCTION_NOT_FOUND', messageOf(answer.body), {
      suggestion: 'Deploy it first (tracegate deploy --local), or check the name: functions are named {project}-{function}',
    })
  }
  if (answer.status === 409) {
    throw new UserError('FUNCTION_AMBIGUOUS', messageOf(answer.body), {suggestion: 'Name the region with --region'})
  }
  if (answer.status !== 200) {
    throw new Error(`The emulator refused the fault (HTTP ${answer.status}): ${messageOf(answer.body)}`)
  }
  return {...(JSON.parse(answer.body) as FaultRecord), endpoint: status.url}
}

/** One line saying what the function now does. */
export function describeFault(result: FaultRecord): string {
  const who = `${result.functionName} (${result.region})`
  if (!result.fault) return `${who}: fault cleared; invocations run normally`
  if (result.fault.throttle) return `${who}: every invocation is throttled (429 TooManyRequestsException; an HTTP API answers 500)`
  const ms = result.fault.delayMs ?? 0
  const shown = ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
  return `${who}: each invocation waits ${shown} before the handler runs (counted against the function timeout)`
}
