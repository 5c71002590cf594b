import {createHash} from 'node:crypto'
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvalidParameterValueException,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListLayersCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PolicyLengthExceededException,
  PreconditionFailedException,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {handlerZip, ROLE, startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
let counter = 0

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

function uniqueName(prefix = 'fn'): string {
  counter++
  return `${prefix}-${counter}`
}

async function createFunction(name = uniqueName(), extra: Record<string, unknown> = {}) {
  return t.clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: {ZipFile: handlerZip()},
      ...extra,
    }),
  )
}

function base64Sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64')
}

describe('function lifecycle', () => {
  test('DeadLetterConfig, KMSKeyArn and VpcConfig are kept and reported back; an empty value clears them', async () => {
    const name = uniqueName('extras')
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:orders-dlq'
    const kms = 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab'
    const created = await createFunction(name, {DeadLetterConfig: {TargetArn: dlq}, KMSKeyArn: kms, VpcConfig: {SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1']}})
    expect(created).toMatchObject({DeadLetterConfig: {TargetArn: dlq}, KMSKeyArn: kms, VpcConfig: {SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1']}})
    const read = await t.clients.lambda.send(new GetFunctionConfigurationCommand({FunctionName: name}))
    expect(read).toMatchObject({DeadLetterConfig: {TargetArn: dlq}, KMSKeyArn: kms, VpcConfig: {SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1']}})
    const cleared = await t.clients.lambda.send(
      new UpdateFunctionConfigurationCommand({FunctionName: name, VpcConfig: {SubnetIds: [], SecurityGroupIds: []}, DeadLetterConfig: {TargetArn: ''}}),
    )
    expect(cleared.VpcConfig).toBeUndefined()
    expect(cleared.DeadLetterConfig).toBeUndefined()
    expect(cleared.KMSKeyArn).toBe(kms)
  })

  test('create, get, update code and configuration, list and delete a function', async () => {
    const name = uniqueName('orders-get')
    const zip = handlerZip('exports.handler = async () => "v1"')
    const created = await t.clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: {ZipFile: zip},
        Timeout: 10,
        MemorySize: 256,
        Environment: {Variables: {TABLE: 'orders'}},
        TracingConfig: {Mode: 'Active'},
        Tags: {'tracegate:project': 'orders'},
      }),
    )
    expect(created.$metadata.httpStatusCode).toBe(201)
    expect(created).toMatchObject({
      FunctionName: name,
      FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Timeout: 10,
      MemorySize: 256,
      CodeSize: zip.length,
      CodeSha256: base64Sha256(zip),
      Version: '$LATEST',
      Environment: {Variables: {TABLE: 'orders'}},
      TracingConfig: {Mode: 'Active'},
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
    })
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/)

    const got = await t.clients.lambda.send(new GetFunctionCommand({FunctionName: name}))
    expect(got.Configuration?.RevisionId).toBe(created.RevisionId)
    expect(got.Tags).toEqual({'tracegate:project': 'orders'})
    expect(got.Code?.RepositoryType).toBe('S3')
    const download = await fetch(got.Code!.Location!)
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from(zip))

    const byArn = await t.clients.lambda.send(new GetFunctionConfigurationCommand({FunctionName: created.FunctionArn}))
    expect(byArn.FunctionName).toBe(name)

    const zip2 = handlerZip('exports.handler = async () => "v2"')
    const updatedCode = await t.clients.lambda.send(new UpdateFunctionCodeCommand({FunctionName: name, ZipFile: zip2}))
    expect(updatedCode.CodeSha256).toBe(base64Sha256(zip2))
    expect(updatedCode.CodeSize).toBe(zip2.length)
    expect(updatedCode.RevisionId).not.toBe(created.RevisionId)

    const updatedConfig = await t.clients.lambda.send(
      new UpdateFunctionConfigurationCommand({FunctionName: name, Timeout: 30, Environment: {Variables: {}}}),
    )
    expect(updatedConfig.Timeout).toBe(30)
    expect(updatedConfig.Environment).toBeUndefined()
    expect(updatedConfig.MemorySize).toBe(256)
    expect(updatedConfig.RevisionId).not.toBe(updatedCode.RevisionId)

    const listed = await t.clients.lambda.send(new ListFunctionsCommand({}))
    const item = listed.Functions?.find((f) => f.FunctionName === name)
    expect(item).toMatchObject({Timeout: 30, CodeSha256: base64Sha256(zip2)})
    expect(item?.State).toBeUndefined()

    const deleted = await t.clients.lambda.send(new DeleteFunctionCommand({FunctionName: name}))
    expect(deleted.$metadata.httpStatusCode).toBe(204)
    await expect(t.clients.lambda.send(new GetFunctionCommand({FunctionName: name}))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    )
  })

  test('the SDK waiters succeed right after create and after an update', async () => {
    const name = uniqueName()
    await createFunction(name)
    const active = await waitUntilFunctionActiveV2({client: t.clients.lambda, maxWaitTime: 5}, {FunctionName: name})
    expect(active.state).toBe('SUCCESS')
    await t.clients.lambda.send(new UpdateFunctionCodeCommand({FunctionName: name, ZipFile: handlerZip('// v2')}))
    const updated = await waitUntilFunctionUpdatedV2({client: t.clients.lambda, maxWaitTime: 5}, {FunctionName: name})
    expect(updated.state).toBe('SUCCESS')
  })

  test('identical code is stored once and shared by functions', async () => {
    const zip = handlerZip('exports.handler = async () => "shared"')
    const before = t.emulator.store.counts().codeBlobs
    await createFunction(uniqueName(), {Code: {ZipFile: zip}})
    await createFunction(uniqueName(), {Code: {ZipFile: zip}})
    expect(t.emulator.store.counts().codeBlobs).toBe(before + 1)
  })

  test('ListFunctions pages with MaxItems and NextMarker until every function is seen', async () => {
    const prefix = uniqueName('page')
    const names = Array.from({length: 5}, (_, i) => `${prefix}-${i}`)
    for (const name of names) await createFunction(name)
    const first = await t.clients.lambda.send(new ListFunctionsCommand({MaxItems: 2}))
    expect(first.Functions).toHaveLength(2)
    expect(first.NextMarker).toBeTypeOf('string')
    const seen: string[] = []
    for await (const page of paginateListFunctions({client: t.clients.lambda, pageSize: 2}, {})) {
      expect(page.Functions!.length).toBeLessThanOrEqual(2)
      seen.push(...page.Functions!.map((f) => f.FunctionName!))
    }
    expect(seen.filter((n) => n.startsWith(prefix))).toEqual(names)
    expect(new Set(seen).size).toBe(seen.length)
  })

  test('functions are regional: another region does not see them', async () => {
    const name = uniqueName()
    await createFunction(name)
    const {LambdaClient} = await import('@aws-sdk/client-lambda')
    const west = new LambdaClient({
      endpoint: t.emulator.url,
      region: 'eu-west-1',
      credentials: {accessKeyId: 'a', secretAccessKey: 'b'},
      maxAttempts: 1,
    })
    await expect(west.send(new GetFunctionCommand({FunctionName: name}))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:eu-west-1:000000000000:function:${name}`,
    })
    west.destroy()
  })
})

describe('validation errors surface as the SDK exception classes', () => {
  test('a missing function is ResourceNotFoundException with the unqualified ARN', async () => {
    const error = await t.clients.lambda.send(new GetFunctionCommand({FunctionName: 'nope'})).catch((e) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
    expect(error.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope')
    expect(error.Type).toBe('User')
    expect(error.$metadata.httpStatusCode).toBe(404)
  })

  test('a qualifier other than $LATEST names a version that does not exist', async () => {
    const name = uniqueName()
    await createFunction(name)
    await expect(t.clients.lambda.send(new GetFunctionCommand({FunctionName: name, Qualifier: '7'}))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}:7`,
    })
  })

  test('creating a function twice is ResourceConflictException', async () => {
    const name = uniqueName()
    await createFunction(name)
    const error = await createFunction(name).catch((e) => e)
    expect(error).toBeInstanceOf(ResourceConflictException)
    expect(error.message).toBe(`Function already exist: ${name}`)
    expect(error.$metadata.httpStatusCode).toBe(409)
  })

  test('code that is not a zip is refused with Lambda message', async () => {
    const error = await createFunction(uniqueName(), {Code: {ZipFile: Buffer.from('console.log(1)')}}).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterValueException)
    expect(error.message).toBe('Could not unzip uploaded file. Please check your file, then try to upload again.')
    const name = uniqueName()
    await createFunction(name)
    await expect(
      t.clients.lambda.send(new UpdateFunctionCodeCommand({FunctionName: name, ZipFile: Buffer.from('PK\x03\x04 broken')})),
    ).rejects.toBeInstanceOf(InvalidParameterValueException)
  })

  test('an unknown runtime and a deprecated runtime are refused', async () => {
    const unknown = await createFunction(uniqueName(), {Runtime: 'nodejs99.x'}).catch((e) => e)
    expect(unknown).toBeInstanceOf(InvalidParameterValueException)
    expect(unknown.message).toMatch(/^Value nodejs99\.x at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[.*nodejs20\.x.*\] or be a valid ARN$/)
    const deprecated = await createFunction(uniqueName(), {Runtime: 'nodejs12.x'}).catch((e) => e)
    expect(deprecated).toBeInstanceOf(InvalidParameterValueException)
    expect(deprecated.message).toContain('The runtime parameter of nodejs12.x is no longer supported')
  })

  test('a malformed role ARN and a bad function name are ValidationException', async () => {
    await expect(createFunction(uniqueName(), {Role: 'lambda-role'})).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value 'lambda-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
      $metadata: {httpStatusCode: 400},
    })
    await expect(createFunction('bad name!')).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value 'bad name!' at 'functionName' failed to satisfy constraint"),
    })
    await expect(createFunction('x'.repeat(65))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Member must have length less than or equal to 64'),
    })
  })

  test('out-of-range timeout and memory are reported together', async () => {
    await expect(createFunction(uniqueName(), {Timeout: 901, MemorySize: 64})).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "2 validation errors detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900; Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    })
  })

  test('reserved environment variables are refused', async () => {
    const error = await createFunction(uniqueName(), {Environment: {Variables: {AWS_REGION: 'x'}}}).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterValueException)
    expect(error.message).toContain('Reserved keys used in this request: AWS_REGION')
  })

  test('a stale RevisionId is PreconditionFailedException (412)', async () => {
    const name = uniqueName()
    const created = await createFunction(name)
    const ok = await t.clients.lambda.send(
      new UpdateFunctionConfigurationCommand({FunctionName: name, Timeout: 5, RevisionId: created.RevisionId}),
    )
    const error = await t.clients.lambda
      .send(new UpdateFunctionConfigurationCommand({FunctionName: name, Timeout: 6, RevisionId: created.RevisionId}))
      .catch((e) => e)
    expect(error).toBeInstanceOf(PreconditionFailedException)
    expect(error.$metadata.httpStatusCode).toBe(412)
    expect(error.message).toBe(
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    )
    await expect(
      t.clients.lambda.send(new UpdateFunctionCodeCommand({FunctionName: name, ZipFile: handlerZip('//x'), RevisionId: created.RevisionId})),
    ).rejects.toBeInstanceOf(PreconditionFailedException)
    const current = await t.clients.lambda.send(new GetFunctionConfigurationCommand({FunctionName: name}))
    expect(current.RevisionId).toBe(ok.RevisionId)
    expect(current.Timeout).toBe(5)
  })

  test('an operation the emulator does not implement is a parseable JSON error, not HTML', async () => {
    const error = await t.clients.lambda.send(new ListLayersCommand({})).catch((e) => e)
    expect(error.name).toBe('UnknownOperationException')
    expect(error.message).toContain('GET /2018-10-31/layers')
    const raw = await fetch(`${t.emulator.url}/no/such/path`)
    expect(raw.status).toBe(404)
    expect(raw.headers.get('content-type')).toBe('application/json')
    expect(raw.headers.get('x-amzn-errortype')).toBe('UnknownOperationException')
    expect(await raw.json()).toMatchObject({message: expect.stringContaining('/no/such/path')})
  })

  test('a body that is not JSON is InvalidRequestContentException', async () => {
    const raw = await fetch(`${t.emulator.url}/2015-03-31/functions`, {method: 'POST', body: '{not json'})
    expect(raw.status).toBe(400)
    expect(raw.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
    expect(((await raw.json()) as {message: string}).message).toMatch(/^Could not parse request body into json: /)
  })
})

