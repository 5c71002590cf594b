import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {loadProject, parseProject} from '../../src/config/loader.js'
import type {UserError} from '../../src/errors.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

/** A project directory with tracegate.json (text or object) and extra files (path → content). */
function project(config: unknown, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracegate-config-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'tracegate.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }
  return dir
}

const HANDLER = 'export const handler = async () => ({statusCode: 200, body: ""})\n'

function config(overrides: Record<string, unknown> = {}, fn: Record<string, unknown> = {}) {
  return {
    name: 'orders',
    functions: {getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}'], ...fn}},
    ...overrides,
  }
}

/** The error `fn` throws; fails the test when it throws nothing. */
function errorOf(fn: () => unknown): UserError {
  try {
    fn()
  } catch (error) {
    return error as UserError
  }
  throw new Error('expected an error, but nothing was thrown')
}

function loadError(cfg: unknown, files: Record<string, string> = {'src/get-order.mjs': HANDLER}): UserError {
  const dir = project(cfg, files)
  return errorOf(() => loadProject(dir))
}

describe('loadProject: a valid project', () => {
  test('applies defaults and names functions {project}-{key}', () => {
    const dir = project(config(), {'src/get-order.mjs': HANDLER})
    const loaded = loadProject(dir)
    expect(loaded.functions).toEqual([
      expect.objectContaining({key: 'getOrder', name: 'orders-getOrder', runtime: 'nodejs20.x', memory: 256, timeout: 10, tracing: 'Active', routes: ['GET /orders/{id}']}),
    ])
    expect(loaded.api).toEqual({type: 'http', stage: '$default', permissions: 'route'})
  })

  test('finds tracegate.json from a subdirectory', () => {
    const dir = project(config(), {'src/get-order.mjs': HANDLER})
    expect(loadProject(join(dir, 'src')).file).toBe(join(dir, 'tracegate.json'))
  })

  test('accepts a "$schema" key', () => {
    const dir = project(config({$schema: './node_modules/tracegate/schema.json'}), {'src/get-order.mjs': HANDLER})
    expect(loadProject(dir).name).toBe('orders')
  })
})

