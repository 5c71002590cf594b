import type {GatewayFacts} from './evidence.js'
import type {Cause} from './verdicts.js'

/** A cause the gateway's answer allows, with how strongly the answer alone points at it. */
export interface PossibleCause {
  cause: Cause
  /** 3: the answer alone names this cause; 2: it very likely does; 0: possible, other evidence must decide. */
  prior: number
  reason: string
}

const FUNCTION_SIDE: Cause[] = ['function-error', 'function-timeout', 'malformed-response', 'payload-too-large']
const REJECTED: Cause[] = ['invocation-rejected/permission', 'invocation-rejected/throttled']

function possible(causes: Cause[], prior: number, reason: string): PossibleCause[] {
  return causes.map((cause) => ({cause, prior, reason}))
}

/**
 * The causes a gateway answer allows, from the status mapping tables (aws-semantics §5). This is where the API
 * type matters most: a REST API separates "Lambda refused the invocation" (500) from "the function failed or
 * answered badly" (502); an HTTP API answers 500 for all of them, so its 500 narrows nothing.
 */
export function possibleCauses(answer: GatewayFacts): PossibleCause[] {
  const {apiType, status, origin} = answer
  // The function's own answer, passed through: the gateway and the integration worked.
  if (status < 400) return [{cause: 'ok', prior: 3, reason: `API Gateway answered ${status}`}]
  if (origin === 'function') {
    return [{cause: 'ok', prior: 3, reason: `the ${status} body is the function's own, not one of API Gateway's fixed error answers`}]
  }
  // A function can, in principle, return any status with any body, including one identical to a gateway
  // error; only other evidence (a replay answering the same status) can show that.
  const own: PossibleCause = {cause: 'ok', prior: 0, reason: 'the function itself could have answered this status'}
  const condition = origin === 'gateway' ? answer.condition : undefined
  const rest = apiType === 'rest'

  if (condition === 'route-not-found' || (condition === undefined && ((rest && status === 403) || (!rest && status === 404)))) {
    return [
      {
        cause: 'route-not-found',
        // REST's 403 "Missing Authentication Token" is API Gateway's; an HTTP API 404 "Not Found" is
        // indistinguishable from a function that answers exactly that, so it needs the route check.
        prior: condition === undefined ? 1 : rest ? 3 : 2,
        reason: rest
          ? 'REST APIs answer 403 "Missing Authentication Token" when no resource or method matches (aws-semantics §5)'
          : 'HTTP APIs answer 404 "Not Found" when no route matches (aws-semantics §5)',
      },
      own,
    ]
  }
  if (condition === 'request-too-large' || (condition === undefined && status === 413)) {
    return [{cause: 'payload-too-large', prior: 3, reason: 'API Gateway answers 413 for a request over its payload limits (aws-semantics §5)'}, own]
  }
  if (condition === 'throttled' || (condition === undefined && status === 429)) {
    return [
      {
        cause: 'invocation-rejected/throttled',
        prior: 3,
        reason: 'API Gateway answers 429 "Too Many Requests" when stage or account throttling rejects a request (aws-semantics §5)',
      },
      own,
    ]
  }
  if (condition === 'integration-timeout' || (condition === undefined && ((rest && status === 504) || (!rest && status === 503)))) {
    return [
      {
        cause: 'integration-timeout',
        // REST's 504 "Endpoint request timed out" is unambiguous; HTTP's 503 is the documented timeout answer,
        // but "Service Unavailable" is generic enough that the duration should confirm it.
        prior: rest && condition !== undefined ? 3 : 2,
        reason: rest
          ? 'REST APIs answer 504 "Endpoint request timed out" when the integration does not answer in time (aws-semantics §5)'
          : 'HTTP APIs answer 503 "Service Unavailable" when the integration does not answer in time (aws-semantics §5)',
      },
      own,
    ]
  }
  if (rest && (condition === 'internal-error' || (condition === undefined && status === 500))) {
    return [
      ...possible(REJECTED, 0, 'REST APIs answer 500 when Lambda refuses the invocation: no permission, or throttled (aws-semantics §5)'),
      own,
    ]
  }
  if (rest && (condition === 'bad-gateway' || (condition === undefined && status === 502))) {
    return [
      ...possible(FUNCTION_SIDE, 0, 'REST APIs answer 502 when the function failed or its response is malformed (aws-semantics §5)'),
      own,
    ]
  }
  if (!rest && (condition === 'internal-error' || (condition === undefined && status === 500))) {
    return [
      ...possible(
        [...REJECTED, ...FUNCTION_SIDE],
        0,
        'HTTP APIs answer 500 for a refused invocation, a function error and a malformed response alike (aws-semantics §5)',
      ),
      own,
    ]
  }
  // Anything else (a 403 "Forbidden" from an API key, resource policy or authorizer, an unexpected 5xx): no
  // cause tracegate knows explains it.
  return [own]
}
