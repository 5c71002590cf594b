import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createLambdaApi, type FunctionSettings} from '../../src/aws/lambda.js'

const lambda = mockClient(LambdaClient)
beforeEach(() => lambda.reset())

const clock = {now: () => 0, sleep: async () => {}}
const api = () => createLambdaApi(createAwsClients({region: 'us-east-1', local: true}), {clock})
const settings: FunctionSettings = {
  name: 'orders-get',
  role: 'arn:aws:iam::123456789012:role/orders-lambda',
  runtime: 'nodejs20.x',
  handler: 'src/get.handler',
  memory: 256,
  timeout: 10,
  environment: {},
  tracing: 'Active',
}

describe('LambdaApi', () => {
  test('getFunction is undefined for a missing function', async () => {
    lambda.on(GetFunctionCommand).rejects(new ResourceNotFoundException({message: 'Function not found', $metadata: {httpStatusCode: 404}}))
    await expect((await api()).getFunction('nope')).resolves.toBeUndefined()
  })

  test('listFunctions drains every page and keeps the names with the prefix', async () => {
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({Functions: [{FunctionName: 'orders-a', FunctionArn: 'arn:a'}, {FunctionName: 'other-b'}], NextMarker: 'm1'})
      .resolvesOnce({Functions: [{FunctionName: 'orders-c', FunctionArn: 'arn:c'}]})
    await expect((await api()).listFunctions('orders-')).resolves.toEqual([
      {name: 'orders-a', arn: 'arn:a'},
      {name: 'orders-c', arn: 'arn:c'},
    ])
    expect(lambda).toHaveReceivedNthCommandWith(ListFunctionsCommand, 2, {Marker: 'm1'})
  })

  test('waitUntilActive reports a function that ended Failed with its reason', async () => {
    lambda.on(GetFunctionCommand).resolves({Configuration: {FunctionName: 'orders-get', State: 'Failed', StateReason: 'The role is invalid'}})
    await expect((await api()).waitUntilActive({name: 'orders-get', arn: 'x', state: 'Pending', environment: {}, description: '', tags: {}})).rejects.toMatchObject({
      code: 'FUNCTION_NOT_READY',
      message: expect.stringContaining('The role is invalid'),
    })
  })

  test('a CreateFunction whose earlier response was lost returns the function that exists', async () => {
    lambda.on(CreateFunctionCommand).rejects(new ResourceConflictException({message: 'Function already exist: orders-get', $metadata: {httpStatusCode: 409}}))
    lambda.on(GetFunctionCommand).resolves({Configuration: {FunctionName: 'orders-get', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-get', State: 'Active'}, Tags: {'tracegate:project': 'orders'}})
    const created = await (await api()).createFunction(settings, new Uint8Array([1]), {'tracegate:project': 'orders'})
    expect(created.arn).toBe('arn:aws:lambda:us-east-1:123456789012:function:orders-get')
  })

  test('addPermission treats an existing statement id as done, and a full policy as a user error', async () => {
    lambda
      .on(AddPermissionCommand)
      .rejectsOnce(new ResourceConflictException({message: 'The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing statement.', $metadata: {httpStatusCode: 409}}))
      .rejectsOnce(Object.assign(new Error('The final policy size (20749) is bigger than the limit (20480).'), {name: 'PolicyLengthExceededException', $metadata: {httpStatusCode: 400}}))
    const l = await api()
    await expect(l.addPermission({functionName: 'f', statementId: 's1', sourceArn: 'arn:aws:execute-api:us-east-1:1:a/*'})).resolves.toBe('exists')
    await expect(l.addPermission({functionName: 'f', statementId: 's2', sourceArn: 'arn:aws:execute-api:us-east-1:1:a/*'})).rejects.toMatchObject({code: 'POLICY_TOO_LARGE'})
  })

  test('getPolicy parses the policy string; no policy is an empty list', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [
        {
          Sid: 'apigw',
          Effect: 'Allow',
          Principal: {Service: 'apigateway.amazonaws.com'},
          Action: 'lambda:InvokeFunction',
          Resource: 'arn:aws:lambda:us-west-2:123456789012:function:fn',
          Condition: {ArnLike: {'AWS:SourceArn': 'arn:aws:execute-api:us-west-2:123456789012:abc123/*/GET/level6'}},
        },
      ],
    })
    lambda.on(GetPolicyCommand).resolvesOnce({Policy: policy}).rejectsOnce(new ResourceNotFoundException({message: 'The resource you requested does not exist.', $metadata: {httpStatusCode: 404}}))
    const l = await api()
    await expect(l.getPolicy('fn')).resolves.toMatchObject([
      {
        sid: 'apigw',
        parseable: true,
        principals: [{kind: 'service', value: 'apigateway.amazonaws.com'}],
        actions: ['lambda:InvokeFunction'],
        conditions: [{base: 'ArnLike', key: 'AWS:SourceArn', values: ['arn:aws:execute-api:us-west-2:123456789012:abc123/*/GET/level6']}],
      },
    ])
    await expect(l.getPolicy('fn')).resolves.toEqual([])
  })
})
