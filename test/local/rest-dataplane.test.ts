/**
 * The REST data plane through real HTTP: every row of the REST columns of aws-semantics §4.2 (how the
 * function's output is read) and §5 (status mapping), the event a REST proxy sends, stages serving their
 * deployment, the ARN presented for ANY methods, and the stage trace (§6.4).
 */
import {CreateAliasCommand, DeleteFunctionCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, RemovePermissionCommand} from '@aws-sdk/client-lambda'
import {PutMethodCommand, PutIntegrationCommand, CreateResourceCommand, UpdateStageCommand} from '@aws-sdk/client-api-gateway'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {REST_REQUEST_ID} from '../../src/gateway/ids.js'
import {behave, call, createFunction, echo, grant, REGION, rootOf, type SegmentDoc, traceDocuments, traceSummaries} from './dataplane/helpers.js'
import {startTestEmulator, type TestEmulator} from './helpers.js'
import {createRestApi, type RestDeployed} from './rest-helpers.js'

let t: TestEmulator
let fn: {name: string; arn: string}
let api: RestDeployed
const INTERNAL = '{"message": "Internal server error"}'

beforeAll(async () => {
  t = await startTestEmulator()
  fn = await createFunction(t)
  api = await createRestApi(t, {routes: [{routeKey: 'POST /rows', functionArn: fn.arn}]})
})
afterAll(async () => {
  api?.client.destroy()
  await t.stop()
})

async function setFault(functionName: string, fault: Record<string, unknown>) {
  const response = await fetch(`${t.emulator.url}/_tracegate/faults`, {method: 'POST', body: JSON.stringify({functionName, ...fault})})
  expect(response.status).toBeLessThan(300)
}

interface Row {
  row: string
  returns: unknown
  status: number
  body?: string
  headers?: Record<string, string>
}

// aws-semantics §4.2, REST (proxy) column.
const ROWS: Row[] = [
  {row: '{"statusCode":200}: 200, empty body', returns: {statusCode: 200}, status: 200, body: ''},
  {row: 'object with no statusCode ({"headers":…}): 200 with the headers applied, empty body', returns: {headers: {'x-custom': 'yes'}}, status: 200, body: '', headers: {'x-custom': 'yes'}},
  {row: 'object with no statusCode ({}): 200, empty body', returns: {}, status: 200, body: ''},
  {row: 'object with extra unknown keys: 502', returns: {statusCode: 200, body: 'ok', wrongValue: 1}, status: 502, body: INTERNAL},
  {row: '"statusCode":"201" (string): 201', returns: {statusCode: '201', body: 'made'}, status: 201, body: 'made'},
  {row: '"statusCode":"test": 502', returns: {statusCode: 'test'}, status: 502, body: INTERNAL},
  {row: 'a plain string such as "justAString": 502', returns: 'justAString', status: 502, body: INTERNAL},
  {row: '{"errorMessage":"…"} returned, not thrown: 502', returns: {errorMessage: 'it broke'}, status: 502, body: INTERNAL},
  {row: 'multiValueHeaders value not a list: 502', returns: {statusCode: 200, body: 'ok', multiValueHeaders: {'x-multi': 'value1'}}, status: 502, body: INTERNAL},
  {row: 'multiValueHeaders lists are sent as repeated headers', returns: {statusCode: 200, body: 'ok', multiValueHeaders: {'x-multi': ['a', 'b']}}, status: 200, body: 'ok', headers: {'x-multi': 'a, b'}},
  {
    row: 'isBase64Encoded:true without a matching binaryMediaTypes entry: the body is passed through, not decoded',
    returns: {statusCode: 200, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true},
    status: 200,
    body: Buffer.from('hi').toString('base64'),
  },
]

