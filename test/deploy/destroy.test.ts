import {ApiGatewayV2Client, DeleteApiCommand} from '@aws-sdk/client-apigatewayv2'
import {DeleteRoleCommand, DetachRolePolicyCommand, IAMClient} from '@aws-sdk/client-iam'
import {DeleteFunctionCommand, LambdaClient} from '@aws-sdk/client-lambda'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createDeployApis} from '../../src/deploy/apis.js'
import {deploy} from '../../src/deploy/deploy.js'
import {applyDestroy, planDestroy} from '../../src/deploy/destroy.js'
import {FakeAws, fakeClock} from './fake-aws.js'
import {tempProject} from './helpers.js'

const mocks = {lambda: mockClient(LambdaClient), apigw: mockClient(ApiGatewayV2Client), iam: mockClient(IAMClient)}
const REGION = 'us-east-2'
let fake: FakeAws

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset()
  fake = new FakeAws(REGION)
  fake.install(mocks)
})

async function apis() {
  return createDeployApis(createAwsClients({region: REGION, local: true}), {clock: fakeClock()})
}

async function destroy(project: {name: string; api: {type: 'http' | 'rest'}}) {
  const input = {project, apis: await apis(), region: REGION}
  const plan = await planDestroy(input)
  await applyDestroy(plan, input)
  return plan
}

/** Everything in the fake that carries the project's tag. */
function tagged(project: string) {
  return {
    functions: [...fake.functions.values()].filter((f) => f.tags['tracegate:project'] === project).map((f) => f.config.FunctionName),
    apis: [...fake.apis.values()].filter((a) => a.Tags['tracegate:project'] === project).map((a) => a.ApiId),
    roles: [...fake.roles.values()].filter((r) => r.Tags.some((t) => t.Key === 'tracegate:project' && t.Value === project)).map((r) => r.RoleName),
  }
}

async function deployed() {
  const project = tempProject().load()
  await deploy({project, apis: await apis(), region: REGION})
  return project
}

describe('destroy', () => {
  test('after deploy leaves nothing tagged for the project, and touches nothing else', async () => {
    const project = await deployed()
    const foreignApi = fake.addForeignApi('orders-legacy', {team: 'payments'})
    fake.addRole('orders-manual')
    // A function whose name has the project's prefix but that tracegate did not create.
    const apisBefore = await apis()
    await apisBefore.lambda.createFunction(
      {name: 'orders-manual', role: fake.roles.get('orders-manual')!.Arn, runtime: 'nodejs20.x', handler: 'index.handler', memory: 128, timeout: 3, environment: {}, tracing: 'PassThrough'},
      new Uint8Array([1, 2, 3]),
      {},
    )
    fake.calls.length = 0

    const plan = await destroy(project)
    expect(tagged('orders')).toEqual({functions: [], apis: [], roles: []})
    expect(fake.apis.has(foreignApi)).toBe(true)
    expect(fake.functions.has('orders-manual')).toBe(true)
    expect(fake.roles.has('orders-manual')).toBe(true)

    expect(mocks.apigw).toHaveReceivedCommandTimes(DeleteApiCommand, 1)
    expect(mocks.lambda).toHaveReceivedCommandTimes(DeleteFunctionCommand, 3)
    expect(mocks.iam).toHaveReceivedCommandTimes(DetachRolePolicyCommand, 2)
    expect(mocks.iam).toHaveReceivedCommandWith(DeleteRoleCommand, {RoleName: 'orders-lambda'})
    // DeleteApi takes routes, integrations and stages with it; deleting a function takes its policy.
    expect(fake.writeCalls.map((c) => c.command).sort()).toEqual(
      ['DeleteApi', 'DeleteFunction', 'DeleteFunction', 'DeleteFunction', 'DeleteRole', 'DetachRolePolicy', 'DetachRolePolicy'].sort(),
    )
    // The role goes after the functions that use it.
    const order = fake.writeCalls.map((c) => c.command)
    expect(order.indexOf('DeleteRole')).toBeGreaterThan(order.lastIndexOf('DeleteFunction'))
    expect(plan.actions.filter((a) => a.resource === 'route').map((a) => a.reason)).toEqual(Array(4).fill('deleted with the API'))
  })

  test('a second destroy finds nothing and writes nothing', async () => {
    const project = await deployed()
    await destroy(project)
    fake.calls.length = 0
    const plan = await destroy(project)
    expect(plan.summary.changes).toBe(0)
    expect(plan.actions).toEqual([])
    expect(fake.writeCalls).toEqual([])
  })

  test('finds the project by its tags even when the config no longer lists a function', async () => {
    const project = await deployed()
    const trimmed = {...project, functions: project.functions.slice(0, 1)}
    await destroy(trimmed)
    expect(tagged('orders')).toEqual({functions: [], apis: [], roles: []})
  })

  test('keeps a role it did not create', async () => {
    const project = tempProject().load()
    const role = fake.addRole('orders-lambda')
    await deploy({project, apis: await apis(), region: REGION, roleArn: role})
    await destroy(project)
    expect(fake.roles.has('orders-lambda')).toBe(true)
    expect(tagged('orders').functions).toEqual([])
  })

  test('an interrupted destroy finishes when run again', async () => {
    const project = await deployed()
    const writesBefore = fake.writeCalls.length
    fake.failure = {at: writesBefore + 3, mode: 'before'}
    await expect(destroy(project)).rejects.toMatchObject({code: 'AWS_ERROR'})
    fake.failure = undefined
    await destroy(project)
    expect(tagged('orders')).toEqual({functions: [], apis: [], roles: []})
  })
})

test('destroy deletes inline policies someone added to the role, when IAM refuses to delete it', async () => {
  const project = await deployed()
  fake.roles.get('orders-lambda')!.inline.add('extra-access')
  await destroy(project)
  expect(fake.roles.has('orders-lambda')).toBe(false)
})
