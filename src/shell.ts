/** Single-quotes a value for a POSIX shell (`$default` in a source ARN must not expand, aws-semantics §3). */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`
}
