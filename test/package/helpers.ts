import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import type {FunctionConfig, ProjectConfig} from '../../src/config/schema.js'
import {bundleHandler} from '../../src/package/bundle.js'
import {createFrameMapper, type FrameMapper} from '../../src/package/source-frames.js'

/** A temp project directory with the given files (paths relative to it). */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracegate-pkg-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), text)
  }
  return dir
}

export interface CentralEntry {
  name: string
  /** Unix mode from the external attributes. */
  mode: number
  dosTime: number
  dosDate: number
  /** Length of the extra field (0: no UT timestamp). */
  extraLength: number
}

/** Reads a zip's central directory (the order and metadata fflate's unzip does not expose). */
export function centralDirectory(zip: Buffer): CentralEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(eocd + 10)
  let offset = zip.readUInt32LE(eocd + 16)
  const entries: CentralEntry[] = []
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('bad central directory')
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    entries.push({
      dosTime: zip.readUInt16LE(offset + 12),
      dosDate: zip.readUInt16LE(offset + 14),
      mode: zip.readUInt32LE(offset + 38) >>> 16,
      extraLength,
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
    })
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** A function as the config loader returns it (GET /orders/{id}, Node 20, traced); `overrides` change any field. */
export function functionConfig(overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    key: 'getOrder',
    name: 'orders-getOrder',
    handler: 'src/get-order.handler',
    routes: ['GET /orders/{id}'],
    runtime: 'nodejs20.x',
    memory: 256,
    timeout: 10,
    tracing: 'Active',
    environment: {},
    ...overrides,
  }
}

/** A loaded project of an HTTP API in `dir` with these functions. */
export function projectConfig(dir: string, functions: FunctionConfig[], name = 'orders'): ProjectConfig {
  return {name, api: {type: 'http', stage: '$default', permissions: 'route'}, functions, dir, file: join(dir, 'tracegate.json')} as ProjectConfig
}

/** A TypeScript handler that throws on line 4 of src/get-order.ts (`new` at column 11). */
export const THROWING_HANDLER_TS = `type Order = {id: string; total?: number}

function totalOf(order: Order | undefined): number {
  if (!order) throw new TypeError('no such order')
  return order.total ?? 0
}

export const handler = async () => ({statusCode: 200, body: String(totalOf(undefined))})
`

/** THROWING_HANDLER_TS in a temp project, bundled as deploy bundles it, with the map of its bundle. */
export async function throwingHandlerBundle(): Promise<{dir: string; mapper: FrameMapper; code: string; thrownLine: number; thrownColumn: number}> {
  const dir = tempProject({'src/get-order.ts': THROWING_HANDLER_TS})
  const bundle = await bundleHandler({dir, handler: 'src/get-order.handler', runtime: 'nodejs20.x', functionKey: 'getOrder', sourceMap: true})
  const code = bundle.code.toString('utf8')
  const lines = code.split('\n')
  const index = lines.findIndex((line) => line.includes('new TypeError'))
  return {
    dir,
    mapper: createFrameMapper({bundlePath: bundle.path, code, map: bundle.sourceMap ?? ''}),
    code,
    thrownLine: index + 1,
    thrownColumn: lines[index].indexOf('new TypeError') + 1,
  }
}
