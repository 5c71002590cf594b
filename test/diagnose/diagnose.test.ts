import {describe, expect, test} from 'vitest'
import {diagnose} from '../../src/diagnose/diagnose.js'
import {
  evidence,
  FN,
  fn,
  noTrace,
  permissionAllowed,
  permissionDenied,
  permissionUnreadable,
  replay,
  replaySkipped,
  replayThrew,
  routeMatched,
  routeMissing,
  throttling,
  trace,
} from './builders.js'

/** Everything that says "the function was reachable and allowed": the usual background of a function-side failure. */
const healthy = {route: routeMatched(), permission: permissionAllowed(), throttling: throttling(), function: fn()}

describe('route-not-found', () => {
  test('an HTTP API 404 with no matching deployed route is route-not-found, with high confidence and the nearest route', () => {
    const d = diagnose(
      evidence({condition: 'route-not-found', path: '/order/42'}, {route: routeMissing({nearest: ['GET /orders/{id}']})}),
    )
    expect(d.verdict).toBe('route-not-found')
    expect(d.confidence).toBe('high')
    expect(d.cause).toContain('GET /order/42')
    expect(d.cause).toContain('GET /orders/{id}')
    expect(d.fix.summary).toContain('did you mean GET /orders/{id}?')
    expect(d.evidence.find((i) => i.source === 'route')).toMatchObject({state: 'fail'})
  })

  test('a REST 403 "Missing Authentication Token" is route-not-found with high confidence even without the route check', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'route-not-found'}))
    expect(d.verdict).toBe('route-not-found')
    expect(d.confidence).toBe('high')
  })

  test('an HTTP API 404 with no route evidence is route-not-found with only medium confidence (a function can answer 404 too)', () => {
    const d = diagnose(evidence({condition: 'route-not-found'}, {route: {source: 'route', status: 'error', note: 'GetRoutes: AccessDeniedException'}}))
    expect(d.verdict).toBe('route-not-found')
    expect(d.confidence).toBe('medium')
    expect(d.evidence.find((i) => i.source === 'route')).toMatchObject({state: 'unknown', detail: expect.stringContaining('AccessDenied')})
  })

  test('a stage that does not exist is route-not-found, and the fix names a stage that does', () => {
    const d = diagnose(evidence({condition: 'route-not-found'}, {route: routeMissing({stage: 'prod', stageExists: false, stages: ['$default'], nearest: []})}))
    expect(d.verdict).toBe('route-not-found')
    expect(d.cause).toContain('no stage "prod"')
    expect(d.fix.summary).toContain("--stage '$default'")
  })

  test('a route in tracegate.json that is not deployed makes the fix "tracegate deploy"', () => {
    const d = diagnose(evidence({condition: 'route-not-found'}, {route: routeMissing({undeployedConfigRoute: 'GET /orders/{id}'})}))
    expect(d.fix.commands).toEqual(['tracegate deploy'])
    expect(d.fix.summary).toContain('not deployed')
  })

  test('a 404 "Not Found" although a deployed route matches is not called route-not-found with any certainty', () => {
    const d = diagnose(evidence({condition: 'route-not-found'}, {route: routeMatched()}))
    expect(d.verdict).not.toBe('route-not-found')
    expect(d.confidence).toBe('low')
  })

  test('a 404 "Not Found" from a matched route that the function answers itself on replay is the function\'s own answer', () => {
    const d = diagnose(evidence({condition: 'route-not-found'}, {route: routeMatched(), replay: replay({statusCode: 404})}))
    expect(d.verdict).toBe('ok')
    expect(d.confidence).not.toBe('high')
    expect(d.cause).toContain('itself answered 404')
  })
})

