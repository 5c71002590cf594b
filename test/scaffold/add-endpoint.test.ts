import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {loadProject} from '../../src/config/loader.js'
import {silentProgress} from '../../src/progress.js'
import {addEndpoint} from '../../src/scaffold/add-endpoint.js'
import {createProject} from '../../src/scaffold/new-project.js'
import type {ApiTemplate, Lang} from '../../src/scaffold/types.js'
import {listFiles, rejection, tempDirsPerTest} from './fixtures.js'

const tempDir = tempDirsPerTest()

async function newProject(template: ApiTemplate = 'http-api', lang: Lang = 'js'): Promise<string> {
  const dir = join(tempDir(), 'shop')
  await createProject({dir, template, lang, progress: silentProgress})
  return dir
}

const add = (dir: string, route: string, extra: {functionKey?: string; lang?: Lang; variant?: 'basic' | 'error-formatting'} = {}) =>
  addEndpoint({cwd: dir, route, progress: silentProgress, ...extra})

describe('addEndpoint: a new function', () => {
  test('writes handler, test and event, and registers the function and route', async () => {
    const dir = await newProject()
    const result = await add(dir, 'POST /orders')
    expect(result).toMatchObject({
      route: 'POST /orders',
      function: 'postOrders',
      functionName: 'shop-postOrders',
      newFunction: true,
      handler: 'src/post-orders.handler',
      lang: 'js',
      files: ['src/post-orders.mjs', 'test/post-orders.test.mjs', 'events/post-orders.json'],
      config: 'tracegate.json',
    })
    const project = loadProject(dir)
    expect(project.functions.map((f) => [f.key, f.routes])).toEqual([
      ['getHello', ['GET /hello']],
      ['postOrders', ['POST /orders']],
    ])
  })

  test('works from a subdirectory of the project', async () => {
    const dir = await newProject()
    const result = await addEndpoint({cwd: join(dir, 'src'), route: 'GET /orders', progress: silentProgress})
    expect(result.dir).toBe(dir)
    expect(listFiles(dir)).toContain('src/get-orders.mjs')
  })

  test('normalises the route and honours --function', async () => {
    const dir = await newProject()
    const result = await add(dir, 'get  /orders/{id}/', {functionKey: 'getOrder'})
    expect(result).toMatchObject({route: 'GET /orders/{id}', function: 'getOrder', handler: 'src/get-order.handler'})
    expect(listFiles(dir)).toEqual(expect.arrayContaining(['src/get-order.mjs', 'test/get-order.test.mjs', 'events/get-orders-by-id.json']))
  })

  test('writes TypeScript in a TypeScript project unless told otherwise', async () => {
    const dir = await newProject('rest-api', 'ts')
    expect((await add(dir, 'POST /orders')).files).toEqual(['src/post-orders.ts', 'test/post-orders.test.ts', 'events/post-orders.json'])
    expect((await add(dir, 'GET /orders', {lang: 'js'})).files[0]).toBe('src/get-orders.mjs')
  })

  test('the error-formatting variant catches errors and sets x-amzn-ErrorType', async () => {
    const dir = await newProject()
    await add(dir, 'PUT /orders/{id}', {variant: 'error-formatting'})
    const source = readFileSync(join(dir, 'src/put-orders-by-id.mjs'), 'utf8')
    expect(source).toContain("'x-amzn-ErrorType'")
    expect(source).toContain('catch (error)')
    expect(readFileSync(join(dir, 'test/put-orders-by-id.test.mjs'), 'utf8')).toContain('InternalServerErrorException')
  })

  test('keeps the key order and formatting of a hand-written tracegate.json', async () => {
    const dir = tempDir()
    const text = '{\n\t"functions": {\n\t\t"ping": { "handler": "src/ping.handler", "routes": ["GET /ping"] }\n\t},\n\t"name": "tabs"\n}\n'
    writeFileSync(join(dir, 'tracegate.json'), text)
    await add(dir, 'POST /orders')
    expect(readFileSync(join(dir, 'tracegate.json'), 'utf8')).toBe(
      '{\n\t"functions": {\n\t\t"ping": { "handler": "src/ping.handler", "routes": ["GET /ping"] },\n\t\t"postOrders": { "handler": "src/post-orders.handler", "routes": ["POST /orders"] }\n\t},\n\t"name": "tabs"\n}\n',
    )
  })
})

