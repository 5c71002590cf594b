/**
 * Lambda versions and aliases on the emulator, driven by the real `@aws-sdk/client-lambda`: the control plane
 * (PublishVersion, Publish on create and update, qualified reads, aliases, qualified policies, deleting a version),
 * Invoke with a qualifier, and API Gateway integrations that name a version or an alias.
 */
import {UpdateStageCommand} from '@aws-sdk/client-api-gateway'
import {CreateStageCommand} from '@aws-sdk/client-apigatewayv2'
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {handlerZip, ROLE, startTestEmulator, type TestEmulator} from './helpers.js'
import {call, createHttpApi, grant, uniqueName} from './dataplane/helpers.js'
import {createRestApi} from './rest-helpers.js'

let t: TestEmulator

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

/** A handler that answers which code ran and what Lambda told it about itself. */
const whoami = (tag: string) => `
exports.handler = async (event, context) => ({
  statusCode: 200,
  headers: {'content-type': 'application/json'},
  body: JSON.stringify({tag: ${JSON.stringify(tag)}, version: context.functionVersion, env: process.env.AWS_LAMBDA_FUNCTION_VERSION, invoked: context.invokedFunctionArn, memory: context.memoryLimitInMB}),
})`

async function createFunction(name: string, tag: string, extra: Record<string, unknown> = {}) {
  return t.clients.lambda.send(
    new CreateFunctionCommand({FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: {ZipFile: handlerZip(whoami(tag))}, ...extra}),
  )
}

async function updateCode(name: string, tag: string, extra: Record<string, unknown> = {}) {
  return t.clients.lambda.send(new UpdateFunctionCodeCommand({FunctionName: name, ZipFile: handlerZip(whoami(tag)), ...extra}))
}

async function invoke(functionName: string, qualifier?: string) {
  const result = await t.clients.lambda.send(new InvokeCommand({FunctionName: functionName, ...(qualifier ? {Qualifier: qualifier} : {}), LogType: 'Tail'}))
  const answer = JSON.parse(new TextDecoder().decode(result.Payload)) as {body: string}
  return {executed: result.ExecutedVersion, log: Buffer.from(result.LogResult ?? '', 'base64').toString('utf8'), ...JSON.parse(answer.body)}
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error & {$metadata?: {httpStatusCode?: number}}) => error)

