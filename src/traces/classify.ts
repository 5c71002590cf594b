/**
 * One line per trace: what API Gateway answered, and why. The status rules are aws-semantics §5:
 *
 * | cause                               | REST | HTTP API |
 * |-------------------------------------|------|----------|
 * | function error / crash / fn timeout | 502  | 500      |
 * | malformed proxy response            | 502  | 500      |
 * | Lambda throttled the invoke         | 500  | 500      |
 * | missing invoke permission           | 500  | 500      |
 * | integration timeout                 | 504  | 503      |
 * | stage/account throttling            | 429  | 429      |
 *
 * REST stages emit their own segment (§6.4), so the answered status is read from it. HTTP APIs emit none
 * (§6.5): the status is inferred from Lambda's segments and marked `statusInferred`.
 */
import {rootSegmentOf} from './facts.js'
import {type Span, type SpanException, subtreeOf, type TraceTree} from './tree.js'

export type TraceVerdict =
  | 'ok'
  | 'client-error'
  | 'function-error'
  | 'function-timeout'
  | 'integration-timeout'
  | 'lambda-throttle'
  | 'api-throttle'
  | 'malformed-response'
  | 'permission-denied'
  | 'in-progress'
  | 'fault'
  | 'empty'

export type ApiKind = 'rest' | 'http'

export interface TraceClassification {
  verdict: TraceVerdict
  /** The API type the status rules were applied for; `undefined` when neither the trace nor the caller says. */
  apiType?: ApiKind
  /** What API Gateway answered (read from the stage segment, or inferred from §5). */
  status?: number
  statusInferred: boolean
  /** The function involved, when there is one. */
  functionName?: string
  /** The exception that explains the verdict. */
  exception?: {type: string; message: string}
  /** The span that carries the evidence (for highlighting in the waterfall). */
  spanId?: string
  /** `502 function error in orders-getOrder: TypeError: x is undefined` */
  headline: string
}

export interface ClassifyOptions {
  /** From the project config: decides the §5 column when the trace has no stage segment. */
  apiType?: ApiKind
}

const STATUS_FOR: Record<Exclude<TraceVerdict, 'ok' | 'client-error' | 'in-progress' | 'fault' | 'empty' | 'api-throttle'>, Record<ApiKind, number>> =
  {
    'function-error': {rest: 502, http: 500},
    'function-timeout': {rest: 502, http: 500},
    'malformed-response': {rest: 502, http: 500},
    'lambda-throttle': {rest: 500, http: 500},
    'permission-denied': {rest: 500, http: 500},
    'integration-timeout': {rest: 504, http: 503},
  }

// The runtime reports a function-side timeout as "Task timed out after N seconds" (Sandbox.Timedout).
const TIMEOUT = /timed out|Timedout|TimeoutError/i

function firstException(spans: Span[]): {span: Span; exception: SpanException} | undefined {
  for (const span of spans) {
    if (span.exceptions.length > 0) return {span, exception: span.exceptions[0]}
  }
  return undefined
}

function describeException(exception: {type: string; message: string} | undefined): string {
  if (!exception) return ''
  return exception.message ? `: ${exception.type}: ${exception.message}` : `: ${exception.type}`
}

function statusText(status: number | undefined, inferred: boolean, apiType: ApiKind | undefined): string {
  if (status === undefined) return apiType === undefined ? '5xx' : '—'
  return inferred ? `${status}*` : String(status)
}

