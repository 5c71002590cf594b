import {deniedAction, errorName, isAccessDenied} from '../../aws/errors.js'
import type {Evidence} from '../../diagnose/evidence.js'

/** Thrown inside a collector to report that something was not there to see (not an error). */
export class NotSeen extends Error {
  constructor(note: string) {
    super(note)
    this.name = 'NotSeen'
  }
}

/** A short, safe description of why a read failed (an AWS error's name and message, never a request). */
export function describeFailure(error: unknown, action: string): string {
  if (isAccessDenied(error)) return `access denied: your AWS identity may not call ${deniedAction(error, action)}`
  const name = errorName(error)
  const message = String((error as {message?: string})?.message ?? error)
  return `${action} failed: ${name && !message.startsWith(name) ? `${name}: ` : ''}${message}`
}

/**
 * Runs one collector within its time budget. Whatever happens, the result is evidence: `seen` from the
 * collector, `not-seen` when it threw `NotSeen`, `error` when it failed or ran out of time. The collector
 * gets an AbortSignal to pass to its AWS calls, so a slow call does not outlive the budget.
 */
export async function withBudget<S extends string, F>(
  source: S,
  action: string,
  budgetMs: number,
  collect: (signal: AbortSignal) => Promise<Evidence<S, F>>,
): Promise<Evidence<S, F>> {
  const controller = new AbortController()
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort()
      resolve('timeout')
    }, budgetMs)
  })
  const took = () => Math.round(performance.now() - started)
  try {
    const work = collect(controller.signal)
    // Once the budget is spent the collector's own failure no longer matters; it must not go unhandled.
    work.catch(() => {})
    const result = await Promise.race([work, timeout])
    if (result === 'timeout') {
      return {source, status: 'error', note: `no answer within ${(budgetMs / 1000).toFixed(budgetMs < 10_000 ? 1 : 0)} s (${action})`, durationMs: took()}
    }
    return {...result, durationMs: result.durationMs ?? took()}
  } catch (error) {
    if (error instanceof NotSeen) return {source, status: 'not-seen', note: error.message, durationMs: took()}
    if (controller.signal.aborted) {
      return {source, status: 'error', note: `no answer within ${(budgetMs / 1000).toFixed(1)} s (${action})`, durationMs: took()}
    }
    return {source, status: 'error', note: describeFailure(error, action), durationMs: took()}
  } finally {
    clearTimeout(timer)
  }
}
