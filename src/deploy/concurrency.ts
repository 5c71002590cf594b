/**
 * Apply runs independent work concurrently and starts each piece as soon as what it needs is ready. These two
 * helpers keep that honest: every piece of work runs to its end (no half-started step is abandoned), and the
 * first failure is reported once everything has settled.
 */

/** Waits for every promise, then rethrows the first rejection (in array order), else returns the values. */
export async function settleAll<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<T>).value)
}

/**
 * Marks a promise whose rejection is observed elsewhere (through `settleAll`), so Node does not report it as
 * unhandled while the rest of the work finishes.
 */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}

/** A function that starts `make` on first call and returns the same promise afterwards. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined
  return () => {
    promise ??= observed(make())
    return promise
  }
}
