/** The API templates `tracegate new --template` offers, and the config's api.type each one sets. */
export const API_TEMPLATES = ['http-api', 'rest-api'] as const
export type ApiTemplate = (typeof API_TEMPLATES)[number]
export type ApiType = 'http' | 'rest'

export const LANGS = ['js', 'ts'] as const
export type Lang = (typeof LANGS)[number]

/** `basic` returns responses; `error-formatting` also catches errors and answers them itself. */
export const HANDLER_VARIANTS = ['basic', 'error-formatting'] as const
export type HandlerVariant = (typeof HANDLER_VARIANTS)[number]

export const API_TYPE_OF: Record<ApiTemplate, ApiType> = {'http-api': 'http', 'rest-api': 'rest'}
export const TEMPLATE_OF: Record<ApiType, ApiTemplate> = {http: 'http-api', rest: 'rest-api'}

/** Handler source extension per language: `.mjs` loads as ESM in Lambda whatever package.json says. */
export const HANDLER_EXT: Record<Lang, string> = {js: '.mjs', ts: '.ts'}

/** A file the scaffolder will create, relative to the project directory (POSIX separators). */
export interface PlannedFile {
  path: string
  content: string
  kind: 'config' | 'handler' | 'test' | 'event' | 'package' | 'gitignore' | 'tsconfig'
}
