import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

/** Where the templates ship: `templates/` at the package root (one level above both src/ and dist/). */
export function templatesDir(): string {
  return fileURLToPath(new URL('../../templates/', import.meta.url))
}

/** Reads a template by its path inside templates/ (e.g. `handlers/http-api/basic.mjs`). */
export type TemplateSource = (path: string) => string

export const packagedTemplates: TemplateSource = (path) => readFileSync(`${templatesDir()}${path}`, 'utf8')

export interface TemplateTokens {
  route: string
  function: string
  module?: string
  event?: string
}

/** Replaces the `__ROUTE__`-style placeholders (templates/README.md). */
export function fillTemplate(text: string, tokens: TemplateTokens): string {
  const values: Record<string, string | undefined> = {
    __ROUTE__: tokens.route,
    __FUNCTION__: tokens.function,
    __MODULE__: tokens.module,
    __EVENT__: tokens.event,
  }
  return text.replace(/__(ROUTE|FUNCTION|MODULE|EVENT)__/g, (placeholder) => {
    const value = values[placeholder]
    if (value === undefined) throw new Error(`template placeholder ${placeholder} has no value`)
    return value
  })
}
