import {createHash, randomBytes} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {unzipSync} from 'fflate'
import {afterEach, describe, expect, test} from 'vitest'
import {esbuildTarget} from '../../src/package/bundle.js'
import {MAX_DIRECT_UPLOAD_BYTES, PACKAGE_JSON, packageFunction} from '../../src/package/package.js'
import {codeSha256, reproducibleZip} from '../../src/package/zip.js'
import {centralDirectory, functionConfig, tempProject} from './helpers.js'

const fn = functionConfig

const HANDLER_TS = `
import {S3Client} from '@aws-sdk/client-s3'
import {greet} from './lib/greet'
export const handler = async (event: {name: string}) => ({statusCode: 200, body: greet(event.name), sdk: typeof S3Client})
`
const GREET_TS = `export function greet(name: string): string { return 'hello ' + name }\n`

const originalTz = process.env.TZ
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ
  else process.env.TZ = originalTz
})

describe('packageFunction', () => {
  test('bundles a TypeScript handler and its local imports into one CommonJS file, leaving @aws-sdk external', async () => {
    const dir = tempProject({'src/get-order.ts': HANDLER_TS, 'src/lib/greet.ts': GREET_TS})
    const pkg = await packageFunction(dir, fn())
    const files = unzipSync(new Uint8Array(pkg.zip))
    expect(Object.keys(files).sort()).toEqual(['package.json', 'src/get-order.js'])
    expect(new TextDecoder().decode(files['package.json'])).toBe(PACKAGE_JSON)
    const code = new TextDecoder().decode(files['src/get-order.js'])
    expect(code).toContain('require("@aws-sdk/client-s3")')
    expect(code).toContain("'hello ' + name".replace(/'/g, '"'))
    expect(pkg.handler).toBe('src/get-order.handler')

    // Load the bundle as Lambda would (CommonJS), with a stand-in for the runtime-provided SDK.
    const out = mkdtempSync(join(tmpdir(), 'tracegate-load-'))
    writeFileSync(join(out, 'index.js'), code)
    const requireFrom = createRequire(join(out, 'index.js'))
    const mod = {exports: {} as Record<string, (e: unknown) => Promise<unknown>>}
    const fakeRequire = (id: string) => (id === '@aws-sdk/client-s3' ? {S3Client: class {}} : requireFrom(id))
    new Function('module', 'exports', 'require', code)(mod, mod.exports, fakeRequire)
    await expect(mod.exports.handler({name: 'ada'})).resolves.toEqual({statusCode: 200, body: 'hello ada', sdk: 'function'})
  })

  test('the unpacked zip loads as CommonJS with require and import(), even under a "type": "module" package', async () => {
    const dir = tempProject({'src/get-order.ts': 'export const handler = async (e: {n: number}) => ({statusCode: 200, body: String(e.n * 2)})\n'})
    const pkg = await packageFunction(dir, fn())
    const root = mkdtempSync(join(tmpdir(), 'tracegate-unpacked-'))
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n')
    const task = join(root, 'task')
    for (const [path, bytes] of Object.entries(unzipSync(new Uint8Array(pkg.zip)))) {
      mkdirSync(dirname(join(task, path)), {recursive: true})
      writeFileSync(join(task, path), bytes)
    }
    const file = join(task, 'src/get-order.js')
    const script = `const viaRequire = await require(${JSON.stringify(file)}).handler({n: 2});
const viaImport = await (await import(${JSON.stringify(pathToFileURL(file).href)})).handler({n: 3});
console.log(JSON.stringify([viaRequire, viaImport]))`
    const out = execFileSync(process.execPath, ['-e', `(async () => { ${script} })()`], {encoding: 'utf8'})
    expect(JSON.parse(out)).toEqual([
      {statusCode: 200, body: '4'},
      {statusCode: 200, body: '6'},
    ])
  })

  test('the same sources give a byte-identical zip in every time zone, and CodeSha256 is its base64 SHA-256', async () => {
    const dir = tempProject({'src/get-order.ts': HANDLER_TS, 'src/lib/greet.ts': GREET_TS})
    process.env.TZ = 'UTC'
    const a = await packageFunction(dir, fn())
    process.env.TZ = 'Asia/Tokyo'
    const b = await packageFunction(dir, fn())
    process.env.TZ = 'America/Los_Angeles'
    const c = await packageFunction(dir, fn())
    expect(b.zip.equals(a.zip)).toBe(true)
    expect(c.zip.equals(a.zip)).toBe(true)
    expect(a.codeSha256).toBe(createHash('sha256').update(a.zip).digest('base64'))
    expect(a.codeSha256).toBe(b.codeSha256)
  })

  test('a changed handler changes the hash', async () => {
    const dir = tempProject({'src/get-order.ts': HANDLER_TS, 'src/lib/greet.ts': GREET_TS})
    const before = await packageFunction(dir, fn())
    writeFileSync(join(dir, 'src/lib/greet.ts'), GREET_TS.replace('hello', 'hi'))
    const after = await packageFunction(dir, fn())
    expect(after.codeSha256).not.toBe(before.codeSha256)
  })

  test('refuses a zip over the direct-upload limit with a user error', async () => {
    // Random bytes do not compress: the zip stays over the (lowered) limit.
    const dir = tempProject({'src/get-order.js': `exports.handler = async () => ${JSON.stringify(randomBytes(4000).toString('base64'))}\n`})
    await expect(packageFunction(dir, fn(), {maxZipBytes: 1000})).rejects.toMatchObject({name: 'UserError', code: 'PACKAGE_TOO_LARGE'})
    expect(MAX_DIRECT_UPLOAD_BYTES).toBe(52_428_800)
  })

  test('a syntax error is a user error naming the file and line', async () => {
    const dir = tempProject({'src/get-order.ts': 'export const handler = async () => {\n  return (\n}\n'})
    await expect(packageFunction(dir, fn())).rejects.toMatchObject({code: 'BUNDLE_FAILED', message: expect.stringMatching(/src\/get-order\.ts:3:/)})
  })

  test('top-level await is refused with a suggestion, since the bundle is CommonJS', async () => {
    const dir = tempProject({'src/get-order.mjs': 'const x = await Promise.resolve(1)\nexport const handler = async () => x\n'})
    await expect(packageFunction(dir, fn())).rejects.toMatchObject({code: 'BUNDLE_FAILED', suggestion: expect.stringMatching(/top-level await/)})
  })

  test('esbuild targets the Node version of the runtime', () => {
    expect(esbuildTarget('nodejs20.x')).toBe('node20')
    expect(esbuildTarget('nodejs24.x')).toBe('node24')
    expect(() => esbuildTarget('python3.12')).toThrow(/cannot bundle/)
  })
})

describe('reproducibleZip', () => {
  test('sorts entries and writes mode 0644 with a fixed DOS timestamp and no UT extra field', async () => {
    const zip = await reproducibleZip([
      {path: 'z.js', contents: 'z'},
      {path: 'a/b.js', contents: 'b'},
      {path: 'a.js', contents: 'a'},
    ])
    const entries = centralDirectory(zip)
    expect(entries.map((e) => e.name)).toEqual(['a.js', 'a/b.js', 'z.js'])
    for (const e of entries) {
      expect(e.mode).toBe(0o100644)
      // 2020-01-01 00:00:00 local: date = (40 << 9) | (1 << 5) | 1, time = 0.
      expect(e.dosDate).toBe((40 << 9) | (1 << 5) | 1)
      expect(e.dosTime).toBe(0)
      expect(e.extraLength).toBe(0)
    }
    expect(codeSha256(zip)).toBe(createHash('sha256').update(zip).digest('base64'))
  })

  test('refuses duplicate paths', async () => {
    await expect(
      reproducibleZip([
        {path: 'a.js', contents: '1'},
        {path: 'a.js', contents: '2'},
      ]),
    ).rejects.toThrow(/duplicate/)
  })
})
