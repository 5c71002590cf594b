/**
 * Randomness for the ids the emulator mints on every request (API Gateway request ids, trace and segment ids), drawn
 * from a pooled buffer: one `randomBytes` call per 4 KB instead of one per id, which the profile of the
 * execute-api hot path showed as one of its largest costs. Still a CSPRNG; ids only need to be unique.
 */
import {randomBytes} from 'node:crypto'

const POOL_BYTES = 4096
let pool: Buffer = Buffer.alloc(0)
let offset = 0

/** `size` random bytes (a view into the pool: copy it if it must outlive the next call). */
export function pooledRandom(size: number): Buffer {
  if (offset + size > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, size))
    offset = 0
  }
  const bytes = pool.subarray(offset, offset + size)
  offset += size
  return bytes
}

/** An X-Ray trace id, `1-{8 hex epoch seconds}-{24 hex random}` (aws-semantics §6.1). */
export function pooledTraceId(nowMs = Date.now()): string {
  return `1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${pooledRandom(12).toString('hex')}`
}
