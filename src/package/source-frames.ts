/**
 * Stack frames of a deployed bundle → the project's own files and lines. Pure: given one bundle's code and
 * its source map (made locally by `bundleHandler({sourceMap: true})`, never shipped), it rewrites the frames
 * whose path is that bundle and leaves every other frame (node:internal, /var/runtime, other files) alone.
 *
 * Frames come in two shapes:
 * - text, as V8 prints them in an error's stack (Lambda's function-error `trace`): `at load (/var/task/src/get-order.js:29:11)`,
 *   or as tracegate formats X-Ray frames: `at load (/var/task/src/get-order.js:29)`, `load (/var/task/src/get-order.js:29)`;
 * - objects, X-Ray's `cause.exceptions[].stack` entries `{path, line, label}` (aws-semantics §6.2), which have
 *   no column: Lambda's runtime keeps only the line (see toXrayCause in src/local/runtime/errors.ts).
 */
import {SourceMap, type SourceMapPayload} from 'node:module'
import {posix} from 'node:path'

/** Where Lambda unpacks a function's code; paths below it are the zip's own. */
export const LAMBDA_TASK_ROOT = '/var/task/'

export interface BundleSources {
  /** Path of the bundle inside the zip, `/`-separated (`src/get-order.js`): Bundle.path. */
  bundlePath: string
  /** The bundle's JavaScript: a frame without a column is placed on the first statement of its line. */
  code: string
  /** The bundle's source map (JSON text or parsed); `sources` are relative to the bundle's directory, as esbuild writes them. */
  map: string | SourceMapPayload
}

export interface SourceLocation {
  /** The original file, relative to the project directory (`src/store.ts`, `../shared/db.ts`, `node_modules/x/index.js`). */
  path: string
  /** 1-based. */
  line: number
  /** 1-based; absent when the frame had none. */
  column?: number
}

/** A frame object with a location (X-Ray's stack entries have this shape). */
export interface LocatedFrame {
  path?: string
  line?: number
}

export interface FrameMapper {
  readonly bundlePath: string
  /** Is `path` this bundle: `src/get-order.js`, `/var/task/src/get-order.js`, `file:///var/task/src/get-order.js`? */
  isBundle(path: string): boolean
  /** A 1-based line (and column) of the bundle → the original location; `undefined` when the map has none there. */
  locate(line: number, column?: number): SourceLocation | undefined
  /** The frame text with its bundle location replaced by the original one; `undefined` when it is not in the bundle or not mapped. */
  mapText(frame: string): string | undefined
  /** The frame object with `path` and `line` of the original file; `undefined` when it is not in the bundle or not mapped. */
  mapFrame<F extends LocatedFrame>(frame: F): F | undefined
}

/**
 * The path inside the zip a frame's path names, or `undefined` when it is not under the task root: strips
 * `file://` (ESM frames), `/var/task/`, and the directory the emulator unpacked a package into
 * (`…/code/{sha256}/`, for stacks recorded before it rewrote them to /var/task).
 */
export function pathInPackage(path: string): string | undefined {
  const plain = path.startsWith('file://') ? path.slice('file://'.length) : path
  if (plain.startsWith(LAMBDA_TASK_ROOT)) return plain.slice(LAMBDA_TASK_ROOT.length)
  const unpacked = /^\/.*\/code\/[0-9a-f]{64}\/(.+)$/.exec(plain)
  if (unpacked) return unpacked[1]
  return plain.startsWith('/') ? undefined : plain.replace(/^\.\//, '')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The original file of a map source, relative to the project (the bundle sits at `bundlePath` in it). */
function projectPathOf(source: string, bundlePath: string, sourceRoot: string | undefined): string {
  const plain = source.startsWith('file://') ? source.slice('file://'.length) : source
  if (plain.startsWith('/')) return plain
  return posix.normalize(posix.join(posix.dirname(bundlePath), sourceRoot ?? '', plain))
}

export function createFrameMapper(sources: BundleSources): FrameMapper {
  const payload: SourceMapPayload = typeof sources.map === 'string' ? JSON.parse(sources.map) : sources.map
  const map = new SourceMap(payload)
  const bundlePath = sources.bundlePath
  const lines = sources.code.split('\n')
  // The bundle path as it appears in a frame: after `(`, a space or the start, with or without a task root,
  // followed by `:line` and an optional `:column`, then `)` or the end.
  const location = new RegExp(
    `(^|[\\s(])((?:file://)?(?:/var/task/|/[^()]*?/code/[0-9a-f]{64}/)?)${escapeRegExp(bundlePath)}:(\\d+)(?::(\\d+))?(?=\\)|\\s*$)`,
  )

  function isBundle(path: string): boolean {
    return pathInPackage(path) === bundlePath
  }

  function locate(line: number, column?: number): SourceLocation | undefined {
    if (!Number.isInteger(line) || line < 1) return undefined
    const line0 = line - 1
    // Without a column (X-Ray), the line's first statement: where a `throw` or a call on that line starts.
    const column0 = column === undefined ? Math.max(0, (lines[line0] ?? '').search(/\S/)) : Math.max(0, column - 1)
    const entry = map.findEntry(line0, column0)
    // findEntry answers the nearest mapping *before* the position, which may sit on an earlier line (esbuild's
    // own helpers at the top of a bundle have none): only a mapping on this very line says where it came from.
    if (!('originalSource' in entry) || entry.generatedLine !== line0 || !entry.originalSource) return undefined
    return {
      path: projectPathOf(entry.originalSource, bundlePath, payload.sourceRoot),
      line: entry.originalLine + 1,
      ...(column === undefined ? {} : {column: entry.originalColumn + 1}),
    }
  }

  function mapText(frame: string): string | undefined {
    const m = location.exec(frame)
    if (!m) return undefined
    const found = locate(Number(m[3]), m[4] === undefined ? undefined : Number(m[4]))
    if (!found) return undefined
    const where = `${found.path}:${found.line}${found.column === undefined ? '' : `:${found.column}`}`
    return `${frame.slice(0, m.index)}${m[1]}${where}${frame.slice(m.index + m[0].length)}`
  }

  function mapFrame<F extends LocatedFrame>(frame: F): F | undefined {
    if (frame.path === undefined || frame.line === undefined || !isBundle(frame.path)) return undefined
    const found = locate(frame.line)
    return found ? {...frame, path: found.path, line: found.line} : undefined
  }

  return {bundlePath, isBundle, locate, mapText, mapFrame}
}

/** Frames as the user reads them (mapped where possible) and, when any was mapped, the same frames as deployed. */
export interface MappedFrames {
  frames: string[]
  /** Parallel to `frames`: the deployed bundle's frames. Absent when nothing was mapped. */
  deployedFrames?: string[]
}

export function mapFrameTexts(frames: readonly string[], mapper: FrameMapper): MappedFrames {
  let changed = false
  const mapped = frames.map((frame) => {
    const to = mapper.mapText(frame)
    if (to === undefined) return frame
    changed = true
    return to
  })
  return changed ? {frames: mapped, deployedFrames: [...frames]} : {frames: [...frames]}
}

/** Does any frame text name `bundlePath` (under the task root or not)? A cheap test before building a map. */
export function framesMention(frames: readonly string[], bundlePath: string): boolean {
  const pattern = new RegExp(`(^|[\\s(/])${escapeRegExp(bundlePath)}:\\d+`)
  return frames.some((frame) => pattern.test(frame))
}
