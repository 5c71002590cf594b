import {describe, expect, test} from 'vitest'
import {ROUTE_METHODS} from '../../src/gateway/routes.js'
import {
  buildExecuteApiArn,
  parseExecuteApiArn,
  parseFunctionArn,
  qualifiedFunctionArn,
  partitionForRegion,
  presentedSourceArn,
  sourceArnForRoute,
  tryParseExecuteApiArn,
} from '../../src/permissions/arn.js'
import {arnLike} from '../../src/permissions/arnlike.js'

const base: {region: string; account: string; apiId: string} = {region: 'us-east-2', account: '123456789012', apiId: 'a1b2c3d4e5'}

describe('parseExecuteApiArn', () => {
  test('splits a full ARN into its parts', () => {
    expect(parseExecuteApiArn('arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/prod/GET/orders/{id}')).toEqual({
      partition: 'aws',
      region: 'us-east-2',
      account: '123456789012',
      apiId: 'a1b2c3d4e5',
      stage: 'prod',
      method: 'GET',
      path: '/orders/{id}',
      resource: 'a1b2c3d4e5/prod/GET/orders/{id}',
    })
  })

  test('keeps wildcards and partial ARNs', () => {
    const parsed = parseExecuteApiArn('arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/*')
    expect(parsed).toMatchObject({apiId: 'a1b2c3d4e5', stage: '*'})
    expect(parsed.method).toBeUndefined()
    expect(parseExecuteApiArn('arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/*/$default')).toMatchObject({
      stage: '*',
      method: '$default',
    })
  })

  test('a root resource keeps its slash', () => {
    expect(parseExecuteApiArn('arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/prod/GET/').path).toBe('/')
  })

  test.each([
    ['not-an-arn', /expected arn:partition:execute-api/],
    ['arn:aws:lambda:us-east-2:123456789012:function:f', /service is "lambda"/],
    ['arn:aws:execute-api:us-east-2:123456789012:', /names no API id/],
  ])('rejects %j with a precise reason', (input, reason) => {
    expect(() => parseExecuteApiArn(input)).toThrow(reason)
    expect(tryParseExecuteApiArn(input)).toBeUndefined()
  })

  test('round-trips through buildExecuteApiArn', () => {
    const arn = 'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/prod/POST/orders/*/items'
    const p = parseExecuteApiArn(arn)
    expect(buildExecuteApiArn({...p})).toBe(arn)
  })
})

describe('buildExecuteApiArn', () => {
  test('derives the partition from the region', () => {
    expect(buildExecuteApiArn({region: 'cn-north-1', account: '123456789012', apiId: 'x'})).toBe(
      'arn:aws-cn:execute-api:cn-north-1:123456789012:x',
    )
    expect(partitionForRegion('us-gov-west-1')).toBe('aws-us-gov')
    expect(partitionForRegion('eu-west-1')).toBe('aws')
  })

  test.each([
    [{region: '', account: '123456789012', apiId: 'x'}, /region/],
    [{region: 'us-east-2', account: '1234', apiId: 'x'}, /12-digit/],
    [{region: 'us-east-2', account: '123456789012', apiId: 'x/y'}, /API id/],
    [{region: 'us-east-2', account: '123456789012', apiId: 'x', stage: 'a/b'}, /stage/],
  ])('rejects bad parts %j', (parts, reason) => {
    expect(() => buildExecuteApiArn(parts)).toThrow(reason)
  })
})

describe('sourceArnForRoute', () => {
  test.each([
    ['GET /orders/{id}', 'prod', 'rest', 'a1b2c3d4e5/prod/GET/orders/*'],
    ['POST /orders', 'prod', 'rest', 'a1b2c3d4e5/prod/POST/orders'],
    ['ANY /{proxy+}', 'prod', 'rest', 'a1b2c3d4e5/prod/*/*'],
    ['ANY /files/{path+}', 'v1', 'http', 'a1b2c3d4e5/v1/*/files/*'],
    ['GET /', 'prod', 'rest', 'a1b2c3d4e5/prod/GET/'],
    ['GET /orders/{id}', '$default', 'http', 'a1b2c3d4e5/$default/GET/orders/*'],
    ['$default', '$default', 'http', 'a1b2c3d4e5/*/$default'],
    ['$default', 'prod', 'http', 'a1b2c3d4e5/*/$default'],
  ] as const)('%s on stage %s (%s) → %s', (routeKey, stage, apiType, resource) => {
    expect(sourceArnForRoute({...base, stage, routeKey, apiType})).toBe(`arn:aws:execute-api:us-east-2:123456789012:${resource}`)
  })

  test('a REST API has no $default route', () => {
    expect(() => sourceArnForRoute({...base, stage: 'prod', routeKey: '$default', apiType: 'rest'})).toThrow(/no "\$default" route/)
  })

  test('an invalid route key is a ROUTE_INVALID user error', () => {
    expect(() => sourceArnForRoute({...base, stage: 'prod', routeKey: 'GETT /x', apiType: 'http'})).toThrow(/not an HTTP method/)
  })
})

