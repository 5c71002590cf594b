/**
 * Request ids in the shapes API Gateway uses, from a caller-supplied random source so they are pure and
 * testable (the emulator passes `crypto.randomBytes`).
 *
 * Shapes, from live events (hotsock/voker `vokerhttp/testdata`, AWS docs examples):
 * - HTTP API `requestContext.requestId` and the `apigw-requestid` response header: 16 characters, 15
 *   base64 characters then `=` (`JEvJkhfEoAMEVLw=`, `ATfSmjLgPHcESJw=`), i.e. 11 bytes in base64.
 * - REST `requestContext.extendedRequestId` and the `x-amz-apigw-id` header: the same shape
 *   (`ATfSdF7nPHcErRA=`).
 * - REST `requestContext.requestId` and the `x-amzn-RequestId` header: a version 4 UUID.
 */

/** Returns `size` random bytes. */
export type RandomSource = (size: number) => Uint8Array

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
// In 11 bytes of base64 the 15th character carries only 4 bits, so it is one of these 16.
const LAST_CHAR = 'AEIMQUYcgkosw048'

/**
 * The id shape of `apigw-requestid` / `extendedRequestId`. Real ids look alphanumeric (they are not
 * random bytes but an encoded timestamp and counter), so `+` and `/` are avoided.
 */
function base64Shaped(random: RandomSource): string {
  const bytes = random(15)
  let out = ''
  for (let i = 0; i < 14; i++) out += ALPHANUMERIC[bytes[i] % ALPHANUMERIC.length]
  out += LAST_CHAR[bytes[14] % LAST_CHAR.length]
  return `${out}=`
}

/** HTTP API request id, e.g. `JEvJkhfEoAMEVLw=` (also the `apigw-requestid` response header). */
export function httpApiRequestId(random: RandomSource): string {
  return base64Shaped(random)
}

/** REST `extendedRequestId`, e.g. `ATfSdF7nPHcErRA=` (also the `x-amz-apigw-id` response header). */
export function restExtendedRequestId(random: RandomSource): string {
  return base64Shaped(random)
}

/** REST `requestId`, a version 4 UUID (also the `x-amzn-RequestId` response header). */
export function restRequestId(random: RandomSource): string {
  const b = Uint8Array.from(random(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const HTTP_API_REQUEST_ID = /^[A-Za-z0-9]{14}[AEIMQUYcgkosw048]=$/
export const REST_REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
