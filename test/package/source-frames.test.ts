import {unzipSync} from 'fflate'
import {beforeAll, describe, expect, test} from 'vitest'
import type {FunctionConfig} from '../../src/config/schema.js'
import {bundleHandler} from '../../src/package/bundle.js'
import {packageFunction} from '../../src/package/package.js'
import {type BundleSources, createFrameMapper, type FrameMapper, framesMention, mapFrameTexts, pathInPackage} from '../../src/package/source-frames.js'
import {functionConfig, tempProject} from './helpers.js'

// Line numbers below are the sources' own (1-based): the throw is on line 6 of store.ts, column 11 is `new`.
const HANDLER_TS = `import {load} from '../lib/store'
import {shout} from 'fake-lib'

export const handler = async (event: {pathParameters?: {id?: string}}) => {
  const order = load(event.pathParameters?.id ?? 'x')
  return {statusCode: 200, body: shout(JSON.stringify(order))}
}
`
const STORE_TS = `interface Order { id: string; total: number }

export function load(id: string): Order {
  // Nothing is stored yet.
  if (id === '7') {
    throw new TypeError('order store is not configured: ' + id)
  }
  return {id, total: 1}
}
`
const FAKE_LIB = `exports.shout = function shout(text) {
  if (text === '') throw new Error('nothing to shout')
  return text.toUpperCase()
}
`

const FILES = {
  'src/handlers/get-order.ts': HANDLER_TS,
  'src/lib/store.ts': STORE_TS,
  'node_modules/fake-lib/index.js': FAKE_LIB,
  'node_modules/fake-lib/package.json': '{"name":"fake-lib","main":"index.js"}',
}

function fn(overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return functionConfig({name: 'shop-getOrder', handler: 'src/handlers/get-order.handler', ...overrides})
}

let dir: string
let sources: BundleSources
let mapper: FrameMapper
/** 1-based line and column of `needle` in the bundle. */
let at: (needle: string) => {line: number; column: number}

beforeAll(async () => {
  dir = tempProject(FILES)
  const bundle = await bundleHandler({dir, handler: 'src/handlers/get-order.handler', runtime: 'nodejs20.x', functionKey: 'getOrder', sourceMap: true})
  if (!bundle.sourceMap) throw new Error('no source map')
  sources = {bundlePath: bundle.path, code: bundle.code.toString('utf8'), map: bundle.sourceMap}
  mapper = createFrameMapper(sources)
  const lines = sources.code.split('\n')
  at = (needle) => {
    const index = lines.findIndex((l) => l.includes(needle))
    if (index < 0) throw new Error(`${needle} is not in the bundle`)
    return {line: index + 1, column: lines[index].indexOf(needle) + 1}
  }
})

describe('source maps made locally are never shipped', () => {
  test('bundling with a source map gives byte-identical code, without a sourceMappingURL comment', async () => {
    const plain = await bundleHandler({dir, handler: 'src/handlers/get-order.handler', runtime: 'nodejs20.x', functionKey: 'getOrder'})
    const mapped = await bundleHandler({dir, handler: 'src/handlers/get-order.handler', runtime: 'nodejs20.x', functionKey: 'getOrder', sourceMap: true})
    expect(plain.sourceMap).toBeUndefined()
    expect(mapped.code.equals(plain.code)).toBe(true)
    expect(mapped.code.toString('utf8')).not.toContain('sourceMappingURL')
    expect(JSON.parse(mapped.sourceMap ?? '{}')).toMatchObject({version: 3, sources: expect.arrayContaining(['get-order.ts', '../lib/store.ts'])})
  })

  test('packaging with a source map leaves the zip and its CodeSha256 unchanged, and the map is not in the zip', async () => {
    const plain = await packageFunction(dir, fn())
    const mapped = await packageFunction(dir, fn(), {sourceMap: true})
    expect(mapped.zip.equals(plain.zip)).toBe(true)
    expect(mapped.codeSha256).toBe(plain.codeSha256)
    expect(Object.keys(unzipSync(mapped.zip)).sort()).toEqual(['package.json', 'src/handlers/get-order.js'])
    expect(plain.sources).toBeUndefined()
    expect(mapped.sources).toMatchObject({bundlePath: 'src/handlers/get-order.js'})
  })
})