describe('§4.2: how a REST proxy reads the function output', () => {
  for (const row of ROWS) {
    test(row.row, async () => {
      const answer = await behave(`${api.url}/rows`, {return: row.returns})
      expect([answer.status, answer.body]).toEqual([row.status, row.body])
      for (const [name, value] of Object.entries(row.headers ?? {})) expect(answer.headers.get(name)).toBe(value)
      if (row.status >= 500) expect(answer.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException')
    })
  }

  test('isBase64Encoded:true with a matching binaryMediaTypes entry and Accept: the body is decoded', async () => {
    const binary = await createRestApi(t, {routes: [{routeKey: 'POST /img', functionArn: fn.arn}], binaryMediaTypes: ['image/png']})
    const answer = await fetch(`${binary.url}/img`, {
      method: 'POST',
      headers: {'content-type': 'application/json', accept: 'image/png'},
      body: JSON.stringify({return: {statusCode: 200, headers: {'content-type': 'image/png'}, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true}}),
    })
    expect(answer.status).toBe(200)
    expect([...new Uint8Array(await answer.arrayBuffer())]).toEqual([1, 2, 3])
    binary.client.destroy()
  })
})

describe('§5: REST status mapping', () => {
  test('no invoke permission: 500 Internal server error, x-amzn-ErrorType InternalServerErrorException', async () => {
    const f = await createFunction(t)
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /x', functionArn: f.arn}], grant: false})
    const answer = await behave(`${rest.url}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
    expect(answer.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException')
    expect(answer.headers.get('content-type')).toBe('application/json')
    // With the grant it answers; with the grant removed it is 500 again.
    const sid = await grant(t, f.arn, rest.apiId, 'prod/POST/x')
    expect((await behave(`${rest.url}/x`, {return: {statusCode: 200}})).status).toBe(200)
    await t.clients.lambda.send(new RemovePermissionCommand({FunctionName: f.name, StatementId: sid}))
    expect((await behave(`${rest.url}/x`, {return: {statusCode: 200}})).status).toBe(500)
  })

  test('unhandled function error: 502 Internal server error', async () => {
    const answer = await behave(`${api.url}/rows`, {throw: 'order store unavailable'})
    expect([answer.status, answer.body]).toEqual([502, INTERNAL])
    expect(answer.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException')
  })

  test('function-side timeout (the function runs past its own timeout): 502', async () => {
    const f = await createFunction(t, {timeout: 1})
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /slow', functionArn: f.arn}]})
    const answer = await behave(`${rest.url}/slow`, {sleepMs: 2500, return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([502, INTERNAL])
  })

  test('malformed proxy response: 502', async () => {
    const answer = await behave(`${api.url}/rows`, {return: {statusCode: 200, unexpected: true}})
    expect([answer.status, answer.body]).toEqual([502, INTERNAL])
  })

  test('Lambda throttles (reserved concurrency 0): 500, not 429', async () => {
    const f = await createFunction(t)
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /x', functionArn: f.arn}]})
    await t.clients.lambda.send(new PutFunctionConcurrencyCommand({FunctionName: f.name, ReservedConcurrentExecutions: 0}))
    const answer = await behave(`${rest.url}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
    expect(answer.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException')
  })

  test('Lambda throttles (injected throttle): 500', async () => {
    const f = await createFunction(t)
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /x', functionArn: f.arn}]})
    await setFault(f.name, {throttle: true})
    expect((await behave(`${rest.url}/x`, {return: {statusCode: 200}})).status).toBe(500)
    await setFault(f.name, {clear: true})
    expect((await behave(`${rest.url}/x`, {return: {statusCode: 200}})).status).toBe(200)
  })

  test('integration timeout: 504 Endpoint request timed out, at the integration timeout (29 s unless set lower)', async () => {
    const f = await createFunction(t, {timeout: 10})
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /x', functionArn: f.arn, timeoutInMillis: 300}]})
    await behave(`${rest.url}/x`, {return: {statusCode: 200}}) // warm
    const started = performance.now()
    const answer = await behave(`${rest.url}/x`, {sleepMs: 2000, return: {statusCode: 200}})
    const elapsed = performance.now() - started
    expect([answer.status, answer.body]).toEqual([504, '{"message": "Endpoint request timed out"}'])
    expect(answer.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException')
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(1900)
  })

  test('Lambda response over 6 MB: 502', async () => {
    const answer = await behave(`${api.url}/rows`, {big: 6_300_000})
    expect([answer.status, answer.body]).toEqual([502, INTERNAL])
  })

  test("request over Lambda's 6 MB limit: 413 Request Too Long, x-amzn-ErrorType BadRequestException", async () => {
    const answer = await call(`${api.url}/rows`, {method: 'POST', headers: {'content-type': 'text/plain'}, body: 'x'.repeat(7 * 1024 * 1024)})
    expect([answer.status, answer.body]).toEqual([413, '{"message": "Request Too Long"}'])
    expect(answer.headers.get('x-amzn-errortype')).toBe('BadRequestException')
  })

  test('request over the 10 MB API payload quota: 413, plain text', async () => {
    const answer = await call(`${api.url}/rows`, {method: 'POST', body: 'x'.repeat(10_485_761)})
    expect([answer.status, answer.body]).toEqual([413, 'HTTP content length exceeded 10485760 bytes.'])
    expect(answer.headers.get('content-type')).toBe('text/plain')
  })

  test('Lambda service error (the integration names a deleted function): 500', async () => {
    const f = await createFunction(t)
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /x', functionArn: f.arn}]})
    await t.clients.lambda.send(new DeleteFunctionCommand({FunctionName: f.name}))
    const answer = await behave(`${rest.url}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([500, INTERNAL])
  })

  test('stage throttling (methodSettings */*): 429 without reaching the function', async () => {
    const f = await createFunction(t)
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /x', functionArn: f.arn}]})
    await rest.client.send(
      new UpdateStageCommand({
        restApiId: rest.apiId,
        stageName: 'prod',
        patchOperations: [
          {op: 'replace', path: '/*/*/throttling/burstLimit', value: '2'},
          {op: 'replace', path: '/*/*/throttling/rateLimit', value: '0.001'},
        ],
      }),
    )
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await behave(`${rest.url}/x`, {return: {statusCode: 200}})).status)
    expect(statuses).toEqual([200, 200, 429])
    const answer = await behave(`${rest.url}/x`, {return: {statusCode: 200}})
    expect([answer.status, answer.body]).toEqual([429, '{"message":"Too Many Requests"}'])
    expect(answer.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException')
  })

  test('no matching resource, method or stage: 403 Missing Authentication Token', async () => {
    const base = `${t.emulator.url}/_aws/execute-api/${api.apiId}`
    for (const [method, url] of [
      ['GET', `${api.url}/nothing`],
      ['GET', `${api.url}/rows`],
      ['POST', `${api.url}/Rows`],
      ['POST', `${base}/dev/rows`],
      ['GET', base],
      ['GET', `${base}/`],
    ]) {
      const answer = await call(url, {method})
      expect([answer.status, answer.body], `${method} ${url}`).toEqual([403, '{"message":"Missing Authentication Token"}'])
      expect(answer.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    }
  })

  test('every answer carries x-amzn-RequestId, x-amz-apigw-id and X-Amzn-Trace-Id (errors too)', async () => {
    for (const answer of [await behave(`${api.url}/rows`, {return: {statusCode: 200}}), await call(`${api.url}/missing`), await behave(`${api.url}/rows`, {throw: 'x'})]) {
      expect(answer.headers.get('x-amzn-requestid')).toMatch(REST_REQUEST_ID)
      expect(answer.headers.get('x-amz-apigw-id')).toBeTruthy()
      expect(answer.headers.get('apigw-requestid')).toBeNull()
      expect(rootOf(answer.headers.get('x-amzn-trace-id'))).toMatch(/^1-/)
    }
  })
})

describe('the REST proxy event and routing', () => {
  test('payload format 1.0: resource template, raw path, path parameters, stage, resource id, deployment id', async () => {
    const rest = await createRestApi(t, {routes: [{routeKey: 'GET /orders/{id}', functionArn: fn.arn}, {routeKey: 'ANY /{proxy+}', functionArn: fn.arn}]})
    const {status, event} = await echo(`${rest.url}/orders/42?expand=items&expand=total`)
    expect(status).toBe(200)
    expect(event).toMatchObject({
      resource: '/orders/{id}',
      path: '/orders/42',
      httpMethod: 'GET',
      pathParameters: {id: '42'},
      queryStringParameters: {expand: 'total'},
      multiValueQueryStringParameters: {expand: ['items', 'total']},
      isBase64Encoded: false,
      body: null,
      requestContext: {
        apiId: rest.apiId,
        stage: 'prod',
        resourcePath: '/orders/{id}',
        resourceId: rest.resourceIds.get('/orders/{id}'),
        path: '/prod/orders/42',
        httpMethod: 'GET',
        accountId: t.emulator.accountId,
        deploymentId: expect.stringMatching(/^[a-z0-9]{6}$/),
      },
    })
    expect(event).not.toHaveProperty('version')
    const greedy = await echo(`${rest.url}/a/b/c`, {method: 'DELETE'})
    expect(greedy.event).toMatchObject({resource: '/{proxy+}', httpMethod: 'DELETE', pathParameters: {proxy: 'a/b/c'}})
  })

  test('a stage serves its deployment: a method added later answers 403 until the next deployment', async () => {
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /a', functionArn: fn.arn}]})
    const created = await rest.client.send(new CreateResourceCommand({restApiId: rest.apiId, parentId: rest.rootId, pathPart: 'b'}))
    await rest.client.send(new PutMethodCommand({restApiId: rest.apiId, resourceId: created.id, httpMethod: 'POST', authorizationType: 'NONE'}))
    await rest.client.send(
      new PutIntegrationCommand({
        restApiId: rest.apiId,
        resourceId: created.id,
        httpMethod: 'POST',
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fn.arn}/invocations`,
      }),
    )
    expect((await behave(`${rest.url}/b`, {return: {statusCode: 200}})).status).toBe(403)
    await rest.redeploy()
    expect((await behave(`${rest.url}/b`, {return: {statusCode: 201}})).status).toBe(201)
  })

  test('an ANY method presents ANY in its source ARN: a grant for GET alone does not let it invoke, a * grant does', async () => {
    const f = await createFunction(t)
    const rest = await createRestApi(t, {routes: [{routeKey: 'ANY /items', functionArn: f.arn}], grant: false})
    await grant(t, f.arn, rest.apiId, 'prod/GET/items')
    expect((await call(`${rest.url}/items`)).status).toBe(500)
    await grant(t, f.arn, rest.apiId, 'prod/*/items')
    expect((await call(`${rest.url}/items`, {headers: {'x-mode': 'echo'}})).status).toBe(200)
  })

  test('path parameters reach the function still percent-encoded', async () => {
    const rest = await createRestApi(t, {routes: [{routeKey: 'GET /files/{name}', functionArn: fn.arn}]})
    const {event} = await echo(`${rest.url}/files/a%20b`)
    expect(event.pathParameters).toEqual({name: 'a%20b'})
  })
})

const byOrigin = (docs: SegmentDoc[], origin: string) => docs.find((d) => d.origin === origin)

describe('§6.4: the stage trace', () => {
  test('a traced stage emits its segment with one Lambda subsegment, the parent of Lambda\'s own segments', async () => {
    const f = await createFunction(t, {tracing: 'PassThrough'})
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /orders', functionArn: f.arn}], tracing: true, name: 'testxray'})
    const answer = await behave(`${rest.url}/orders`, {return: {statusCode: 201, body: 'made'}})
    expect(answer.status).toBe(201)
    const header = answer.headers.get('x-amzn-trace-id')!
    expect(header).toMatch(/;Sampled=1$/)
    const docs = await traceDocuments(t, rootOf(header), (d) => d.length >= 3)

    const stage = byOrigin(docs, 'AWS::ApiGateway::Stage')!
    expect(stage).toMatchObject({
      name: 'testxray/prod',
      resource_arn: `arn:aws:apigateway:${REGION}::/restapis/${rest.apiId}/stages/prod`,
      aws: {xray: {sampling_rule_name: 'Default'}, api_gateway: {account_id: t.emulator.accountId, rest_api_id: rest.apiId, stage: 'prod', request_id: answer.headers.get('x-amzn-requestid')}},
      annotations: {'aws:api_id': rest.apiId, 'aws:api_stage': 'prod'},
      metadata: {default: {request_id: answer.headers.get('x-amzn-requestid'), extended_request_id: answer.headers.get('x-amz-apigw-id')}},
      http: {request: {method: 'POST', url: expect.stringContaining(`/_aws/execute-api/${rest.apiId}/prod/orders`)}, response: {status: 201}},
    })
    expect(stage.parent_id).toBeUndefined()
    expect(stage.fault).toBeUndefined()
    expect(stage.subsegments).toHaveLength(1)
    const lambda = stage.subsegments![0]
    expect(lambda).toMatchObject({
      name: 'Lambda',
      namespace: 'aws',
      aws: {function_name: f.name, region: REGION, operation: 'Invoke', resource_names: [f.name]},
      http: {request: {method: 'POST', url: `https://lambda.${REGION}.amazonaws.com/2015-03-31/functions/${f.arn}/invocations`}, response: {status: 200}},
    })
    // Even a PassThrough function is traced: the stage's header says Sampled=1.
    const service = byOrigin(docs, 'AWS::Lambda')!
    const fnSegment = byOrigin(docs, 'AWS::Lambda::Function')!
    expect(service.parent_id).toBe(lambda.id)
    expect(fnSegment.parent_id).toBe(service.id)
    expect(Number(stage.start_time)).toBeLessThanOrEqual(Number(lambda.start_time))
    expect(Number(stage.end_time)).toBeGreaterThanOrEqual(Number(lambda.end_time))
  })

  test('a 502 from a throwing function: the stage segment is a fault with status 502, the exception is on the function segment', async () => {
    const f = await createFunction(t, {tracing: 'Active'})
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /orders', functionArn: f.arn}], tracing: true})
    const answer = await behave(`${rest.url}/orders`, {throw: 'order store unavailable'})
    expect(answer.status).toBe(502)
    const docs = await traceDocuments(t, rootOf(answer.headers.get('x-amzn-trace-id')), (d) => d.length >= 3)
    const stage = byOrigin(docs, 'AWS::ApiGateway::Stage')!
    expect(stage).toMatchObject({fault: true, http: {response: {status: 502}}})
    expect(stage.subsegments![0]).toMatchObject({name: 'Lambda', http: {response: {status: 200}}})
    expect(byOrigin(docs, 'AWS::Lambda::Function')).toMatchObject({fault: true})
    // The stage is the root: the summary has the fault, and its HTTP status is the gateway's.
    const summary = (await traceSummaries(t)).find((s) => s.Id === rootOf(answer.headers.get('x-amzn-trace-id')))
    expect(summary).toMatchObject({HasFault: true, Http: {HttpStatus: 502}})
  })

  test('a 500 from a missing permission: the stage segment is a fault with status 500 and its Lambda subsegment says 403; Lambda never ran', async () => {
    const f = await createFunction(t, {tracing: 'Active'})
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /orders', functionArn: f.arn}], tracing: true, grant: false})
    const answer = await behave(`${rest.url}/orders`, {return: {statusCode: 200}})
    expect(answer.status).toBe(500)
    const docs = await traceDocuments(t, rootOf(answer.headers.get('x-amzn-trace-id')))
    expect(docs.map((d) => d.origin)).toEqual(['AWS::ApiGateway::Stage'])
    const stage = docs[0]
    expect(stage).toMatchObject({fault: true, http: {response: {status: 500}}})
    expect(stage.subsegments![0]).toMatchObject({name: 'Lambda', error: true, http: {response: {status: 403}}})
    expect(JSON.stringify(stage.subsegments![0].cause)).toContain('Invalid permissions on Lambda function')
  })

  test('an integration naming an alias: the Lambda subsegment invokes the alias\'s ARN; a missing alias\'s 404 names it too', async () => {
    const f = await createFunction(t)
    await t.clients.lambda.send(new PublishVersionCommand({FunctionName: f.name}))
    await t.clients.lambda.send(new CreateAliasCommand({FunctionName: f.name, Name: 'live', FunctionVersion: '1'}))
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /orders', functionArn: `${f.arn}:live`}, {routeKey: 'POST /gone', functionArn: `${f.arn}:nope`}], tracing: true, grant: false})
    await grant(t, `${f.arn}:live`, rest.apiId)
    const answer = await behave(`${rest.url}/orders`, {return: {statusCode: 200, body: 'ok'}})
    expect(answer.status).toBe(200)
    const docs = await traceDocuments(t, rootOf(answer.headers.get('x-amzn-trace-id')), (d) => d.length >= 3)
    expect(byOrigin(docs, 'AWS::ApiGateway::Stage')!.subsegments![0]).toMatchObject({
      http: {request: {url: `https://lambda.${REGION}.amazonaws.com/2015-03-31/functions/${f.arn}:live/invocations`}, response: {status: 200}},
    })

    const missing = await behave(`${rest.url}/gone`, {return: {statusCode: 200}})
    expect(missing.status).toBe(500)
    const [stage] = await traceDocuments(t, rootOf(missing.headers.get('x-amzn-trace-id')))
    expect(stage.subsegments![0]).toMatchObject({http: {request: {url: expect.stringContaining(`/functions/${f.arn}:nope/invocations`)}, response: {status: 404}}})
    expect(JSON.stringify(stage.subsegments![0].cause)).toContain(`Function not found: ${f.arn}:nope`)
  })

  test('a caller\'s trace header: its Parent becomes the stage segment\'s parent; Sampled=0 leaves no trace', async () => {
    const f = await createFunction(t)
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /orders', functionArn: f.arn}], tracing: true})
    const seconds = Math.floor(Date.now() / 1000).toString(16)
    const root = `1-${seconds}-${'ab'.repeat(12)}`
    const answer = await fetch(`${rest.url}/orders`, {method: 'POST', headers: {'x-amzn-trace-id': `Root=${root};Parent=1234567890abcdef;Sampled=1`}, body: JSON.stringify({return: {statusCode: 200}})})
    expect(rootOf(answer.headers.get('x-amzn-trace-id'))).toBe(root)
    const docs = await traceDocuments(t, root, (d) => d.length >= 2)
    expect(byOrigin(docs, 'AWS::ApiGateway::Stage')?.parent_id).toBe('1234567890abcdef')

    const quiet = `1-${seconds}-${'cd'.repeat(12)}`
    const unsampled = await fetch(`${rest.url}/orders`, {method: 'POST', headers: {'x-amzn-trace-id': `Root=${quiet};Sampled=0`}, body: JSON.stringify({return: {statusCode: 200}})})
    expect(unsampled.headers.get('x-amzn-trace-id')).toBe(`Root=${quiet};Sampled=0`)
    await behave(`${rest.url}/orders`, {return: {statusCode: 200}})
    expect((await traceSummaries(t)).map((s) => s.Id)).not.toContain(quiet)
  })

  test('without stage tracing there is no stage segment (a PassThrough function leaves no trace at all)', async () => {
    const f = await createFunction(t, {tracing: 'PassThrough'})
    const rest = await createRestApi(t, {routes: [{routeKey: 'POST /orders', functionArn: f.arn}], tracing: false})
    const answer = await behave(`${rest.url}/orders`, {return: {statusCode: 200}})
    expect(answer.headers.get('x-amzn-trace-id')).toMatch(/;Sampled=0$/)
    const id = rootOf(answer.headers.get('x-amzn-trace-id'))
    await behave(`${api.url}/rows`, {return: {statusCode: 200}})
    expect((await traceSummaries(t)).map((s) => s.Id)).not.toContain(id)
  })
})
