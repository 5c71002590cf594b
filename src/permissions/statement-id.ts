import {createHash} from 'node:crypto'

/**
 * Deterministic statement ids: `tracegate-{apiId}-{hash of the source ARN}`. Adding the same grant twice
 * names the same statement, so a re-run of deploy meets Lambda's 409 "statement id already exists" instead
 * of growing the policy (DESIGN.md; aws-semantics §1.2).
 *
 * AddPermission accepts statement ids of 1-100 characters matching `[a-zA-Z0-9-_]+` (RemovePermission's
 * pattern also allows `.`); the ids stay inside AddPermission's.
 */

export const STATEMENT_ID_PREFIX = 'tracegate-'
export const STATEMENT_ID_MAX_LENGTH = 100
/** Hex characters of the SHA-256 of the source ARN kept in the id (48 bits: collisions are not a concern). */
export const STATEMENT_ID_HASH_LENGTH = 12

const HASH_SUFFIX = new RegExp(`-[0-9a-f]{${STATEMENT_ID_HASH_LENGTH}}$`)
const ALLOWED = /^[A-Za-z0-9_-]+$/

/** Short, stable hash of a source ARN (hex). */
export function sourceArnHash(sourceArn: string): string {
  return createHash('sha256').update(sourceArn, 'utf8').digest('hex').slice(0, STATEMENT_ID_HASH_LENGTH)
}

/** The statement id tracegate uses for the grant of `sourceArn` on API `apiId`. */
export function statementIdFor(apiId: string, sourceArn: string): string {
  const room = STATEMENT_ID_MAX_LENGTH - STATEMENT_ID_PREFIX.length - 1 - STATEMENT_ID_HASH_LENGTH
  // API ids are 10 lower-case alphanumerics on AWS; anything else (an emulator, a typo) is made safe.
  const safeApiId = (apiId.replace(/[^A-Za-z0-9_-]/g, '_') || '_').slice(0, room)
  return `${STATEMENT_ID_PREFIX}${safeApiId}-${sourceArnHash(sourceArn)}`
}

/** True for statement ids tracegate creates (`tracegate-{apiId}-{12 hex}`). */
export function isTracegateStatement(sid: string | undefined): boolean {
  if (typeof sid !== 'string' || sid.length > STATEMENT_ID_MAX_LENGTH) return false
  if (!sid.startsWith(STATEMENT_ID_PREFIX) || !ALLOWED.test(sid) || !HASH_SUFFIX.test(sid)) return false
  // There must be a non-empty API id between the prefix and the hash.
  return sid.length > STATEMENT_ID_PREFIX.length + 1 + STATEMENT_ID_HASH_LENGTH
}

/** The API id embedded in a tracegate statement id (sanitised form), or `undefined`. */
export function apiIdOfStatement(sid: string | undefined): string | undefined {
  if (!isTracegateStatement(sid)) return undefined
  return sid!.slice(STATEMENT_ID_PREFIX.length, sid!.length - STATEMENT_ID_HASH_LENGTH - 1)
}
