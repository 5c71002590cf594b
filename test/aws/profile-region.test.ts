import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {profileRegion, regionFromConfigFile} from '../../src/aws/profile-region.js'

const CONFIG = `
# shared config
[default]
region = eu-west-1
output = json

[profile staging]
region=us-east-2 ; inline comment
[profile noregion]
output = text
`

describe('the region of a profile in ~/.aws/config, as the AWS CLI reads it', () => {
  test('[default] and [profile NAME] sections', () => {
    expect(regionFromConfigFile(CONFIG)).toBe('eu-west-1')
    expect(regionFromConfigFile(CONFIG, 'staging')).toBe('us-east-2')
  })

  test('a profile without a region, or a missing profile, has none', () => {
    expect(regionFromConfigFile(CONFIG, 'noregion')).toBeUndefined()
    expect(regionFromConfigFile(CONFIG, 'absent')).toBeUndefined()
  })

  test('AWS_CONFIG_FILE and AWS_PROFILE are honoured; a missing file gives none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracegate-awsconfig-'))
    const file = join(dir, 'config')
    writeFileSync(file, CONFIG)
    expect(profileRegion(undefined, {AWS_CONFIG_FILE: file, AWS_PROFILE: 'staging'})).toBe('us-east-2')
    expect(profileRegion(undefined, {AWS_CONFIG_FILE: file})).toBe('eu-west-1')
    expect(profileRegion(undefined, {AWS_CONFIG_FILE: join(dir, 'nope')})).toBeUndefined()
  })
})
