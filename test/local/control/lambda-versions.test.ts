import {describe, expect, test} from 'vitest'
import {aliasOut, pickVersion, qualifierKind, routesTo, unchangedSince, validateAliasMembers, weightsOf} from '../../../src/local/control/lambda-versions.js'
import {Violations} from '../../../src/local/control/lambda-validation.js'
import type {FunctionRecord, FunctionVersionRecord} from '../../../src/local/store.js'

describe('qualifierKind', () => {
  test.each([
    [undefined, 'latest'],
    ['$LATEST', 'latest'],
    ['1', 'version'],
    ['42', 'version'],
    ['live', 'alias'],
    ['v2', 'alias'],
    ['2-canary', 'alias'],
  ] as const)('%s is %s', (qualifier, kind) => {
    expect(qualifierKind(qualifier)).toBe(kind)
  })
})

describe('pickVersion', () => {
  const alias = {functionVersion: '1', weights: {'2': 0.25}}
  test.each([
    [0, '2'],
    [0.2499, '2'],
    [0.25, '1'],
    [0.9999, '1'],
  ])('random %s runs version %s', (random, version) => {
    expect(pickVersion(alias, random)).toBe(version)
  })
  test('without weights the primary always runs', () => {
    expect(pickVersion({functionVersion: '$LATEST', weights: null}, 0)).toBe('$LATEST')
  })
})

describe('unchangedSince', () => {
  const fn = {generation: 3, codeSha256: 'abc'} as FunctionRecord
  const version = (fromGeneration: number, codeSha256 = 'abc') => ({fromGeneration, codeSha256}) as FunctionVersionRecord
  test('the same generation and code is unchanged; a later update or other code is a change', () => {
    expect(unchangedSince(fn, version(3))).toBe(true)
    expect(unchangedSince(fn, version(2))).toBe(false)
    expect(unchangedSince(fn, version(3, 'def'))).toBe(false)
    expect(unchangedSince(fn, undefined)).toBe(false)
  })
})

describe('validateAliasMembers', () => {
  const messages = (input: Parameters<typeof validateAliasMembers>[0], create = true) => {
    const violations = new Violations()
    validateAliasMembers(input, violations, create)
    try {
      violations.throwIfAny()
      return ''
    } catch (error) {
      return (error as Error).message
    }
  }
  test('a good alias passes; names, versions and weights are checked as the model constrains them', () => {
    expect(messages({name: 'live', functionVersion: '1', routingConfig: {AdditionalVersionWeights: {'2': 0.1}}})).toBe('')
    expect(messages({name: '123', functionVersion: '1'})).toContain("Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern")
    expect(messages({name: 'live', functionVersion: 'live'})).toContain("Value 'live' at 'functionVersion'")
    expect(messages({name: 'live', functionVersion: '1', routingConfig: {AdditionalVersionWeights: {'2': 1.5}}})).toContain('routingConfig.additionalVersionWeights')
    expect(messages({})).toMatch(/^2 validation errors detected: .*'name'.*'functionVersion'/)
    expect(messages({}, false)).toBe('')
  })
})

test('weightsOf: an empty map is no routing', () => {
  expect(weightsOf({AdditionalVersionWeights: {}})).toBeUndefined()
  expect(weightsOf(undefined)).toBeUndefined()
  expect(weightsOf({AdditionalVersionWeights: {'3': 0.5}})).toEqual({'3': 0.5})
})

test('aliasOut is the AliasConfiguration AWS returns (RoutingConfig only with weights)', () => {
  const alias = {region: 'us-east-1', name: 'orders', alias: 'live', functionVersion: '2', description: 'd', weights: null, revisionId: 'r'}
  expect(aliasOut(alias, '000000000000')).toEqual({AliasArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders:live', Name: 'live', FunctionVersion: '2', Description: 'd', RevisionId: 'r'})
  expect(aliasOut({...alias, weights: {'1': 0.5}}, '000000000000')).toMatchObject({RoutingConfig: {AdditionalVersionWeights: {'1': 0.5}}})
})

test('routesTo: the primary and the routed version, nothing else', () => {
  const alias = {functionVersion: '1', weights: {'2': 0.1}}
  expect([routesTo(alias, '1'), routesTo(alias, '2'), routesTo(alias, '3')]).toEqual([true, true, false])
  expect(routesTo({functionVersion: '$LATEST', weights: null}, '1')).toBe(false)
})
