import type {GatewayErrorCondition} from '../gateway/errors.js'
import type {AnyEvidence, EvidenceSet, EvidenceSource} from './evidence.js'
import {limitsOf} from './findings.js'

export type CheckState = 'pass' | 'fail' | 'unknown'

/** One line of the evidence checklist (✓ / ✗ / ?). */
export interface CheckItem {
  source: EvidenceSource
  label: string
  state: CheckState
  detail: string
}

const CONDITION_TEXT: Record<GatewayErrorCondition, string> = {
  'permission-denied': 'no invoke permission',
  'function-error': 'a function error',
  'malformed-response': 'a malformed response',
  throttled: 'Lambda throttling',
  'integration-timeout': 'an integration timeout',
  'route-not-found': 'no matching route',
  'request-too-large': 'a request over 6 MB',
  'api-payload-too-large': 'a request over 10 MB',
  'response-too-large': 'a response over 6 MB',
  'lambda-service-error': 'a Lambda service error',
  'stage-throttled': 'stage throttling',
}

export function ms(value: number): string {
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`
}

function unknown(source: EvidenceSource, label: string, evidence: AnyEvidence): CheckItem {
  return {source, label, state: 'unknown', detail: evidence.note ?? 'not seen'}
}

/** The checklist: one item per collector that ran, in the order a request meets them. */
export function checklistFor(evidence: EvidenceSet): CheckItem[] {
  const items: CheckItem[] = []
  const answer = evidence.gateway.facts
  const apiName = answer.apiType === 'http' ? 'HTTP API' : 'REST API'
  {
    const label = 'Gateway answer'
    if (answer.status < 400) {
      items.push({source: 'gateway', label, state: 'pass', detail: `${apiName} answered ${answer.status} in ${ms(answer.durationMs)}`})
    } else if (answer.origin === 'function') {
      items.push({source: 'gateway', label, state: 'pass', detail: `${answer.status} with the function's own body, passed through by the ${apiName}`})
    } else {
      const conditions = answer.conditions.map((c) => CONDITION_TEXT[c]).join(', ')
      const what =
        answer.origin === 'gateway'
          ? `API Gateway's own answer${conditions ? `, given for ${conditions}` : ''}`
          : `an empty body: API Gateway's answer for ${conditions || 'none of the known failures'}, or the function's`
      const errorType = answer.errorType ? ` (x-amzn-ErrorType ${answer.errorType})` : ''
      items.push({source: 'gateway', label, state: 'fail', detail: `${apiName} ${answer.status}${errorType}: ${what}`})
    }
  }

  const route = evidence.route
  if (route) {
    const label = 'Route matches'
    if (route.status !== 'seen') items.push(unknown('route', label, route))
    else if (route.facts.matched) {
      const m = route.facts.matched
      const target = m.functionName ? ` → ${m.functionName}` : ''
      items.push({source: 'route', label, state: 'pass', detail: `${m.routeKey}${target} (stage ${route.facts.stage})`})
    } else if (route.facts.stageExists === false) {
      items.push({source: 'route', label, state: 'fail', detail: `the API has no stage "${route.facts.stage}"${route.facts.stages?.length ? ` (stages: ${route.facts.stages.join(', ')})` : ''}`})
    } else {
      const nearest = route.facts.nearest.length > 0 ? `; nearest: ${route.facts.nearest.join(', ')}` : ''
      items.push({source: 'route', label, state: 'fail', detail: `no route for ${answer.method} ${answer.path} in stage ${route.facts.stage}${nearest}`})
    }
  }

  const permission = evidence.permission
  if (permission) {
    const label = 'API Gateway may invoke the function'
    if (permission.status !== 'seen') items.push(unknown('permission', label, permission))
    else if (permission.facts.allowed) {
      items.push({source: 'permission', label, state: 'pass', detail: `statement ${permission.facts.statementId ?? '(unnamed)'} allows ${permission.facts.sourceArn}`})
    } else {
      const why = permission.facts.policyExists ? 'no statement allows' : 'the function has no resource policy; nothing allows'
      items.push({source: 'permission', label, state: 'fail', detail: `${why} ${permission.facts.sourceArn}`})
    }
  }

  const throttling = evidence.throttling
  if (throttling) {
    const label = 'Function not throttled'
    if (throttling.status !== 'seen') items.push(unknown('throttling', label, throttling))
    else if (throttling.facts.reservedConcurrency === 0) {
      items.push({source: 'throttling', label, state: 'fail', detail: 'reserved concurrency is 0: every invocation is throttled'})
    } else {
      const r = throttling.facts.reservedConcurrency
      items.push({
        source: 'throttling',
        label,
        state: 'pass',
        detail: r === undefined ? 'no reserved concurrency (shares the account pool)' : `reserved concurrency ${r}`,
      })
    }
  }

  const fn = evidence.function
  if (fn) {
    const label = 'Function'
    if (fn.status !== 'seen') items.push(unknown('function', label, fn))
    else if (!fn.facts.exists) {
      items.push({source: 'function', label, state: 'fail', detail: `${fn.facts.functionName} does not exist`})
    } else if (fn.facts.state && fn.facts.state !== 'Active') {
      items.push({source: 'function', label, state: 'fail', detail: `${fn.facts.functionName} is ${fn.facts.state}, not Active`})
    } else {
      const f = fn.facts
      const parts = [f.timeoutSeconds === undefined ? undefined : `timeout ${f.timeoutSeconds} s`, f.memoryMb ? `${f.memoryMb} MB` : undefined, f.tracingMode ? `tracing ${f.tracingMode}` : undefined]
      items.push({source: 'function', label, state: 'pass', detail: `${f.functionName}: ${parts.filter(Boolean).join(', ')}`})
    }
  }

  const trace = evidence.trace
  if (trace) {
    const label = 'Trace'
    if (trace.status !== 'seen') items.push(unknown('trace', label, trace))
    else {
      const f = trace.facts
      const which = f.foundBy === 'trace-header' ? f.traceId : `${f.traceId} (nearest in time)`
      const took = f.functionDurationMs === undefined ? '' : ` in ${ms(f.functionDurationMs)}`
      if (f.throttle || f.lambdaCallStatus === 429) items.push({source: 'trace', label, state: 'fail', detail: `${which}: the Lambda call was throttled`})
      else if (!f.functionInvoked) items.push({source: 'trace', label, state: 'fail', detail: `${which}: the function was not invoked`})
      else if (f.exception) items.push({source: 'trace', label, state: 'fail', detail: `${which}: ${f.exception.type}: ${f.exception.message}`})
      else if (f.functionFault || f.functionError) items.push({source: 'trace', label, state: 'fail', detail: `${which}: the function segment has a fault${took}`})
      else items.push({source: 'trace', label, state: 'pass', detail: `${which}: the function ran without a fault${took}`})
    }
  }

  const replay = evidence.replay
  if (replay) {
    const label = 'Replay'
    if (replay.status !== 'seen') items.push(unknown('replay', label, replay))
    else {
      const f = replay.facts
      const limits = limitsOf(evidence)
      const took = ` after ${ms(f.durationMs)}`
      if (f.outcome === 'rejected') {
        const r = f.rejection
        items.push({source: 'replay', label, state: 'fail', detail: `Lambda refused the invocation: ${r?.code ?? 'error'}${r?.reason ? ` (${r.reason})` : ''}${r?.message ? `: ${r.message}` : ''}`})
      } else if (f.outcome === 'function-error' && f.functionError) {
        const e = f.functionError
        const where = e.frames[0] ? ` ${e.frames[0]}` : ''
        items.push({source: 'replay', label, state: 'fail', detail: `${e.type}: ${e.message}${where}${took}`})
      } else if (f.outcome === 'unfinished') {
        items.push({source: 'replay', label, state: 'fail', detail: `no answer after ${ms(f.durationMs)} (the replay stopped waiting; the integration timeout is ${ms(limits.integrationTimeoutMs)})`})
      } else if (f.outcome === 'malformed') {
        items.push({source: 'replay', label, state: 'fail', detail: `malformed response: ${f.malformedRule ?? 'breaks the proxy response rules'}`})
      } else if (f.durationMs >= limits.integrationTimeoutMs * 0.97) {
        items.push({source: 'replay', label, state: 'fail', detail: `answered ${f.statusCode ?? ''}${took}, past the ${ms(limits.integrationTimeoutMs)} integration timeout`})
      } else {
        items.push({source: 'replay', label, state: 'pass', detail: `the function answered ${f.statusCode ?? 'a valid response'}${took}; API Gateway would accept it`})
      }
    }
  }
  return items
}
