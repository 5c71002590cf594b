import type {ProjectConfig} from '../config/schema.js'
import {UserError} from '../errors.js'
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