describe('PublishVersion', () => {
  test('snapshots $LATEST as version 1, 2, …; an unchanged $LATEST returns the newest version again', async () => {
    const name = uniqueName('pub')
    const created = await createFunction(name, 'one', {Description: 'first'})
    const v1 = await t.clients.lambda.send(new PublishVersionCommand({FunctionName: name}))
    expect(v1.$metadata.httpStatusCode).toBe(201)
    expect(v1).toMatchObject({FunctionName: name, FunctionArn: `${created.FunctionArn}:1`, Version: '1', Description: 'first', CodeSha256: created.CodeSha256})
    // Nothing changed: the same version, no new number.
    const again = await t.clients.lambda.send(new PublishVersionCommand({FunctionName: name, Description: 'ignored'}))
    expect(again.Version).toBe('1')

    await updateCode(name, 'two')
    await t.clients.lambda.send(new UpdateFunctionConfigurationCommand({FunctionName: name, MemorySize: 256}))
    const v2 = await t.clients.lambda.send(new PublishVersionCommand({FunctionName: name, Description: 'second'}))
    expect(v2).toMatchObject({Version: '2', FunctionArn: `${created.FunctionArn}:2`, Description: 'second', MemorySize: 256})
    expect(v2.CodeSha256).not.toBe(created.CodeSha256)

    // Each version keeps its own code and configuration; $LATEST goes on changing.
    await updateCode(name, 'three')
    expect(await invoke(name, '1')).toMatchObject({tag: 'one', version: '1', env: '1', executed: '1', memory: '128', invoked: `${created.FunctionArn}:1`})
    expect(await invoke(name, '2')).toMatchObject({tag: 'two', version: '2', executed: '2', memory: '256'})
    expect(await invoke(`${name}:2`)).toMatchObject({tag: 'two', executed: '2'})
    const latest = await invoke(name)
    expect(latest).toMatchObject({tag: 'three', version: '$LATEST', executed: '$LATEST', invoked: created.FunctionArn})
    const one = await invoke(name, '1')
    expect(one.log).toMatch(/^START RequestId: \S+ Version: 1$/m)

    const listed = await t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: name}))
    expect(listed.Versions?.map((v) => [v.Version, v.FunctionArn])).toEqual([
      ['$LATEST', `${created.FunctionArn}:$LATEST`],
      ['1', `${created.FunctionArn}:1`],
      ['2', `${created.FunctionArn}:2`],
    ])
    const config = await t.clients.lambda.send(new GetFunctionConfigurationCommand({FunctionName: name, Qualifier: '1'}))
    expect(config).toMatchObject({Version: '1', FunctionArn: `${created.FunctionArn}:1`, MemorySize: 128, CodeSha256: created.CodeSha256})
    const got = await t.clients.lambda.send(new GetFunctionCommand({FunctionName: `${name}:2`}))
    expect(got.Configuration).toMatchObject({Version: '2', MemorySize: 256})
  })

  test('Publish on CreateFunction and UpdateFunctionCode answers with the new version', async () => {
    const name = uniqueName('pub')
    const created = await createFunction(name, 'one', {Publish: true})
    expect(created).toMatchObject({Version: '1', FunctionArn: expect.stringMatching(new RegExp(`:function:${name}:1$`))})
    const updated = await updateCode(name, 'two', {Publish: true})
    expect(updated).toMatchObject({Version: '2', FunctionArn: created.FunctionArn!.replace(/:1$/, ':2')})
    expect((await invoke(name, '1')).tag).toBe('one')
    expect((await invoke(name, '2')).tag).toBe('two')
  })

  test('a stale CodeSha256 or RevisionId publishes nothing', async () => {
    const name = uniqueName('pub')
    await createFunction(name, 'one')
    const sha = await errorOf(t.clients.lambda.send(new PublishVersionCommand({FunctionName: name, CodeSha256: 'c3RhbGU='})))
    expect(sha).toBeInstanceOf(InvalidParameterValueException)
    expect(sha?.message).toMatch(/^CodeSHA256 \(c3RhbGU=\) is different from current CodeSHA256 in \$LATEST \(.+\)\. Please try again with the CodeSHA256 in \$LATEST\.$/)
    const revision = await errorOf(t.clients.lambda.send(new PublishVersionCommand({FunctionName: name, RevisionId: 'not-the-revision'})))
    expect(revision).toBeInstanceOf(PreconditionFailedException)
    expect((await t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: name}))).Versions).toHaveLength(1)
  })

  test('version numbers are never reused; a missing version is Function not found with its ARN', async () => {
    const name = uniqueName('pub')
    const created = await createFunction(name, 'one', {Publish: true})
    const arn = created.FunctionArn!.replace(/:1$/, '')
    await t.clients.lambda.send(new DeleteFunctionCommand({FunctionName: name, Qualifier: '1'}))
    await updateCode(name, 'two')
    expect((await t.clients.lambda.send(new PublishVersionCommand({FunctionName: name}))).Version).toBe('2')
    const missing = await errorOf(t.clients.lambda.send(new InvokeCommand({FunctionName: name, Qualifier: '1'})))
    expect(missing).toBeInstanceOf(ResourceNotFoundException)
    expect(missing?.message).toBe(`Function not found: ${arn}:1`)
    const config = await errorOf(t.clients.lambda.send(new GetFunctionConfigurationCommand({FunctionName: name, Qualifier: '7'})))
    expect(config?.message).toBe(`Function not found: ${arn}:7`)
  })

  test('reserved concurrency is the function’s: an invocation of a version counts against $LATEST too', async () => {
    const name = uniqueName('conc')
    const source = 'exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms || 0)); return "done" }'
    await t.clients.lambda.send(
      new CreateFunctionCommand({FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: {ZipFile: handlerZip(source)}, Publish: true}),
    )
    await t.clients.lambda.send(new PutFunctionConcurrencyCommand({FunctionName: name, ReservedConcurrentExecutions: 1}))
    const slow = t.clients.lambda.send(new InvokeCommand({FunctionName: name, Qualifier: '1', Payload: new TextEncoder().encode('{"ms":2000}')}))
    await new Promise((resolve) => setTimeout(resolve, 400))
    const second = await errorOf(t.clients.lambda.send(new InvokeCommand({FunctionName: name, Payload: new TextEncoder().encode('{}')})))
    expect(second).toBeInstanceOf(TooManyRequestsException)
    expect((await slow).ExecutedVersion).toBe('1')
  })

  test('ListVersionsByFunction pages with MaxItems and Marker', async () => {
    const name = uniqueName('pub')
    await createFunction(name, 'one', {Publish: true})
    for (const tag of ['two', 'three']) await updateCode(name, tag, {Publish: true})
    const first = await t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: name, MaxItems: 2}))
    expect(first.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1'])
    expect(first.NextMarker).toBeDefined()
    const second = await t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: name, MaxItems: 2, Marker: first.NextMarker}))
    expect(second.Versions?.map((v) => v.Version)).toEqual(['2', '3'])
    expect(second.NextMarker).toBeUndefined()
  })
})

