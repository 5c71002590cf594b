import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {loadProject} from '../../src/config/loader.js'
import {recordingProgress, silentProgress} from '../../src/progress.js'
import {createProject} from '../../src/scaffold/new-project.js'
import {SCHEMA_REF} from '../../src/scaffold/plan.js'
import {PACKAGE_ROOT} from '../helpers/run-command.js'
import {listFiles, rejection, tempDirsPerTest} from './fixtures.js'

const tempDir = tempDirsPerTest()

describe('createProject', () => {
  test('an HTTP API project in JavaScript: config, handler, test, event, package.json, .gitignore', async () => {
    const dir = join(tempDir(), 'demo-app')
    const result = await createProject({dir, template: 'http-api', lang: 'js', progress: silentProgress})
    expect(result).toMatchObject({name: 'demo-app', apiType: 'http', lang: 'js', function: 'getHello', route: 'GET /hello', handler: 'src/get-hello.mjs'})
    expect(listFiles(dir)).toEqual(['.gitignore', 'events/get-hello.json', 'package.json', 'src/get-hello.mjs', 'test/get-hello.test.mjs', 'tracegate.json'])
    expect([...result.files].sort()).toEqual(listFiles(dir))
    const project = loadProject(dir) // handlers checked too: the file exists and exports "handler"
    expect(project).toMatchObject({name: 'demo-app', api: {type: 'http', stage: '$default'}})
    expect(project.functions).toEqual([expect.objectContaining({key: 'getHello', handler: 'src/get-hello.handler', routes: ['GET /hello']})])
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    expect(pkg).toMatchObject({name: 'demo-app', private: true, type: 'module', scripts: {test: 'node --test'}})
    expect(pkg.dependencies).toBeUndefined()
    expect(pkg.devDependencies).toBeUndefined()
  })

  test('a REST API project in TypeScript declares what its tests need and has a tsconfig', async () => {
    const dir = join(tempDir(), 'orders')
    const result = await createProject({dir, template: 'rest-api', lang: 'ts', region: 'us-east-2', progress: silentProgress})
    expect(listFiles(dir)).toEqual(['.gitignore', 'events/get-hello.json', 'package.json', 'src/get-hello.ts', 'test/get-hello.test.ts', 'tracegate.json', 'tsconfig.json'])
    expect(result).toMatchObject({apiType: 'rest', lang: 'ts', region: 'us-east-2'})
    expect(loadProject(dir)).toMatchObject({region: 'us-east-2', api: {type: 'rest', stage: 'prod'}})
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    expect(pkg.scripts.test).toBe('node --import tsx --test test/*.test.ts')
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(['@types/aws-lambda', '@types/node', 'tsx', 'typescript'])
  })

  test('tracegate.json points editors at the schema the package ships', async () => {
    const dir = join(tempDir(), 'app')
    await createProject({dir, template: 'http-api', lang: 'js', progress: silentProgress})
    const config = JSON.parse(readFileSync(join(dir, 'tracegate.json'), 'utf8'))
    expect(Object.keys(config)[0]).toBe('$schema')
    expect(config.$schema).toBe(SCHEMA_REF)
    // With tracegate installed in the project, ./node_modules/tracegate is this package's root.
    expect(existsSync(join(PACKAGE_ROOT, config.$schema.replace('./node_modules/tracegate/', '')))).toBe(true)
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'))
    expect(pkg.name).toBe('tracegate')
    expect(pkg.files).toContain('schema.json')
  })

  test('emits one step per file for the progress display', async () => {
    const progress = recordingProgress()
    await createProject({dir: join(tempDir(), 'app'), template: 'http-api', lang: 'js', progress})
    const done = progress.events.filter((e) => e.status === 'done').map((e) => e.label)
    expect(done).toEqual(['Create tracegate.json', 'Create package.json', 'Create .gitignore', 'Create src/get-hello.mjs', 'Create test/get-hello.test.mjs', 'Create events/get-hello.json'])
  })

  test('refuses a non-empty directory without --force and writes nothing', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'notes.txt'), 'mine')
    const error = await rejection(createProject({dir, template: 'http-api', lang: 'js', progress: silentProgress}))
    expect(error.code).toBe('DIR_NOT_EMPTY')
    expect(error.message).toContain('notes.txt')
    expect(error.suggestion).toContain('--force')
    expect(error.exitCode).toBe(2)
    expect(listFiles(dir)).toEqual(['notes.txt'])
  })

  test('a directory holding only .git counts as empty', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, '.git'))
    await createProject({dir, name: 'app', template: 'http-api', lang: 'js', progress: silentProgress})
    expect(existsSync(join(dir, 'tracegate.json'))).toBe(true)
  })

  test('with --force it adds the project next to existing files', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'notes.txt'), 'mine')
    await createProject({dir, name: 'app', template: 'http-api', lang: 'js', force: true, progress: silentProgress})
    expect(listFiles(dir)).toContain('tracegate.json')
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine')
  })

  test('never overwrites a file it did not create, even with --force, and leaves no partial project', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'package.json'), '{"name": "mine"}')
    mkdirSync(join(dir, 'src'))
    writeFileSync(join(dir, 'src', 'get-hello.mjs'), '// mine')
    const error = await rejection(createProject({dir, name: 'app', template: 'http-api', lang: 'js', force: true, progress: silentProgress}))
    expect(error.code).toBe('FILE_EXISTS')
    expect(error.message).toContain('package.json')
    expect(error.message).toContain('src/get-hello.mjs')
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe('{"name": "mine"}')
    expect(listFiles(dir)).toEqual(['package.json', 'src/get-hello.mjs'])
  })

  test('a file that appears while writing is not overwritten, and what was created is removed again', async () => {
    const dir = join(tempDir(), 'app')
    // The progress sink runs between files: use it to create the next planned file behind the writer's back.
    const progress = {
      emit(event: {step: string; status: string}) {
        if (event.step === 'create:package.json' && event.status === 'done') writeFileSync(join(dir, '.gitignore'), 'theirs\n')
      },
    }
    const error = await rejection(createProject({dir, template: 'http-api', lang: 'js', progress}))
    expect(error.code).toBe('FILE_EXISTS')
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('theirs\n')
    expect(listFiles(dir)).toEqual(['.gitignore'])
  })

  test('refuses a path that is a file', async () => {
    const file = join(tempDir(), 'file')
    writeFileSync(file, '')
    expect((await rejection(createProject({dir: file, template: 'http-api', lang: 'js', progress: silentProgress}))).code).toBe('DIR_NOT_A_DIRECTORY')
  })

  test('refuses a project name Lambda cannot use, and an invalid region', async () => {
    const bad = await rejection(createProject({dir: join(tempDir(), 'x'), name: 'my app', template: 'http-api', lang: 'js', progress: silentProgress}))
    expect(bad.code).toBe('PROJECT_NAME_INVALID')
    expect(bad.message).toContain('"my app"')
    const region = await rejection(createProject({dir: join(tempDir(), 'x'), template: 'http-api', lang: 'js', region: 'mars-1', progress: silentProgress}))
    expect(region.code).toBe('REGION_INVALID')
  })

  test('derives a valid name from an awkward directory name', async () => {
    const result = await createProject({dir: join(tempDir(), 'My Shop!'), template: 'http-api', lang: 'js', progress: silentProgress})
    expect(result.name).toBe('My-Shop')
    expect(JSON.parse(readFileSync(join(result.dir, 'package.json'), 'utf8')).name).toBe('my-shop')
  })
})