describe('invocation-rejected/permission', () => {
  test('an HTTP API 500 with no statement allowing the presented source ARN is a permission rejection with the add-permission fix', () => {
    const d = diagnose(evidence({}, {...healthy, permission: permissionDenied(), replay: replay()}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.confidence).toBe('high')
    expect(d.cause).toContain('arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/$default/GET/orders/*')
    expect(d.fix.commands[0]).toBe('tracegate deploy')
    expect(d.fix.commands[1]).toBe(
      "aws lambda add-permission --function-name orders-getOrder --statement-id tracegate-a1b2c3d4e5-0123456789ab --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/$default/GET/orders/*'",
    )
  })

  test('a REST 500 with a missing permission is high confidence even when nothing else was checked', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}, {permission: permissionDenied()}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.confidence).toBe('medium')
    // Throttling is the other REST 500 cause; once it is ruled out the verdict is certain.
    const sure = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}, {permission: permissionDenied(), throttling: throttling(5), replay: replay()}))
    expect(sure.confidence).toBe('high')
  })

  test('an integration that invokes an alias is judged by the alias’s policy: the fix adds the statement to the alias, not via deploy', () => {
    const denied = permissionDenied({
      qualifier: 'live',
      policyExists: false,
      grant: {functionName: 'orders-getOrder:live', statementId: 'tracegate-a1b2c3d4e5-0123456789ab', sourceArn: 'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/$default/GET/orders/*'},
    })
    const d = diagnose(evidence({}, {...healthy, permission: denied, replay: replay()}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.cause).toContain('when it invokes orders-getOrder:live')
    expect(d.cause).toContain('a permission on orders-getOrder itself does not cover it')
    expect(d.fix.commands).toEqual([
      "aws lambda add-permission --function-name orders-getOrder:live --statement-id tracegate-a1b2c3d4e5-0123456789ab --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/$default/GET/orders/*'",
    ])
  })

  test('a function with no resource policy at all is a permission rejection', () => {
    const d = diagnose(evidence({}, {...healthy, permission: permissionDenied({policyExists: false}), replay: replay()}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.cause).toContain('no resource policy at all')
  })

  test('a denied policy contradicted by this request\'s own trace (the function ran) is never high confidence', () => {
    const d = diagnose(
      evidence({}, {...healthy, permission: permissionDenied(), trace: trace({functionFault: true, exception: {type: 'Error', message: 'boom', frames: []}})}),
    )
    expect(d.verdict).toBe('function-error')
    expect(d.confidence).not.toBe('high')
    expect(d.contradictions.length).toBeGreaterThan(0)
  })

  test('the policy unreadable and every function-side cause ruled out names permission only with low confidence', () => {
    const d = diagnose(evidence({}, {...healthy, permission: permissionUnreadable, replay: replay()}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.confidence).toBe('low')
    expect(d.evidence.find((i) => i.source === 'permission')).toMatchObject({state: 'unknown'})
  })
})

describe('invocation-rejected/throttled', () => {
  test('reserved concurrency 0 behind an HTTP API 500 is throttling, with the concurrency fix', () => {
    const d = diagnose(evidence({}, {...healthy, throttling: throttling(0)}))
    expect(d.verdict).toBe('invocation-rejected/throttled')
    expect(d.confidence).toBe('high')
    expect(d.fix.commands).toContain(`aws lambda delete-function-concurrency --function-name ${FN}`)
  })

  test('reserved concurrency 0 with an unreadable policy is throttling, but only medium confidence', () => {
    const d = diagnose(evidence({}, {route: routeMatched(), permission: permissionUnreadable, throttling: throttling(0)}))
    expect(d.verdict).toBe('invocation-rejected/throttled')
    expect(d.confidence).toBe('medium')
  })

  test('a 429 from Lambda on replay is throttling and names the reason', () => {
    const d = diagnose(
      evidence(
        {},
        {
          ...healthy,
          throttling: throttling(),
          replay: replay({
            outcome: 'rejected',
            statusCode: undefined,
            rejection: {code: 'TooManyRequestsException', httpStatus: 429, reason: 'ConcurrentInvocationLimitExceeded', message: 'Rate Exceeded.'},
          }),
        },
      ),
    )
    expect(d.verdict).toBe('invocation-rejected/throttled')
    expect(d.cause).toContain('ConcurrentInvocationLimitExceeded')
  })

  test("API Gateway's own 429 is stage throttling, with the update-stage fix; certain only where the answer carries x-amzn-ErrorType", () => {
    const http = diagnose(evidence({condition: 'stage-throttled'}, {route: routeMatched()}))
    expect(http.verdict).toBe('invocation-rejected/throttled')
    // An HTTP API's {"message":"Too Many Requests"} is also what a function's own rate limiter could answer.
    expect(http.confidence).toBe('medium')
    expect(http.fix.commands[0]).toContain('aws apigatewayv2 update-stage --api-id a1b2c3d4e5')
    const rest = diagnose(evidence({apiType: 'rest', condition: 'stage-throttled'}))
    expect(rest.verdict).toBe('invocation-rejected/throttled')
    expect(rest.confidence).toBe('high')
    expect(rest.fix.commands[0]).toContain('aws apigateway update-stage --rest-api-id')
  })

  test("this request's trace with a throttled Lambda call is throttling, and the function did not run", () => {
    const d = diagnose(
      evidence({}, {route: routeMatched(), permission: permissionUnreadable, trace: trace({throttle: true, functionInvoked: false}), replay: replaySkipped}),
    )
    expect(d.verdict).toBe('invocation-rejected/throttled')
    expect(d.confidence).toBe('high')
    expect(d.evidence.find((i) => i.source === 'trace')).toMatchObject({state: 'fail', detail: expect.stringContaining('throttled')})
  })

  test('a REST 500 with the permission in place and nothing else known is throttling by elimination, low confidence', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}, {permission: permissionAllowed(), throttling: throttling()}))
    expect(d.verdict).toBe('invocation-rejected/throttled')
    expect(d.confidence).toBe('low')
  })
})

