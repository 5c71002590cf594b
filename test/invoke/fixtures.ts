import type {AwsClients} from '../../src/aws/clients.js'
import {createInvokeApi} from '../../src/aws/invoke.js'
import {xrayReader} from '../../src/aws/xray.js'
import type {DeployedApi} from '../../src/invoke/api.js'
import {type CollectContext, DEFAULT_BUDGETS} from '../../src/invoke/collectors/context.js'

export const REGION = 'us-east-2'
export const ACCOUNT = '123456789012'
export const API_ID = 'a1b2c3d4e5'
export const FN = 'orders-getOrder'
export const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN}`
export const ENDPOINT = `https://${API_ID}.execute-api.${REGION}.amazonaws.com`
export const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793'

/** A deployed HTTP API with one route to orders-getOrder (what deploy's tag lookup returns). */
export function deployedApi(overrides: Partial<DeployedApi> = {}): DeployedApi {
  return {
    apiType: 'http',
    apiId: API_ID,
    endpoint: ENDPOINT,
    stages: ['$default'],
    routes: [
      {routeKey: 'GET /orders/{id}', integrationId: 'int0001'},
      {routeKey: 'POST /orders', integrationId: 'int0002'},
    ],
    integrations: [
      {integrationId: 'int0001', integrationUri: FN_ARN, payloadFormatVersion: '2.0'},
      {integrationId: 'int0002', integrationUri: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-createOrder`, payloadFormatVersion: '2.0'},
    ],
    url: (stage) => (stage === '$default' ? ENDPOINT : `${ENDPOINT}/${stage}`),
    ...overrides,
  }
}

/** A clock that never sleeps: polling loops run to their deadline at once. */
export function fakeClock(start = Date.parse('2026-01-01T12:00:00Z')) {
  let now = start
  return {now: () => now, sleep: async (ms: number) => void (now += ms)}
}

/** A collector context for a failed GET /orders/42, with SDK-backed AWS interfaces (mock the clients). */
export async function collectContext(clients: AwsClients, overrides: Partial<CollectContext> = {}): Promise<CollectContext> {
  return {
    apiType: 'http',
    region: REGION,
    stage: '$default',
    api: deployedApi(),
    apiId: API_ID,
    request: {method: 'GET', url: `${ENDPOINT}/orders/42`, path: '/orders/42', query: '', headers: [['User-Agent', 'tracegate/test']]},
    response: {status: 500, statusText: 'Internal Server Error', headers: {}, body: Buffer.from('{"message":"Internal Server Error"}'), durationMs: 40, startedAt: new Date('2026-01-01T12:00:00Z')},
    traceIds: [TRACE_ID],
    traceHeader: `Root=${TRACE_ID};Sampled=1`,
    replay: {allowed: true, reason: 'GET is safe to repeat'},
    aws: await createInvokeApi(clients),
    xray: async () => xrayReader(await clients.xray(), {retry: {maxAttempts: 1}}),
    budgets: DEFAULT_BUDGETS,
    clock: fakeClock(),
    ...overrides,
  }
}

/** Segment documents of a traced Lambda invocation (aws-semantics §6.3), as BatchGetTraces returns them (JSON strings). */
export function lambdaTrace(options: {traceId?: string; fault?: boolean; exception?: {type: string; message: string}; durationS?: number; functionName?: string} = {}): string[] {
  const traceId = options.traceId ?? TRACE_ID
  const name = options.functionName ?? FN
  const start = 1767268800
  const end = start + (options.durationS ?? 0.08)
  const service = {id: 'aaaaaaaaaaaaaaa1', name, trace_id: traceId, start_time: start, end_time: end, origin: 'AWS::Lambda', http: {response: {status: 200}}}
  const fn: Record<string, unknown> = {
    id: 'aaaaaaaaaaaaaaa2',
    name,
    trace_id: traceId,
    parent_id: 'aaaaaaaaaaaaaaa1',
    start_time: start + 0.001,
    end_time: end,
    origin: 'AWS::Lambda::Function',
    subsegments: [{id: 'aaaaaaaaaaaaaaa3', name: 'Invocation', start_time: start + 0.001, end_time: end}],
  }
  if (options.fault) fn.fault = true
  if (options.exception) {
    fn.fault = true
    fn.cause = {
      working_directory: '/var/task',
      exceptions: [{id: 'bbbbbbbbbbbbbbb1', type: options.exception.type, message: options.exception.message, stack: [{path: 'src/get-order.js', line: 12, label: 'handler'}]}],
    }
  }
  return [JSON.stringify(service), JSON.stringify(fn)]
}
