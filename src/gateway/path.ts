/**
 * Path and query-string helpers shared by route matching and the event builders.
 *
 * The two API types disagree on encoding, and handlers see the difference (aws-semantics §4.1, checked
 * against live captures published in hotsock/voker `vokerhttp/testdata` and LocalStack's AWS-validated
 * `test_lambda_aws_proxy_integration` snapshot):
 * - REST APIs hand the path and path parameters to the function still percent-encoded
 *   (`/capture/space%20value`, `{"proxy":"capture/space%20value"}`).
 * - HTTP APIs decode the path before routing (`rawPath: "/capture/space value"`), so path parameters are
 *   decoded too ("API Gateway decodes URL-encoded request parameters", HTTP API routes docs).
 * - Both decode query-string keys and values (`+` is a space, `%2B` a plus).
 */

/**
 * Percent-decodes a string without ever throwing: a malformed or non-UTF-8 escape stays as written,
 * so a hostile path such as `/%E0%A4%A` cannot crash the data plane.
 */
export function safeDecode(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    // Decode run by run: a run of escapes that forms valid UTF-8 is decoded, anything else kept literally.
    return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

/**
 * The path an HTTP API hands to routing and to the function: percent-decoded. A decoded `?` ends the
 * path, as API Gateway re-parses the decoded URL (reported from live captures in middleapi/standard-server
 * PR #93, citing hotsock/voker; not in AWS docs).
 */
export function decodeHttpApiPath(rawPath: string): string {
  const decoded = safeDecode(rawPath)
  const question = decoded.indexOf('?')
  const path = question === -1 ? decoded : decoded.slice(0, question)
  return path === '' ? '/' : path
}

/**
 * REST APIs collapse leading slashes before routing and in the event's `path`
 * (`/stage//proxy-value` → `path: "/proxy-value"`), keep a trailing slash and inner `//` (LocalStack's
 * AWS-validated snapshot `invocation-payload-with-prepended-slash`).
 */
export function collapseLeadingSlashes(path: string): string {
  if (path === '') return '/'
  return path.startsWith('//') ? `/${path.replace(/^\/+/, '')}` : path
}

/** Splits a path for matching: leading slashes collapsed, one trailing slash ignored. */
export function pathSegments(path: string): string[] {
  let p = collapseLeadingSlashes(path)
  // API Gateway ignores a trailing slash when matching (`/proxy-value/` matched `/{proxy+}` with
  // proxy="proxy-value" in LocalStack's AWS-validated snapshot).
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1)
  if (p === '/' || p === '') return []
  return p.slice(1).split('/')
}

export interface QueryParameter {
  name: string
  value: string
}

/**
 * Parses a raw query string the way API Gateway does: `&`-separated, `+` is a space, percent-escapes
 * decoded, a key without `=` has the empty value, empty pieces (`a=1&&b=2`) are skipped.
 */
export function parseQueryString(rawQueryString: string): QueryParameter[] {
  const out: QueryParameter[] = []
  const raw = rawQueryString.startsWith('?') ? rawQueryString.slice(1) : rawQueryString
  if (raw === '') return out
  for (const piece of raw.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const rawName = eq === -1 ? piece : piece.slice(0, eq)
    const rawValue = eq === -1 ? '' : piece.slice(eq + 1)
    out.push({name: safeDecode(rawName.replace(/\+/g, ' ')), value: safeDecode(rawValue.replace(/\+/g, ' '))})
  }
  return out
}
