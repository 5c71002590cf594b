import type {FunctionConfig} from '../config/schema.js'
import {UserError} from '../errors.js'
import {bundleHandler} from './bundle.js'
import type {BundleSources} from './source-frames.js'
import {codeSha256, reproducibleZip} from './zip.js'

/** Lambda's limit for a zip uploaded directly in CreateFunction/UpdateFunctionCode (50 MB). */
export const MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024
/** Lambda's limit for the unzipped deployment package (250 MB). */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024

/** Marks the bundle as CommonJS wherever the zip is unpacked (see bundle.ts). */
export const PACKAGE_JSON = '{"type":"commonjs"}\n'

export interface FunctionPackage {
  key: string
  /** The Handler setting Lambda gets (the bundle keeps the module path, so it equals the config's). */
  handler: string
  zip: Buffer
  /** base64 SHA-256 of the zip, as Lambda reports it in CodeSha256. */
  codeSha256: string
  /** Bytes of the bundled JavaScript, before zipping. */
  bundleSize: number
  warnings: string[]
  /** With `sourceMap`: the bundle's path, code and source map, to map stack frames back to the project; not in the zip. */
  sources?: BundleSources
}

export interface PackageOptions {
  /** Override the 50 MB limit (tests). */
  maxZipBytes?: number
  /** Also make the bundle's source map (`sources`); the zip and its CodeSha256 are the same either way. */
  sourceMap?: boolean
}

/** Bundles and zips one function reproducibly; refuses a package Lambda would not accept for direct upload. */
export async function packageFunction(dir: string, fn: FunctionConfig, options: PackageOptions = {}): Promise<FunctionPackage> {
  const bundle = await bundleHandler({dir, handler: fn.handler, runtime: fn.runtime, functionKey: fn.key, sourceMap: options.sourceMap})
  const unzipped = bundle.code.length + PACKAGE_JSON.length
  if (unzipped > MAX_UNZIPPED_BYTES) {
    throw new UserError('PACKAGE_TOO_LARGE', `Function "${fn.key}": the bundle is ${formatBytes(unzipped)}, over Lambda's 250 MB unzipped limit`, {
      suggestion: 'Mark large dependencies external or move them to a Lambda layer',
    })
  }
  const zip = await reproducibleZip([
    {path: bundle.path, contents: bundle.code},
    {path: 'package.json', contents: PACKAGE_JSON},
  ])
  const limit = options.maxZipBytes ?? MAX_DIRECT_UPLOAD_BYTES
  if (zip.length > limit) {
    throw new UserError(
      'PACKAGE_TOO_LARGE',
      `Function "${fn.key}": the zip is ${formatBytes(zip.length)}, over Lambda's ${formatBytes(limit)} limit for direct upload`,
      {suggestion: 'Trim dependencies (the AWS SDK v3 is already external), or move large assets out of the bundle', details: {bytes: zip.length, limit}},
    )
  }
  const sources = bundle.sourceMap === undefined ? undefined : {bundlePath: bundle.path, code: bundle.code.toString('utf8'), map: bundle.sourceMap}
  return {
    key: fn.key,
    handler: bundle.handler,
    zip,
    codeSha256: codeSha256(zip),
    bundleSize: bundle.code.length,
    warnings: bundle.warnings,
    ...(sources ? {sources} : {}),
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
