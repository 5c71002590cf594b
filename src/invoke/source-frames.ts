/**
 * The function's stack frames in the evidence (the replay's function error, the trace's exception) mapped from
 * the deployed bundle (`/var/task/src/get-order.js:29:11`) to the project's files (`src/store.ts:5:11`), with a
 * source map built locally (src/package/local-sources.ts). The original frames stay in `deployedFrames`.
 */
import type {ProjectConfig} from '../config/schema.js'
import {type EvidenceSet, type ExceptionFacts, seen} from '../diagnose/evidence.js'
import {bundlePathOfHandler, type LocalSources} from '../package/local-sources.js'
import {type FrameMapper, framesMention, mapFrameTexts} from '../package/source-frames.js'

function exceptionFrames(evidence: Pick<EvidenceSet, 'replay' | 'trace'>): string[] {
  return [...(seen(evidence.replay)?.functionError?.frames ?? []), ...(seen(evidence.trace)?.exception?.frames ?? [])]
}

/** Do these frames name the bundle of `functionName`, a function of the project? (Cheap: no bundling.) */
export function framesPointIntoBundle(project: ProjectConfig | undefined, functionName: string | undefined, frames: readonly string[]): boolean {
  if (!project || !functionName || frames.length === 0) return false
  const fn = project.functions.find((f) => f.name === functionName)
  return fn !== undefined && framesMention(frames, bundlePathOfHandler(fn.handler))
}

/** The function whose exception frames in the evidence point into its bundle, if any. */
export function functionToMap(evidence: EvidenceSet, project: ProjectConfig | undefined): string | undefined {
  const name = seen(evidence.function)?.functionName ?? seen(evidence.route)?.matched?.functionName ?? seen(evidence.replay)?.functionName
  return framesPointIntoBundle(project, name, exceptionFrames(evidence)) ? name : undefined
}

function mapException<E extends ExceptionFacts>(exception: E, mapper: FrameMapper): E {
  const mapped = mapFrameTexts(exception.frames, mapper)
  return mapped.deployedFrames ? {...exception, frames: mapped.frames, deployedFrames: mapped.deployedFrames} : exception
}

/** Pure: the evidence with the replay's and the trace's exception frames mapped by `mapper`; the rest untouched. */
export function mapEvidenceFrames(evidence: EvidenceSet, mapper: FrameMapper): EvidenceSet {
  const out: EvidenceSet = {...evidence}
  const replay = evidence.replay
  if (replay?.status === 'seen' && replay.facts.functionError) {
    out.replay = {...replay, facts: {...replay.facts, functionError: mapException(replay.facts.functionError, mapper)}}
  }
  const trace = evidence.trace
  if (trace?.status === 'seen' && trace.facts.exception) {
    out.trace = {...trace, facts: {...trace.facts, exception: mapException(trace.facts.exception, mapper)}}
  }
  return out
}

export interface SourceFramesResult {
  evidence: EvidenceSet
  /** At least one frame now names the project's source. */
  mapped?: boolean
  /** Why the frames stay the deployed bundle's (the local source differs, could not be built, ...). */
  note?: string
}

/**
 * Maps the evidence's frames when they point into a project function's bundle and the local build of that
 * function is the deployed code. Waits at most `budgetMs` for the local build (started early by the collectors,
 * see collect.ts); never throws: whatever goes wrong leaves the deployed frames.
 */
export async function withSourceFrames(
  evidence: EvidenceSet,
  options: {project?: ProjectConfig; sources?: LocalSources; budgetMs: number},
): Promise<SourceFramesResult> {
  const functionName = functionToMap(evidence, options.project)
  if (!functionName || !options.sources) return {evidence}
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.budgetMs)
  })
  try {
    const found = await Promise.race([options.sources.forFunction(functionName), timeout])
    if (found === 'timeout') {
      return {evidence, note: `${functionName}: the local source map was not ready within ${+(options.budgetMs / 1000).toFixed(2)} s; lines refer to the deployed bundle`}
    }
    if (!found) return {evidence}
    if (found.status !== 'mapped') return {evidence, note: found.note}
    const mapped = mapEvidenceFrames(evidence, found.mapper)
    const changed = Boolean(seen(mapped.replay)?.functionError?.deployedFrames || seen(mapped.trace)?.exception?.deployedFrames)
    return {evidence: mapped, mapped: changed}
  } catch (error) {
    return {evidence, note: `${functionName}: the frames could not be mapped (${String((error as Error)?.message ?? error)}); lines refer to the deployed bundle`}
  } finally {
    clearTimeout(timer)
  }
}
