import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

/**
 * The region of a profile in the shared config file (`~/.aws/config`, or AWS_CONFIG_FILE), as the AWS CLI
 * reads it when neither --region nor AWS_REGION is set. `[default]` is the default profile; others are
 * `[profile NAME]`.
 */
export function regionFromConfigFile(text: string, profile = 'default'): string | undefined {
  let current: string | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim()
    if (!line) continue
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line)
    if (section) {
      current = section[1]
      continue
    }
    const pair = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line)
    if (pair && current === profile && pair[1].toLowerCase() === 'region' && pair[2]) return pair[2].trim()
  }
  return undefined
}

export function profileRegion(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config')
  try {
    return regionFromConfigFile(readFileSync(file, 'utf8'), profile || env.AWS_PROFILE || 'default')
  } catch {
    return undefined
  }
}
