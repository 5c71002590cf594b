import {describe, expect, test} from 'vitest'
import {
  evaluateInvoke,
  type InvokeRequest,
  type ParsedStatement,
  parsePolicy,
  policyBytesWithout,
  sourceAccountsOf,
  sourceArnsOf,
} from '../../src/permissions/policy.js'
import {
  ACCOUNT,
  apiGatewayStatement,
  crossAccountStatement,
  eventsStatement,
  executeApi,
  FUNCTION_ARN,
  policyDocument,
  s3Statement,
} from './fixtures.js'

const request = (o: Partial<InvokeRequest> = {}): InvokeRequest => ({
  principal: 'apigateway.amazonaws.com',
  functionArn: FUNCTION_ARN,
  sourceArn: executeApi('a1b2c3d4e5/prod/GET/orders/{id}'),
  sourceAccount: ACCOUNT,
  ...o,
})

describe('parsePolicy', () => {
  test('reads the policy string GetPolicy returns (the real service key order)', () => {
    // aws-semantics §3: this exact shape comes back from GetPolicy.
    const policy = parsePolicy(
      '{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-west-2:123456789012:function:fn","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-west-2:123456789012:abc123/*/GET/level6"}}}]}',
    )
    expect(policy.problem).toBeUndefined()
    expect(policy.version).toBe('2012-10-17')
    expect(policy.id).toBe('default')
    const [s] = policy.statements as ParsedStatement[]
    expect(s).toMatchObject({
      parseable: true,
      sid: 'apigw',
      effect: 'Allow',
      principals: [{kind: 'service', value: 'apigateway.amazonaws.com'}],
      actions: ['lambda:InvokeFunction'],
      resources: ['arn:aws:lambda:us-west-2:123456789012:function:fn'],
    })
    expect(sourceArnsOf(s)).toEqual(['arn:aws:execute-api:us-west-2:123456789012:abc123/*/GET/level6'])
  })

  test('reads every Principal form', () => {
    const policy = parsePolicy(
      policyDocument([
        {...crossAccountStatement, Sid: 'a', Principal: '*'},
        {...crossAccountStatement, Sid: 'b', Principal: 'apigateway.amazonaws.com'},
        {...crossAccountStatement, Sid: 'c', Principal: {Service: ['apigateway.amazonaws.com', 's3.amazonaws.com']}},
        {...crossAccountStatement, Sid: 'd', Principal: {AWS: ['arn:aws:iam::210987654321:root', '*']}},
        {...crossAccountStatement, Sid: 'e', Principal: '210987654321'},
      ]),
    )
    const principals = (policy.statements as ParsedStatement[]).map((s) => s.principals)
    expect(principals).toEqual([
      [{kind: 'any'}],
      [{kind: 'service', value: 'apigateway.amazonaws.com'}],
      [
        {kind: 'service', value: 'apigateway.amazonaws.com'},
        {kind: 'service', value: 's3.amazonaws.com'},
      ],
      [{kind: 'aws', value: 'arn:aws:iam::210987654321:root'}, {kind: 'any'}],
      [{kind: 'aws', value: '210987654321'}],
    ])
  })

  test('reads Action arrays and SourceAccount / ArnEquals / StringEquals conditions', () => {
    const policy = parsePolicy(
      policyDocument([
        {
          Sid: 'x',
          Effect: 'Allow',
          Principal: {Service: 'apigateway.amazonaws.com'},
          Action: ['lambda:InvokeFunction', 'lambda:GetFunction'],
          Resource: FUNCTION_ARN,
          Condition: {
            ArnEquals: {'aws:SourceArn': executeApi('a/prod/GET/x')},
            StringEquals: {'AWS:SourceArn': executeApi('b/prod/GET/x'), 'AWS:SourceAccount': ACCOUNT},
          },
        },
      ]),
    )
    const s = policy.statements[0] as ParsedStatement
    expect(s.actions).toEqual(['lambda:InvokeFunction', 'lambda:GetFunction'])
    expect(sourceArnsOf(s)).toEqual([executeApi('a/prod/GET/x'), executeApi('b/prod/GET/x')])
    expect(sourceAccountsOf(s)).toEqual([ACCOUNT])
  })

  test.each([
    ['a string entry', 'not a statement', /not an object/],
    ['a missing Effect', {Sid: 'x', Principal: '*', Action: 'lambda:InvokeFunction', Resource: FUNCTION_ARN}, /"Effect" is missing/],
    ['a bad Effect', {Sid: 'x', Effect: 'Permit', Principal: '*', Action: 'a', Resource: 'r'}, /"Effect" is "Permit"/],
    ['a missing Principal', {Sid: 'x', Effect: 'Allow', Action: 'a', Resource: 'r'}, /"Principal" is missing/],
    ['an unknown principal kind', {Sid: 'x', Effect: 'Allow', Principal: {Robot: 'r2'}, Action: 'a', Resource: 'r'}, /unknown kind "Robot"/],
    ['an empty Action list', {Sid: 'x', Effect: 'Allow', Principal: '*', Action: [], Resource: 'r'}, /"Action" is empty/],
    ['a missing Resource', {Sid: 'x', Effect: 'Allow', Principal: '*', Action: 'a'}, /"Resource" is missing/],
    ['NotPrincipal', {Sid: 'x', Effect: 'Allow', NotPrincipal: '*', Action: 'a', Resource: 'r'}, /NotPrincipal/],
    ['an unsupported operator', {Sid: 'x', Effect: 'Allow', Principal: '*', Action: 'a', Resource: 'r', Condition: {DateGreaterThan: {'aws:CurrentTime': '2020-01-01'}}}, /DateGreaterThan/],
    ['a condition value that is an object', {Sid: 'x', Effect: 'Allow', Principal: '*', Action: 'a', Resource: 'r', Condition: {ArnLike: {'AWS:SourceArn': {}}}}, /not a string/],
    ['a numeric Sid', {Sid: 7, Effect: 'Allow', Principal: '*', Action: 'a', Resource: 'r'}, /"Sid" is not a string/],
  ])('marks %s unparseable and keeps the other statements', (_label, bad, problem) => {
    const policy = parsePolicy(policyDocument([s3Statement, bad, eventsStatement]))
    expect(policy.statements.map((s) => s.parseable)).toEqual([true, false, true])
    const broken = policy.statements[1]
    expect(broken.parseable).toBe(false)
    expect(!broken.parseable && broken.problem).toMatch(problem)
  })

  test('a document that is not JSON is reported, not thrown', () => {
    const truncated = '{"Version":"2012-10-17","Statement":['
    const policy = parsePolicy(truncated)
    expect(policy.statements).toEqual([])
    expect(policy.problem).toMatch(/not valid JSON/)
    expect(policy.bytes).toBe(truncated.length)
  })

  test('no policy (GetPolicy 404) is an empty policy of 0 bytes', () => {
    expect(parsePolicy(undefined)).toEqual({statements: [], bytes: 0})
  })

  test('a single Statement object is accepted like an array of one', () => {
    const policy = parsePolicy(JSON.stringify({Version: '2012-10-17', Statement: s3Statement}))
    expect(policy.statements).toHaveLength(1)
    expect(policy.statements[0].sid).toBe('s3-invoke')
  })

  test('statement sizes add up to the policy size (compact JSON)', () => {
    const doc = policyDocument([s3Statement, eventsStatement, crossAccountStatement])
    const policy = parsePolicy(doc)
    const sum = policy.statements.reduce((n, s) => n + s.bytes, 0)
    const envelope = Buffer.byteLength('{"Version":"2012-10-17","Id":"default","Statement":[]}')
    expect(policy.bytes).toBe(envelope + sum + policy.statements.length - 1)
  })
})

