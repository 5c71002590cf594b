/**
 * Executes a plan. Every resource is a lazily started promise that waits only for what it needs, so
 * independent work runs concurrently and the critical path is as short as the dependencies allow:
 *
 *   role ─► CreateFunction ─┬─► (Active) ─► AddPermission… (needs the API id too)
 *                           └─► CreateIntegration ─► CreateRoute (needs the API id too)
 *   CreateApi ─► CreateStage
 *
 * Managed policies are attached concurrently with CreateFunction: Lambda only needs the trust policy to
 * create the function. Removed routes go before their integrations, which go before removed functions.
 * Every write is idempotent or guarded, so a run that stops anywhere converges when run again.
 */
import type {FunctionState} from '../aws/lambda.js'
import type {Progress} from '../progress.js'
import {step} from '../progress.js'
import {formatBytes} from '../package/package.js'
import type {ApiTarget} from './api-target.js'
import {observed as quiet, once, settleAll} from './concurrency.js'
import {type ApiPlan, type DeployApis, type DeployPlan, type DesiredState, LAMBDA_TRUST_POLICY, projectTags} from './model.js'
import {grantFor} from './plan.js'

export interface ApplyContext<P extends ApiPlan> {
  apis: DeployApis
  target: ApiTarget<unknown, P>
  progress: Progress
}

export interface ApplyResult {
  apiId: string
  endpoint: string
  /** Final state of each configured function, by key. */
  functions: Record<string, {name: string; arn: string; codeSha256?: string}>
}

export async function applyPlan<P extends ApiPlan>(plan: DeployPlan<P>, desired: DesiredState, context: ApplyContext<P>): Promise<ApplyResult> {
  const {apis, progress} = context
  const tags = projectTags(desired.project)
  const tasks: Array<Promise<unknown>> = []
  const skip = (id: string, label: string, detail = 'unchanged') => progress.emit({step: id, status: 'skip', label, detail})

  // Role
  const role = plan.role
  const roleArn = once(async () => {
    if (role.action !== 'create') return role.arn!
    const created = await step(progress, 'role', `Create role ${role.name}`, () =>
      apis.iam.createRole({
        name: role.name,
        trustPolicy: LAMBDA_TRUST_POLICY,
        description: `Execution role for the Lambda functions of tracegate project ${desired.project}`,
        tags,
      }),
    )
    return created.arn
  })
  if (role.managed && role.action === 'noop') skip('role', `Role ${role.name}`)
  if (role.attach.length > 0) {
    tasks.push(
      roleArn().then(() =>
        step(
          progress,
          'role-policies',
          `Attach ${role.attach.map((p) => p.replace(/^.*\//, '')).join(', ')} to ${role.name}`,
          async () => {
            await settleAll(role.attach.map((arn) => apis.iam.attachPolicy(role.name, arn)))
          },
        ),
      ),
    )
  }

  // Functions: `created` resolves with the ARN as soon as it exists; `ready` once Lambda accepts operations on it.
  const created = new Map<string, () => Promise<FunctionState>>()
  const ready = new Map<string, () => Promise<FunctionState>>()
  for (const fn of desired.functions) {
    const fnPlan = plan.functions.find((f) => f.key === fn.key)!
    const id = `function:${fn.key}`
    if (fnPlan.action === 'create') {
      const make = once(async () => {
        const arn = await roleArn()
        return step(progress, id, `Create function ${fn.name}`, () => apis.lambda.createFunction({...fn.settings, role: arn}, fn.zip, tags), () => `${formatBytes(fn.zipSize)} zip`)
      })
      created.set(fn.key, make)
      ready.set(
        fn.key,
        once(async () => {
          const state = await make()
          return step(progress, `${id}:active`, `Wait until ${fn.name} is active`, () => apis.lambda.waitUntilActive(state))
        }),
      )
    } else if (fnPlan.action === 'update') {
      const update = once(async () => {
        const arn = fnPlan.configuration ? await roleArn() : undefined
        return step(
          progress,
          id,
          `Update function ${fn.name}`,
          async () => {
            // One write at a time: Lambda answers ResourceConflictException while an update is in progress,
            // so each update call waits (SDK waiter) until the function is updated before the next one.
            let state: FunctionState | undefined
            if (fnPlan.code) state = await apis.lambda.updateFunctionCode(fn.name, fn.zip)
            if (fnPlan.configuration) state = await apis.lambda.updateFunctionConfiguration({...fn.settings, role: arn!})
            return state!
          },
          () => fnPlan.changes.join(', '),
        )
      })
      created.set(fn.key, update)
      ready.set(fn.key, update)
    } else {
      skip(id, `Function ${fn.name}`)
      const existing = once(async () => ({arn: fnPlan.arn!, name: fn.name}) as FunctionState)
      created.set(fn.key, existing)
      ready.set(fn.key, existing)
    }
    tasks.push(ready.get(fn.key)!())
  }

  // API
  const api = context.target.apply(plan.api, {
    functionArn: (key) => created.get(key)!().then((f) => f.arn),
    progress,
  })
  quiet(api.apiId)
  quiet(api.endpoint)
  tasks.push(api.apiId, api.endpoint, api.done)

  // Permissions: per function, one statement at a time (each changes the same resource policy); removals first.
  for (const fn of desired.functions) {
    const items = plan.permissions.filter((p) => p.functionKey === fn.key)
    for (const p of items.filter((i) => i.action === 'noop')) skip(`permission:${fn.key}:${p.routeKey}`, `Permission ${fn.name} ${p.routeKey}`)
    const writes = items.filter((i) => i.action !== 'noop').sort((a, b) => Number(b.action === 'delete') - Number(a.action === 'delete'))
    if (writes.length === 0) continue
    tasks.push(
      Promise.all([ready.get(fn.key)!(), api.apiId]).then(async ([state, apiId]) => {
        for (const p of writes) {
          const id = `permission:${fn.key}:${p.routeKey}`
          if (p.action === 'delete') {
            await step(progress, `delete-${id}:${p.statementId}`, `Remove permission ${p.statementId} from ${fn.name}`, () =>
              apis.lambda.removePermission(fn.name, p.statementId!),
            )
            continue
          }
          const grant = grantFor({functionArn: state.arn, apiId, stage: plan.api.stage, routeKey: p.routeKey, apiType: plan.api.type})
          await step(
            progress,
            id,
            `Allow API Gateway to invoke ${fn.name} for ${p.routeKey}`,
            async () => {
              if (p.action === 'update') await apis.lambda.removePermission(fn.name, grant.statementId)
              return apis.lambda.addPermission({functionName: fn.name, statementId: grant.statementId, sourceArn: grant.sourceArn})
            },
            () => grant.sourceArn.replace(/^.*?:execute-api:/, ''),
          )
        }
      }),
    )
  }

  // Functions that left the config: after the API stopped pointing at them.
  for (const stray of plan.functions.filter((f) => f.action === 'delete')) {
    tasks.push(
      settleAll([api.done]).catch(() => {}).then(() =>
        step(progress, `delete-function:${stray.name}`, `Delete function ${stray.name}`, () => apis.lambda.deleteFunction(stray.name)),
      ),
    )
  }

  await settleAll(tasks)
  const functions: ApplyResult['functions'] = {}
  for (const fn of desired.functions) {
    const state = await ready.get(fn.key)!()
    functions[fn.key] = {name: fn.name, arn: state.arn, codeSha256: state.codeSha256 ?? fn.codeSha256}
  }
  return {apiId: await api.apiId, endpoint: await api.endpoint, functions}
}
