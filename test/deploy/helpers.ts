import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {parseProject} from '../../src/config/loader.js'
import type {ProjectConfig} from '../../src/config/schema.js'

export const HANDLERS: Record<string, string> = {
  'src/get-order.ts': 'export const handler = async (event: {pathParameters?: {id?: string}}) => ({statusCode: 200, body: JSON.stringify({id: event.pathParameters?.id})})\n',
  'src/create-order.js': 'exports.handler = async () => ({statusCode: 201, body: "{}"})\n',
  'src/fallback.mjs': 'export const handler = async () => ({statusCode: 404, body: "no route"})\n',
}

export interface TestConfig {
  name: string
  region?: string
  api?: {type?: string; stage?: string; permissions?: string}
  functions: Record<string, {handler: string; routes: string[]; memory?: number; timeout?: number; environment?: Record<string, string>}>
}

export const CONFIG: TestConfig = {
  name: 'orders',
  region: 'us-east-2',
  functions: {
    getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']},
    createOrder: {handler: 'src/create-order.handler', routes: ['POST /orders'], memory: 512, environment: {TABLE: 'orders'}},
    fallback: {handler: 'src/fallback.handler', routes: ['$default', 'ANY /admin/{proxy+}']},
  },
}

export interface TempProject {
  dir: string
  load(config?: unknown): ProjectConfig
  write(path: string, text: string): void
}

/** A project in a temp dir: handlers written, config parsed with the real loader. */
export function tempProject(files: Record<string, string> = HANDLERS): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'tracegate-deploy-'))
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), text)
  }
  for (const [path, text] of Object.entries(files)) write(path, text)
  return {
    dir,
    write,
    load(config: unknown = CONFIG) {
      const text = JSON.stringify(config, null, 2)
      write('tracegate.json', text)
      return parseProject(text, join(dir, 'tracegate.json'))
    },
  }
}
