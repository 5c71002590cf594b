import {describe, expect, test} from 'vitest'
import {classifyTrace} from '../../src/traces/classify.js'
import {buildSpanTree} from '../../src/traces/tree.js'
import {asDocuments, hexId, lambdaSegments, restTrace, sdkCall, segment, T0} from './builders.js'

function classify(...args: Parameters<typeof restTrace>) {
  return classifyTrace(buildSpanTree(asDocuments(restTrace(...args))))
}

describe('classifyTrace on REST traces (status read from the stage segment)', () => {
  test('ok', () => {
    expect(classify({outcome: 'ok'})).toMatchObject({verdict: 'ok', apiType: 'rest', status: 200, statusInferred: false, headline: '200 ok'})
  })

  test('function error → 502 with the exception', () => {
    const result = classify({outcome: 'error', exception: {type: 'TypeError', message: 'x is undefined'}})
    expect(result).toMatchObject({
      verdict: 'function-error',
      status: 502,
      functionName: 'orders-getOrder',
      exception: {type: 'TypeError', message: 'x is undefined'},
      headline: '502 function error in orders-getOrder: TypeError: x is undefined',
    })
    expect(result.spanId).toBe(hexId(`function:orders-getOrder:${T0 + 0.004}`))
  })

  test('function-side timeout → 502, named as a timeout', () => {
    expect(classify({outcome: 'timeout'})).toMatchObject({
      verdict: 'function-timeout',
      status: 502,
      headline: '502 orders-getOrder timed out: Sandbox.Timedout: Task timed out after 10.01 seconds',
    })
  })

  test('Lambda throttling → 500', () => {
    expect(classify({outcome: 'throttle'})).toMatchObject({
      verdict: 'lambda-throttle',
      status: 500,
      headline: '500 Lambda throttled the invoke of orders-getOrder (429 TooManyRequestsException)',
    })
  })

  test('502 while the function succeeded → malformed proxy response', () => {
    expect(classify({outcome: 'ok', status: 502})).toMatchObject({verdict: 'malformed-response', status: 502})
  })

  test('504 → integration timeout', () => {
    expect(classify({outcome: 'ok', status: 504})).toMatchObject({verdict: 'integration-timeout', status: 504})
  })

  test('500 with a 403 from the Lambda invoke and no Lambda segments → permission denied', () => {
    const [stage] = restTrace({outcome: 'ok', status: 500})
    const lambda = stage.subsegments![0]
    lambda.http!.response!.status = 403
    lambda.error = true
    lambda.cause = {exceptions: [{type: 'AccessDeniedException', message: 'User is not authorized to perform: lambda:InvokeFunction'}]}
    const result = classifyTrace(buildSpanTree(asDocuments([stage])))
    expect(result).toMatchObject({verdict: 'permission-denied', status: 500, exception: {type: 'AccessDeniedException'}})
    expect(result.headline).toMatch(/may not invoke orders-getOrder/)
  })

  test('429 from the stage → API Gateway throttling', () => {
    const [stage] = restTrace({outcome: 'ok', status: 429})
    stage.subsegments = []
    expect(classifyTrace(buildSpanTree(asDocuments([stage])))).toMatchObject({verdict: 'api-throttle', status: 429})
  })

  test('a 4xx the function returned → client error', () => {
    expect(classify({outcome: 'ok', status: 404})).toMatchObject({verdict: 'client-error', status: 404})
  })

  test('a handled downstream fault keeps the trace ok, with a note', () => {
    const result = classify({outcome: 'ok', calls: [sdkCall({fault: true, start_time: T0 + 0.01})]})
    expect(result).toMatchObject({verdict: 'ok', status: 200, headline: '200 ok (handled: DynamoDB)'})
  })
})

describe('classifyTrace on Lambda-only traces (HTTP APIs emit no segment: status inferred from §5)', () => {
  const lambdaOnly = (outcome: 'ok' | 'error' | 'throttle' | 'timeout', apiType?: 'http' | 'rest') =>
    classifyTrace(buildSpanTree(asDocuments(lambdaSegments({outcome}))), {apiType})

  test.each([
    ['error', 'http', 'function-error', 500],
    ['error', 'rest', 'function-error', 502],
    ['timeout', 'http', 'function-timeout', 500],
    ['throttle', 'http', 'lambda-throttle', 500],
  ] as const)('%s on an %s API → %s, %i (inferred)', (outcome, apiType, verdict, status) => {
    expect(lambdaOnly(outcome, apiType)).toMatchObject({verdict, status, statusInferred: true, apiType})
    expect(lambdaOnly(outcome, apiType).headline).toMatch(new RegExp(`^${status}\\* `))
  })

  test('without an API type the status stays unknown and the headline says 5xx', () => {
    const result = lambdaOnly('error')
    expect(result).toMatchObject({verdict: 'function-error', status: undefined, apiType: undefined})
    expect(result.headline).toMatch(/^5xx function error in orders-getOrder/)
  })

  test('ok has no status to report', () => {
    expect(lambdaOnly('ok', 'http')).toMatchObject({verdict: 'ok', status: undefined, headline: 'ok'})
  })

  test('an in-progress root is in progress', () => {
    const result = classifyTrace(buildSpanTree(asDocuments([segment({origin: 'AWS::Lambda', end_time: undefined, in_progress: true})])))
    expect(result.verdict).toBe('in-progress')
  })

  test('no segments at all', () => {
    expect(classifyTrace(buildSpanTree([])).verdict).toBe('empty')
  })
})
