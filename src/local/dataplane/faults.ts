/**
 * Fault injection, the emulator's own endpoint (not an AWS API): `tracegate local fault` makes a function
 * throttle (every invocation answers 429 TooManyRequestsException, so an HTTP API answers 500) or slow (a delay
 * before the handler runs, counted against the function timeout, so a small integration timeout answers 503).
 *
 *   GET  /_tracegate/faults                                → {faults: [{functionName, region, fault}]}
 *   POST /_tracegate/faults {functionName, region?, throttle?, delayMs?, clear?}
 *                                                          → {functionName, region, fault | null}
 *
 * Setting a fault replaces the function's previous one; `clear: true` removes it. Without `region`, the
 * function is looked up by name in every region and must be unique. Errors are `{message}` with 400, 404 or 409.
 */
import type {ServerResponse} from 'node:http'
import type {FaultSettings, FunctionRecord, Store} from '../store.js'
import type {EmulatorRequest} from '../wire.js'
import {writeResponse} from './respond.js'

export const FAULTS_PATH = '/_tracegate/faults'
/** Lambda's maximum function timeout: a longer delay could never end in anything but a timeout. */
export const MAX_FAULT_DELAY_MS = 900_000

export interface FaultRecord {
  functionName: string
  region: string
  fault: FaultSettings | null
}

export interface FaultRequest {
  functionName: string
  region?: string
  throttle?: boolean
  delayMs?: number
  clear?: boolean
}

class FaultError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

function parseFaultRequest(body: Buffer): FaultRequest {
  let input: unknown
  try {
    input = JSON.parse(body.toString('utf8') || '{}')
  } catch {
    throw new FaultError(400, 'The body must be JSON: {"functionName": "...", "throttle": true | "delayMs": 5000 | "clear": true}')
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new FaultError(400, 'The body must be a JSON object')
  const {functionName, region, throttle, delayMs, clear} = input as Record<string, unknown>
  if (typeof functionName !== 'string' || functionName === '') throw new FaultError(400, 'functionName is required')
  if (region !== undefined && typeof region !== 'string') throw new FaultError(400, 'region must be a string')
  if (throttle !== undefined && typeof throttle !== 'boolean') throw new FaultError(400, 'throttle must be true or false')
  if (clear !== undefined && typeof clear !== 'boolean') throw new FaultError(400, 'clear must be true or false')
  if (delayMs !== undefined && (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_FAULT_DELAY_MS)) {
    throw new FaultError(400, `delayMs must be a whole number of milliseconds from 0 to ${MAX_FAULT_DELAY_MS}`)
  }
  const chosen = [throttle === true, delayMs !== undefined, clear === true].filter(Boolean).length
  if (chosen !== 1) throw new FaultError(400, 'Give exactly one of throttle: true, delayMs or clear: true')
  return {functionName, region, throttle, delayMs, clear} as FaultRequest
}

function findFunction(store: Store, name: string, region: string | undefined): FunctionRecord {
  if (region !== undefined) {
    const fn = store.getFunction(region, name)
    if (!fn) throw new FaultError(404, `Function ${name} does not exist in ${region}`)
    return fn
  }
  const found = store.allFunctions().filter((fn) => fn.name === name)
  if (found.length === 0) throw new FaultError(404, `Function ${name} does not exist in any region`)
  if (found.length > 1) {
    throw new FaultError(409, `Function ${name} exists in several regions (${found.map((fn) => fn.region).join(', ')}); name one with region`)
  }
  return found[0]
}

/** Applies a fault request to the store and returns the function's fault as it now is. */
export function applyFault(store: Store, request: FaultRequest): FaultRecord {
  const fn = findFunction(store, request.functionName, request.region)
  const fault: FaultSettings | null = request.clear ? null : request.throttle ? {throttle: true} : {delayMs: request.delayMs}
  store.setFault(fn.region, fn.name, fault)
  return {functionName: fn.name, region: fn.region, fault}
}

export function listFaults(store: Store): FaultRecord[] {
  return store
    .allFunctions()
    .filter((fn) => fn.fault)
    .map((fn) => ({functionName: fn.name, region: fn.region, fault: fn.fault}))
}

/** Answers the faults endpoint; `onChange` runs after a fault was set or cleared. */
export function handleFaults(request: EmulatorRequest, response: ServerResponse, store: Store, onChange: () => void): boolean {
  if (request.path !== FAULTS_PATH) return false
  const json = {'content-type': 'application/json'}
  try {
    if (request.method === 'GET') {
      writeResponse(response, 200, json, JSON.stringify({faults: listFaults(store)}))
    } else if (request.method === 'POST') {
      const record = applyFault(store, parseFaultRequest(request.body))
      onChange()
      writeResponse(response, 200, json, JSON.stringify(record))
    } else {
      writeResponse(response, 405, {...json, allow: 'GET, POST'}, JSON.stringify({message: `${request.method} is not allowed on ${FAULTS_PATH}`}))
    }
  } catch (error) {
    if (!(error instanceof FaultError)) throw error
    writeResponse(response, error.status, json, JSON.stringify({message: error.message}))
  }
  return true
}
