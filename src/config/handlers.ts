import {existsSync} from 'node:fs'
import {join} from 'node:path'

export const HANDLER_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const

/** The handler's source file for a module path such as `src/get-order`, or undefined. */
export function findHandlerFile(dir: string, modulePath: string): string | undefined {
  for (const ext of HANDLER_EXTENSIONS) {
    const file = join(dir, `${modulePath}${ext}`)
    if (existsSync(file)) return file
  }
  return undefined
}

/**
 * Names a handler module exports, read statically from its source. We do not import user code to check a
 * config (it may have side effects); this covers the ESM and CommonJS forms handlers are written in.
 */
export function handlerExports(source: string): Set<string> {
  const names = new Set<string>()
  const add = (n: string | undefined) => n && names.add(n)
  for (const m of source.matchAll(/export\s+(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/g)) add(m[1])
  for (const m of source.matchAll(/export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)/g)) add(m[1])
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const alias = /(?:\S+\s+as\s+)?([A-Za-z_$][\w$]*)\s*$/.exec(part.trim())
      add(alias?.[1])
    }
  }
  for (const m of source.matchAll(/(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/g)) add(m[1])
  for (const m of source.matchAll(/module\.exports\s*=\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const key = /^\s*([A-Za-z_$][\w$]*)/.exec(part)
      add(key?.[1])
    }
  }
  if (/export\s+default\b/.test(source)) add('default')
  return names
}
