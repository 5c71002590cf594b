import {describe, expect, test} from 'vitest'
import {apiIdOfStatement, isTracegateStatement, statementIdFor} from '../../src/permissions/statement-id.js'

const arn = 'arn:aws:execute-api:us-east-2:123456789012:a1b2c3d4e5/prod/GET/orders/*'

describe('statementIdFor', () => {
  test('is deterministic for the same API and source ARN', () => {
    expect(statementIdFor('a1b2c3d4e5', arn)).toBe(statementIdFor('a1b2c3d4e5', arn))
    expect(statementIdFor('a1b2c3d4e5', arn)).toMatch(/^tracegate-a1b2c3d4e5-[0-9a-f]{12}$/)
  })

  test('differs when the source ARN differs', () => {
    expect(statementIdFor('a1b2c3d4e5', arn)).not.toBe(statementIdFor('a1b2c3d4e5', arn.replace('GET', 'POST')))
  })

  test('stays within 100 characters of [A-Za-z0-9_-] whatever the API id', () => {
    const id = statementIdFor(`weird api/id:${'x'.repeat(200)}`, arn)
    expect(id.length).toBeLessThanOrEqual(100)
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(isTracegateStatement(id)).toBe(true)
  })
})

describe('isTracegateStatement', () => {
  test.each([
    [statementIdFor('a1b2c3d4e5', arn), true],
    ['tracegate-a1b2c3d4e5-0123456789ab', true],
    ['tracegate--0123456789ab', false],
    ['tracegate-a1b2c3d4e5-0123456789AB', false],
    ['tracegate-a1b2c3d4e5', false],
    ['getOrderGetOrderPermissionProd', false],
    ['lambda-7b1e1c4a-58d4-4a3e-9a8f-2f6c1d3b9e10', false],
    [undefined, false],
  ])('%j → %s', (sid, expected) => {
    expect(isTracegateStatement(sid)).toBe(expected)
  })

  test('extracts the API id from a tracegate statement id', () => {
    expect(apiIdOfStatement(statementIdFor('a1b2c3d4e5', arn))).toBe('a1b2c3d4e5')
    expect(apiIdOfStatement('other')).toBeUndefined()
  })
})
