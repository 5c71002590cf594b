import {randomBytes, randomUUID} from 'node:crypto'

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** Lower-case alphanumeric id of the length API Gateway uses (10 for APIs, 7 for routes and integrations). */
export function gatewayId(length: number): string {
  const bytes = randomBytes(length)
  let id = ''
  for (let i = 0; i < length; i++) id += ALPHANUMERIC[bytes[i] % ALPHANUMERIC.length]
  return id
}

/** IAM unique ids: a 4-letter prefix (`AROA` for roles) and 17 upper-case alphanumerics. */
export function iamUniqueId(prefix: string): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const bytes = randomBytes(17)
  let id = prefix
  for (let i = 0; i < 17; i++) id += chars[bytes[i] % chars.length]
  return id
}

export function requestId(): string {
  return randomUUID()
}