describe('versions and aliases of a function that published none (more in lambda-versions.test.ts)', () => {
  test('ListVersionsByFunction lists $LATEST with its qualified ARN; ListAliases lists none; GetAlias finds none', async () => {
    const name = uniqueName('versions')
    const created = await createFunction(name)
    const versions = await t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: name}))
    expect(versions.Versions).toHaveLength(1)
    expect(versions.Versions?.[0]).toMatchObject({FunctionName: name, FunctionArn: `${created.FunctionArn}:$LATEST`, Version: '$LATEST', CodeSha256: created.CodeSha256})
    expect(versions.NextMarker).toBeUndefined()
    expect((await t.clients.lambda.send(new ListAliasesCommand({FunctionName: created.FunctionArn, FunctionVersion: '$LATEST'}))).Aliases).toEqual([])
    const missing = await t.clients.lambda.send(new GetAliasCommand({FunctionName: name, Name: 'live'})).catch((e) => e)
    expect(missing).toBeInstanceOf(ResourceNotFoundException)
    expect(missing.message).toBe(`Cannot find alias arn: ${created.FunctionArn}:live`)
  })

  test('on a missing function they answer Function not found; a qualified name is refused', async () => {
    const absent = await t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: 'no-such-fn'})).catch((e) => e)
    expect(absent).toBeInstanceOf(ResourceNotFoundException)
    expect(absent.message).toBe(`Function not found: arn:aws:lambda:us-east-1:${t.emulator.accountId}:function:no-such-fn`)
    await expect(t.clients.lambda.send(new ListAliasesCommand({FunctionName: 'no-such-fn'}))).rejects.toBeInstanceOf(ResourceNotFoundException)
    const name = uniqueName('versions')
    await createFunction(name)
    await expect(t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: `${name}:live`}))).rejects.toBeInstanceOf(InvalidParameterValueException)
    await expect(t.clients.lambda.send(new ListVersionsByFunctionCommand({FunctionName: name, MaxItems: 0}))).rejects.toThrow(/maxItems/)
  })
})

