import type {GatewayErrorCondition} from '../gateway/errors.js'
import type {GatewayFacts} from './evidence.js'
import type {Cause} from './verdicts.js'

/** A cause the gateway's answer allows, with how strongly the answer alone points at it. */
export interface PossibleCause {
  cause: Cause
  /** 3: the answer alone names this cause; 2: it very likely does; 0: possible, other evidence must decide. */
  prior: number
  reason: string
}

/** The causes each failure condition of `src/gateway/errors.ts` stands for. */
export const CAUSES_OF_CONDITION: Record<GatewayErrorCondition, Cause[]> = {
  'permission-denied': ['invocation-rejected/permission'],
  // Lambda reports a function that hit its timeout as a function error (aws-semantics §5).
  'function-error': ['function-error', 'function-timeout'],
  'malformed-response': ['malformed-response'],
  throttled: ['invocation-rejected/throttled'],
  'integration-timeout': ['integration-timeout'],
  'route-not-found': ['route-not-found'],
  'request-too-large': ['payload-too-large'],
  'api-payload-too-large': ['payload-too-large'],
  'response-too-large': ['payload-too-large'],
  // No verdict names a Lambda service failure; it stays among what `unknown` may be.
  'lambda-service-error': [],
  'stage-throttled': ['invocation-rejected/throttled'],
}

/**
 * The causes a gateway answer allows, from the status mapping (aws-semantics §5, as `src/gateway/errors.ts`
 * encodes it). This is where the API type matters most: a REST API separates "Lambda refused the invocation"
 * (500) from "the function failed or answered badly" (502); an HTTP API answers 500 for all of them, so its
 * 500 narrows nothing.
 */
export function possibleCauses(answer: GatewayFacts): PossibleCause[] {
  const {apiType, status, origin} = answer
  const apiName = apiType === 'http' ? 'HTTP APIs' : 'REST APIs'
  if (status < 400) return [{cause: 'ok', prior: 3, reason: `API Gateway answered ${status}`}]
  if (origin === 'function') {
    return [{cause: 'ok', prior: 3, reason: `the ${status} body is the function's own, not one of API Gateway's error answers`}]
  }
  const causes = [...new Set(answer.conditions.flatMap((c) => CAUSES_OF_CONDITION[c]))]
  const conditions = answer.conditions.join(', ')
  // One cause: the answer names it. Certain when the answer carries a mark only API Gateway leaves; an
  // HTTP API's bare `{"message":"Not Found"}` is also what a function answering 404 would send.
  const single = causes.length === 1
  const prior = !single ? 0 : origin === 'gateway' ? (answer.distinctive ? 3 : 2) : 1
  const reason = single
    ? `${apiName} answer ${status} like this for: ${conditions} (aws-semantics §5)`
    : `${apiName} answer ${status} like this for any of: ${conditions} (aws-semantics §5)`
  const possible: PossibleCause[] = causes.map((cause) => ({cause, prior, reason}))
  // A function can return any status with any body, even one identical to a gateway answer; only other
  // evidence (a replay answering the same status) can show that.
  if (!answer.distinctive) possible.push({cause: 'ok', prior: 0, reason: 'the function itself could have answered this'})
  return possible
}
