/**
 * Checks that uploaded code really is a zip archive, the way Lambda does before accepting it: the end of
 * central directory record must be present and every central directory entry must be well formed.
 * Only the directory is read; nothing is decompressed.
 */

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50
const EOCD_MIN_LENGTH = 22
const MAX_COMMENT = 0xffff

export interface ZipSummary {
  entries: number
  /** Sum of the uncompressed sizes the directory declares. */
  uncompressedSize: number
}

/** Returns undefined when `data` is not a readable zip archive. */
export function inspectZip(data: Buffer): ZipSummary | undefined {
  if (data.length < EOCD_MIN_LENGTH) return undefined
  const searchFrom = Math.max(0, data.length - EOCD_MIN_LENGTH - MAX_COMMENT)
  let eocd = -1
  for (let offset = data.length - EOCD_MIN_LENGTH; offset >= searchFrom; offset--) {
    if (data.readUInt32LE(offset) === EOCD_SIGNATURE && offset + EOCD_MIN_LENGTH + data.readUInt16LE(offset + 20) === data.length) {
      eocd = offset
      break
    }
  }
  if (eocd < 0) return undefined
  let entries = data.readUInt16LE(eocd + 10)
  let directorySize = data.readUInt32LE(eocd + 12)
  let directoryOffset = data.readUInt32LE(eocd + 16)
  const zip64 = eocd >= 20 && data.readUInt32LE(eocd - 20) === ZIP64_EOCD_LOCATOR_SIGNATURE
  if (zip64) {
    const recordOffset = Number(data.readBigUInt64LE(eocd - 20 + 8))
    if (recordOffset + 56 > data.length || data.readUInt32LE(recordOffset) !== 0x06064b50) return undefined
    entries = Number(data.readBigUInt64LE(recordOffset + 32))
    directorySize = Number(data.readBigUInt64LE(recordOffset + 40))
    directoryOffset = Number(data.readBigUInt64LE(recordOffset + 48))
  }
  if (directoryOffset + directorySize > data.length) return undefined
  if (entries === 0) return {entries: 0, uncompressedSize: 0}
  let cursor = directoryOffset
  let uncompressedSize = 0
  for (let i = 0; i < entries; i++) {
    if (cursor + 46 > data.length || data.readUInt32LE(cursor) !== CENTRAL_SIGNATURE) return undefined
    const size = data.readUInt32LE(cursor + 24)
    const nameLength = data.readUInt16LE(cursor + 28)
    const extraLength = data.readUInt16LE(cursor + 30)
    const commentLength = data.readUInt16LE(cursor + 32)
    const localOffset = data.readUInt32LE(cursor + 42)
    if (!zip64 || localOffset !== 0xffffffff) {
      if (localOffset + 30 > data.length || data.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) return undefined
    }
    uncompressedSize += size === 0xffffffff ? 0 : size
    cursor += 46 + nameLength + extraLength + commentLength
  }
  return {entries, uncompressedSize}
}
