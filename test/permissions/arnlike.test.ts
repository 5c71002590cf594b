import {describe, expect, test} from 'vitest'
import {arnLike, globMatch, hasWildcard, splitArn, stringLike} from '../../src/permissions/arnlike.js'

const arn = (resource: string, region = 'us-east-2', account = '123456789012') => `arn:aws:execute-api:${region}:${account}:${resource}`

describe('globMatch', () => {
  test.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['*b*', 'aaabaaa', true],
    ['*a*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
    ['ABC', 'abc', false],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected)
  })
})

describe('splitArn', () => {
  test('keeps colons inside the resource component', () => {
    expect(splitArn('arn:aws:lambda:us-east-2:123456789012:function:fn:live')).toEqual([
      'arn',
      'aws',
      'lambda',
      'us-east-2',
      '123456789012',
      'function:fn:live',
    ])
  })

  test('returns undefined for fewer than six components', () => {
    expect(splitArn('arn:aws:execute-api:us-east-2')).toBeUndefined()
    expect(splitArn('*')).toBeUndefined()
  })
})

describe('arnLike', () => {
  test('a star in the resource part crosses slashes', () => {
    expect(arnLike(arn('abc123/*'), arn('abc123/prod/GET/orders/{id}'))).toBe(true)
    expect(arnLike(arn('abc123/*/GET/orders/*'), arn('abc123/prod/GET/orders/42/items'))).toBe(true)
  })

  test('a star does not cross the colons between components', () => {
    // "*" in the region component cannot swallow the account.
    expect(arnLike('arn:aws:execute-api:*:abc123/*', arn('abc123/prod/GET/x'))).toBe(false)
    expect(arnLike('arn:aws:execute-api:*:*:abc123/*', arn('abc123/prod/GET/x'))).toBe(true)
  })

  test('a pattern with fewer than six components matches nothing, not even with wildcards', () => {
    expect(arnLike('*', arn('abc123/prod/GET/x'))).toBe(false)
    expect(arnLike('arn:aws:execute-api:*', arn('abc123/prod/GET/x'))).toBe(false)
  })

  test('every component is case-sensitive', () => {
    expect(arnLike(arn('abc123/prod/get/x'), arn('abc123/prod/GET/x'))).toBe(false)
    expect(arnLike(arn('abc123/*', 'US-EAST-2'), arn('abc123/prod/GET/x'))).toBe(false)
    expect(arnLike('arn:aws:Execute-Api:us-east-2:123456789012:abc123/*', arn('abc123/prod/GET/x'))).toBe(false)
  })

  test('the region and account are compared, so another region never matches', () => {
    expect(arnLike(arn('abc123/*', 'us-east-1'), arn('abc123/prod/GET/x'))).toBe(false)
    expect(arnLike(arn('abc123/*', 'us-east-2', '210987654321'), arn('abc123/prod/GET/x'))).toBe(false)
    expect(arnLike(arn('abc123/*', 'us-*', '*'), arn('abc123/prod/GET/x'))).toBe(true)
  })

  test('question mark matches exactly one character', () => {
    expect(arnLike(arn('abc12?/prod/GET/x'), arn('abc123/prod/GET/x'))).toBe(true)
    expect(arnLike(arn('abc12?/prod/GET/x'), arn('abc12/prod/GET/x'))).toBe(false)
  })

  test('the HTTP API $default route grant has two parts after the API id', () => {
    expect(arnLike(arn('abc123/*/$default'), arn('abc123/$default/$default'))).toBe(true)
    // SAM's old, broken form (serverless-application-model#1860).
    expect(arnLike(arn('abc123/*/*/$default'), arn('abc123/$default/$default'))).toBe(false)
  })
})

describe('stringLike and hasWildcard', () => {
  test('StringLike lets a star span colons', () => {
    expect(stringLike('arn:aws:execute-api:*', arn('abc/prod/GET/x'))).toBe(true)
  })

  test('hasWildcard detects * and ?', () => {
    expect(hasWildcard('abc')).toBe(false)
    expect(hasWildcard('a*')).toBe(true)
    expect(hasWildcard('a?')).toBe(true)
  })
})