describe('aliases', () => {
  test('create, get, list, update and delete an alias; invoking it runs its version and says so', async () => {
    const name = uniqueName('alias')
    const created = await createFunction(name, 'one', {Publish: true})
    const arn = created.FunctionArn!.replace(/:1$/, '')
    await updateCode(name, 'two', {Publish: true})

    const alias = await t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '1', Description: 'prod'}))
    expect(alias.$metadata.httpStatusCode).toBe(201)
    expect(alias).toMatchObject({AliasArn: `${arn}:live`, Name: 'live', FunctionVersion: '1', Description: 'prod', RevisionId: expect.any(String)})
    expect(await t.clients.lambda.send(new GetAliasCommand({FunctionName: name, Name: 'live'}))).toMatchObject({AliasArn: `${arn}:live`, FunctionVersion: '1'})

    const through = await invoke(name, 'live')
    expect(through).toMatchObject({tag: 'one', version: '1', executed: '1', invoked: `${arn}:live`})
    const config = await t.clients.lambda.send(new GetFunctionConfigurationCommand({FunctionName: `${name}:live`}))
    expect(config).toMatchObject({FunctionArn: `${arn}:live`, Version: '1'})

    const updated = await t.clients.lambda.send(new UpdateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '2', RevisionId: alias.RevisionId}))
    expect(updated).toMatchObject({FunctionVersion: '2', Description: 'prod'})
    expect(updated.RevisionId).not.toBe(alias.RevisionId)
    expect((await invoke(name, 'live')).tag).toBe('two')
    const stale = await errorOf(t.clients.lambda.send(new UpdateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '1', RevisionId: alias.RevisionId})))
    expect(stale).toBeInstanceOf(PreconditionFailedException)

    await t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'beta', FunctionVersion: '$LATEST'}))
    const all = await t.clients.lambda.send(new ListAliasesCommand({FunctionName: name}))
    expect(all.Aliases?.map((a) => a.Name)).toEqual(['beta', 'live'])
    const onTwo = await t.clients.lambda.send(new ListAliasesCommand({FunctionName: name, FunctionVersion: '2'}))
    expect(onTwo.Aliases?.map((a) => a.Name)).toEqual(['live'])
    const paged = await t.clients.lambda.send(new ListAliasesCommand({FunctionName: name, MaxItems: 1}))
    expect(paged.Aliases?.map((a) => a.Name)).toEqual(['beta'])
    expect((await t.clients.lambda.send(new ListAliasesCommand({FunctionName: name, MaxItems: 1, Marker: paged.NextMarker}))).Aliases?.map((a) => a.Name)).toEqual(['live'])

    const deleted = await t.clients.lambda.send(new DeleteAliasCommand({FunctionName: name, Name: 'live'}))
    expect(deleted.$metadata.httpStatusCode).toBe(204)
    const gone = await errorOf(t.clients.lambda.send(new GetAliasCommand({FunctionName: name, Name: 'live'})))
    expect(gone).toBeInstanceOf(ResourceNotFoundException)
    expect(gone?.message).toBe(`Cannot find alias arn: ${arn}:live`)
  })

  test('refusals: a duplicate, a missing version, an all-digit name, a routing to $LATEST or to the primary itself', async () => {
    const name = uniqueName('alias')
    const created = await createFunction(name, 'one', {Publish: true})
    const arn = created.FunctionArn!.replace(/:1$/, '')
    await t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '1'}))
    const duplicate = await errorOf(t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '1'})))
    expect(duplicate).toBeInstanceOf(ResourceConflictException)
    expect(duplicate?.message).toBe(`Alias already exists: ${arn}:live`)
    const missing = await errorOf(t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'next', FunctionVersion: '9'})))
    expect(missing).toBeInstanceOf(ResourceNotFoundException)
    expect(missing?.message).toBe(`Function not found: ${arn}:9`)
    const digits = await errorOf(t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: '42', FunctionVersion: '1'})))
    expect(digits?.name).toBe('ValidationException')
    expect(digits?.message).toContain("Value '42' at 'name' failed to satisfy constraint")
    const toLatest = await errorOf(
      t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'canary', FunctionVersion: '$LATEST', RoutingConfig: {AdditionalVersionWeights: {'1': 0.5}}})),
    )
    expect(toLatest).toBeInstanceOf(InvalidParameterValueException)
    const self = await errorOf(
      t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'canary', FunctionVersion: '1', RoutingConfig: {AdditionalVersionWeights: {'1': 0.5}}})),
    )
    expect(self).toBeInstanceOf(InvalidParameterValueException)
    // A version an alias points at cannot be deleted; deleting through an alias name is refused.
    const referenced = await errorOf(t.clients.lambda.send(new DeleteFunctionCommand({FunctionName: name, Qualifier: '1'})))
    expect(referenced).toBeInstanceOf(ResourceConflictException)
    expect(referenced?.message).toBe('Unable to delete version because the following aliases reference it: [live]')
    const viaAlias = await errorOf(t.clients.lambda.send(new DeleteFunctionCommand({FunctionName: name, Qualifier: 'live'})))
    expect(viaAlias?.message).toBe('Deletion of aliases is not currently supported.')
  })

  test('a routing configuration sends its weight of invocations to the additional version', async () => {
    const name = uniqueName('alias')
    await createFunction(name, 'one', {Publish: true})
    await updateCode(name, 'two', {Publish: true})
    const alias = await t.clients.lambda.send(
      new CreateAliasCommand({FunctionName: name, Name: 'canary', FunctionVersion: '1', RoutingConfig: {AdditionalVersionWeights: {'2': 0.5}}}),
    )
    expect(alias.RoutingConfig).toEqual({AdditionalVersionWeights: {'2': 0.5}})
    const executed = new Set<string>()
    // Both versions answer within 40 invocations unless a 1-in-2^39 streak happens.
    for (let i = 0; i < 40 && executed.size < 2; i++) {
      const result = await invoke(name, 'canary')
      expect(result.executed).toBe(result.version)
      executed.add(result.executed)
    }
    expect([...executed].sort()).toEqual(['1', '2'])
    // An empty map removes the routing.
    const plain = await t.clients.lambda.send(new UpdateAliasCommand({FunctionName: name, Name: 'canary', RoutingConfig: {AdditionalVersionWeights: {}}}))
    expect(plain.RoutingConfig).toBeUndefined()
    for (let i = 0; i < 5; i++) expect((await invoke(name, 'canary')).executed).toBe('1')
  })
})

