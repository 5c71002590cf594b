import type {FunctionConfigurationInfo} from '../aws/invoke.js'
import type {AnyEvidence, EvidenceSet} from '../diagnose/evidence.js'
import {integrationTimeoutMs} from '../gateway/errors.js'
import type {Progress} from '../progress.js'
import {withBudget} from './collectors/budget.js'
import type {CollectContext, RouteTarget} from './collectors/context.js'
import {collectFunction, collectPermission, collectThrottling} from './collectors/lambda.js'
import {collectReplay} from './collectors/replay.js'
import {collectRoute} from './collectors/route.js'
import {collectTrace} from './collectors/trace.js'
import {framesPointIntoBundle} from './source-frames.js'

const LABELS: Record<Exclude<AnyEvidence['source'], 'gateway'>, string> = {
  route: 'Route',
  function: 'Function',
  permission: 'Invoke permission',
  throttling: 'Concurrency',
  trace: 'Trace',
  replay: 'Replay',
}

/** Emits one progress step per collector: done when it saw something, skip when not, warn when it could not look. */
async function reported<E extends AnyEvidence>(progress: Progress, source: keyof typeof LABELS, work: Promise<E>): Promise<E> {
  const id = `evidence:${source}`
  const label = LABELS[source]
  progress.emit({step: id, status: 'start', label})
  const evidence = await work
  if (evidence.status === 'seen') progress.emit({step: id, status: 'done', label, detail: evidence.note, durationMs: evidence.durationMs})
  else if (evidence.status === 'not-seen') progress.emit({step: id, status: 'skip', label, detail: evidence.note})
  else progress.emit({step: id, status: 'warn', label, detail: evidence.note})
  return evidence
}

/**
 * Runs the collectors, each within its budget, as concurrently as their inputs allow: the route check first
 * (it names the function), then function, concurrency, permission, trace and replay together. The function's
 * configuration is read once and shared.
 */
export async function collectEvidence(ctx: CollectContext, progress: Progress): Promise<Omit<EvidenceSet, 'gateway'>> {
  let target: RouteTarget = {payloadFormatVersion: ctx.apiType === 'rest' ? '1.0' : '2.0'}
  const route = await reported(
    progress,
    'route',
    withBudget('route', 'apigateway:GET', ctx.budgets.route, async (signal) => {
      const result = await collectRoute(ctx, signal)
      target = result.target
      return result.evidence
    }),
  )
  const functionName = target.functionName
  const evidence: Omit<EvidenceSet, 'gateway'> = {route}
  if (!functionName) {
    const why = route.status === 'seen' ? 'no route matched, so there is no function to look at' : 'the route (and so the function) is not known'
    for (const source of ['permission', 'throttling', 'trace', 'replay'] as const) {
      ;(evidence as Record<string, AnyEvidence>)[source] = {source, status: 'not-seen', note: why}
    }
    return evidence
  }

  // One GetFunctionConfiguration, shared by the function, permission, trace and replay collectors.
  const lookupController = new AbortController()
  const lookupTimer = setTimeout(() => lookupController.abort(), ctx.budgets.function)
  const lookup: Promise<FunctionConfigurationInfo | undefined> = ctx.aws.getFunctionConfiguration(functionName, lookupController.signal)
  lookup.catch(() => {}).finally(() => clearTimeout(lookupTimer))

  // The first collector to see frames in the function's bundle starts its local source map (a ~100 ms esbuild
  // run and one read of CodeSha256), so it is usually ready when the slower collectors finish.
  const startSourceMap = (frames: string[] | undefined) => {
    if (ctx.sources && frames && framesPointIntoBundle(ctx.project, functionName, frames)) void ctx.sources.forFunction(functionName)
  }
  const replayBudget = integrationTimeoutMs(ctx.apiType, target.integrationTimeoutMs) + ctx.budgets.replaySlack
  const [fn, throttling, permission, trace, replay] = await Promise.all([
    reported(progress, 'function', withBudget('function', 'lambda:GetFunctionConfiguration', ctx.budgets.function, () => collectFunction(ctx, functionName, lookup))),
    reported(progress, 'throttling', withBudget('throttling', 'lambda:GetFunctionConcurrency', ctx.budgets.throttling, (s) => collectThrottling(ctx, functionName, s))),
    reported(progress, 'permission', withBudget('permission', 'lambda:GetPolicy', ctx.budgets.permission, (s) => collectPermission(ctx, target, lookup, s))),
    reported(
      progress,
      'trace',
      withBudget('trace', 'xray:BatchGetTraces', ctx.budgets.trace + ctx.budgets.traceSearch, (s) => collectTrace(ctx, functionName, lookup, s)).then((e) => {
        if (e.status === 'seen') startSourceMap(e.facts.exception?.frames)
        return e
      }),
    ),
    reported(
      progress,
      'replay',
      withBudget('replay', 'lambda:InvokeFunction', replayBudget, (s) => collectReplay(ctx, target, lookup, s)).then((e) => {
        if (e.status === 'seen') startSourceMap(e.facts.functionError?.frames)
        return e
      }),
    ),
  ])
  return {...evidence, function: fn, throttling, permission, trace, replay}
}
