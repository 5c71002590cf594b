/**
 * `traces show` in a project: the exception frames of the project's functions mapped from the deployed bundle
 * (`load (/var/task/src/get-order.js:29)`) to the project's files (`load (src/store.ts:5)`), with source maps
 * built locally (src/package/local-sources.ts). X-Ray frames carry a line and no column (aws-semantics §6.2).
 */
import type {ProjectConfig} from '../config/schema.js'
import {bundlePathOfHandler, type LocalSources} from '../package/local-sources.js'
import {type FrameMapper, framesMention, mapFrameTexts} from '../package/source-frames.js'
import type {TraceTree} from './tree.js'
import type {Waterfall} from './waterfall.js'

const LAMBDA_ORIGINS = new Set(['AWS::Lambda', 'AWS::Lambda::Function'])

/** For every span under a Lambda segment, the function's name (the segment's name, aws-semantics §6.3). */
export function functionOfSpans(tree: TraceTree): Map<string, string> {
  const out = new Map<string, string>()
  for (const span of tree.spans) {
    const segment = tree.byId.get(span.segmentId)
    if (segment?.origin && LAMBDA_ORIGINS.has(segment.origin)) out.set(span.id, segment.name)
  }
  return out
}

/** The project's functions whose exceptions in the waterfall have frames in their bundle. */
export function functionsToMap(waterfall: Waterfall, functionOf: ReadonlyMap<string, string>, project: ProjectConfig): string[] {
  const names = new Set<string>()
  for (const row of waterfall.rows) {
    const name = functionOf.get(row.spanId)
    const fn = name === undefined ? undefined : project.functions.find((f) => f.name === name)
    if (!fn || names.has(fn.name)) continue
    const bundlePath = bundlePathOfHandler(fn.handler)
    if (row.exceptions.some((e) => framesMention(e.frames, bundlePath))) names.add(fn.name)
  }
  return [...names]
}

/** Pure: the waterfall with the frames of each function's spans mapped by its mapper; `deployedFrames` keeps the originals. */
export function mapWaterfallFrames(waterfall: Waterfall, functionOf: ReadonlyMap<string, string>, mappers: ReadonlyMap<string, FrameMapper>): Waterfall {
  if (mappers.size === 0) return waterfall
  return {
    ...waterfall,
    rows: waterfall.rows.map((row) => {
      const name = functionOf.get(row.spanId)
      const mapper = name === undefined ? undefined : mappers.get(name)
      if (!mapper || row.exceptions.length === 0) return row
      return {
        ...row,
        exceptions: row.exceptions.map((e) => {
          const mapped = mapFrameTexts(e.frames, mapper)
          return mapped.deployedFrames ? {...e, frames: mapped.frames, deployedFrames: mapped.deployedFrames} : e
        }),
      }
    }),
  }
}

export interface TraceSourcesInput {
  project: ProjectConfig
  sources: LocalSources
  /** How long to wait for the local builds, all functions together. */
  budgetMs: number
}

/**
 * Maps what can be mapped; never throws. `notes` say which functions keep their bundle frames and why (the
 * local source differs from the deployed code, it could not be built, ...).
 */
export async function withTraceSourceFrames(tree: TraceTree, waterfall: Waterfall, input: TraceSourcesInput): Promise<{waterfall: Waterfall; notes: string[]}> {
  const functionOf = functionOfSpans(tree)
  const names = functionsToMap(waterfall, functionOf, input.project)
  if (names.length === 0) return {waterfall, notes: []}
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), input.budgetMs)
  })
  const notes: string[] = []
  const mappers = new Map<string, FrameMapper>()
  try {
    const results = await Promise.all(
      names.map((name) =>
        Promise.race([input.sources.forFunction(name), timeout]).catch((error: unknown) => ({
          status: 'unavailable' as const,
          functionName: name,
          note: `${name}: the frames could not be mapped (${String((error as Error)?.message ?? error)}); lines refer to the deployed bundle`,
        })),
      ),
    )
    results.forEach((found, i) => {
      if (found === 'timeout') notes.push(`${names[i]}: the local source map was not ready in time; lines refer to the deployed bundle`)
      else if (found?.status === 'mapped') mappers.set(found.functionName, found.mapper)
      else if (found) notes.push(found.note)
    })
  } finally {
    clearTimeout(timer)
  }
  return {waterfall: mapWaterfallFrames(waterfall, functionOf, mappers), notes}
}