describe('resource policies per qualifier', () => {
  test('AddPermission with a qualifier writes that qualifier’s policy, with its ARN as the Resource', async () => {
    const name = uniqueName('policy')
    const created = await createFunction(name, 'one', {Publish: true})
    const arn = created.FunctionArn!.replace(/:1$/, '')
    await t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '1'}))
    const added = await t.clients.lambda.send(
      new AddPermissionCommand({FunctionName: name, Qualifier: 'live', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com'}),
    )
    expect(JSON.parse(added.Statement!).Resource).toBe(`${arn}:live`)
    const policy = await t.clients.lambda.send(new GetPolicyCommand({FunctionName: `${name}:live`}))
    expect(JSON.parse(policy.Policy!).Statement.map((s: {Sid: string}) => s.Sid)).toEqual(['s3'])
    expect(policy.RevisionId).toBe((await t.clients.lambda.send(new GetAliasCommand({FunctionName: name, Name: 'live'}))).RevisionId)
    // The function's own policy is another one, still empty.
    await expect(t.clients.lambda.send(new GetPolicyCommand({FunctionName: name}))).rejects.toBeInstanceOf(ResourceNotFoundException)
    const missingAlias = await errorOf(t.clients.lambda.send(new GetPolicyCommand({FunctionName: name, Qualifier: 'nope'})))
    expect(missingAlias).toBeInstanceOf(ResourceNotFoundException)
    await t.clients.lambda.send(new RemovePermissionCommand({FunctionName: name, Qualifier: 'live', StatementId: 's3'}))
    await expect(t.clients.lambda.send(new GetPolicyCommand({FunctionName: name, Qualifier: 'live'}))).rejects.toBeInstanceOf(ResourceNotFoundException)
  })
})

