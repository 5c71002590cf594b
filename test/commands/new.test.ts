import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createElement} from 'react'
import {render} from 'ink-testing-library'
import {afterEach, describe, expect, test} from 'vitest'
import {recordingProgress} from '../../src/progress.js'
import {createProject, type NewProjectResult} from '../../src/scaffold/new-project.js'
import {stripAnsi} from '../../src/ui/colors.js'
import {StepList} from '../../src/ui/ink/steps.js'
import {StepTracker} from '../../src/ui/step-model.js'
import {runCommand} from '../helpers/run-command.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracegate-new-'))
  dirs.push(dir)
  return dir
}

/** Braille spinner frames (ink-spinner "dots") and the cursor/erase escapes a live display writes. */
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/
const ESC = /\u001B\[/

const FILES = ['Create tracegate.json', 'Create package.json', 'Create .gitignore', 'Create src/get-hello.mjs', 'Create test/get-hello.test.mjs', 'Create events/get-hello.json']

describe('tracegate new: output modes', () => {
  test('--json prints only the typed result on stdout and nothing on stderr', async () => {
    const cwd = tempDir()
    const run = await runCommand<NewProjectResult>(['new', 'demo-app', '--json'], {cwd})
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toBe('')
    const result = JSON.parse(run.stdout)
    expect(result).toEqual({
      dir: join(cwd, 'demo-app'),
      name: 'demo-app',
      template: 'http-api',
      apiType: 'http',
      lang: 'js',
      function: 'getHello',
      route: 'GET /hello',
      handler: 'src/get-hello.mjs',
      files: ['tracegate.json', 'package.json', '.gitignore', 'src/get-hello.mjs', 'test/get-hello.test.mjs', 'events/get-hello.json'],
    })
    expect(run.result).toEqual(result)
  })

  test('plain mode: result lines on stdout, one progress line per file on stderr, no escapes, no spinner', async () => {
    const cwd = tempDir()
    const run = await runCommand(['new', 'demo-app', '--template', 'rest-api'], {cwd, env: {CI: 'true'}})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).not.toMatch(ESC)
    expect(run.stderr).not.toMatch(ESC)
    expect(run.stderr).not.toMatch(SPINNER)
    expect(run.stderr.trimEnd().split('\n')).toEqual(FILES.map((f) => `✓ ${f}`))
    expect(run.stdout).toContain('Created demo-app (REST API, JavaScript, 6 files)')
    expect(run.stdout).toContain('  GET /hello → getHello (src/get-hello.mjs)')
    expect(run.stdout).toContain('  cd demo-app\n  npm test\n')
  })

  test('plain mode shows npm install first for a TypeScript project', async () => {
    const run = await runCommand(['new', 'ts-app', '--lang', 'ts'], {cwd: tempDir()})
    expect(run.stdout).toContain('  cd ts-app\n  npm install\n  npm test\n')
  })

  test('Ink mode on a terminal: the step list on stderr, the result on stdout after it', async () => {
    const cwd = tempDir()
    const run = await runCommand(['new', 'demo-app'], {cwd, env: {CI: undefined, NO_COLOR: undefined, TERM: 'xterm-256color'}, tty: {stderr: true, stdout: true}})
    expect(run.exitCode).toBe(0)
    const shown = stripAnsi(run.stderr)
    for (const file of FILES) expect(shown).toContain(`✓ ${file}`)
    expect(stripAnsi(run.stdout)).toContain('Created demo-app (HTTP API, JavaScript, 6 files)')
    // On a terminal, stdout is coloured.
    expect(run.stdout).toMatch(ESC)
  })

  test('the Ink step list renders the steps `new` emits', async () => {
    const progress = recordingProgress()
    await createProject({dir: join(tempDir(), 'demo-app'), template: 'http-api', lang: 'js', progress})
    const tracker = new StepTracker()
    const view = render(createElement(StepList, {tracker}))
    for (const event of progress.events) tracker.apply(event)
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Under CI=true Ink keeps only the final frame (STACK.md gotcha 5): assert on every frame written.
    const frames = view.frames.map(stripAnsi)
    const last = frames.findLast((f) => f.trim() !== '') ?? ''
    expect(last.split('\n').map((l) => l.trimEnd())).toEqual(FILES.map((f) => `✓ ${f}`))
    view.unmount()
  })

  test('an error is printed with its code and a "Try:" line, exit code 2; in JSON as an error object', async () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'keep.txt'), 'mine')
    const plain = await runCommand(['new', '.'], {cwd})
    expect(plain.exitCode).toBe(2)
    expect(plain.stdout).toBe('')
    expect(plain.stderr).toContain('Error [DIR_NOT_EMPTY]')
    expect(plain.stderr).toContain('Try: Pick a new directory, or pass --force')
    const json = await runCommand(['new', '.', '--json'], {cwd})
    expect(json.exitCode).toBe(2)
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'DIR_NOT_EMPTY', suggestion: expect.stringContaining('--force')}})
    expect(readFileSync(join(cwd, 'keep.txt'), 'utf8')).toBe('mine')
  })

  test('a flag value outside the options is a usage error', async () => {
    const run = await runCommand(['new', 'x', '--template', 'graphql'], {cwd: tempDir()})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('http-api')
  })
})