describe('createFrameMapper', () => {
  test('frame texts in the bundle name the original file (relative to the project), line and column', () => {
    const thrown = at('new TypeError')
    const call = at('load(event')
    const loc = `${thrown.line}:${thrown.column}`
    const rows: Array<[string, string]> = [
      // V8's forms, as Lambda's function-error trace carries them.
      [`at load (/var/task/src/handlers/get-order.js:${loc})`, 'at load (src/lib/store.ts:6:11)'],
      [`at /var/task/src/handlers/get-order.js:${loc}`, 'at src/lib/store.ts:6:11'],
      [`at async Promise.all (index 0)`, 'at async Promise.all (index 0)'],
      [`at load (file:///var/task/src/handlers/get-order.js:${loc})`, 'at load (src/lib/store.ts:6:11)'],
      [`at load (src/handlers/get-order.js:${loc})`, 'at load (src/lib/store.ts:6:11)'],
      [`at Runtime.handler (/var/task/src/handlers/get-order.js:${call.line}:${call.column})`, 'at Runtime.handler (src/handlers/get-order.ts:5:17)'],
      // The emulator's unpack directory, as older stacks recorded it.
      [`at load (/tmp/data/runtime/code/${'ab'.repeat(32)}/src/handlers/get-order.js:${loc})`, 'at load (src/lib/store.ts:6:11)'],
      // X-Ray frames have a line and no column: the line's first statement.
      [`at load (/var/task/src/handlers/get-order.js:${thrown.line})`, 'at load (src/lib/store.ts:6)'],
      [`load (/var/task/src/handlers/get-order.js:${thrown.line})`, 'load (src/lib/store.ts:6)'],
    ]
    for (const [frame, expected] of rows) expect(mapFrameTexts([frame], mapper).frames[0], frame).toBe(expected)
  })

  test('a dependency bundled from node_modules maps to its file under node_modules', () => {
    const thrown = at("throw new Error(\"nothing to shout\")")
    expect(mapper.mapText(`at shout (/var/task/src/handlers/get-order.js:${thrown.line}:${thrown.column})`)).toBe('at shout (node_modules/fake-lib/index.js:2:20)')
  })

  test('frames outside the bundle, or on lines the map does not cover, are left alone', () => {
    const {line, column} = at('new TypeError')
    const helper = at('__defProp(target, name')
    const untouched = [
      'at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)',
      'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `at load (/var/task/src/other.js:${line}:${column})`,
      // Same file name, but not under the task root: another package's file.
      `at load (/opt/nodejs/src/handlers/get-order.js:${line}:${column})`,
      // esbuild's own helpers at the top of the bundle come from no source.
      `at __export (/var/task/src/handlers/get-order.js:${helper.line}:${helper.column})`,
      `at load (/var/task/src/handlers/get-order.js:${sources.code.split('\n').length + 50}:1)`,
      'at load (/var/task/src/handlers/get-order.js:0:1)',
      'Error: boom',
    ]
    for (const frame of untouched) expect(mapper.mapText(frame), frame).toBeUndefined()
    expect(mapFrameTexts(untouched, mapper)).toEqual({frames: untouched})
  })

  test('mapFrameTexts keeps the deployed frames alongside when any frame was mapped', () => {
    const {line, column} = at('new TypeError')
    const deployed = [`at load (/var/task/src/handlers/get-order.js:${line}:${column})`, 'at start (file:///var/runtime/index.mjs:387:22)']
    expect(mapFrameTexts(deployed, mapper)).toEqual({frames: ['at load (src/lib/store.ts:6:11)', 'at start (file:///var/runtime/index.mjs:387:22)'], deployedFrames: deployed})
  })

  test('X-Ray stack objects map path and line and keep their label; others are not mapped', () => {
    const {line} = at('new TypeError')
    expect(mapper.mapFrame({path: '/var/task/src/handlers/get-order.js', line, label: 'load'})).toEqual({path: 'src/lib/store.ts', line: 6, label: 'load'})
    expect(mapper.mapFrame({path: 'file', label: 'start'})).toBeUndefined()
    expect(mapper.mapFrame({path: '/var/runtime/index.mjs', line: 10, label: 'start'})).toBeUndefined()
    expect(mapper.mapFrame({path: '/var/task/src/handlers/get-order.js', label: 'load'})).toBeUndefined()
  })

  test('isBundle recognises the bundle under the task root, as a file URL, and relative', () => {
    expect(mapper.isBundle('/var/task/src/handlers/get-order.js')).toBe(true)
    expect(mapper.isBundle('file:///var/task/src/handlers/get-order.js')).toBe(true)
    expect(mapper.isBundle('src/handlers/get-order.js')).toBe(true)
    expect(mapper.isBundle('/var/task/src/handlers/get-order.ts')).toBe(false)
    expect(mapper.isBundle('/home/me/src/handlers/get-order.js')).toBe(false)
  })
})

describe('helpers', () => {
  test('pathInPackage strips the task root, file URLs and the emulator unpack directory', () => {
    expect(pathInPackage('/var/task/src/a.js')).toBe('src/a.js')
    expect(pathInPackage('file:///var/task/src/a.js')).toBe('src/a.js')
    expect(pathInPackage(`/x/code/${'0f'.repeat(32)}/src/a.js`)).toBe('src/a.js')
    expect(pathInPackage('./src/a.js')).toBe('src/a.js')
    expect(pathInPackage('/var/runtime/index.mjs')).toBeUndefined()
  })

  test('framesMention finds a bundle path in frame texts', () => {
    expect(framesMention(['at h (/var/task/src/a.js:3:9)'], 'src/a.js')).toBe(true)
    expect(framesMention(['h (src/a.js:3)'], 'src/a.js')).toBe(true)
    expect(framesMention(['at h (/var/task/src/ab.js:3:9)', 'at start (file:///var/runtime/index.mjs:1:1)'], 'src/a.js')).toBe(false)
  })
})
