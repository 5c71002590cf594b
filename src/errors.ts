/**
 * Two error families (STYLE.md rule 8): a UserError is something the user can fix (bad config, a flag, a
 * missing permission); anything else is a bug and is reported as one. Exit codes live in one table
 * (EXIT_CODES) that the root help prints.
 */

export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `tracegate invoke` reached the endpoint and diagnosed a failing answer. */
  diagnosed: 3,
  /** Some of the work was done, some was not (e.g. a prune that removed part of its plan). */
  partial: 4,
  /** The embedded emulator could not be started or reached. */
  emulator: 5,
} as const

export type ExitCodeName = keyof typeof EXIT_CODES

export const EXIT_CODE_DESCRIPTIONS: Record<ExitCodeName, string> = {
  ok: 'success',
  failure: 'the operation failed (an AWS error, a bug)',
  usage: 'usage or configuration error: a flag, tracegate.json, a route key, a missing permission to fix',
  diagnosed: 'invoke: the endpoint answered with a failure and tracegate diagnosed it',
  partial: 'partial: part of the planned changes were applied',
  emulator: 'the local emulator could not be started or reached',
}

export interface UserErrorOptions {
  /** A "try this" line shown under the message. */
  suggestion?: string
  /** Exit code name; defaults to `usage` (2). */
  exit?: ExitCodeName
  /** Structured details for --json output. */
  details?: Record<string, unknown>
  cause?: unknown
}

export class UserError extends Error {
  readonly code: string
  readonly suggestion?: string
  readonly exitCode: number
  readonly details?: Record<string, unknown>

  constructor(code: string, message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'UserError'
    this.code = code
    this.suggestion = options.suggestion
    this.exitCode = EXIT_CODES[options.exit ?? 'usage']
    this.details = options.details
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.suggestion ? {suggestion: this.suggestion} : {}),
      ...(this.details ? {details: this.details} : {}),
    }
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError || (error instanceof Error && error.name === 'UserError' && 'code' in error)
}

/** The exit-code table as help text lines. */
export function exitCodeTable(): string {
  return (Object.keys(EXIT_CODES) as ExitCodeName[])
    .map((name) => `${EXIT_CODES[name]}  ${EXIT_CODE_DESCRIPTIONS[name]}`)
    .join('\n')
}
