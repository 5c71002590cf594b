import type {ProjectConfig} from '../config/schema.js'
import {UserError} from '../errors.js'
import {shellQuote} from '../shell.js'
import type {PermissionsTarget} from './service.js'

export interface TargetFlags {
  function?: string[]
  'all-functions'?: boolean
  'all-apis'?: boolean
  versions?: boolean
}

/**
 * Which functions the permission commands look at: `--all-functions`, else the `--function` names, else the
 * project's functions (`{name}-{function}`). The project, when there is one, also names the APIs read in
 * detail (its `tracegate:project` tag), so routes without a grant show up.
 */
export function permissionsTarget(project: ProjectConfig | undefined, flags: TargetFlags): PermissionsTarget {
  if (flags['all-functions'] && flags.function?.length) {
    throw new UserError('FLAGS_CONFLICT', '--all-functions and --function cannot be used together', {
      suggestion: 'Name functions with --function, or audit every function of the region with --all-functions',
    })
  }
  const base = {project: project?.name, allApis: Boolean(flags['all-apis']), versions: Boolean(flags.versions)}
  if (flags['all-functions']) return {...base, allFunctions: true}
  if (flags.function?.length) return {...base, functions: [...new Set(flags.function)]}
  if (!project) {
    throw new UserError('NO_FUNCTIONS', 'No function to audit: there is no tracegate.json here and no --function', {
      suggestion: 'Run it in a tracegate project, or pass --function NAME (repeatable) or --all-functions',
    })
  }
  return {...base, functions: project.functions.map((f) => f.name)}
}

/** The flags that pick where an audit ran: the AWS account and region, or the emulator. */
export interface WhereFlags {
  region?: string
  profile?: string
  'endpoint-url'?: string
  local?: boolean
}

/**
 * `tracegate permissions prune` with the audit's own target and AWS flags, so the command the audit suggests prunes
 * what it just audited: the same functions (and versions), the same region, the emulator when it ran on it.
 */
export function pruneCommand(flags: TargetFlags & WhereFlags): string {
  const args = ['tracegate', 'permissions', 'prune']
  if (flags['all-functions']) args.push('--all-functions')
  for (const name of new Set(flags.function ?? [])) args.push('--function', shellQuote(name))
  if (flags['all-apis']) args.push('--all-apis')
  if (flags.versions) args.push('--versions')
  if (flags.local) args.push('--local')
  if (flags.region) args.push('--region', shellQuote(flags.region))
  if (flags.profile) args.push('--profile', shellQuote(flags.profile))
  if (flags['endpoint-url']) args.push('--endpoint-url', shellQuote(flags['endpoint-url']))
  return args.join(' ')
}