describe('API Gateway integrations that name a version or an alias', () => {
  test('the alias runs; only a permission added for the alias lets API Gateway invoke it (500 otherwise)', async () => {
    const name = uniqueName('apigw')
    const created = await createFunction(name, 'one', {Publish: true})
    const arn = created.FunctionArn!.replace(/:1$/, '')
    await updateCode(name, 'two')
    await t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '1'}))
    const api = await createHttpApi(t, {routes: [{routeKey: 'GET /who', functionArn: `${arn}:live`}], grant: false})
    // A grant on the function itself does not cover the alias.
    await grant(t, arn, api.apiId)
    const denied = await call(`${api.endpoint}/who`)
    expect(denied.status).toBe(500)
    expect(denied.body).toBe('{"message":"Internal Server Error"}')

    await grant(t, `${arn}:live`, api.apiId)
    const answer = await call(`${api.endpoint}/who`)
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({tag: 'one', version: '1', invoked: `${arn}:live`})

    // Moving the alias moves the API with it.
    await t.clients.lambda.send(new PublishVersionCommand({FunctionName: name}))
    await t.clients.lambda.send(new UpdateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '2'}))
    expect(JSON.parse((await call(`${api.endpoint}/who`)).body)).toMatchObject({tag: 'two', version: '2'})
  })

  test('an integration naming a missing alias answers 500, as Lambda’s 404 reaches API Gateway', async () => {
    const name = uniqueName('apigw')
    const created = await createFunction(name, 'one')
    const api = await createHttpApi(t, {routes: [{routeKey: 'GET /who', functionArn: `${created.FunctionArn}:nope`}], grant: false})
    const answer = await call(`${api.endpoint}/who`)
    expect(answer.status).toBe(500)
    expect(answer.body).toBe('{"message":"Internal Server Error"}')
  })

  test('a REST API method integrating a version runs it once the version’s own policy allows API Gateway', async () => {
    const name = uniqueName('rest')
    const created = await createFunction(name, 'one', {Publish: true})
    await updateCode(name, 'two')
    const rest = await createRestApi(t, {routes: [{routeKey: 'GET /who', functionArn: created.FunctionArn!}], grant: false})
    const arn = created.FunctionArn!.replace(/:1$/, '')
    await grant(t, arn, rest.apiId)
    expect((await call(`${rest.url}/who`)).status).toBe(500)
    await grant(t, created.FunctionArn!, rest.apiId)
    const answer = await call(`${rest.url}/who`)
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({tag: 'one', version: '1', invoked: created.FunctionArn})
  })

  test('an integration URI naming a stage variable (function:name:stageVariables.alias) runs each stage’s alias (HTTP and REST APIs)', async () => {
    const name = uniqueName('stagevar')
    const created = await createFunction(name, 'one', {Publish: true})
    const arn = created.FunctionArn!.replace(/:1$/, '')
    await updateCode(name, 'two')
    await t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'live', FunctionVersion: '1'}))
    await t.clients.lambda.send(new CreateAliasCommand({FunctionName: name, Name: 'dev', FunctionVersion: '$LATEST'}))
    const template = `${arn}:\${stageVariables.alias}`

    const http = await createHttpApi(t, {routes: [{routeKey: 'GET /who', functionArn: template}], stages: ['prod'], stageVariables: {alias: 'live'}, grant: false})
    await t.clients.apigw.send(new CreateStageCommand({ApiId: http.apiId, StageName: 'dev', AutoDeploy: true, StageVariables: {alias: 'dev'}}))
    for (const alias of ['live', 'dev']) await grant(t, `${arn}:${alias}`, http.apiId)
    expect(JSON.parse((await call(`${http.endpoint}/prod/who`)).body)).toMatchObject({tag: 'one', invoked: `${arn}:live`})
    expect(JSON.parse((await call(`${http.endpoint}/dev/who`)).body)).toMatchObject({tag: 'two', version: '$LATEST', invoked: `${arn}:dev`})

    const rest = await createRestApi(t, {routes: [{routeKey: 'GET /who', functionArn: template}], grant: false})
    await rest.client.send(new UpdateStageCommand({restApiId: rest.apiId, stageName: 'prod', patchOperations: [{op: 'replace', path: '/variables/alias', value: 'live'}]}))
    // Without the alias's own permission API Gateway may not invoke it.
    expect((await call(`${rest.url}/who`)).status).toBe(500)
    await grant(t, `${arn}:live`, rest.apiId)
    expect(JSON.parse((await call(`${rest.url}/who`)).body)).toMatchObject({tag: 'one', invoked: `${arn}:live`})
  })
})