describe('presentedSourceArn', () => {
  test('carries the configured method and the path template', () => {
    expect(presentedSourceArn({...base, stage: 'prod', routeKey: 'ANY /{proxy+}', apiType: 'rest'})).toBe(
      'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/prod/ANY/{proxy+}',
    )
    expect(presentedSourceArn({...base, stage: '$default', routeKey: '$default', apiType: 'http'})).toBe(
      'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/$default/$default',
    )
    expect(presentedSourceArn({...base, stage: 'prod', routeKey: 'GET /', apiType: 'rest'})).toBe(
      'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/prod/GET/',
    )
  })
})

describe('grants and presented ARNs agree (deploy grants what the emulator presents)', () => {
  const routes = [
    'GET /orders/{id}',
    'POST /orders',
    'ANY /{proxy+}',
    'GET /',
    'DELETE /a/{b}/c/{rest+}',
    'PUT /orders/{id}/items/{item}',
    'OPTIONS /x',
  ]
  const cases = (['rest', 'http'] as const).flatMap((apiType) =>
    ['prod', '$default'].flatMap((stage) => routes.map((routeKey) => ({apiType, stage, routeKey}))),
  )

  test.each(cases)('the grant for $routeKey ($apiType, $stage) matches the ARN presented for it', ({apiType, stage, routeKey}) => {
    const grant = sourceArnForRoute({...base, stage, routeKey, apiType})
    expect(arnLike(grant, presentedSourceArn({...base, stage, routeKey, apiType}))).toBe(true)
  })

  test('the HTTP $default route grant matches what its route presents on any stage', () => {
    const grant = sourceArnForRoute({...base, stage: 'prod', routeKey: '$default', apiType: 'http'})
    for (const stage of ['$default', 'prod']) {
      expect(arnLike(grant, presentedSourceArn({...base, stage, routeKey: '$default', apiType: 'http'}))).toBe(true)
    }
  })

  test('a grant does not match another method, stage, API or region', () => {
    const grant = sourceArnForRoute({...base, stage: 'prod', routeKey: 'GET /orders/{id}', apiType: 'rest'})
    const other = (o: Partial<typeof base> & {stage?: string; routeKey?: string}) =>
      presentedSourceArn({...base, stage: 'prod', routeKey: 'GET /orders/{id}', apiType: 'rest', ...o})
    for (const method of ROUTE_METHODS.filter((m) => m !== 'GET')) {
      expect(arnLike(grant, other({routeKey: `${method} /orders/{id}`}))).toBe(false)
    }
    expect(arnLike(grant, other({stage: 'dev'}))).toBe(false)
    expect(arnLike(grant, other({apiId: 'zzzzzzzzzz'}))).toBe(false)
    expect(arnLike(grant, other({region: 'us-east-1'}))).toBe(false)
    expect(arnLike(grant, other({routeKey: 'GET /customers/{id}'}))).toBe(false)
  })
})

describe('parseFunctionArn', () => {
  test('reads name, qualifier and the unqualified ARN', () => {
    expect(parseFunctionArn('arn:aws:lambda:us-east-2:123456789012:function:orders-getOrder:live')).toEqual({
      partition: 'aws',
      region: 'us-east-2',
      account: '123456789012',
      functionName: 'orders-getOrder',
      qualifier: 'live',
      unqualifiedArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders-getOrder',
    })
  })

  test('rejects other ARNs', () => {
    expect(parseFunctionArn('arn:aws:lambda:us-east-2:123456789012:layer:x:1')).toBeUndefined()
    expect(parseFunctionArn('orders-getOrder')).toBeUndefined()
  })
})

describe('qualifiedFunctionArn: the ARN whose policy Lambda evaluates', () => {
  const fn = {unqualifiedArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders-getOrder'}
  test("an alias or version: its own ARN; none or $LATEST: the function's", () => {
    expect(qualifiedFunctionArn(fn, 'live')).toBe(`${fn.unqualifiedArn}:live`)
    expect(qualifiedFunctionArn(fn, '3')).toBe(`${fn.unqualifiedArn}:3`)
    expect(qualifiedFunctionArn(fn, '$LATEST')).toBe(fn.unqualifiedArn)
    expect(qualifiedFunctionArn(fn, undefined)).toBe(fn.unqualifiedArn)
  })
})