describe('function-error', () => {
  test('an HTTP API 500 whose replay throws is a function error with the exception, first frame and the return-a-response fix', () => {
    const d = diagnose(evidence({}, {...healthy, replay: replayThrew()}))
    expect(d.verdict).toBe('function-error')
    expect(d.confidence).toBe('high')
    expect(d.cause).toContain("TypeError: Cannot read properties of undefined (reading 'id')")
    expect(d.cause).toContain('in handler at src/get-order.js:12:9')
    expect(d.fix.code).toBe("return {statusCode: 500, headers: {'content-type': 'application/json'}, body: JSON.stringify({message: error.message})}")
  })

  test('a REST 502 whose replay throws is a function error with high confidence', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'function-error'}, {replay: replayThrew()}))
    expect(d.verdict).toBe('function-error')
    expect(d.confidence).toBe('high')
    expect(d.cause).toContain('REST API answers 502')
  })

  test("this request's trace with an exception is a function error even when the policy could not be read", () => {
    const d = diagnose(
      evidence(
        {},
        {
          permission: permissionUnreadable,
          trace: trace({functionFault: true, exception: {type: 'Error', message: 'db down', frames: ['at query (src/db.js:4:11)']}}),
          replay: replaySkipped,
        },
      ),
    )
    expect(d.verdict).toBe('function-error')
    expect(d.confidence).toBe('high')
    expect(d.fix.commands).toContain('tracegate traces show 1-5759e988-bd862e3fe1be46a994272793')
  })

  test('a trace found only by time window makes a function error medium confidence', () => {
    const d = diagnose(
      evidence({}, {...healthy, trace: trace({foundBy: 'time-window', functionFault: true, exception: {type: 'Error', message: 'x', frames: []}}), replay: replaySkipped}),
    )
    expect(d.verdict).toBe('function-error')
    expect(d.confidence).toBe('medium')
  })

  test('a throwing replay while the policy is unread is a function error with medium confidence, never high', () => {
    const d = diagnose(evidence({}, {route: routeMatched(), permission: permissionUnreadable, throttling: throttling(), replay: replayThrew()}))
    expect(d.verdict).toBe('function-error')
    expect(d.confidence).toBe('medium')
  })

  test('a missing permission and a throwing function: permission wins (it happens first), the rival lowers confidence', () => {
    const d = diagnose(evidence({}, {...healthy, permission: permissionDenied(), replay: replayThrew()}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.confidence).toBe('medium')
    expect(d.contradictions.join(' ')).toContain('TypeError')
  })

  test('a REST 500 (invocation refused) with a throwing replay is not a function error; the throw is a note', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'permission-denied'}, {permission: permissionDenied(), throttling: throttling(), replay: replayThrew()}))
    expect(d.verdict).toBe('invocation-rejected/permission')
    expect(d.notes.join(' ')).toContain('TypeError')
  })
})

