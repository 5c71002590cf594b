/**
 * IAM's ARN condition operators, as Lambda evaluates a resource policy.
 *
 * - `ArnLike` and `ArnEquals` behave identically in IAM: both accept `*` (any run of characters, possibly
 *   empty) and `?` (exactly one character).
 * - Each of the six colon-delimited components (`arn`, partition, service, region, account, resource) is
 *   matched separately, so a wildcard never spans a `:` between components, and a pattern with fewer than six
 *   components matches nothing. Inside the resource component (everything after the fifth colon) `*` does
 *   cross `/` (and `:`), which is why `{apiId}/*` covers every stage, method and path (aws-semantics §3).
 * - The comparison is case-sensitive in every component.
 */

/** The six components of an ARN: `arn`, partition, service, region, account, resource. */
export type ArnComponents = [string, string, string, string, string, string]

/** Splits an ARN (or an ARN pattern) into its six components; `undefined` when it has fewer. */
export function splitArn(arn: string): ArnComponents | undefined {
  if (typeof arn !== 'string') return undefined
  const parts: string[] = []
  let start = 0
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start)
    if (colon === -1) return undefined
    parts.push(arn.slice(start, colon))
    start = colon + 1
  }
  parts.push(arn.slice(start))
  return parts as ArnComponents
}

/** True when the string contains an IAM wildcard (`*` or `?`). */
export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?')
}

/**
 * Case-sensitive glob match of a whole string: `*` matches any run of characters (including none), `?`
 * exactly one. Iterative with single-star backtracking, so it is linear in practice and never recursive.
 */
export function globMatch(pattern: string, value: string): boolean {
  let p = 0
  let v = 0
  let starP = -1
  let starV = 0
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === value[v]))) {
      p++
      v++
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++
      starV = v
    } else if (starP !== -1) {
      p = starP + 1
      v = ++starV
    } else {
      return false
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++
  return p === pattern.length
}

/** IAM `ArnLike` / `ArnEquals`: component-wise glob match of an ARN against a pattern. */
export function arnLike(pattern: string, arn: string): boolean {
  const patternParts = splitArn(pattern)
  const arnParts = splitArn(arn)
  if (!patternParts || !arnParts) return false
  return arnPartsLike(patternParts, arnParts)
}

/** `arnLike` on ARNs already split (policy evaluation splits each pattern once, not once per request). */
export function arnPartsLike(pattern: ArnComponents, arn: ArnComponents): boolean {
  for (let i = 0; i < 6; i++) {
    const p = pattern[i]
    // Most components are literal: a plain comparison is enough.
    if (p.includes('*') || p.includes('?') ? !globMatch(p, arn[i]) : p !== arn[i]) return false
  }
  return true
}

/** IAM `StringLike`: a glob over the whole string (wildcards span `:` here, unlike `ArnLike`). */
export function stringLike(pattern: string, value: string): boolean {
  return globMatch(pattern, value)
}