describe('resource policy', () => {
  test('AddPermission builds the statement AWS builds, and GetPolicy returns the document as a string', async () => {
    const name = uniqueName()
    const created = await createFunction(name)
    const sourceArn = 'arn:aws:execute-api:us-east-1:000000000000:abc123/*/GET/orders'
    const added = await t.clients.lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: 'apigw',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: sourceArn,
      }),
    )
    expect(added.$metadata.httpStatusCode).toBe(201)
    const statement = {
      Sid: 'apigw',
      Effect: 'Allow',
      Principal: {Service: 'apigateway.amazonaws.com'},
      Action: 'lambda:InvokeFunction',
      Resource: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      Condition: {ArnLike: {'AWS:SourceArn': sourceArn}},
    }
    expect(added.Statement).toBe(JSON.stringify(statement))
    const policy = await t.clients.lambda.send(new GetPolicyCommand({FunctionName: name}))
    expect(policy.Policy).toBe(JSON.stringify({Version: '2012-10-17', Id: 'default', Statement: [statement]}))
    expect(policy.RevisionId).not.toBe(created.RevisionId)
    const config = await t.clients.lambda.send(new GetFunctionConfigurationCommand({FunctionName: name}))
    expect(config.RevisionId).toBe(policy.RevisionId)
  })

  test('an account principal becomes its root ARN and SourceAccount a StringEquals condition', async () => {
    const name = uniqueName()
    await createFunction(name)
    const added = await t.clients.lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: 'acct',
        Action: 'lambda:InvokeFunction',
        Principal: '123456789012',
        SourceAccount: '123456789012',
      }),
    )
    expect(JSON.parse(added.Statement!)).toMatchObject({
      Principal: {AWS: 'arn:aws:iam::123456789012:root'},
      Condition: {StringEquals: {'AWS:SourceAccount': '123456789012'}},
    })
  })

  test('a duplicate statement id is ResourceConflictException (409) with Lambda message', async () => {
    const name = uniqueName()
    await createFunction(name)
    const input = {FunctionName: name, StatementId: 'dup', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com'}
    await t.clients.lambda.send(new AddPermissionCommand(input))
    const error = await t.clients.lambda.send(new AddPermissionCommand(input)).catch((e) => e)
    expect(error).toBeInstanceOf(ResourceConflictException)
    expect(error.$metadata.httpStatusCode).toBe(409)
    expect(error.message).toBe(
      'The statement id (dup) provided already exists. Please provide a new statement id, or remove the existing statement.',
    )
  })

  test('RemovePermission deletes one statement; a missing one is ResourceNotFoundException', async () => {
    const name = uniqueName()
    await createFunction(name)
    for (const sid of ['a', 'b']) {
      await t.clients.lambda.send(
        new AddPermissionCommand({FunctionName: name, StatementId: sid, Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com'}),
      )
    }
    const removed = await t.clients.lambda.send(new RemovePermissionCommand({FunctionName: name, StatementId: 'a'}))
    expect(removed.$metadata.httpStatusCode).toBe(204)
    const policy = JSON.parse((await t.clients.lambda.send(new GetPolicyCommand({FunctionName: name}))).Policy!)
    expect(policy.Statement.map((s: {Sid: string}) => s.Sid)).toEqual(['b'])
    const error = await t.clients.lambda.send(new RemovePermissionCommand({FunctionName: name, StatementId: 'a'})).catch((e) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
    expect(error.message).toBe('Statement a is not found in resource policy.')
  })

  test('RemovePermission with a stale RevisionId is PreconditionFailedException', async () => {
    const name = uniqueName()
    const created = await createFunction(name)
    await t.clients.lambda.send(
      new AddPermissionCommand({FunctionName: name, StatementId: 'a', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com'}),
    )
    await expect(
      t.clients.lambda.send(new RemovePermissionCommand({FunctionName: name, StatementId: 'a', RevisionId: created.RevisionId})),
    ).rejects.toBeInstanceOf(PreconditionFailedException)
  })

  test('GetPolicy on a function without a policy is ResourceNotFoundException', async () => {
    const name = uniqueName()
    await createFunction(name)
    await expect(t.clients.lambda.send(new GetPolicyCommand({FunctionName: name}))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
    })
  })

  test('a policy over 20,480 bytes is PolicyLengthExceededException with the final size in the message', async () => {
    const name = uniqueName()
    await createFunction(name)
    const add = (i: number) =>
      t.clients.lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: `tracegate-abc123-${String(i).padStart(8, '0')}`,
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: `arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/orders/${i}`,
        }),
      )
    let error: unknown
    let added = 0
    for (let i = 0; i < 200 && !error; i++) {
      error = await add(i).then(
        () => {
          added++
          return undefined
        },
        (e) => e,
      )
    }
    expect(error).toBeInstanceOf(PolicyLengthExceededException)
    const e = error as PolicyLengthExceededException
    expect(e.$metadata.httpStatusCode).toBe(400)
    const match = /^The final policy size \((\d+)\) is bigger than the limit \(20480\)\.$/.exec(e.message)
    expect(match).not.toBeNull()
    expect(Number(match![1])).toBeGreaterThan(20480)
    const policy = (await t.clients.lambda.send(new GetPolicyCommand({FunctionName: name}))).Policy!
    expect(Buffer.byteLength(policy)).toBeLessThanOrEqual(20480)
    expect(JSON.parse(policy).Statement).toHaveLength(added)
  })

  test('200 concurrent AddPermission calls with distinct ids all land', async () => {
    const names = Array.from({length: 4}, () => uniqueName('busy'))
    for (const name of names) await createFunction(name)
    // 200 writes in flight at once, 50 per function: Lambda's 20,480-byte policy limit allows about 130 short
    // statements on one function, so the 200 are spread over four functions.
    const results = await Promise.allSettled(
      Array.from({length: 200}, (_, i) =>
        t.clients.lambda.send(
          new AddPermissionCommand({
            FunctionName: names[i % 4],
            StatementId: `s${i}`,
            Action: 'lambda:InvokeFunction',
            Principal: 'apigateway.amazonaws.com',
          }),
        ),
      ),
    )
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    const sids = new Set<string>()
    for (const name of names) {
      const policy = JSON.parse((await t.clients.lambda.send(new GetPolicyCommand({FunctionName: name}))).Policy!)
      expect(policy.Statement).toHaveLength(50)
      for (const s of policy.Statement) sids.add(s.Sid)
    }
    expect(sids.size).toBe(200)
  })
})

