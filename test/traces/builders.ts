/**
 * Real-shaped X-Ray segment documents (aws-semantics §6.2–6.4), built with overrides (STYLE rule 12).
 * Ids are derived from labels so fixtures are deterministic and readable in failures.
 */
import type {SegmentDocument} from '../../src/traces/segments.js'

export const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793'
/** Epoch seconds of TRACE_ID's time field. */
export const T0 = 0x5759e988
export const ACCOUNT = '123456789012'
export const REGION = 'us-east-2'

/** A 16-hex id derived from a label (FNV-1a, 64-bit). */
export function hexId(label: string): string {
  let hash = 0xcbf29ce484222325n
  for (const char of label) {
    hash ^= BigInt(char.codePointAt(0)!)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}

export function segment(overrides: Partial<SegmentDocument> = {}): SegmentDocument {
  const name = overrides.name ?? 'orders-getOrder'
  return {
    id: hexId(`segment:${name}:${overrides.start_time ?? T0}`),
    name,
    trace_id: TRACE_ID,
    start_time: T0,
    end_time: T0 + 0.1,
    ...overrides,
  }
}

export function subsegment(overrides: Partial<SegmentDocument> = {}): SegmentDocument {
  const name = overrides.name ?? 'work'
  return {
    id: hexId(`subsegment:${name}:${overrides.start_time ?? T0}`),
    name,
    start_time: T0,
    end_time: T0 + 0.01,
    ...overrides,
  }
}

/** An AWS SDK call recorded by the X-Ray SDK inside the handler (`namespace: aws`). */
export function sdkCall(overrides: Partial<SegmentDocument> = {}): SegmentDocument {
  return subsegment({
    name: 'DynamoDB',
    namespace: 'aws',
    http: {response: {status: 200}},
    aws: {operation: 'GetItem', region: REGION, request_id: 'R3Q8V1AQ6LQ2C8BPQ7HHFJ3N0JVV4KQNSO5AEMVJF66Q9ASUAAJG', table_name: 'orders', retries: 0},
    ...overrides,
  })
}

export function functionArn(functionName: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`
}

export type LambdaOutcome = 'ok' | 'error' | 'throttle' | 'timeout'

export interface LambdaTraceOptions {
  functionName?: string
  start?: number
  /** Seconds spent in the handler. */
  handlerTime?: number
  coldStart?: boolean
  outcome?: LambdaOutcome
  /** parent_id of the AWS::Lambda segment (the REST stage's `Lambda` subsegment). */
  parentId?: string
  /** Subsegments the handler recorded under Invocation. */
  calls?: SegmentDocument[]
  /** Exception recorded for outcome 'error'. */
  exception?: {type: string; message: string}
  annotations?: Record<string, string | number | boolean>
  /** Defaults to TRACE_ID. */
  traceId?: string
}

/**
 * What Lambda emits with active tracing (§6.3): the service segment (origin AWS::Lambda) and the function
 * segment (origin AWS::Lambda::Function) with Initialization (cold start only), Invocation and Overhead.
 */
export function lambdaSegments(options: LambdaTraceOptions = {}): SegmentDocument[] {
  const fn = options.functionName ?? 'orders-getOrder'
  const start = options.start ?? T0
  const outcome = options.outcome ?? 'ok'
  const handlerTime = options.handlerTime ?? (outcome === 'timeout' ? 10.01 : 0.045)
  const serviceId = hexId(`lambda:${fn}:${start}`)
  const arn = functionArn(fn)

  if (outcome === 'throttle') {
    // A throttled invoke never reaches the function: only the service segment, with a 429.
    return [
      {
        id: serviceId,
        name: fn,
        trace_id: options.traceId ?? TRACE_ID,
        parent_id: options.parentId,
        start_time: start,
        end_time: start + 0.002,
        origin: 'AWS::Lambda',
        resource_arn: arn,
        http: {response: {status: 429}},
        aws: {request_id: 'c0ffee00-0000-4000-8000-000000000429'},
        error: true,
        throttle: true,
      },
    ]
  }

  let t = start + 0.001
  const subsegments: SegmentDocument[] = []
  if (options.coldStart) {
    subsegments.push({id: hexId(`init:${fn}:${start}`), name: 'Initialization', start_time: t, end_time: t + 0.18, aws: {function_arn: arn}})
    t += 0.18
  }
  const invocation: SegmentDocument = {
    id: hexId(`invocation:${fn}:${start}`),
    name: 'Invocation',
    start_time: t,
    end_time: t + handlerTime,
    aws: {function_arn: arn},
    subsegments: options.calls,
  }
  t += handlerTime
  subsegments.push(invocation)
  subsegments.push({id: hexId(`overhead:${fn}:${start}`), name: 'Overhead', start_time: t, end_time: t + 0.0006, aws: {function_arn: arn}})
  t += 0.0006

  const functionSegment: SegmentDocument = {
    id: hexId(`function:${fn}:${start}`),
    name: fn,
    trace_id: options.traceId ?? TRACE_ID,
    parent_id: serviceId,
    start_time: start + 0.0005,
    end_time: t,
    origin: 'AWS::Lambda::Function',
    resource_arn: arn,
    aws: {account_id: ACCOUNT, function_arn: arn, resource_names: [fn]},
    annotations: options.annotations,
    subsegments,
  }
  if (outcome === 'error' || outcome === 'timeout') {
    const exception =
      outcome === 'timeout'
        ? {type: 'Sandbox.Timedout', message: `Task timed out after ${handlerTime.toFixed(2)} seconds`}
        : (options.exception ?? {type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')"})
    functionSegment.fault = true
    functionSegment.cause = {
      working_directory: '/var/task',
      exceptions: [
        {
          id: hexId(`exception:${fn}:${start}`),
          type: exception.type,
          message: exception.message,
          stack: [
            {path: '/var/task/src/get-order.js', line: 12, label: 'handler'},
            {path: 'file:///var/runtime/index.mjs', line: 1173, label: 'runtime'},
            {path: 'node:internal/process/task_queues', line: 95, label: 'process.processTicksAndRejections'},
          ],
        },
      ],
    }
  }
  const serviceSegment: SegmentDocument = {
    id: serviceId,
    name: fn,
    trace_id: options.traceId ?? TRACE_ID,
    parent_id: options.parentId,
    start_time: start,
    end_time: t + 0.0004,
    origin: 'AWS::Lambda',
    resource_arn: arn,
    http: {response: {status: 200}},
    aws: {request_id: 'c0ffee00-0000-4000-8000-000000000200'},
  }
  return [serviceSegment, functionSegment]
}

export interface RestTraceOptions extends LambdaTraceOptions {
  apiName?: string
  apiId?: string
  stage?: string
  method?: string
  path?: string
  /** Status API Gateway answered; defaults from the outcome (§5: REST 502 function error, 500 throttle, 504 timeout). */
  status?: number
}

const REST_STATUS: Record<LambdaOutcome, number> = {ok: 200, error: 502, throttle: 500, timeout: 502}

/** The REST stage segment (§6.4) with its `Lambda` subsegment, followed by Lambda's own segments. */
export function restTrace(options: RestTraceOptions = {}): SegmentDocument[] {
  const apiName = options.apiName ?? 'orders'
  const apiId = options.apiId ?? 'a1b2c3d4e5'
  const stage = options.stage ?? 'dev'
  const fn = options.functionName ?? 'orders-getOrder'
  const outcome = options.outcome ?? 'ok'
  const start = options.start ?? T0
  const status = options.status ?? REST_STATUS[outcome]
  const lambdaSubsegmentId = hexId(`stage-lambda:${apiId}:${start}`)
  const lambda = lambdaSegments({...options, start: start + 0.004, parentId: lambdaSubsegmentId})
  const lambdaEnd = Math.max(...lambda.map((s) => s.end_time ?? 0))
  const lambdaSubsegment: SegmentDocument = {
    id: lambdaSubsegmentId,
    name: 'Lambda',
    namespace: 'aws',
    start_time: start + 0.003,
    end_time: lambdaEnd + 0.001,
    http: {
      request: {url: `https://lambda.${REGION}.amazonaws.com/2015-03-31/functions/${functionArn(fn)}/invocations`, method: 'POST'},
      response: {status: outcome === 'throttle' ? 429 : 200, content_length: 64},
    },
    aws: {function_name: fn, region: REGION, operation: 'Invoke', resource_names: [fn]},
  }
  if (outcome === 'throttle') Object.assign(lambdaSubsegment, {error: true, throttle: true})
  const stageSegment: SegmentDocument = {
    id: hexId(`stage:${apiId}:${start}`),
    name: `${apiName}/${stage}`,
    trace_id: options.traceId ?? TRACE_ID,
    start_time: start,
    end_time: lambdaEnd + 0.003,
    origin: 'AWS::ApiGateway::Stage',
    resource_arn: `arn:aws:apigateway:${REGION}::/restapis/${apiId}/stages/${stage}`,
    http: {
      request: {
        url: `https://${apiId}.execute-api.${REGION}.amazonaws.com/${stage}${options.path ?? '/orders/42'}`,
        method: options.method ?? 'GET',
        client_ip: '203.0.113.7',
        x_forwarded_for: true,
        user_agent: 'curl/8.5.0',
      },
      response: {status, content_length: 36},
    },
    aws: {
      xray: {sampling_rule_name: 'Default'},
      api_gateway: {account_id: ACCOUNT, rest_api_id: apiId, stage, request_id: 'e8f1c2d3-0000-4000-8000-00000000abcd'},
    },
    annotations: {'aws:api_id': apiId, 'aws:api_stage': stage},
    metadata: {default: {extended_request_id: 'Ab1CdEfGhIjKlMn=', request_id: 'e8f1c2d3-0000-4000-8000-00000000abcd'}},
    subsegments: [lambdaSubsegment],
  }
  if (status >= 500) stageSegment.fault = true
  else if (status >= 400) stageSegment.error = true
  if (status === 429) stageSegment.throttle = true
  return [stageSegment, ...lambda]
}

/** The documents as BatchGetTraces returns them: JSON strings. */
export function asDocuments(segments: readonly SegmentDocument[]): string[] {
  return segments.map((s) => JSON.stringify(s))
}
