import {execFile} from 'node:child_process'
import {readFileSync, symlinkSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {promisify} from 'node:util'
import {build} from 'esbuild'
import {describe, expect, test} from 'vitest'
import {loadProject} from '../../src/config/loader.js'
import {interpretProxyResponse} from '../../src/gateway/response.js'
import {parseRouteKey} from '../../src/gateway/routes.js'
import {silentProgress} from '../../src/progress.js'
import {addEndpoint} from '../../src/scaffold/add-endpoint.js'
import {routeFileName} from '../../src/scaffold/names.js'
import {createProject} from '../../src/scaffold/new-project.js'
import type {ApiTemplate, Lang} from '../../src/scaffold/types.js'
import {PACKAGE_ROOT} from '../helpers/run-command.js'
import {tempDirsPerTest} from './fixtures.js'

const run = promisify(execFile)
const tempDir = tempDirsPerTest()

type Handler = (event: unknown) => Promise<unknown>

/** Loads a generated handler: JavaScript as is, TypeScript bundled by esbuild (as a deploy would). */
async function loadHandler(projectDir: string, handlerFile: string, exportName = 'handler'): Promise<Handler> {
  let file = join(projectDir, handlerFile)
  if (file.endsWith('.ts')) {
    const out = `${file}.bundle.mjs`
    await build({entryPoints: [file], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent'})
    file = out
  }
  const module = await import(pathToFileURL(file).href)
  return module[exportName]
}

/** A project with the first endpoint plus a new error-formatting function and a route on an existing function. */
async function scaffold(template: ApiTemplate, lang: Lang): Promise<string> {
  const dir = join(tempDir(), 'app')
  await createProject({dir, template, lang, progress: silentProgress})
  await addEndpoint({cwd: dir, route: 'POST /orders/{id}', variant: 'error-formatting', progress: silentProgress})
  await addEndpoint({cwd: dir, route: 'GET /hello/{name}', functionKey: 'getHello', progress: silentProgress})
  await addEndpoint({cwd: dir, route: 'ANY /files/{path+}', progress: silentProgress})
  return dir
}

const MATRIX: [ApiTemplate, Lang][] = [
  ['http-api', 'js'],
  ['http-api', 'ts'],
  ['rest-api', 'js'],
  ['rest-api', 'ts'],
]

describe.each(MATRIX)('a generated %s project in %s', (template, lang) => {
  const apiType = template === 'http-api' ? 'http' : 'rest'
  const payload = apiType === 'http' ? '2.0' : '1.0'

  test('every handler answers its sample events with a proxy response API Gateway accepts', async () => {
    const dir = await scaffold(template, lang)
    const project = loadProject(dir)
    expect(project.functions.map((f) => f.key)).toEqual(['getHello', 'postOrdersById', 'anyFilesPath'])
    let checked = 0
    for (const fn of project.functions) {
      const ext = lang === 'ts' ? '.ts' : '.mjs'
      const handler = await loadHandler(dir, fn.handler.replace(/\.handler$/, ext))
      for (const route of fn.routes) {
        const event = JSON.parse(readFileSync(join(dir, 'events', `${routeFileName(parseRouteKey(route))}.json`), 'utf8'))
        const response = await handler(event)
        const answer = interpretProxyResponse(apiType, payload, {payload: JSON.stringify(response)})
        expect(answer, `${fn.key} ${route}`).toMatchObject({kind: 'ok', statusCode: 200})
        if (answer.kind !== 'ok') continue
        const body = JSON.parse(answer.body.toString('utf8'))
        expect(body.pathParameters).toEqual(event.pathParameters ?? {})
        expect(body.route).toBe(apiType === 'http' ? route : `${event.httpMethod} ${event.resource}`)
        if (event.body) expect(body.body).toEqual(JSON.parse(event.body))
        checked++
      }
    }
    expect(checked).toBe(4)
  })

  test('the error-formatting handler answers errors itself: a custom status, x-amzn-ErrorType, plain text', async () => {
    const dir = await scaffold(template, lang)
    const handler = await loadHandler(dir, `src/post-orders-by-id${lang === 'ts' ? '.ts' : '.mjs'}`)
    const event = JSON.parse(readFileSync(join(dir, 'events/post-orders-by-id.json'), 'utf8'))
    const badBody = interpretProxyResponse(apiType, payload, {payload: JSON.stringify(await handler({...event, body: '{"oops'}))})
    expect(badBody).toMatchObject({kind: 'ok', statusCode: 400})
    if (badBody.kind !== 'ok') return
    expect(badBody.headers).toEqual(expect.arrayContaining([['x-amzn-ErrorType', 'BadRequestException']]))
    expect(badBody.body.toString('utf8')).toBe('The request body is not valid JSON')
    const originalError = console.error
    console.error = () => {}
    try {
      const crash = interpretProxyResponse(apiType, payload, {payload: JSON.stringify(await handler(undefined))})
      // Not a function error: the invocation succeeded and the gateway passes the 500 through as the handler wrote it.
      expect(crash).toMatchObject({kind: 'ok', statusCode: 500})
      if (crash.kind === 'ok') expect(crash.headers).toEqual(expect.arrayContaining([['x-amzn-ErrorType', 'InternalServerErrorException']]))
    } finally {
      console.error = originalError
    }
  })

  test("the project's own npm test passes", async () => {
    const dir = await scaffold(template, lang)
    // JavaScript needs no install; TypeScript needs tsx, which this package has: lend it its node_modules.
    if (lang === 'ts') symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
    const {stdout} = await run('npm', ['test'], {cwd: dir, env: {...process.env, NODE_OPTIONS: '', npm_config_loglevel: 'error'}})
    expect(stdout).toMatch(/# pass (\d+)/)
    expect(stdout).toContain('# fail 0')
    // getHello: 2 tests; postOrdersById (error-formatting): 3; the added route: 1; anyFilesPath: 2.
    expect(stdout).toContain('# pass 8')
  }, 60_000)
})

const hasLambdaTypes = (() => {
  try {
    createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('@types/aws-lambda/package.json')
    return true
  } catch {
    return false
  }
})()

// Needs @types/aws-lambda, which the generated package.json declares but this package does not install.
test.skipIf(!hasLambdaTypes)('generated TypeScript projects typecheck under their own strict tsconfig', async () => {
  for (const template of ['http-api', 'rest-api'] as const) {
    const dir = await scaffold(template, 'ts')
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
    await run(process.execPath, [join(PACKAGE_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir])
  }
}, 60_000)
