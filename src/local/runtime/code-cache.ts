/**
 * Deployed code, unzipped once per SHA-256 into `{root}/{sha}` and shared by every environment that runs
 * it. Extraction goes to a temporary directory renamed into place, so two runtimes (or two emulator
 * processes) sharing a root never see a half-written tree.
 */

import {createHash, randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, join, normalize, sep} from 'node:path'
import {unzipSync} from 'fflate'

/** A directory name for a code hash: hex SHA-256 as is, Lambda's base64 `CodeSha256` converted to hex. */
export function codeDirName(codeSha256: string): string {
  if (/^[0-9a-f]{64}$/i.test(codeSha256)) return codeSha256.toLowerCase()
  const decoded = Buffer.from(codeSha256, 'base64')
  if (decoded.length === 32 && decoded.toString('base64') === codeSha256) return decoded.toString('hex')
  return createHash('sha256').update(codeSha256).digest('hex')
}

/** Entry names that would escape the task root are skipped (Lambda rejects such archives on upload). */
function safeRelativePath(name: string): string | undefined {
  if (name.endsWith('/') || name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return undefined
  const normalized = normalize(name)
  if (normalized === '..' || normalized.startsWith(`..${sep}`) || normalized.includes(`${sep}..${sep}`)) return undefined
  return normalized
}

export async function extractZip(zip: Buffer, targetDir: string): Promise<void> {
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength))
  } catch (error) {
    // Lambda refuses such a package at upload (InvalidZipFileException); reaching here means the store holds one.
    throw new Error(`The function's deployment package could not be unzipped: ${(error as Error).message}`, {cause: error})
  }
  await mkdir(targetDir, {recursive: true})
  for (const [name, data] of Object.entries(entries)) {
    const relative = safeRelativePath(name)
    if (!relative) continue
    const file = join(targetDir, relative)
    await mkdir(dirname(file), {recursive: true})
    await writeFile(file, data)
  }
}

export interface CodeCache {
  /** The task root holding `codeSha256`'s files, extracting `zip()` the first time. */
  taskRoot(codeSha256: string, zip: () => Buffer): Promise<string>
}

/**
 * `root` also receives an empty `package.json`: on Lambda no folder above `/var/task` declares a package
 * type, so a `.js` handler without its own package.json is CommonJS. The boundary keeps a
 * `"type": "module"` package.json above the emulator's data directory from changing that.
 */
export function createCodeCache(root: string): CodeCache {
  const pending = new Map<string, Promise<string>>()
  let boundary: Promise<void> | undefined
  const writeBoundary = () => {
    boundary ??= (async () => {
      await mkdir(root, {recursive: true})
      await writeFile(join(root, 'package.json'), '{"private":true}\n')
    })()
    return boundary
  }
  return {
    taskRoot(codeSha256, zip) {
      const name = codeDirName(codeSha256)
      let result = pending.get(name)
      if (!result) {
        result = (async () => {
          await writeBoundary()
          const dir = join(root, name)
          if (existsSync(dir)) return dir
          const staging = join(root, `.staging-${name}-${randomBytes(4).toString('hex')}`)
          try {
            await extractZip(zip(), staging)
            await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
              // Another process won the race with identical content.
              if (!existsSync(dir)) throw error
              await rm(staging, {recursive: true, force: true})
            })
          } catch (error) {
            await rm(staging, {recursive: true, force: true})
            throw error
          }
          return dir
        })()
        pending.set(name, result)
        result.catch(() => pending.delete(name))
      }
      return result
    },
  }
}
