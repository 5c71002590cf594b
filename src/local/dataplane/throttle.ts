/**
 * Stage and route throttling of HTTP APIs (`defaultRouteSettings` / `routeSettings`: `throttlingRateLimit`
 * requests per second, `throttlingBurstLimit` bucket size). API Gateway uses a token bucket: the bucket holds
 * up to `burst` tokens, refills at `rate` per second, and a request that finds it empty is answered 429
 * `{"message":"Too Many Requests"}` (aws-semantics §5) without reaching the integration.
 *
 * A setting that is absent means no stage limit (the account's 10,000 rps default is not modelled). A limit of
 * 0 lets nothing through, which is how people block a route on purpose.
 */
import type {ThrottleSettings} from './cache.js'

interface Bucket {
  tokens: number
  updatedMs: number
  rate: number
  burst: number
}

export class ThrottleBuckets {
  private readonly buckets = new Map<string, Bucket>()

  /** Takes a token for `key`; false when the request must be throttled. */
  take(key: string, settings: ThrottleSettings, nowMs = performance.now()): boolean {
    if (settings.rateLimit === undefined && settings.burstLimit === undefined) return true
    if (settings.rateLimit === 0 || settings.burstLimit === 0) return false
    // Only one of the two set: the other one does not limit (a rate alone gets a bucket of one second's worth).
    const rate = settings.rateLimit ?? Number.POSITIVE_INFINITY
    const burst = settings.burstLimit ?? Math.max(1, Math.ceil(rate))
    let bucket = this.buckets.get(key)
    if (!bucket || bucket.rate !== rate || bucket.burst !== burst) {
      bucket = {tokens: burst, updatedMs: nowMs, rate, burst}
      this.buckets.set(key, bucket)
    } else {
      const refill = Number.isFinite(rate) ? ((nowMs - bucket.updatedMs) / 1000) * rate : burst
      bucket.tokens = Math.min(burst, bucket.tokens + refill)
      bucket.updatedMs = nowMs
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return true
    }
    return false
  }
}