describe('malformed-response', () => {
  test('a REST 502 whose replay breaks a response rule is malformed-response naming the rule', () => {
    const d = diagnose(
      evidence(
        {apiType: 'rest', condition: 'function-error'},
        {replay: replay({outcome: 'malformed', statusCode: undefined, malformedRule: 'body must be a string, but the function returned an object', malformedField: 'body'})},
      ),
    )
    expect(d.verdict).toBe('malformed-response')
    expect(d.confidence).toBe('high')
    expect(d.cause).toContain('body must be a string')
    expect(d.fix.code).toContain('body: JSON.stringify(result)')
  })

  test('an HTTP API 500 with a malformed replay is malformed-response', () => {
    const d = diagnose(
      evidence({}, {...healthy, replay: replay({outcome: 'malformed', statusCode: undefined, malformedRule: 'statusCode must be a number or numeric string', malformedField: 'statusCode'})}),
    )
    expect(d.verdict).toBe('malformed-response')
    expect(d.confidence).toBe('high')
    expect(d.fix.summary).toContain('numeric statusCode')
  })

  test("this request's clean trace behind an HTTP API 500 without a replay suggests malformed-response, but not with high confidence", () => {
    const d = diagnose(evidence({}, {...healthy, trace: trace(), replay: replaySkipped}))
    expect(['malformed-response', 'unknown']).toContain(d.verdict)
    expect(d.confidence).not.toBe('high')
  })
})

describe('function-timeout', () => {
  test('a replay that Lambda ended with "Task timed out" is a function timeout, with a raised timeout as the fix', () => {
    const d = diagnose(
      evidence(
        {durationMs: 3100},
        {
          ...healthy,
          function: fn({timeoutSeconds: 3}),
          replay: replay({
            outcome: 'function-error',
            durationMs: 3004,
            statusCode: undefined,
            functionError: {type: 'Sandbox.Timedout', message: 'Task timed out after 3.00 seconds', frames: [], timedOut: true, responseTooLarge: false},
          }),
        },
      ),
    )
    expect(d.verdict).toBe('function-timeout')
    expect(d.confidence).toBe('high')
    expect(d.fix.summary).toContain('from 3 s to 6 s')
    expect(d.fix.code).toBe('"getOrder": {"timeout": 6}')
  })

  test('a suggested timeout never exceeds what API Gateway waits', () => {
    const d = diagnose(
      evidence(
        {durationMs: 20_100},
        {
          ...healthy,
          function: fn({timeoutSeconds: 20}),
          replay: replay({
            outcome: 'function-error',
            durationMs: 20_000,
            statusCode: undefined,
            functionError: {type: 'Error', message: 'Task timed out after 20.00 seconds', frames: [], timedOut: true, responseTooLarge: false},
          }),
        },
      ),
    )
    expect(d.verdict).toBe('function-timeout')
    expect(d.fix.code).toBe('"getOrder": {"timeout": 29}')
  })
})

describe('integration-timeout', () => {
  test('an HTTP API 503 after 30 s is an integration timeout with high confidence', () => {
    const d = diagnose(evidence({condition: 'integration-timeout', durationMs: 30_020}, {route: routeMatched(), function: fn({timeoutSeconds: 60})}))
    expect(d.verdict).toBe('integration-timeout')
    expect(d.confidence).toBe('high')
    expect(d.cause).toContain('503 "Service Unavailable"')
    expect(d.fix.summary).toContain('below it (29 s)')
  })

  test('a REST 504 is an integration timeout', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'integration-timeout', durationMs: 29_010}))
    expect(d.verdict).toBe('integration-timeout')
    expect(d.confidence).toBe('high')
  })

  test('a lowered integration timeout on an HTTP API makes raising it the fix', () => {
    const d = diagnose(
      evidence({condition: 'integration-timeout', durationMs: 2_010}, {route: routeMatched({integrationTimeoutMs: 2000}), replay: replay({durationMs: 2500})}),
    )
    expect(d.verdict).toBe('integration-timeout')
    expect(d.fix.commands[0]).toBe('aws apigatewayv2 update-integration --api-id a1b2c3d4e5 --integration-id int1234 --timeout-in-millis 30000')
  })

  test('a 503 answered in 100 ms is not called an integration timeout', () => {
    const d = diagnose(evidence({condition: 'integration-timeout', durationMs: 100}, {route: routeMatched()}))
    expect(d.verdict).toBe('unknown')
    expect(d.confidence).toBe('low')
  })
})

describe('payload-too-large', () => {
  test('a 413 for a 7 MB body is payload-too-large', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'request-too-large', requestBytes: 7 * 1024 * 1024, method: 'POST'}))
    expect(d.verdict).toBe('payload-too-large')
    expect(d.confidence).toBe('high')
    expect(d.fix.summary).toContain('S3')
  })

  test('a replay whose response Lambda rejected as over 6 MB is payload-too-large', () => {
    const d = diagnose(
      evidence(
        {apiType: 'rest', condition: 'function-error'},
        {
          replay: replay({
            outcome: 'function-error',
            statusCode: undefined,
            functionError: {
              type: 'Function.ResponseSizeTooLarge',
              message: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
              frames: [],
              timedOut: false,
              responseTooLarge: true,
            },
          }),
        },
      ),
    )
    expect(d.verdict).toBe('payload-too-large')
    expect(d.cause).toContain("Lambda's 6 MB response limit")
  })
})

