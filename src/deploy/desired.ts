import type {ProjectConfig} from '../config/schema.js'
import {UserError} from '../errors.js'
import type {FunctionPackage} from '../package/package.js'
import {type DesiredState, roleNameFor} from './model.js'

const STAGE_NAME = /^(\$default|[A-Za-z0-9_-]{1,128})$/
const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/

export interface DesiredOptions {
  region: string
  /** --stage: overrides the config's stage. */
  stage?: string
  /** --role: overrides the config's role. */
  roleArn?: string
}

/** Checks the flags that shape the desired state; a bad value fails before any AWS call. */
export function checkDeployFlags(project: ProjectConfig, options: {stage?: string; roleArn?: string}): void {
  if (options.stage !== undefined) {
    if (!STAGE_NAME.test(options.stage)) {
      throw new UserError('STAGE_INVALID', `--stage "${options.stage}" is not a valid stage name`, {
        suggestion: 'Use "$default" or a name of letters, digits, "-" and "_", e.g. --stage prod',
      })
    }
    if (project.api.type === 'rest' && options.stage === '$default') {
      throw new UserError('STAGE_INVALID', 'REST APIs have no "$default" stage', {suggestion: 'Name the stage, e.g. --stage prod'})
    }
  }
  if (options.roleArn !== undefined && !ROLE_ARN.test(options.roleArn)) {
    throw new UserError('ROLE_INVALID', `--role "${options.roleArn}" is not an IAM role ARN`, {
      suggestion: 'Pass a role ARN such as arn:aws:iam::123456789012:role/my-lambda-role, or leave --role out to let tracegate manage one',
    })
  }
}

/** The state tracegate.json asks for, with each function's package (its zip and CodeSha256). */
export function desiredState(project: ProjectConfig, packages: ReadonlyMap<string, FunctionPackage>, options: DesiredOptions): DesiredState {
  checkDeployFlags(project, options)
  const functions = project.functions.map((fn) => {
    const pkg = packages.get(fn.key)
    if (!pkg) throw new Error(`no package for function ${fn.key}`)
    return {
      key: fn.key,
      name: fn.name,
      settings: {
        name: fn.name,
        runtime: fn.runtime,
        handler: pkg.handler,
        memory: fn.memory,
        timeout: fn.timeout,
        environment: {...fn.environment},
        tracing: fn.tracing,
        description: fn.description,
      },
      codeSha256: pkg.codeSha256,
      zip: pkg.zip,
      zipSize: pkg.zip.length,
      routes: [...fn.routes],
    }
  })
  return {
    project: project.name,
    region: options.region,
    roleArn: options.roleArn ?? project.role,
    roleName: roleNameFor(project.name),
    functions,
    api: {
      type: project.api.type,
      name: project.name,
      stage: options.stage ?? project.api.stage,
      permissions: project.api.permissions,
      routes: project.functions.flatMap((fn) => fn.routes.map((routeKey) => ({routeKey, functionKey: fn.key, functionName: fn.name}))),
    },
  }
}
