import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test, vi} from 'vitest'
import type {FunctionConfig, ProjectConfig} from '../../src/config/schema.js'
import {bundlePathOfHandler, localSources} from '../../src/package/local-sources.js'
import {packageFunction} from '../../src/package/package.js'
import {functionConfig, projectConfig, tempProject} from './helpers.js'

const HANDLER_TS = `export const handler = async () => {
  const order: {total?: number} | undefined = undefined
  return {statusCode: 200, body: String(order!.total)}
}
`

function fn(overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return functionConfig({name: 'shop-getOrder', ...overrides})
}

function project(dir: string, functions: FunctionConfig[] = [fn()]): ProjectConfig {
  return projectConfig(dir, functions, 'shop')
}

/** The bundle line (1-based) holding `needle`. */
async function lineOf(dir: string, needle: string): Promise<number> {
  const code = (await packageFunction(dir, fn(), {sourceMap: true})).sources?.code ?? ''
  return code.split('\n').findIndex((l) => l.includes(needle)) + 1
}

describe('localSources', () => {
  test('maps when the local build has the CodeSha256 Lambda reports', async () => {
    const dir = tempProject({'src/get-order.ts': HANDLER_TS})
    const deployed = (await packageFunction(dir, fn())).codeSha256
    const sources = localSources({project: project(dir), deployedCodeSha256: async () => deployed})
    const found = await sources.forFunction('shop-getOrder')
    expect(found?.status).toBe('mapped')
    if (found?.status !== 'mapped') return
    expect(found.mapper.bundlePath).toBe('src/get-order.js')
    expect(found.mapper.locate(await lineOf(dir, 'order.total'))).toEqual({path: 'src/get-order.ts', line: 3})
  })

  test('a comment added after deploy leaves the code (and its hash) as deployed: frames map to the file as it is now', async () => {
    const dir = tempProject({'src/get-order.ts': HANDLER_TS})
    const deployed = (await packageFunction(dir, fn())).codeSha256
    writeFileSync(join(dir, 'src/get-order.ts'), `// esbuild drops comments, so the bundle does not change\n${HANDLER_TS}`)
    const found = await localSources({project: project(dir), deployedCodeSha256: async () => deployed}).forFunction('shop-getOrder')
    expect(found?.status).toBe('mapped')
    if (found?.status !== 'mapped') return
    expect(found.mapper.locate(await lineOf(dir, 'order.total'))).toEqual({path: 'src/get-order.ts', line: 4})
  })

  test('code changed after deploy is not mapped: the note says the lines are the deployed bundle', async () => {
    const dir = tempProject({'src/get-order.ts': HANDLER_TS})
    const deployed = (await packageFunction(dir, fn())).codeSha256
    writeFileSync(join(dir, 'src/get-order.ts'), `console.log('loaded')\n${HANDLER_TS}`)
    const found = await localSources({project: project(dir), deployedCodeSha256: async () => deployed}).forFunction('shop-getOrder')
    expect(found).toEqual({
      status: 'differs',
      functionName: 'shop-getOrder',
      bundlePath: 'src/get-order.js',
      note: 'shop-getOrder: local source differs from the deployed code; lines refer to the deployed bundle (src/get-order.js)',
    })
  })

  test('builds once per function and run, however often it is asked', async () => {
    const dir = tempProject({'src/get-order.ts': HANDLER_TS})
    const deployed = (await packageFunction(dir, fn())).codeSha256
    const build = vi.fn((f: FunctionConfig) => packageFunction(dir, f, {sourceMap: true}))
    const read = vi.fn(async () => deployed)
    const sources = localSources({project: project(dir), deployedCodeSha256: read, build})
    const [a, b] = await Promise.all([sources.forFunction('shop-getOrder'), sources.forFunction('shop-getOrder')])
    await sources.forFunction('shop-getOrder')
    expect(a).toBe(b)
    expect(build).toHaveBeenCalledTimes(1)
    expect(read).toHaveBeenCalledTimes(1)
  })

  test('never rejects: a failed bundle or an unreadable CodeSha256 becomes a note; an unknown function is undefined', async () => {
    const dir = tempProject({'src/get-order.ts': 'export const handler = async () => {'})
    const broken = await localSources({project: project(dir), deployedCodeSha256: async () => 'x'}).forFunction('shop-getOrder')
    expect(broken).toMatchObject({status: 'unavailable', note: expect.stringMatching(/^shop-getOrder: the local source could not be bundled \(.*\); lines refer to the deployed bundle$/)})

    const ok = tempProject({'src/get-order.ts': HANDLER_TS})
    const denied = await localSources({
      project: project(ok),
      deployedCodeSha256: async () => {
        throw new Error('AccessDeniedException: not authorized to perform lambda:GetFunction')
      },
    }).forFunction('shop-getOrder')
    expect(denied).toMatchObject({status: 'unavailable', note: expect.stringContaining('CodeSha256 could not be read (AccessDeniedException')})

    const gone = await localSources({project: project(ok), deployedCodeSha256: async () => undefined}).forFunction('shop-getOrder')
    expect(gone).toMatchObject({status: 'unavailable', note: 'shop-getOrder is not deployed; lines refer to the deployed bundle'})

    expect(await localSources({project: project(ok), deployedCodeSha256: async () => 'x'}).forFunction('someone-else')).toBeUndefined()
  })

  test('bundlePathOfHandler is the module path with .js, as the zip holds it', () => {
    expect(bundlePathOfHandler('src/get-order.handler')).toBe('src/get-order.js')
    expect(bundlePathOfHandler('./handlers/orders.get')).toBe('handlers/orders.js')
    expect(bundlePathOfHandler('index.handler')).toBe('index.js')
  })
})