describe('ok', () => {
  test('a 200 is ok with high confidence and nothing to fix', () => {
    const d = diagnose(evidence({status: 200, origin: 'function'}))
    expect(d.verdict).toBe('ok')
    expect(d.confidence).toBe('high')
    expect(d.fix.commands).toEqual([])
  })

  test("a 404 with the function's own body is the function's answer, not a gateway failure", () => {
    const d = diagnose(evidence({status: 404, origin: 'function'}, {route: routeMatched()}))
    expect(d.verdict).toBe('ok')
    expect(d.cause).toContain('itself answered 404')
  })
})

describe('unknown and missing evidence', () => {
  test('an HTTP API 500 with every collector blind is unknown, low confidence, and says how to learn more', () => {
    const d = diagnose(
      evidence(
        {},
        {
          route: {source: 'route', status: 'error', note: 'timed out after 3 s'},
          permission: permissionUnreadable,
          throttling: {source: 'throttling', status: 'error', note: 'AccessDeniedException'},
          function: fn({tracingMode: 'PassThrough'}),
          trace: noTrace,
          replay: replaySkipped,
        },
      ),
    )
    expect(d.verdict).toBe('unknown')
    expect(d.confidence).toBe('low')
    expect(d.stillPossible).toEqual(
      expect.arrayContaining(['invocation-rejected/permission', 'invocation-rejected/throttled', 'function-error', 'malformed-response']),
    )
    expect(d.fix.summary).toContain('--replay')
    expect(d.fix.summary).toContain('"tracing": "Active"')
    expect(d.fix.summary).toContain('lambda:GetPolicy')
    expect(d.evidence.filter((i) => i.state === 'unknown').map((i) => i.source)).toEqual(['route', 'permission', 'throttling', 'trace', 'replay'])
  })

  test('a REST 502 with no replay and no trace is unknown between the function-side causes', () => {
    const d = diagnose(evidence({apiType: 'rest', condition: 'function-error'}, {replay: replaySkipped, trace: noTrace}))
    expect(d.verdict).toBe('unknown')
    expect(d.stillPossible).toEqual(expect.arrayContaining(['function-error', 'malformed-response', 'function-timeout']))
    expect(d.stillPossible).not.toContain('invocation-rejected/permission')
  })

  test('a failure that does not reproduce on replay with every check passing is unknown, and says so', () => {
    const d = diagnose(evidence({}, {...healthy, trace: noTrace, replay: replay()}))
    expect(d.verdict).toBe('unknown')
    expect(d.confidence).toBe('low')
    expect(d.cause).toContain('did not reproduce')
  })

  test('an integration pointing at a deleted function is explained even though no verdict names it', () => {
    const d = diagnose(evidence({}, {route: routeMatched(), function: fn({exists: false})}))
    expect(d.verdict).toBe('unknown')
    expect(d.cause).toContain('does not exist')
    expect(d.fix.commands).toEqual(['tracegate deploy'])
  })

  test('a 403 Forbidden from an API key or authorizer is unknown: no Lambda proxy cause explains it', () => {
    const d = diagnose(evidence({apiType: 'rest', status: 403, origin: 'gateway', conditions: [], distinctive: true, errorType: 'AccessDeniedException'}))
    expect(d.verdict).toBe('unknown')
    expect(d.cause).toContain('authorizer')
  })
})

describe('a replay that never answered', () => {
  test('an HTTP API 503 with a replay still running past the integration timeout is an integration timeout', () => {
    const d = diagnose(
      evidence(
        {condition: 'integration-timeout', durationMs: 30_010},
        {...healthy, function: fn({timeoutSeconds: 60}), replay: replay({outcome: 'unfinished', statusCode: undefined, responseBytes: undefined, durationMs: 35_000})},
      ),
    )
    expect(d.verdict).toBe('integration-timeout')
    expect(d.confidence).toBe('high')
    expect(d.evidence.find((i) => i.source === 'replay')).toMatchObject({state: 'fail', detail: expect.stringContaining('stopped waiting')})
  })
})
