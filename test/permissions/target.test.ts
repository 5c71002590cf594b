import {describe, expect, test} from 'vitest'
import {pruneCommand} from '../../src/permissions/target.js'

describe('pruneCommand: the prune the audit suggests covers what the audit covered', () => {
  test('no flags: the project’s functions, with the default AWS settings', () => {
    expect(pruneCommand({})).toBe('tracegate permissions prune')
  })

  test('the same functions (each once), APIs and versions, on the emulator', () => {
    expect(pruneCommand({function: ['orders-get', 'orders-list', 'orders-get'], 'all-apis': true, versions: true, local: true})).toBe(
      'tracegate permissions prune --function orders-get --function orders-list --all-apis --versions --local',
    )
  })

  test('every function of the region, with the region, profile and endpoint given; values a shell would split are quoted', () => {
    expect(pruneCommand({'all-functions': true, region: 'eu-west-1', profile: "ops team's", 'endpoint-url': 'http://localhost:4566'})).toBe(
      "tracegate permissions prune --all-functions --region eu-west-1 --profile 'ops team'\\''s' --endpoint-url http://localhost:4566",
    )
  })
})
