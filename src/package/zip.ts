import {createHash} from 'node:crypto'
import {ZipFile} from 'yazl'

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  path: string
  contents: Buffer | string
}

/**
 * The fixed modification time of every entry. Zip's DOS timestamps are local time, so the date is built from
 * local fields and yazl's UTC "UT" extra field is turned off (`forceDosTimestamp`); with that the archive is
 * byte-identical in every time zone (STACK.md gotcha 14).
 */
export const ZIP_MTIME = (): Date => new Date(2020, 0, 1)
/** Regular file, rw-r--r--: Lambda only needs the runtime to read the files. */
export const ZIP_FILE_MODE = 0o100644

/**
 * A reproducible zip: entries sorted by path, fixed timestamps and modes, deterministic compression. The same
 * bundle always gives the same bytes, so its SHA-256 equals the CodeSha256 Lambda reports for the deployed
 * code and an unchanged function is never re-uploaded.
 */
export async function reproducibleZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path) throw new Error(`duplicate zip entry ${sorted[i].path}`)
  }
  return new Promise((resolve, reject) => {
    const zip = new ZipFile()
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk))
    zip.outputStream.on('error', reject)
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
    const mtime = ZIP_MTIME()
    for (const entry of sorted) {
      const data = typeof entry.contents === 'string' ? Buffer.from(entry.contents, 'utf8') : entry.contents
      zip.addBuffer(data, entry.path, {mtime, mode: ZIP_FILE_MODE, compress: true, forceDosTimestamp: true})
    }
    zip.end()
  })
}

/** What Lambda reports as `CodeSha256`: the base64 (not hex) SHA-256 of the uploaded zip. */
export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64')
}
