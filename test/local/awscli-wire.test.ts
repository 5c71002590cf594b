/**
 * Requests exactly as the AWS CLI v2 (2.9.19, botocore) sends them, captured with `--debug`, and the answers it
 * needs. botocore's models differ from the JS SDK's in small ways (trailing slashes, which members it sends),
 * so these are raw `fetch` calls rather than SDK commands.
 */
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {handlerZip, ROLE, startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

/** The headers botocore signs with (dummy credentials; the emulator reads only the scope). */
function cliHeaders(service: string, command: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'User-Agent': `aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off command/${command}`,
    'X-Amz-Date': '20260101T000000Z',
    Authorization: `AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
    ...extra,
  }
}

async function cli(
  service: string,
  command: string,
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<{status: number; headers: Headers; text: string; json: () => Record<string, unknown>}> {
  const headers = cliHeaders(service, command, extra)
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${t.emulator.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return {status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown>}
}

let counter = 0
async function createFunction(name = `cli-fn-${++counter}`): Promise<string> {
  const created = await cli('lambda', 'lambda.create-function', 'POST', '/2015-03-31/functions', {
    FunctionName: name,
    Runtime: 'nodejs20.x',
    Role: ROLE,
    Handler: 'index.handler',
    Code: {ZipFile: Buffer.from(handlerZip()).toString('base64')},
  })
  expect(created.status).toBe(201)
  return name
}

describe('lambda as the AWS CLI calls it', () => {
  test('list-functions is sent with a trailing slash and answers the function list', async () => {
    const name = await createFunction()
    const listed = await cli('lambda', 'lambda.list-functions', 'GET', '/2015-03-31/functions/')
    expect(listed.status).toBe(200)
    const names = (listed.json().Functions as {FunctionName: string}[]).map((fn) => fn.FunctionName)
    expect(names).toContain(name)
  })

  test('list-functions --page-size pages with MaxItems and NextMarker on the trailing-slash path', async () => {
    await createFunction()
    await createFunction()
    const first = await cli('lambda', 'lambda.list-functions', 'GET', '/2015-03-31/functions/?MaxItems=1')
    expect(first.status).toBe(200)
    expect(first.json().Functions).toHaveLength(1)
    const marker = first.json().NextMarker as string
    expect(marker).toEqual(expect.any(String))
    const second = await cli('lambda', 'lambda.list-functions', 'GET', `/2015-03-31/functions/?Marker=${encodeURIComponent(marker)}&MaxItems=1`)
    expect(second.status).toBe(200)
    expect((second.json().Functions as {FunctionName: string}[])[0].FunctionName).not.toBe(
      (first.json().Functions as {FunctionName: string}[])[0].FunctionName,
    )
  })
})

describe('lambda validation messages as the AWS CLI prints them', () => {
  test('more than 50 tags, at create or by tag-resource, is "Number of tags exceeds resource tag limit."', async () => {
    const tags = Object.fromEntries(Array.from({length: 51}, (_, i) => [`k${i}`, 'v']))
    const created = await cli('lambda', 'lambda.create-function', 'POST', '/2015-03-31/functions', {
      FunctionName: 'cli-many-tags',
      Runtime: 'nodejs20.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: {ZipFile: Buffer.from(handlerZip()).toString('base64')},
      Tags: tags,
    })
    expect([created.status, created.headers.get('x-amzn-errortype'), created.json().message]).toEqual([
      400,
      'InvalidParameterValueException',
      'Number of tags exceeds resource tag limit.',
    ])
    const name = await createFunction()
    const arn = `arn:aws:lambda:us-east-1:000000000000:function:${name}`
    const tagged = await cli('lambda', 'lambda.tag-resource', 'POST', `/2017-03-31/tags/${encodeURIComponent(arn)}`, {Tags: tags})
    expect([tagged.status, tagged.json().message]).toEqual([400, 'Number of tags exceeds resource tag limit.'])
  })

  test('a deprecated runtime is refused with Lambda\'s current wording', async () => {
    const name = await createFunction()
    const updated = await cli('lambda', 'lambda.update-function-configuration', 'PUT', `/2015-03-31/functions/${name}/configuration`, {Runtime: 'nodejs14.x'})
    expect([updated.status, updated.headers.get('x-amzn-errortype')]).toEqual([400, 'InvalidParameterValueException'])
    expect(updated.json().message).toBe(
      'The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.',
    )
  })

  test('a function ARN of another region is not reachable from this region, for get-function, create-function and invoke alike', async () => {
    const name = await createFunction()
    const message = "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"
    const arn = `arn:aws:lambda:eu-west-1:000000000000:function:${name}`
    const got = await cli('lambda', 'lambda.get-function', 'GET', `/2015-03-31/functions/${encodeURIComponent(arn)}`)
    expect([got.status, got.headers.get('x-amzn-errortype'), got.json().Message]).toEqual([404, 'ResourceNotFoundException', message])
    const created = await cli('lambda', 'lambda.create-function', 'POST', '/2015-03-31/functions', {
      FunctionName: arn,
      Runtime: 'nodejs20.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: {ZipFile: Buffer.from(handlerZip()).toString('base64')},
    })
    expect([created.status, created.json().Message]).toEqual([404, message])
    const invoked = await cli('lambda', 'lambda.invoke', 'POST', `/2015-03-31/functions/${encodeURIComponent(arn)}/invocations`, {})
    expect([invoked.status, invoked.json().Message]).toEqual([404, message])
    const sameRegion = await cli('lambda', 'lambda.get-function', 'GET', `/2015-03-31/functions/${encodeURIComponent(arn.replace('eu-west-1', 'us-east-1'))}`)
    expect(sameRegion.status).toBe(200)
  })

  test('an invalid environment variable name is refused without echoing the variables (they are sensitive)', async () => {
    const name = await createFunction()
    const updated = await cli('lambda', 'lambda.update-function-configuration', 'PUT', `/2015-03-31/functions/${name}/configuration`, {
      Environment: {Variables: {A: 'secret-value', DB_PASSWORD: 'hunter2'}},
    })
    expect(updated.status).toBe(400)
    expect(updated.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(updated.json().message).toBe(
      "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
    )
    expect(updated.text).not.toContain('hunter2')
  })
})

describe('lambda layers, which the emulator never publishes', () => {
  const zip = () => Buffer.from(handlerZip()).toString('base64')

  test('create-function --layers is refused as AWS refuses a layer version that does not exist', async () => {
    const layer = 'arn:aws:lambda:us-east-1:000000000000:layer:shared:1'
    const created = await cli('lambda', 'lambda.create-function', 'POST', '/2015-03-31/functions', {
      FunctionName: 'cli-layered',
      Runtime: 'nodejs20.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: {ZipFile: zip()},
      Layers: [layer],
    })
    expect(created.status).toBe(400)
    expect(created.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
    expect(created.json().message).toBe(`Layer version ${layer} does not exist.`)
    const after = await cli('lambda', 'lambda.get-function', 'GET', '/2015-03-31/functions/cli-layered')
    expect(after.status).toBe(404)
  })

  test('update-function-configuration checks layer ARNs, regions and duplicates before existence; an empty list is accepted', async () => {
    const name = await createFunction()
    const update = (Layers: unknown) =>
      cli('lambda', 'lambda.update-function-configuration', 'PUT', `/2015-03-31/functions/${name}/configuration`, {Layers})
    const unversioned = await update(['arn:aws:lambda:us-east-1:000000000000:layer:shared'])
    expect([unversioned.status, unversioned.headers.get('x-amzn-errortype')]).toEqual([400, 'ValidationException'])
    expect(unversioned.json().message).toMatch(
      /^1 validation error detected: Value '\[arn:aws:lambda:us-east-1:000000000000:layer:shared\]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: \[/,
    )
    const elsewhere = await update(['arn:aws:lambda:eu-west-1:000000000000:layer:shared:1'])
    expect(elsewhere.json().message).toBe('Layers are not in the same region as the function. Layers are expected to be in region us-east-1.')
    const twice = await update(['arn:aws:lambda:us-east-1:000000000000:layer:shared:1', 'arn:aws:lambda:us-east-1:000000000000:layer:shared:2'])
    expect(twice.json().message).toBe(
      'Two different versions of the same layer are not allowed to be referenced in the same function. arn:aws:lambda:us-east-1:000000000000:layer:shared:1 and arn:aws:lambda:us-east-1:000000000000:layer:shared:2 are versions of the same layer.',
    )
    const missing = await update(['arn:aws:lambda:us-east-1:000000000000:layer:shared:9'])
    expect(missing.json().message).toBe('Layer version arn:aws:lambda:us-east-1:000000000000:layer:shared:9 does not exist.')
    const none = await update([])
    expect(none.status).toBe(200)
  })
})

describe('lambda resource policy as the AWS CLI edits it', () => {
  test('add-permission refuses a statement id with a dot, as AWS does', async () => {
    const name = await createFunction()
    const added = await cli('lambda', 'lambda.add-permission', 'POST', `/2015-03-31/functions/${name}/policy`, {
      StatementId: 'example.com',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    })
    expect(added.status).toBe(400)
    expect(added.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(added.json().message).toBe(
      "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
    )
  })

  test('get-policy on a missing function answers as AWS does for a missing policy', async () => {
    const got = await cli('lambda', 'lambda.get-policy', 'GET', '/2015-03-31/functions/no-such-fn/policy')
    expect(got.status).toBe(404)
    expect(got.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect(got.json()).toEqual({Type: 'User', Message: 'The resource you requested does not exist.'})
  })

  test('remove-permission on a missing function names the policy it could not find', async () => {
    const removed = await cli('lambda', 'lambda.remove-permission', 'DELETE', '/2015-03-31/functions/no-such-fn/policy/s1')
    expect(removed.status).toBe(404)
    expect(removed.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect(removed.json().Message).toBe('No policy found for: arn:aws:lambda:us-east-1:000000000000:function:no-such-fn')
  })
})

describe('lambda reserved concurrency as the AWS CLI sets it', () => {
  test('put-function-concurrency on a missing function names its $LATEST ARN', async () => {
    const put = await cli('lambda', 'lambda.put-function-concurrency', 'PUT', '/2017-10-31/functions/no-such-fn/concurrency', {
      ReservedConcurrentExecutions: 1,
    })
    expect(put.status).toBe(404)
    expect(put.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect(put.json().Message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-fn:$LATEST')
  })

  test('get-function-concurrency without a reservation answers an empty object (the CLI prints nothing)', async () => {
    const name = await createFunction()
    const got = await cli('lambda', 'lambda.get-function-concurrency', 'GET', `/2019-09-30/functions/${name}/concurrency`)
    expect(got.status).toBe(200)
    expect(got.json()).toEqual({})
  })
})


describe('API Gateway v2 (HTTP APIs) as the AWS CLI edits them', () => {
  test('delete-integration of an integration a route targets is a ConflictException naming the route; after the route goes it succeeds', async () => {
    const api = (await cli('apigateway', 'apigatewayv2.create-api', 'POST', '/v2/apis', {name: 'cli-http', protocolType: 'HTTP'})).json()
    const base = `/v2/apis/${api.apiId}`
    const integration = (
      await cli('apigateway', 'apigatewayv2.create-integration', 'POST', `${base}/integrations`, {
        integrationType: 'AWS_PROXY',
        integrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:target',
        payloadFormatVersion: '2.0',
      })
    ).json()
    const route = (
      await cli('apigateway', 'apigatewayv2.create-route', 'POST', `${base}/routes`, {routeKey: 'GET /x', target: `integrations/${integration.integrationId}`})
    ).json()
    const refused = await cli('apigateway', 'apigatewayv2.delete-integration', 'DELETE', `${base}/integrations/${integration.integrationId}`)
    expect(refused.status).toBe(409)
    expect(refused.headers.get('x-amzn-errortype')).toBe('ConflictException')
    expect(refused.json().message).toBe(`Cannot delete Integration because it is referenced by the following Routes with Ids: [${route.routeId}]`)
    expect((await cli('apigateway', 'apigatewayv2.delete-route', 'DELETE', `${base}/routes/${route.routeId}`)).status).toBe(204)
    expect((await cli('apigateway', 'apigatewayv2.delete-integration', 'DELETE', `${base}/integrations/${integration.integrationId}`)).status).toBe(204)
  })

  test('update-stage --default-route-settings with one setting keeps the others and detailedMetricsEnabled', async () => {
    const api = (await cli('apigateway', 'apigatewayv2.create-api', 'POST', '/v2/apis', {name: 'cli-http-stage', protocolType: 'HTTP'})).json()
    const base = `/v2/apis/${api.apiId}/stages`
    const created = await cli('apigateway', 'apigatewayv2.create-stage', 'POST', base, {stageName: 'dev', defaultRouteSettings: {throttlingRateLimit: 10}})
    expect(created.json().defaultRouteSettings).toEqual({detailedMetricsEnabled: false, throttlingRateLimit: 10})
    const updated = await cli('apigateway', 'apigatewayv2.update-stage', 'PATCH', `${base}/dev`, {defaultRouteSettings: {throttlingBurstLimit: 5}})
    expect(updated.status).toBe(200)
    expect(updated.json().defaultRouteSettings).toEqual({detailedMetricsEnabled: false, throttlingRateLimit: 10, throttlingBurstLimit: 5})
  })
})

describe('API Gateway v1 (REST APIs) as the AWS CLI creates them', () => {
  test('create-rest-api with an unknown endpoint type is a ValidationException naming createRestApiInput', async () => {
    const created = await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {
      name: 'cli-rest',
      endpointConfiguration: {types: ['wrong'], ipAddressType: 'wrong'},
    })
    expect(created.status).toBe(400)
    expect(created.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(created.json().message).toBe(
      "2 validation errors detected: Value '[wrong]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]; Value 'wrong' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]",
    )
  })

  test('create-rest-api refuses two endpoint types, no endpoint type and an empty description with AWS messages', async () => {
    const two = await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {name: 'cli-rest', endpointConfiguration: {types: ['EDGE', 'REGIONAL']}})
    expect([two.status, two.headers.get('x-amzn-errortype'), two.json().message]).toEqual([
      400,
      'BadRequestException',
      'Cannot create an api with multiple Endpoint Types.',
    ])
    const none = await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {name: 'cli-rest', endpointConfiguration: {types: []}})
    expect(none.json().message).toBe('REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.')
    const description = await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {name: 'cli-rest', description: ''})
    expect([description.status, description.json().message]).toEqual([400, 'Description cannot be an empty string'])
  })

  test('put-integration with an unknown type is a ValidationException listing the integration types', async () => {
    const api = (await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {name: 'cli-rest-int'})).json()
    const root = api.rootResourceId as string
    const method = await cli('apigateway', 'apigateway.put-method', 'PUT', `/restapis/${api.id}/resources/${root}/methods/GET`, {authorizationType: 'NONE'})
    expect(method.status).toBe(201)
    const put = await cli('apigateway', 'apigateway.put-integration', 'PUT', `/restapis/${api.id}/resources/${root}/methods/GET/integration`, {
      type: 'HTTPS_PROXY',
      httpMethod: 'POST',
      uri: 'https://example.com',
    })
    expect(put.status).toBe(400)
    expect(put.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(put.json().message).toBe(
      "1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]",
    )
  })

  test('update-stage: an unknown patch path gets AWS message; removing /*/* drops the wildcard settings, and is refused when there are none', async () => {
    const api = (await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {name: 'cli-rest-stage'})).json()
    const root = api.rootResourceId as string
    await cli('apigateway', 'apigateway.put-method', 'PUT', `/restapis/${api.id}/resources/${root}/methods/GET`, {authorizationType: 'NONE'})
    await cli('apigateway', 'apigateway.put-integration', 'PUT', `/restapis/${api.id}/resources/${root}/methods/GET/integration`, {type: 'MOCK'})
    const deployed = await cli('apigateway', 'apigateway.create-deployment', 'POST', `/restapis/${api.id}/deployments`, {stageName: 'dev'})
    expect(deployed.status).toBe(201)
    const path = `/restapis/${api.id}/stages/dev`
    const patch = (patchOperations: unknown[]) => cli('apigateway', 'apigateway.update-stage', 'PATCH', path, {patchOperations})

    const unknown = await patch([{op: 'replace', path: '/tags/tag1', value: 'v'}])
    expect(unknown.status).toBe(400)
    expect(unknown.json().message).toMatch(/^Invalid method setting path: \/tags\/tag1\. Must be one of: \[\/deploymentId, \/description, /)

    const refused = await patch([{op: 'remove', path: '/*/*'}])
    expect([refused.status, refused.json().message]).toEqual([400, 'Cannot remove method setting */* because there is no method setting for this method '])

    const set = await patch([{op: 'replace', path: '/*/*/throttling/burstLimit', value: '100'}])
    expect(Object.keys(set.json().methodSettings as object)).toEqual(['*/*'])
    const removed = await patch([{op: 'remove', path: '/*/*'}])
    expect(removed.status).toBe(200)
    expect(removed.json().methodSettings).toEqual({})
  })

  test('get-resource with an unknown id answers NotFoundException without repeating the id', async () => {
    const api = (await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {name: 'cli-rest-res'})).json()
    const got = await cli('apigateway', 'apigateway.get-resource', 'GET', `/restapis/${api.id}/resources/nope`)
    expect(got.status).toBe(404)
    expect(got.headers.get('x-amzn-errortype')).toBe('NotFoundException')
    expect(got.json()).toEqual({message: 'Invalid Resource identifier specified'})
  })

  test('a REST API and a stage without tags carry no tags member, as on AWS', async () => {
    const created = await cli('apigateway', 'apigateway.create-rest-api', 'POST', '/restapis', {name: 'cli-rest-untagged'})
    expect(created.status).toBe(201)
    const api = created.json()
    expect(api).not.toHaveProperty('tags')
    expect(api).toMatchObject({name: 'cli-rest-untagged', rootResourceId: expect.any(String), endpointConfiguration: {types: ['EDGE']}})
    await cli('apigateway', 'apigateway.put-method', 'PUT', `/restapis/${api.id}/resources/${api.rootResourceId}/methods/GET`, {authorizationType: 'NONE'})
    await cli('apigateway', 'apigateway.put-integration', 'PUT', `/restapis/${api.id}/resources/${api.rootResourceId}/methods/GET/integration`, {type: 'MOCK'})
    await cli('apigateway', 'apigateway.create-deployment', 'POST', `/restapis/${api.id}/deployments`, {stageName: 'dev'})
    const stages = await cli('apigateway', 'apigateway.get-stages', 'GET', `/restapis/${api.id}/stages`)
    const [stage] = stages.json().item as Record<string, unknown>[]
    expect(stage).toMatchObject({stageName: 'dev', methodSettings: {}, tracingEnabled: false})
    expect(stage).not.toHaveProperty('tags')
  })
})

/** An awsQuery request as botocore sends it: form body, `charset=utf-8` in the content type. */
async function cliQuery(command: string, form: Record<string, string>): Promise<{status: number; text: string}> {
  const response = await fetch(`${t.emulator.url}/`, {
    method: 'POST',
    headers: {...cliHeaders('iam', command), 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'},
    body: new URLSearchParams({...form, Version: '2010-05-08'}).toString(),
  })
  return {status: response.status, text: await response.text()}
}

describe('IAM as the AWS CLI calls it', () => {
  test('attach-role-policy with a policy ARN that does not parse is ValidationError "Invalid ARN:  Could not be parsed!"', async () => {
    const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})
    const created = await cliQuery('iam.create-role', {Action: 'CreateRole', RoleName: 'cli-role-arn', AssumeRolePolicyDocument: trust})
    expect(created.status).toBe(200)
    const attached = await cliQuery('iam.attach-role-policy', {Action: 'AttachRolePolicy', RoleName: 'cli-role-arn', PolicyArn: 'longpolicynamebutnoarn'})
    expect(attached.status).toBe(400)
    expect(attached.text).toContain('<Code>ValidationError</Code>')
    expect(attached.text).toContain('<Message>Invalid ARN:  Could not be parsed!</Message>')
  })
})

