/**
 * Which requests a traced function (TracingConfig Active) or a traced REST stage records when the caller made no
 * sampling decision (aws-semantics §6.3). In a module of its own, light like `isolation.ts`: the emulator's
 * lifecycle and `local start` name the choices without loading the runtime.
 *
 * - `aws` (the emulator's default, `local start`): X-Ray's default sampling rule, which Lambda applies and does not
 *   let you change: the first request in each second, then 5 % of the others. A request made by hand is traced;
 *   under load the store grows by a few traces per second, as production would, instead of one per request. The
 *   reservoir is kept per function (per stage for REST APIs): how AWS shares it across a fleet is not documented,
 *   and per function is what a single caller observes.
 * - `all`: every such request is traced. Storing two segments per request costs about a quarter of the emulator's
 *   throughput (bench/emulator.js), which is why it is not the default.
 *
 * An upstream decision (`Sampled=1` / `Sampled=0` in X-Amzn-Trace-Id) is always followed, in both modes: `tracegate
 * invoke` sends `Sampled=1`, so the request it diagnoses is always traced.
 */
export type Sampling = 'all' | 'aws'
export const SAMPLINGS: readonly Sampling[] = ['all', 'aws']

/** X-Ray's default rule: a reservoir of 1 request per second, then this share of the rest. */
export const DEFAULT_RULE = {reservoirPerSecond: 1, fixedRate: 0.05} as const

/** Decides one undecided request of `key` (a function ARN, or a REST API's id and stage) arriving at `nowMs`. */
export type Sampler = (key: string, nowMs: number) => boolean

/** A sampler for `sampling`. `random` is injectable so tests can decide the fixed-rate draws. */
export function createSampler(sampling: Sampling, random: () => number = Math.random): Sampler {
  if (sampling === 'all') return () => true
  /** Per key: the second its reservoir was last refilled, and how much of it is used. */
  const reservoirs = new Map<string, {second: number; used: number}>()
  return (key, nowMs) => {
    const second = Math.floor(nowMs / 1000)
    let reservoir = reservoirs.get(key)
    if (!reservoir) {
      reservoir = {second, used: 0}
      reservoirs.set(key, reservoir)
    } else if (reservoir.second !== second) {
      reservoir.second = second
      reservoir.used = 0
    }
    if (reservoir.used < DEFAULT_RULE.reservoirPerSecond) {
      reservoir.used++
      return true
    }
    return random() < DEFAULT_RULE.fixedRate
  }
}
