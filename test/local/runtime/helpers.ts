import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {strToU8, zipSync} from 'fflate'
import type {FunctionSpec} from '../../../src/local/runtime/types.js'

export const FIXTURES = fileURLToPath(new URL('../../fixtures/handlers/', import.meta.url))

/** Zips `files` (path → content) the way a deployment package is built. The fixed mtime makes the same
 *  files the same zip (and SHA): fflate would otherwise stamp the current time. */
export function zipFiles(files: Record<string, string>): Buffer {
  const entries: Record<string, Uint8Array> = {}
  for (const [path, content] of Object.entries(files)) entries[path] = strToU8(content)
  return Buffer.from(zipSync(entries, {mtime: new Date(2020, 0, 1)}))
}

/** Zips a fixture folder (its content at the zip root, as Lambda expects). */
export function zipFixture(name: string): Buffer {
  const root = join(FIXTURES, name)
  const files: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else files[relative(root, path)] = readFileSync(path, 'utf8')
    }
  }
  walk(root)
  return zipFiles(files)
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64')
}

/** A function spec with Lambda's defaults; `zip` sets code and its SHA. */
export function functionSpec(overrides: Partial<FunctionSpec> & {zip?: Buffer} = {}): FunctionSpec {
  const {zip = zipFixture('behaviours'), ...rest} = overrides
  const name = rest.functionName ?? 'orders-getOrder'
  return {
    functionName: name,
    functionArn: `arn:aws:lambda:us-east-2:123456789012:function:${name}`,
    runtime: 'nodejs20.x',
    handler: 'index.echo',
    memoryMb: 256,
    timeoutSec: 3,
    environment: {},
    codeSha256: sha256(zip),
    codeZip: () => zip,
    tracingMode: 'PassThrough',
    region: 'us-east-2',
    reservedConcurrency: null,
    ...rest,
  }
}

export function tempDir(): {path: string; remove: () => void} {
  const path = mkdtempSync(join(tmpdir(), 'tracegate-runtime-'))
  return {path, remove: () => rmSync(path, {recursive: true, force: true})}
}

export function json(buffer: Buffer): unknown {
  return JSON.parse(buffer.toString('utf8'))
}

export function decodeTail(tail: string): string {
  return Buffer.from(tail, 'base64').toString('utf8')
}

export async function eventually<T>(read: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