describe('concurrent writers on one function', () => {
  test('200 concurrent AddPermission calls on one function: every success is in the policy, every failure is the size limit', async () => {
    const name = uniqueName('one')
    await createFunction(name)
    const results = await Promise.allSettled(
      Array.from({length: 200}, (_, i) =>
        t.clients.lambda.send(
          new AddPermissionCommand({FunctionName: name, StatementId: `s${i}`, Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com'}),
        ),
      ),
    )
    const landed = results.filter((r) => r.status === 'fulfilled').length
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(refused.every((r) => r.reason instanceof PolicyLengthExceededException)).toBe(true)
    expect(landed).toBeGreaterThan(100)
    const policy = (await t.clients.lambda.send(new GetPolicyCommand({FunctionName: name}))).Policy!
    expect(Buffer.byteLength(policy)).toBeLessThanOrEqual(20480)
    expect(JSON.parse(policy).Statement).toHaveLength(landed)
  })
})

describe('tags and reserved concurrency', () => {
  test('TagResource, ListTags and UntagResource work on the function ARN', async () => {
    const created = await createFunction()
    const arn = created.FunctionArn!
    await t.clients.lambda.send(new TagResourceCommand({Resource: arn, Tags: {a: '1', b: '2'}}))
    expect((await t.clients.lambda.send(new ListTagsCommand({Resource: arn}))).Tags).toEqual({a: '1', b: '2'})
    await t.clients.lambda.send(new UntagResourceCommand({Resource: arn, TagKeys: ['a']}))
    expect((await t.clients.lambda.send(new ListTagsCommand({Resource: arn}))).Tags).toEqual({b: '2'})
    await expect(
      t.clients.lambda.send(new ListTagsCommand({Resource: 'arn:aws:lambda:us-east-1:000000000000:function:missing'})),
    ).rejects.toBeInstanceOf(ResourceNotFoundException)
    await expect(t.clients.lambda.send(new TagResourceCommand({Resource: `${arn}:prod`, Tags: {a: '1'}}))).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    )
  })

  test('reserved concurrency is put, read back and deleted', async () => {
    const name = uniqueName()
    await createFunction(name)
    expect(await t.clients.lambda.send(new GetFunctionConcurrencyCommand({FunctionName: name}))).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    )
    const put = await t.clients.lambda.send(new PutFunctionConcurrencyCommand({FunctionName: name, ReservedConcurrentExecutions: 0}))
    expect(put.ReservedConcurrentExecutions).toBe(0)
    const got = await t.clients.lambda.send(new GetFunctionCommand({FunctionName: name}))
    expect(got.Concurrency).toEqual({ReservedConcurrentExecutions: 0})
    await t.clients.lambda.send(new DeleteFunctionConcurrencyCommand({FunctionName: name}))
    const after = await t.clients.lambda.send(new GetFunctionConcurrencyCommand({FunctionName: name}))
    expect(after.ReservedConcurrentExecutions).toBeUndefined()
  })

  test('reserving more than the account can spare is InvalidParameterValueException', async () => {
    const name = uniqueName()
    await createFunction(name)
    await expect(
      t.clients.lambda.send(new PutFunctionConcurrencyCommand({FunctionName: name, ReservedConcurrentExecutions: 950})),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message:
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    })
  })
})