describe('addEndpoint: a route on an existing function', () => {
  test('adds the route, a sample event and a test of the existing handler; no new handler', async () => {
    const dir = await newProject()
    const before = readFileSync(join(dir, 'src/get-hello.mjs'), 'utf8')
    const result = await add(dir, 'GET /hello/{name}', {functionKey: 'getHello'})
    expect(result).toMatchObject({newFunction: false, function: 'getHello', handler: 'src/get-hello.handler', files: ['test/get-hello-by-name.test.mjs', 'events/get-hello-by-name.json']})
    expect(readFileSync(join(dir, 'src/get-hello.mjs'), 'utf8')).toBe(before)
    expect(loadProject(dir).functions[0].routes).toEqual(['GET /hello', 'GET /hello/{name}'])
    expect(readFileSync(join(dir, 'test/get-hello-by-name.test.mjs'), 'utf8')).toContain("import {handler} from '../src/get-hello.mjs'")
  })

  test('the route test imports a handler by its export name and compiled extension', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'lib/orders'), {recursive: true})
    writeFileSync(join(dir, 'lib/orders/read.ts'), 'export async function main() { return {statusCode: 200, body: ""} }\n')
    writeFileSync(join(dir, 'tracegate.json'), JSON.stringify({name: 'x', functions: {read: {handler: 'lib/orders/read.main', routes: ['GET /a']}}}))
    const result = await add(dir, 'GET /b', {functionKey: 'read'})
    expect(result.lang).toBe('ts')
    expect(readFileSync(join(dir, 'test/get-b.test.ts'), 'utf8')).toContain("import {main as handler} from '../lib/orders/read.js'")
  })

  test('without the handler source only the event is written', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'tracegate.json'), JSON.stringify({name: 'x', functions: {a: {handler: 'src/a.handler', routes: []}}}))
    expect((await add(dir, 'GET /a', {functionKey: 'a'})).files).toEqual(['events/get-a.json'])
  })
})

describe('addEndpoint: refusals change nothing', () => {
  async function refused(dir: string, route: string, extra: Parameters<typeof add>[2] = {}) {
    const config = readFileSync(join(dir, 'tracegate.json'), 'utf8')
    const files = listFiles(dir)
    const error = await rejection(add(dir, route, extra))
    expect(readFileSync(join(dir, 'tracegate.json'), 'utf8')).toBe(config)
    expect(listFiles(dir)).toEqual(files)
    expect(error.exitCode).toBe(2)
    return error
  }

  test('an invalid route', async () => {
    const error = await refused(await newProject(), 'FETCH /orders')
    expect(error.code).toBe('ROUTE_INVALID')
    expect(error.suggestion).toContain('GET, POST')
  })

  test('a route some function serves already, whatever its parameter names', async () => {
    const dir = await newProject()
    await add(dir, 'GET /orders/{id}')
    const error = await refused(dir, 'GET /orders/{orderId}', {functionKey: 'other'})
    expect(error.code).toBe('ROUTE_EXISTS')
    expect(error.message).toContain('already served by function "getOrdersById" ("GET /orders/{id}")')
  })

  test('a derived name that is taken by another function', async () => {
    const dir = await newProject()
    await add(dir, 'GET /orders', {functionKey: 'postOrders'})
    const error = await refused(dir, 'POST /orders')
    expect(error.code).toBe('FUNCTION_EXISTS')
    expect(error.suggestion).toContain('--function postOrders')
  })

  test('a name that differs from an existing one only in case', async () => {
    const error = await refused(await newProject(), 'POST /x', {functionKey: 'GetHello'})
    expect(error.code).toBe('FUNCTION_NAME_CLASH')
  })

  test('an invalid or too long function name', async () => {
    const dir = await newProject()
    expect((await refused(dir, 'POST /x', {functionKey: 'post.x'})).code).toBe('FUNCTION_NAME_INVALID')
    expect((await refused(dir, 'POST /x', {functionKey: 'x'.repeat(60)})).message).toContain('at most 64')
  })

  test('a file that is in the way', async () => {
    const dir = await newProject()
    writeFileSync(join(dir, 'events/post-orders.json'), '{}')
    const error = await refused(dir, 'POST /orders')
    expect(error.code).toBe('FILE_EXISTS')
    expect(error.message).toContain('events/post-orders.json')
  })

  test('$default on a REST API', async () => {
    expect((await refused(await newProject('rest-api'), '$default')).message).toContain('REST APIs have no "$default" route')
  })

  test('no project, or a broken one', async () => {
    const empty = tempDir()
    expect((await rejection(add(empty, 'GET /x'))).code).toBe('CONFIG_NOT_FOUND')
    writeFileSync(join(empty, 'tracegate.json'), '{"name": "x", "functions": {},}')
    expect((await rejection(add(empty, 'GET /x'))).code).toBe('CONFIG_INVALID_JSON')
  })
})
