
import {beforeAll, describe, expect, test} from 'vitest'
import type {FunctionConfig, ProjectConfig} from '../../src/config/schema.js'
import {diagnose} from '../../src/diagnose/diagnose.js'
import type {EvidenceSet} from '../../src/diagnose/evidence.js'
import {functionToMap, mapEvidenceFrames, withSourceFrames} from '../../src/invoke/source-frames.js'
import type {FunctionSources, LocalSources} from '../../src/package/local-sources.js'
import type {FrameMapper} from '../../src/package/source-frames.js'
import {evidence, FN, fn, permissionAllowed, replay, routeMatched, throttling, trace} from '../diagnose/builders.js'
import {functionConfig, projectConfig, throwingHandlerBundle} from '../package/helpers.js'

let dir: string
let mapper: FrameMapper
let deployedFrame: string
let deployedTraceFrame: string

function config(): FunctionConfig {
  return functionConfig({name: FN})
}

function project(): ProjectConfig {
  return projectConfig(dir, [config()])
}

beforeAll(async () => {
  const built = await throwingHandlerBundle()
  dir = built.dir
  mapper = built.mapper
  deployedFrame = `at totalOf (/var/task/src/get-order.js:${built.thrownLine}:${built.thrownColumn})`
  deployedTraceFrame = `at totalOf (/var/task/src/get-order.js:${built.thrownLine})`
})

/** A function error seen by both the replay and the trace, frames as the deployed bundle reports them. */
function failing(): EvidenceSet {
  return evidence(
    {},
    {
      route: routeMatched(),
      permission: permissionAllowed(),
      throttling: throttling(),
      function: fn(),
      replay: replay({
        outcome: 'function-error',
        statusCode: undefined,
        functionError: {type: 'TypeError', message: 'no such order', frames: [deployedFrame, 'at Runtime.handler (file:///var/runtime/index.mjs:1173:29)'], timedOut: false, responseTooLarge: false},
      }),
      trace: trace({functionFault: true, exception: {type: 'TypeError', message: 'no such order', frames: [deployedTraceFrame]}}),
    },
  )
}

function sourcesAnswering(answer: FunctionSources | Promise<never> | undefined): LocalSources & {calls: string[]} {
  const calls: string[] = []
  return {
    calls,
    forFunction(name) {
      calls.push(name)
      return answer instanceof Promise ? answer : Promise.resolve(answer)
    },
  }
}

describe('mapEvidenceFrames', () => {
  test("maps the replay's and the trace's frames and keeps the deployed ones; runtime frames stay as they are", () => {
    const mapped = mapEvidenceFrames(failing(), mapper)
    expect(mapped.replay).toMatchObject({
      facts: {
        functionError: {
          frames: ['at totalOf (src/get-order.ts:4:21)', 'at Runtime.handler (file:///var/runtime/index.mjs:1173:29)'],
          deployedFrames: [deployedFrame, 'at Runtime.handler (file:///var/runtime/index.mjs:1173:29)'],
        },
      },
    })
    expect(mapped.trace).toMatchObject({facts: {exception: {frames: ['at totalOf (src/get-order.ts:4)'], deployedFrames: [deployedTraceFrame]}}})
  })

  test('the diagnosis names the source line, and lists each frame with its deployed one for --json', () => {
    const d = diagnose(mapEvidenceFrames(failing(), mapper))
    expect(d.verdict).toBe('function-error')
    expect(d.cause).toContain('in totalOf at src/get-order.ts:4:21')
    expect(d.fix.summary).toContain('in totalOf at src/get-order.ts:4:21')
    expect(d.evidence.find((i) => i.source === 'replay')?.detail).toContain('at totalOf (src/get-order.ts:4:21)')
    expect(d.frames).toEqual([
      {frame: 'at totalOf (src/get-order.ts:4:21)', deployedFrame},
      {frame: 'at Runtime.handler (file:///var/runtime/index.mjs:1173:29)'},
    ])
  })

  test('without mapping the diagnosis lists the deployed frames alone', () => {
    expect(diagnose(failing()).frames).toEqual([{frame: deployedFrame}, {frame: 'at Runtime.handler (file:///var/runtime/index.mjs:1173:29)'}])
  })
})

describe('withSourceFrames', () => {
  test('maps when the local source is the deployed code', async () => {
    const sources = sourcesAnswering({status: 'mapped', functionName: FN, mapper})
    const result = await withSourceFrames(failing(), {project: project(), sources, budgetMs: 1000})
    expect(result.note).toBeUndefined()
    expect(result.mapped).toBe(true)
    expect(diagnose(result.evidence).cause).toContain('src/get-order.ts:4:21')
    expect(sources.calls).toEqual([FN])
  })

  test('keeps the deployed frames with the note when the local source differs', async () => {
    const note = `${FN}: local source differs from the deployed code; lines refer to the deployed bundle (src/get-order.js)`
    const result = await withSourceFrames(failing(), {project: project(), sources: sourcesAnswering({status: 'differs', functionName: FN, note}), budgetMs: 1000})
    expect(result.note).toBe(note)
    expect(result.evidence).toEqual(failing())
  })

  test('a map that is not ready within the budget leaves the deployed frames, with a note', async () => {
    const result = await withSourceFrames(failing(), {project: project(), sources: sourcesAnswering(new Promise<never>(() => {})), budgetMs: 20})
    expect(result.note).toBe(`${FN}: the local source map was not ready within 0.02 s; lines refer to the deployed bundle`)
    expect(result.evidence).toEqual(failing())
  })

  test('a failing source lookup never fails the diagnosis', async () => {
    const rejecting: LocalSources = {forFunction: () => Promise.reject(new Error('esbuild crashed'))}
    const result = await withSourceFrames(failing(), {project: project(), sources: rejecting, budgetMs: 1000})
    expect(result.note).toContain('esbuild crashed')
    expect(result.evidence).toEqual(failing())
  })

  test('nothing is asked without a project, or when no frame is in the function bundle', async () => {
    const sources = sourcesAnswering({status: 'mapped', functionName: FN, mapper})
    expect(await withSourceFrames(failing(), {sources, budgetMs: 1000})).toEqual({evidence: failing()})
    const runtimeOnly = evidence({}, {function: fn(), trace: trace({functionFault: true, exception: {type: 'Runtime.ImportModuleError', message: 'x', frames: ['at _loadUserApp (file:///var/runtime/index.mjs:1087:17)']}})})
    expect(functionToMap(runtimeOnly, project())).toBeUndefined()
    expect(await withSourceFrames(runtimeOnly, {project: project(), sources, budgetMs: 1000})).toEqual({evidence: runtimeOnly})
    expect(sources.calls).toEqual([])
  })
})
