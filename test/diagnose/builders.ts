import {classifyAnswer} from '../../src/diagnose/answer.js'
import type {
  EvidenceSet,
  FunctionEvidence,
  FunctionFacts,
  GatewayFacts,
  PermissionEvidence,
  PermissionFacts,
  ReplayEvidence,
  ReplayFacts,
  RouteEvidence,
  RouteFacts,
  ThrottlingEvidence,
  TraceEvidence,
  TraceFacts,
} from '../../src/diagnose/evidence.js'
import {type GatewayErrorCondition, gatewayErrorResponse} from '../../src/gateway/errors.js'

/** Builders with overrides (STYLE rule 12): plain-data evidence for the diagnosis rules. */

export const FN = 'orders-getOrder'
export const SOURCE_ARN = 'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/$default/GET/orders/*'

/** Gateway answer input: a failure `condition` of the gateway table (default: function-error), or the function's own `status`. */
export type AnswerInput = Partial<GatewayFacts> & {condition?: GatewayErrorCondition}

/** The facts of a real gateway answer: status and body from `gatewayErrorResponse`, classified by `classifyAnswer`. */
export function answer(input: AnswerInput = {}): GatewayFacts {
  const {condition, ...overrides} = input
  const apiType = overrides.apiType ?? 'http'
  const base = {apiType, durationMs: 120, requestBytes: 0, method: 'GET', path: '/orders/42'}
  if (overrides.origin === 'function' || (overrides.status !== undefined && overrides.origin === undefined)) {
    return {...base, status: 200, origin: 'function', conditions: [], distinctive: false, ...overrides}
  }
  const response = gatewayErrorResponse(apiType, condition ?? 'function-error')
  const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]))
  const classified = classifyAnswer(apiType, response.statusCode, headers, response.body)
  return {...base, status: response.statusCode, errorType: headers['x-amzn-errortype'], ...classified, ...overrides}
}

export function evidence(gateway: AnswerInput = {}, rest: Omit<EvidenceSet, 'gateway'> = {}): EvidenceSet {
  return {gateway: {source: 'gateway', status: 'seen', facts: answer(gateway)}, ...rest}
}

export function routeMatched(overrides: Partial<RouteFacts['matched']> = {}, facts: Partial<RouteFacts> = {}): RouteEvidence {
  return {
    source: 'route',
    status: 'seen',
    facts: {
      stage: '$default',
      apiId: 'a1b2c3d4e5',
      nearest: [],
      matched: {routeKey: 'GET /orders/{id}', functionName: FN, integrationId: 'int1234', payloadFormatVersion: '2.0', ...overrides},
      ...facts,
    },
  }
}

export function routeMissing(facts: Partial<RouteFacts> = {}): RouteEvidence {
  return {source: 'route', status: 'seen', facts: {stage: '$default', apiId: 'a1b2c3d4e5', nearest: ['GET /orders/{id}'], ...facts}}
}

export function permissionAllowed(overrides: Partial<PermissionFacts> = {}): PermissionEvidence {
  return {
    source: 'permission',
    status: 'seen',
    facts: {functionName: FN, sourceArn: SOURCE_ARN, policyExists: true, allowed: true, statementId: 'tracegate-a1b2c3d4e5-0123456789ab', ...overrides},
  }
}

export function permissionDenied(overrides: Partial<PermissionFacts> = {}): PermissionEvidence {
  return {
    source: 'permission',
    status: 'seen',
    facts: {
      functionName: FN,
      sourceArn: SOURCE_ARN,
      policyExists: true,
      allowed: false,
      grant: {functionName: FN, statementId: 'tracegate-a1b2c3d4e5-0123456789ab', sourceArn: 'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/$default/GET/orders/*'},
      ...overrides,
    },
  }
}

export const permissionUnreadable: PermissionEvidence = {
  source: 'permission',
  status: 'error',
  note: 'AccessDeniedException: not authorized to perform lambda:GetPolicy',
}

export function throttling(reservedConcurrency?: number): ThrottlingEvidence {
  return {source: 'throttling', status: 'seen', facts: {functionName: FN, reservedConcurrency}}
}

export function fn(overrides: Partial<FunctionFacts> = {}): FunctionEvidence {
  return {
    source: 'function',
    status: 'seen',
    facts: {functionName: FN, exists: true, timeoutSeconds: 10, memoryMb: 256, state: 'Active', tracingMode: 'Active', configKey: 'getOrder', ...overrides},
  }
}

export function trace(overrides: Partial<TraceFacts> = {}): TraceEvidence {
  return {
    source: 'trace',
    status: 'seen',
    facts: {
      traceId: '1-5759e988-bd862e3fe1be46a994272793',
      foundBy: 'trace-header',
      functionInvoked: true,
      functionFault: false,
      functionError: false,
      throttle: false,
      functionDurationMs: 80,
      ...overrides,
    },
  }
}

export const noTrace: TraceEvidence = {
  source: 'trace',
  status: 'not-seen',
  note: 'no trace of orders-getOrder between 12:00:01 and 12:00:03',
}

export function replay(overrides: Partial<ReplayFacts> = {}): ReplayEvidence {
  return {source: 'replay', status: 'seen', facts: {functionName: FN, durationMs: 85, outcome: 'ok', statusCode: 200, responseBytes: 120, ...overrides}}
}

export function replayThrew(type = 'TypeError', message = "Cannot read properties of undefined (reading 'id')"): ReplayEvidence {
  return replay({
    outcome: 'function-error',
    statusCode: undefined,
    responseBytes: undefined,
    functionError: {type, message, frames: ['at handler (file:///var/task/src/get-order.js:12:9)'], timedOut: false, responseTooLarge: false},
  })
}

export const replaySkipped: ReplayEvidence = {
  source: 'replay',
  status: 'not-seen',
  note: 'skipped: POST would run the function again; pass --replay to allow it',
}
