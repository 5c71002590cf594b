import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  paginateListRoles,
  PutRolePolicyCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  TagRoleCommand,
  paginateListAttachedRolePolicies,
} from '@aws-sdk/client-iam'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}],
})
const BASIC = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'
const XRAY = 'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess'

beforeAll(async () => {
  t = await startTestEmulator()
})
afterAll(async () => {
  await t.stop()
})

describe('IAM roles over the query protocol', () => {
  test('create, get, attach, list, detach and delete a role', async () => {
    const created = await t.clients.iam.send(
      new CreateRoleCommand({
        RoleName: 'orders-role',
        AssumeRolePolicyDocument: TRUST,
        Description: 'tracegate',
        Tags: [{Key: 'tracegate:project', Value: 'orders'}],
      }),
    )
    expect(created.Role).toMatchObject({
      RoleName: 'orders-role',
      Path: '/',
      Arn: 'arn:aws:iam::000000000000:role/orders-role',
      Description: 'tracegate',
      MaxSessionDuration: 3600,
      Tags: [{Key: 'tracegate:project', Value: 'orders'}],
    })
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/)
    expect(created.Role?.CreateDate).toBeInstanceOf(Date)

    const got = await t.clients.iam.send(new GetRoleCommand({RoleName: 'orders-role'}))
    expect(got.Role?.RoleId).toBe(created.Role?.RoleId)
    // IAM returns the trust policy URL-encoded (aws-semantics §1.5).
    expect(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!)).toBe(TRUST)

    await t.clients.iam.send(new AttachRolePolicyCommand({RoleName: 'orders-role', PolicyArn: BASIC}))
    await t.clients.iam.send(new AttachRolePolicyCommand({RoleName: 'orders-role', PolicyArn: XRAY}))
    const attached = await t.clients.iam.send(new ListAttachedRolePoliciesCommand({RoleName: 'orders-role'}))
    expect(attached.AttachedPolicies).toEqual([
      {PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: BASIC},
      {PolicyName: 'AWSXRayDaemonWriteAccess', PolicyArn: XRAY},
    ])
    expect(attached.IsTruncated).toBe(false)

    const deleteAttached = await t.clients.iam.send(new DeleteRoleCommand({RoleName: 'orders-role'})).catch((e) => e)
    expect(deleteAttached).toBeInstanceOf(DeleteConflictException)

    await t.clients.iam.send(new DetachRolePolicyCommand({RoleName: 'orders-role', PolicyArn: BASIC}))
    await t.clients.iam.send(new DetachRolePolicyCommand({RoleName: 'orders-role', PolicyArn: XRAY}))
    await t.clients.iam.send(new DeleteRoleCommand({RoleName: 'orders-role'}))
    const gone = await t.clients.iam.send(new GetRoleCommand({RoleName: 'orders-role'})).catch((e) => e)
    expect(gone).toBeInstanceOf(NoSuchEntityException)
    expect(gone.message).toBe('The role with name orders-role cannot be found.')
    expect(gone.$metadata.httpStatusCode).toBe(404)
  })

  test('a duplicate role name is EntityAlreadyExistsException, case-insensitively', async () => {
    await t.clients.iam.send(new CreateRoleCommand({RoleName: 'Dup', AssumeRolePolicyDocument: TRUST}))
    const error = await t.clients.iam.send(new CreateRoleCommand({RoleName: 'dup', AssumeRolePolicyDocument: TRUST})).catch((e) => e)
    expect(error).toBeInstanceOf(EntityAlreadyExistsException)
    expect(error.$metadata.httpStatusCode).toBe(409)
  })

  test('a trust policy that is not JSON is MalformedPolicyDocumentException', async () => {
    await expect(
      t.clients.iam.send(new CreateRoleCommand({RoleName: 'bad-trust', AssumeRolePolicyDocument: '{nope'})),
    ).rejects.toBeInstanceOf(MalformedPolicyDocumentException)
  })

  test('operations on a missing role are NoSuchEntityException', async () => {
    await expect(t.clients.iam.send(new AttachRolePolicyCommand({RoleName: 'missing', PolicyArn: BASIC}))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    )
    await expect(t.clients.iam.send(new DeleteRoleCommand({RoleName: 'missing'}))).rejects.toBeInstanceOf(NoSuchEntityException)
    await expect(t.clients.iam.send(new TagRoleCommand({RoleName: 'missing', Tags: [{Key: 'a', Value: 'b'}]}))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    )
  })

  test('TagRole merges tags and ListRoleTags returns them', async () => {
    await t.clients.iam.send(
      new CreateRoleCommand({RoleName: 'tagged', AssumeRolePolicyDocument: TRUST, Tags: [{Key: 'a', Value: '1'}]}),
    )
    await t.clients.iam.send(new TagRoleCommand({RoleName: 'tagged', Tags: [{Key: 'a', Value: '2'}, {Key: 'b', Value: '3'}]}))
    const tags = await t.clients.iam.send(new ListRoleTagsCommand({RoleName: 'tagged'}))
    expect(tags.Tags).toEqual([
      {Key: 'a', Value: '2'},
      {Key: 'b', Value: '3'},
    ])
  })

  test('ListAttachedRolePolicies pages with MaxItems and Marker', async () => {
    await t.clients.iam.send(new CreateRoleCommand({RoleName: 'many', AssumeRolePolicyDocument: TRUST}))
    const arns = Array.from({length: 5}, (_, i) => `arn:aws:iam::000000000000:policy/p${i}`)
    for (const arn of arns) await t.clients.iam.send(new AttachRolePolicyCommand({RoleName: 'many', PolicyArn: arn}))
    const first = await t.clients.iam.send(new ListAttachedRolePoliciesCommand({RoleName: 'many', MaxItems: 2}))
    expect(first.IsTruncated).toBe(true)
    expect(first.Marker).toBeTypeOf('string')
    const seen: string[] = []
    for await (const page of paginateListAttachedRolePolicies({client: t.clients.iam, pageSize: 2}, {RoleName: 'many'})) {
      seen.push(...page.AttachedPolicies!.map((p) => p.PolicyArn!))
    }
    expect(seen).toEqual(arns)
  })

  test('inline policies are put, read, listed and deleted, and block DeleteRole while present', async () => {
    await t.clients.iam.send(new CreateRoleCommand({RoleName: 'inline', AssumeRolePolicyDocument: TRUST}))
    const document = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*'}]})
    await t.clients.iam.send(new PutRolePolicyCommand({RoleName: 'inline', PolicyName: 'xray', PolicyDocument: document}))
    const got = await t.clients.iam.send(new GetRolePolicyCommand({RoleName: 'inline', PolicyName: 'xray'}))
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(document)
    expect((await t.clients.iam.send(new ListRolePoliciesCommand({RoleName: 'inline'}))).PolicyNames).toEqual(['xray'])
    await expect(t.clients.iam.send(new DeleteRoleCommand({RoleName: 'inline'}))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete policies first.',
    })
    await t.clients.iam.send(new DeleteRolePolicyCommand({RoleName: 'inline', PolicyName: 'xray'}))
    await expect(t.clients.iam.send(new GetRolePolicyCommand({RoleName: 'inline', PolicyName: 'xray'}))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    )
    await t.clients.iam.send(new DeleteRoleCommand({RoleName: 'inline'}))
  })

  test('ListRoles pages through every role', async () => {
    for (let i = 0; i < 3; i++) {
      await t.clients.iam.send(new CreateRoleCommand({RoleName: `listed-${i}`, AssumeRolePolicyDocument: TRUST, Path: '/listed/'}))
    }
    const names: string[] = []
    for await (const page of paginateListRoles({client: t.clients.iam, pageSize: 2}, {PathPrefix: '/listed/'})) {
      names.push(...page.Roles!.map((r) => r.RoleName!))
    }
    expect(names).toEqual(['listed-0', 'listed-1', 'listed-2'])
  })

  test('an unknown action answers an XML error the SDK can parse', async () => {
    const response = await fetch(t.emulator.url, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: 'Action=CreateUser&Version=2010-05-08&UserName=x',
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('text/xml')
    const text = await response.text()
    expect(text).toContain('<Code>InvalidAction</Code>')
    expect(text).toContain('<Message>The action CreateUser is not valid for this web service.</Message>')
  })
})
