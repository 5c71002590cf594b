import {isAbsolute, relative, sep} from 'node:path'
import type {Message} from 'esbuild'
import {findHandlerFile} from '../config/handlers.js'
import {UserError} from '../errors.js'

export interface BundleInput {
  /** Project directory (where tracegate.json is); handler paths are relative to it. */
  dir: string
  /** Config handler, `path/to/module.exportName`. */
  handler: string
  /** Lambda runtime, e.g. `nodejs20.x`. */
  runtime: string
  /** Function key, for messages. */
  functionKey: string
  /**
   * Also make a source map of the bundle (for mapping stack frames back to the project's files). The map is
   * esbuild's `external` kind: a separate output that adds no `sourceMappingURL` comment, so `code` is
   * byte-identical to a bundle made without it and the zip's CodeSha256 does not change.
   */
  sourceMap?: boolean
}

export interface Bundle {
  /** Path of the bundle inside the zip, e.g. `src/get-order.js`. */
  path: string
  code: Buffer
  /** The Handler setting for Lambda: `src/get-order.handler` (the bundle keeps the module's path). */
  handler: string
  warnings: string[]
  /** The source map of `code` (JSON text, `sources` relative to the bundle's directory), when asked for; never zipped. */
  sourceMap?: string
}

/** `nodejs20.x` → `node20`, the esbuild target for the runtime's Node version. */
export function esbuildTarget(runtime: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime)
  if (!match) throw new UserError('RUNTIME_UNSUPPORTED', `tracegate cannot bundle for runtime "${runtime}"`, {suggestion: 'Use a Node.js runtime such as "nodejs20.x"'})
  return `node${match[1]}`
}

function formatMessage(m: Message): string {
  const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : ''
  return `${where}${m.text}`
}

/**
 * Bundles one handler with esbuild into a single CommonJS file.
 *
 * Why CommonJS: every Node.js Lambda runtime loads a `.js` handler as CommonJS unless a package.json says
 * otherwise, and CommonJS needs no `createRequire` shim for bundled CJS dependencies; ESM output would have to
 * be `.mjs`. The zip also carries `{"type":"commonjs"}` (see package.ts), so the file is read as CommonJS even
 * when unpacked under a `"type": "module"` project (the embedded emulator). The cost: a handler that uses
 * top-level await does not bundle (esbuild says so, and we pass its message on).
 *
 * `@aws-sdk/*` stays external: the Lambda Node.js 18+ runtimes provide SDK v3.
 */
export async function bundleHandler(input: BundleInput): Promise<Bundle> {
  const dot = input.handler.lastIndexOf('.')
  const modulePath = input.handler.slice(0, dot)
  const exportName = input.handler.slice(dot + 1)
  const entry = findHandlerFile(input.dir, modulePath)
  if (!entry) {
    throw new UserError('HANDLER_NOT_FOUND', `Function "${input.functionKey}": handler file "${modulePath}.{ts,js,mjs,cjs,mts,cts}" does not exist`, {
      suggestion: 'Create it, or fix "handler" in tracegate.json',
    })
  }
  const inZip = relative(input.dir, entry).split(sep).join('/').replace(/\.(m|c)?(t|j)s$/, '.js')
  if (inZip.startsWith('../') || isAbsolute(inZip)) {
    throw new UserError('HANDLER_OUTSIDE_PROJECT', `Function "${input.functionKey}": handler "${input.handler}" is outside the project directory`, {
      suggestion: 'Move the handler under the directory of tracegate.json (shared code can stay outside: it is bundled)',
    })
  }
  const esbuild = await import('esbuild')
  let result: Awaited<ReturnType<typeof esbuild.build>>
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: input.dir,
      bundle: true,
      platform: 'node',
      target: esbuildTarget(input.runtime),
      format: 'cjs',
      external: ['@aws-sdk/*'],
      write: false,
      outfile: inZip,
      logLevel: 'silent',
      // 'external', not 'linked': 'linked' appends a sourceMappingURL comment and so changes the code's bytes.
      sourcemap: input.sourceMap ? 'external' : false,
      sourcesContent: false,
      legalComments: 'none',
      charset: 'utf8',
    })
  } catch (error) {
    const errors = (error as {errors?: Message[]}).errors ?? []
    const first = errors[0]
    throw new UserError(
      'BUNDLE_FAILED',
      `Function "${input.functionKey}": bundling ${relative(input.dir, entry)} failed: ${first ? formatMessage(first) : (error as Error).message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
      {
        suggestion: /top-level await/i.test(first?.text ?? '')
          ? 'Move the top-level await into the handler (tracegate bundles to CommonJS, which Lambda loads from a .js file)'
          : 'Fix the error above; "npx tsc --noEmit" or running the handler test shows it too',
        details: {errors: errors.map(formatMessage)},
      },
    )
  }
  // With a source map esbuild returns two files (the map first); the code is the one that is not `.map`.
  const out = result.outputFiles?.find((f) => !f.path.endsWith('.map'))
  if (!out) throw new Error(`esbuild produced no output for ${entry}`)
  const map = input.sourceMap ? result.outputFiles?.find((f) => f.path.endsWith('.map')) : undefined
  return {
    path: inZip,
    code: Buffer.from(out.contents),
    handler: `${inZip.replace(/\.js$/, '')}.${exportName}`,
    warnings: result.warnings.map(formatMessage),
    ...(map ? {sourceMap: map.text} : {}),
  }
}
