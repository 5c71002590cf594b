import {GATEWAY_ERROR_CONDITIONS, GATEWAY_ERROR_TABLE, type GatewayErrorCondition} from '../gateway/errors.js'
import type {ApiType} from './evidence.js'

/**
 * Who wrote a response: API Gateway (one of its fixed error answers) or the function. The answers are the
 * emulator's own table (`src/gateway/errors.ts`, aws-semantics §5), so the rules that produce a failure
 * locally are the rules that recognise it here.
 */
export interface AnswerClass {
  origin: 'gateway' | 'function' | 'unknown'
  /** The failure conditions whose answer this is (several share one answer: an HTTP API 500 is six of them). */
  conditions: GatewayErrorCondition[]
  /** The answer carries something a function would not send (REST's `x-amzn-ErrorType`, a plain-text 413). */
  distinctive: boolean
}

function sameBody(expected: string, actual: string): boolean {
  if (expected === actual) return true
  // Compare JSON by value: a proxy in between may re-serialise it (`{"message": …}` vs `{"message":…}`).
  try {
    return JSON.stringify(JSON.parse(expected)) === JSON.stringify(JSON.parse(actual))
  } catch {
    return false
  }
}

/**
 * Classifies an answer. `headers` keys must be lower-case. A REST answer with `x-amzn-ErrorType` counts as
 * API Gateway's even when its body was customised (gateway responses can be), matched on status and type.
 */
export function classifyAnswer(apiType: ApiType, status: number, headers: Record<string, string>, body: string): AnswerClass {
  if (status < 400) return {origin: 'function', conditions: [], distinctive: false}
  const table = GATEWAY_ERROR_TABLE[apiType]
  const errorType = headers['x-amzn-errortype']?.split(':')[0]
  const rows = GATEWAY_ERROR_CONDITIONS.filter((c) => table[c].statusCode === status)
  const exact = rows.filter((c) => sameBody(table[c].body, body.trim()) && (!errorType || !table[c].errorType || table[c].errorType === errorType))
  if (exact.length > 0) {
    const distinctive = exact.some((c) => (errorType !== undefined && table[c].errorType === errorType) || table[c].contentType !== 'application/json')
    return {origin: 'gateway', conditions: exact, distinctive}
  }
  if (apiType === 'rest' && errorType) {
    const typed = rows.filter((c) => table[c].errorType === errorType)
    if (typed.length > 0) return {origin: 'gateway', conditions: typed, distinctive: true}
  }
  // An empty body on an error status: nothing says who wrote it; the status alone narrows the conditions.
  if (body.trim() === '') return {origin: 'unknown', conditions: rows, distinctive: false}
  return {origin: 'function', conditions: [], distinctive: false}
}
