import {relative} from 'node:path'
import type {Palette} from '../ui/colors.js'
import type {AddEndpointResult} from './add-endpoint.js'
import type {NewProjectResult} from './new-project.js'

const LANG_NAMES = {js: 'JavaScript', ts: 'TypeScript'} as const
const API_NAMES = {http: 'HTTP API', rest: 'REST API'} as const

/** The human view of `tracegate new`'s result (plain lines; colours only when the palette has them). */
export function describeNewProject(result: NewProjectResult, c: Palette): string[] {
  const shown = relative(process.cwd(), result.dir) || '.'
  const lines = [
    `${c.green('Created')} ${c.bold(result.name)}${shown === result.name ? '' : ` in ${shown}`} (${API_NAMES[result.apiType]}, ${LANG_NAMES[result.lang]}, ${result.files.length} files)`,
    `  ${result.route} → ${result.function} (${result.handler})`,
    '',
    'Next:',
  ]
  if (shown !== '.') lines.push(`  cd ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`)
  if (result.lang === 'ts') lines.push('  npm install')
  lines.push('  npm test', `  tracegate endpoint add "POST /orders"`)
  return lines
}

/** The human view of `tracegate endpoint add`'s result. */
export function describeEndpoint(result: AddEndpointResult, c: Palette): string[] {
  const lines = [
    result.newFunction
      ? `${c.green('Added')} ${result.route} → ${result.function} (new function ${result.functionName})`
      : `${c.green('Added')} ${result.route} → ${result.function} (existing function)`,
    `  handler ${result.handler}`,
  ]
  for (const file of result.files) lines.push(`  created ${file}`)
  lines.push(`  updated ${result.config}`)
  return lines
}
