export type OutputMode = 'ink' | 'plain' | 'json'

/**
 * Ink only on a TTY with CI unset (STACK.md gotchas 5 and 6: Ink in CI or a pipe writes frames or erase codes
 * into logs); plain lines otherwise; JSON when asked. Decided at run time, never at import time.
 */
export function detectOutputMode(
  json: boolean,
  stream: {isTTY?: boolean; columns?: number} = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): OutputMode {
  if (json) return 'json'
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false'
  if (stream.isTTY && !ci && env.TERM !== 'dumb' && (stream.columns ?? 80) > 0) return 'ink'
  return 'plain'
}
