/** The verdicts `tracegate invoke` can reach, and the order in which a request meets them. */

export const VERDICTS = [
  'route-not-found',
  'payload-too-large',
  'invocation-rejected/throttled',
  'invocation-rejected/permission',
  'function-error',
  'function-timeout',
  'integration-timeout',
  'malformed-response',
  'ok',
  'unknown',
] as const

export type Verdict = (typeof VERDICTS)[number]
/** Verdicts that name a cause (everything but `unknown`). */
export type Cause = Exclude<Verdict, 'unknown'>

export type Confidence = 'high' | 'medium' | 'low'

/** A short title per verdict, for the diagnosis panel's first line. */
export const VERDICT_TITLES: Record<Verdict, string> = {
  'route-not-found': 'Route not found',
  'payload-too-large': 'Payload too large',
  'invocation-rejected/throttled': 'Invocation rejected: throttled',
  'invocation-rejected/permission': 'Invocation rejected: API Gateway may not invoke the function',
  'function-error': 'Function error',
  'function-timeout': 'Function timed out',
  'integration-timeout': 'Integration timed out',
  'malformed-response': 'Malformed proxy response',
  ok: 'No gateway or integration failure',
  unknown: 'Cause not determined',
}

/**
 * Where in the request's path each cause happens. A request is routed, size-checked, then API Gateway asks
 * Lambda to invoke (permission, throttling), then the function runs, then its output is mapped. A cause late in
 * the path can only be certain once the earlier causes that the answer allows are ruled out: a throwing
 * function seen on replay does not prove API Gateway was allowed to call it.
 */
export const STAGE: Record<Cause, number> = {
  'route-not-found': 0,
  'payload-too-large': 1,
  'invocation-rejected/throttled': 2,
  'invocation-rejected/permission': 2,
  'function-error': 3,
  'function-timeout': 3,
  'integration-timeout': 3,
  'malformed-response': 4,
  ok: 5,
}

/** Tie-break order when two causes have the same support: earlier in the request's path wins. */
export const PRIORITY: readonly Cause[] = [
  'route-not-found',
  'payload-too-large',
  'invocation-rejected/permission',
  'invocation-rejected/throttled',
  'function-timeout',
  'integration-timeout',
  'function-error',
  'malformed-response',
  'ok',
]
