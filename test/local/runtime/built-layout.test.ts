import {execFile} from 'node:child_process'
import {existsSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {build} from 'esbuild'
import {afterAll, describe, expect, test} from 'vitest'
import {tempDir} from './helpers.js'

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url))
const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url))

describe('built layout', () => {
  const dir = tempDir()
  afterAll(() => dir.remove())

  test('compiled to dist, the runtime starts the worker.js next to it with plain Node', async () => {
    // The same file-per-module layout tsc emits into dist/.
    const runtimeDir = join(SRC, 'local', 'runtime')
    const entryPoints = [join(SRC, 'errors.ts'), join(SRC, 'local', 'random.ts'), ...readdirSync(runtimeDir).map((file) => join(runtimeDir, file))]
    await build({entryPoints, outdir: join(dir.path, 'dist'), outbase: SRC, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent'})
    symlinkSync(NODE_MODULES, join(dir.path, 'node_modules'))
    writeFileSync(join(dir.path, 'package.json'), '{"type":"module"}\n')
    writeFileSync(
      join(dir.path, 'run.mjs'),
      `import {strToU8, zipSync} from 'fflate'
import {createRuntime} from './dist/local/runtime/pool.js'
const zip = Buffer.from(zipSync({'index.mjs': strToU8('export const handler = async (event) => ({hello: event.name})')}))
const runtime = createRuntime({tmpDir: ${JSON.stringify(join(dir.path, 'tmp'))}})
const result = await runtime.invoke({
  functionName: 'hello', functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:hello', runtime: 'nodejs20.x',
  handler: 'index.handler', memoryMb: 128, timeoutSec: 3, environment: {}, codeSha256: 'hello-v1', codeZip: () => zip,
  tracingMode: 'PassThrough', region: 'us-east-2',
}, Buffer.from('{"name":"built"}'))
await runtime.close()
console.log(JSON.stringify({kind: result.kind, payload: result.payload.toString()}))
`,
    )
    const {stdout} = await promisify(execFile)(process.execPath, [join(dir.path, 'run.mjs')], {cwd: dir.path, timeout: 20_000})
    expect(JSON.parse(stdout)).toEqual({kind: 'ok', payload: '{"hello":"built"}'})
    // No worker had to be bundled from the TypeScript source.
    expect(existsSync(join(dir.path, 'tmp', 'runtime'))).toBe(false)
  })
})