describe('evaluateInvoke', () => {
  const perRoute = apiGatewayStatement({sid: 'get-order', sourceArn: executeApi('a1b2c3d4e5/*/GET/orders/*')})

  test('a matching API Gateway grant allows and names its statement', () => {
    const decision = evaluateInvoke(parsePolicy(policyDocument([s3Statement, perRoute])), request())
    expect(decision).toMatchObject({allowed: true, statementSid: 'get-order', reason: 'allowed'})
  })

  test('no matching statement is an implicit deny', () => {
    const decision = evaluateInvoke(parsePolicy(policyDocument([perRoute])), request({sourceArn: executeApi('a1b2c3d4e5/prod/POST/orders')}))
    expect(decision).toEqual({allowed: false, reason: 'no-matching-statement'})
  })

  test('a Deny statement overrides an Allow, wherever it sits', () => {
    const deny = {
      Sid: 'no-prod',
      Effect: 'Deny',
      Principal: {Service: 'apigateway.amazonaws.com'},
      Action: 'lambda:*',
      Resource: FUNCTION_ARN,
      Condition: {ArnLike: {'AWS:SourceArn': executeApi('a1b2c3d4e5/prod/*')}},
    }
    const policy = parsePolicy(policyDocument([perRoute, deny]))
    expect(evaluateInvoke(policy, request())).toMatchObject({allowed: false, statementSid: 'no-prod', reason: 'explicit-deny'})
    expect(evaluateInvoke(policy, request({sourceArn: executeApi('a1b2c3d4e5/dev/GET/orders/{id}')}))).toMatchObject({allowed: true})
  })

  test('another principal does not allow API Gateway', () => {
    expect(evaluateInvoke(parsePolicy(policyDocument([s3Statement, eventsStatement, crossAccountStatement])), request()).allowed).toBe(false)
  })

  test('the grant must name this function', () => {
    const other = apiGatewayStatement({sid: 'x', sourceArn: executeApi('a1b2c3d4e5/*'), resource: FUNCTION_ARN.replace('getOrder', 'createOrder')})
    expect(evaluateInvoke(parsePolicy(policyDocument([other])), request()).allowed).toBe(false)
  })

  test('a grant in another region never matches (aws-semantics §3)', () => {
    const policy = parsePolicy(policyDocument([apiGatewayStatement({sid: 'x', sourceArn: executeApi('a1b2c3d4e5/*', 'us-east-1')})]))
    expect(evaluateInvoke(policy, request()).allowed).toBe(false)
  })

  test('SourceAccount must match when present', () => {
    const s = apiGatewayStatement({sid: 'x', sourceArn: executeApi('a1b2c3d4e5/*'), sourceAccount: ACCOUNT})
    const policy = parsePolicy(policyDocument([s]))
    expect(evaluateInvoke(policy, request()).allowed).toBe(true)
    expect(evaluateInvoke(policy, request({sourceAccount: '210987654321'})).allowed).toBe(false)
    expect(evaluateInvoke(policy, request({sourceAccount: undefined})).allowed).toBe(false)
  })

  test('a grant without conditions allows any API Gateway source', () => {
    const s = {Sid: 'open', Effect: 'Allow', Principal: {Service: 'apigateway.amazonaws.com'}, Action: 'lambda:InvokeFunction', Resource: FUNCTION_ARN}
    expect(evaluateInvoke(parsePolicy(policyDocument([s])), request()).allowed).toBe(true)
  })

  test('Principal "*" and action wildcards apply too', () => {
    const s = {Sid: 'star', Effect: 'Allow', Principal: '*', Action: 'lambda:Invoke*', Resource: `${FUNCTION_ARN.slice(0, -3)}*`}
    expect(evaluateInvoke(parsePolicy(policyDocument([s])), request()).allowed).toBe(true)
  })

  test('negated and IfExists operators follow IAM rules for absent keys', () => {
    const notLike = {
      Sid: 'not-dev',
      Effect: 'Allow',
      Principal: {Service: 'apigateway.amazonaws.com'},
      Action: 'lambda:InvokeFunction',
      Resource: FUNCTION_ARN,
      Condition: {ArnNotLike: {'AWS:SourceArn': executeApi('a1b2c3d4e5/dev/*')}, StringEqualsIfExists: {'aws:PrincipalOrgID': 'o-123'}},
    }
    const policy = parsePolicy(policyDocument([notLike]))
    expect(evaluateInvoke(policy, request()).allowed).toBe(true)
    expect(evaluateInvoke(policy, request({sourceArn: executeApi('a1b2c3d4e5/dev/GET/x')})).allowed).toBe(false)
    // Positive operator on a key that is absent: the statement does not apply.
    const orgOnly = {...notLike, Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-123'}}}
    expect(evaluateInvoke(parsePolicy(policyDocument([orgOnly])), request()).allowed).toBe(false)
  })

  test('unparseable statements never allow', () => {
    const broken = {...perRoute, Effect: undefined}
    expect(evaluateInvoke(parsePolicy(policyDocument([broken])), request()).allowed).toBe(false)
  })
})

describe('policyBytesWithout', () => {
  test('matches the size of the policy re-serialised without the removed statements', () => {
    const statements = [s3Statement, eventsStatement, crossAccountStatement]
    const policy = parsePolicy(policyDocument(statements))
    const after = policyBytesWithout(policy, new Set([1]))
    expect(after).toBe(Buffer.byteLength(policyDocument([s3Statement, crossAccountStatement])))
    expect(policyBytesWithout(policy, new Set([0, 1, 2]))).toBe(0)
    expect(policyBytesWithout(policy, new Set())).toBe(policy.bytes)
  })
})