export function classifyTrace(tree: TraceTree, options: ClassifyOptions = {}): TraceClassification {
  if (tree.spans.length === 0) return {verdict: 'empty', statusInferred: false, headline: 'no segments'}

  const stage = tree.spans.find((s) => s.kind === 'segment' && s.origin === 'AWS::ApiGateway::Stage')
  const apiType: ApiKind | undefined = stage ? 'rest' : options.apiType
  const lambdaServices = tree.spans.filter((s) => s.kind === 'segment' && s.origin === 'AWS::Lambda')
  const functions = tree.spans.filter((s) => s.kind === 'segment' && s.origin === 'AWS::Lambda::Function')
  const functionName = functions[0]?.name ?? lambdaServices[0]?.name ?? stageLambdaSubsegment(stage)?.aws?.function_name
  const fnName = typeof functionName === 'string' ? functionName : undefined
  const stageStatus = stage?.http?.response?.status
  const root = rootSegmentOf(tree)

  const verdictOf = (
    verdict: TraceVerdict,
    detail: string,
    evidence?: {span?: Span; exception?: {type: string; message: string}},
  ): TraceClassification => {
    let status = stageStatus
    let statusInferred = false
    if (status === undefined && apiType && verdict in STATUS_FOR) {
      status = STATUS_FOR[verdict as keyof typeof STATUS_FOR][apiType]
      statusInferred = true
    }
    const result: TraceClassification = {
      verdict,
      apiType,
      status,
      statusInferred,
      functionName: fnName,
      headline: `${statusText(status, statusInferred, apiType)} ${detail}`,
    }
    if (evidence?.exception) result.exception = {type: evidence.exception.type, message: evidence.exception.message}
    if (evidence?.span) result.spanId = evidence.span.id
    return result
  }
  const inFn = fnName ? ` in ${fnName}` : ''

  // Lambda refused the invoke: the service segment or the stage's Lambda subsegment says 429.
  const lambdaSubsegment = stageLambdaSubsegment(stage)
  const throttled =
    lambdaServices.find((s) => s.throttle || s.http?.response?.status === 429) ??
    (lambdaSubsegment && (lambdaSubsegment.throttle || lambdaSubsegment.http?.response?.status === 429) ? lambdaSubsegment : undefined)
  if (throttled) return verdictOf('lambda-throttle', `Lambda throttled the invoke of ${fnName ?? 'the function'} (429 TooManyRequestsException)`, {span: throttled})

  if (stageStatus === 429 || (stage?.throttle && !lambdaSubsegment)) {
    return verdictOf('api-throttle', 'API Gateway throttled the request (stage or account limit)', {span: stage})
  }

  if (stageStatus === 504 || stageStatus === 503) {
    return verdictOf('integration-timeout', `integration timed out waiting for ${fnName ?? 'the function'}`, {span: stage})
  }

  // The function failed when its segment (or Lambda's own Initialization/Invocation/Overhead subsegments)
  // says so; a failed SDK call deeper down may have been handled by the code.
  const failedFunction = functions.find((f) => f.fault || f.error || f.children.some((c) => (c.fault || c.error) && c.namespace === undefined))
  if (failedFunction) {
    const found = firstException(subtreeOf(failedFunction))
    const exception = found?.exception
    if (exception && TIMEOUT.test(`${exception.type} ${exception.message}`)) {
      return verdictOf('function-timeout', `${failedFunction.name} timed out${describeException(exception)}`, found)
    }
    return verdictOf('function-error', `function error${inFn}${describeException(exception)}`, found ?? {span: failedFunction})
  }
  const failedService = lambdaServices.find((s) => s.fault || s.error)
  if (failedService) {
    const found = firstException([failedService])
    return verdictOf('function-error', `function error${inFn}${describeException(found?.exception)}`, found ?? {span: failedService})
  }

  if (stage && stageStatus !== undefined && stageStatus >= 500) {
    const subStatus = lambdaSubsegment?.http?.response?.status
    const denied = lambdaSubsegment && firstException(subtreeOf(lambdaSubsegment))?.exception
    if (subStatus === 403 || (denied && /AccessDenied/i.test(denied.type))) {
      return verdictOf(
        'permission-denied',
        `API Gateway may not invoke ${fnName ?? 'the function'} (lambda:InvokeFunction permission missing or scoped to another source ARN)`,
        {span: lambdaSubsegment, exception: denied || undefined},
      )
    }
    if (stageStatus === 502 && functions.length > 0) {
      return verdictOf('malformed-response', `malformed Lambda proxy response from ${fnName} (the function itself succeeded)`, {span: stage})
    }
    const found = firstException(tree.spans)
    return verdictOf('fault', `API Gateway fault${describeException(found?.exception)}`, found ?? {span: stage})
  }

  if (root?.inProgress) return verdictOf('in-progress', 'in progress', {span: root})

  if (stageStatus !== undefined && stageStatus >= 400) {
    return verdictOf('client-error', `client error${inFn}`, {span: stage})
  }
  if (root?.fault) {
    const found = firstException(tree.spans)
    return verdictOf('fault', `fault${describeException(found?.exception)}`, found ?? {span: root})
  }

  const handled = tree.spans.filter((s) => s.fault || s.error || s.throttle)
  const note = handled.length > 0 ? ` (handled: ${[...new Set(handled.map((s) => s.name))].join(', ')})` : ''
  const status = stageStatus
  return {
    verdict: 'ok',
    apiType,
    status,
    statusInferred: false,
    functionName: fnName,
    headline: `${status ?? 'ok'}${status === undefined ? '' : ' ok'}${note}`,
  }
}

function stageLambdaSubsegment(stage: Span | undefined): Span | undefined {
  return stage?.children.find((c) => c.kind === 'subsegment' && c.name === 'Lambda' && c.namespace === 'aws')
}