describe('loadProject: every config error names the file, the JSON path and the fix', () => {
  test('a missing file suggests "tracegate new"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracegate-empty-'))
    dirs.push(dir)
    const error = errorOf(() => loadProject(dir))
    expect(error.code).toBe('CONFIG_NOT_FOUND')
    expect(error.message).toContain('tracegate.json')
    expect(error.message).toContain(dir)
    expect(error.suggestion).toContain('tracegate new')
    expect(error.exitCode).toBe(2)
  })

  test.each([
    ['a trailing comma', '{\n  "name": "orders",\n  "functions": {},\n}\n', 4, 1, 'trailing comma'],
    ['a missing value', '{\n  "name": ,\n  "functions": {}\n}\n', 2, 11, 'expected a value'],
    ['an unquoted word', '{\n  "name": orders\n}\n', 2, 11, 'expected a value'],
    ['a missing closing brace', '{\n  "name": "orders"\n', 3, 1, 'expected "," or "}"'],
    ['single quotes', "{'name': 'orders'}", 1, 2, 'double-quoted'],
    ['a line break inside a string', '{\n  "name": "ord\ners"\n}', 2, 15, 'line break inside a string'],
  ])('invalid JSON (%s) reports line and column', (_label, text, line, column, problem) => {
    const error = loadError(text)
    expect(error.code).toBe('CONFIG_INVALID_JSON')
    expect(error.message).toContain(`tracegate.json:${line}:${column}: invalid JSON`)
    expect(error.message).toContain(problem)
    expect(error.details).toMatchObject({line, column})
    expect(error.suggestion).toMatch(/JSON syntax/)
    expect(error.exitCode).toBe(2)
  })

  test('invalid JSON never echoes the whole file into the message', () => {
    const big = `{"name": "orders", "padding": "${'x'.repeat(5000)}", "functions": }`
    const error = loadError(big)
    expect(error.message.length).toBeLessThan(300)
  })

  test('an unknown key is named with its full path and the nearest known key', () => {
    const error = loadError(config({}, {timout: 30}))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toMatch(/tracegate\.json: \$\.functions\.getOrder\.timout: unknown key "timout"/)
    expect(error.suggestion).toContain('Did you mean "timeout"?')
  })

  test('an unknown top-level key lists the keys allowed there', () => {
    const error = loadError(config({stages: ['dev']}))
    expect(error.message).toContain('$.stages: unknown key "stages"')
    expect(error.suggestion).toContain('name')
    expect(error.suggestion).toContain('functions')
  })

  test('a missing required key says it is required', () => {
    const error = loadError({functions: {}})
    expect(error.message).toMatch(/tracegate\.json: \$\.name: is required/)
    expect(error.suggestion).toContain('"name"')
  })

  test('a function name that is not a valid Lambda name once prefixed with the project name', () => {
    const longName = 'a'.repeat(40)
    const error = loadError({name: longName, functions: {['f'.repeat(30)]: {handler: 'src/get-order.handler'}}})
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(`$.functions.${'f'.repeat(30)}`)
    expect(error.message).toContain(`"${longName}-${'f'.repeat(30)}"`)
    expect(error.message).toContain('1-64 characters')
    expect(error.suggestion).toMatch(/Rename the function key/)
  })

  test('a function key with characters Lambda does not allow', () => {
    const error = loadError({name: 'orders', functions: {'get.order': {handler: 'src/get-order.handler'}}})
    expect(error.message).toContain('$.functions.get.order')
    expect(error.message).toContain('not a valid Lambda function name')
  })

  test('a runtime Lambda offers for another language says tracegate packages Node.js only', () => {
    const error = loadError(config({}, {runtime: 'python3.12'}))
    expect(error.message).toContain('$.functions.getOrder.runtime')
    expect(error.message).toContain('"python3.12" is a Lambda runtime, but tracegate packages Node.js handlers only')
    expect(error.message).toContain('nodejs20.x')
  })

  test('a runtime Lambda does not offer', () => {
    const error = loadError(config({defaults: {runtime: 'nodejs21.x'}}))
    expect(error.message).toContain('$.defaults.runtime')
    expect(error.message).toContain('"nodejs21.x" is not a runtime Lambda offers')
  })

  test.each([
    [64, 'must be at least 128'],
    [10241, 'must be at most 10240'],
    [512.5, 'must be a whole number'],
  ])('memory %s is refused', (memory, problem) => {
    const error = loadError(config({}, {memory}))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(`$.functions.getOrder.memory: ${problem}`)
    expect(error.suggestion).toBeTruthy()
  })

  test.each([
    [0, 'must be at least 1'],
    [901, 'must be at most 900'],
  ])('timeout %s is refused', (timeout, problem) => {
    const error = loadError(config({defaults: {timeout}}))
    expect(error.message).toContain(`$.defaults.timeout: ${problem}`)
  })

  test('the limits themselves are accepted', () => {
    const dir = project(config({defaults: {memory: 10240, timeout: 900}}, {memory: 128, timeout: 1}), {'src/get-order.mjs': HANDLER})
    expect(loadProject(dir).functions[0]).toMatchObject({memory: 128, timeout: 1})
  })

  test('a handler file that does not exist', () => {
    const error = loadError(config(), {})
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain('$.functions.getOrder.handler')
    expect(error.message).toContain('handler file "src/get-order.{ts,js,mjs,cjs,mts,cts}" does not exist')
    expect(error.suggestion).toContain('Create it')
  })

  test('a handler file that does not export the named function lists what it exports', () => {
    const error = loadError(config(), {'src/get-order.ts': 'export async function main() {}\n'})
    expect(error.message).toContain('$.functions.getOrder.handler')
    expect(error.message).toContain('does not export "handler" (it exports main)')
    expect(error.suggestion).toContain('export const handler')
  })

  test('handler checks can be skipped', () => {
    const dir = project(config(), {})
    expect(loadProject(dir, {checkHandlers: false}).functions).toHaveLength(1)
  })

  test('a route key that is not valid', () => {
    const error = loadError(config({}, {routes: ['GET /orders/{id}', 'FETCH /orders']}))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain('$.functions.getOrder.routes[1]')
    expect(error.message).toContain('"FETCH" is not an HTTP method')
    expect(error.suggestion).toContain('GET, POST')
  })

  test('the same route on two functions, even with different parameter names', () => {
    const error = loadError(
      {
        name: 'orders',
        functions: {
          getOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{id}']},
          readOrder: {handler: 'src/get-order.handler', routes: ['GET /orders/{orderId}']},
        },
      },
    )
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain('$.functions.readOrder.routes[0]')
    expect(error.message).toContain('route "GET /orders/{orderId}" is already served by function "getOrder" ("GET /orders/{id}")')
    expect(error.suggestion).toMatch(/one function only/)
  })

  test('REST APIs refuse the $default route', () => {
    const error = loadError(config({api: {type: 'rest'}}, {routes: ['$default']}))
    expect(error.message).toContain('$.functions.getOrder.routes[0]: REST APIs have no "$default" route')
  })

  test('parseProject names the file it was given', () => {
    const error = errorOf(() => parseProject('{"name": "x", "functions": {}, "extra": 1}', '/somewhere/tracegate.json'))
    expect(error.message).toContain('tracegate.json: $.extra')
    expect(error.details).toMatchObject({file: '/somewhere/tracegate.json', path: '$.extra'})
  })
})
