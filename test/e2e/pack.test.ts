/**
 * Packaging: what `npm pack` puts in the tarball, and whether that tarball, installed globally, is a working
 * `tracegate`.
 *
 * The pack runs in a copy of the checkout as a fresh clone has it (git's tracked and unignored files: no dist/, no
 * oclif.manifest.json), so the test proves that `npm pack` itself builds both (the "prepare" script) — and it
 * never deletes the dist/ other test files are running.
 */
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {type CliResult, cleanEnv, REPO_ROOT, runProcess} from './helpers.js'

const PACK_TIMEOUT = 4 * 60_000
const INSTALL_TIMEOUT = 4 * 60_000

let root = ''
let tarball = ''
let entries: string[] = []
let packResult: CliResult | undefined
let installed: CliResult | undefined

function shown(r: CliResult): string {
  return `$ ${r.args.join(' ')}\nexit ${r.exitCode}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`
}

/** The files a fresh clone has: tracked and untracked-but-not-ignored (so no dist/, manifest or node_modules). */
function cloneLikeCopy(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: REPO_ROOT, encoding: 'utf8'})
    .split('\0')
    .filter((f) => f && existsSync(join(REPO_ROOT, f)))
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), {recursive: true})
    cpSync(join(REPO_ROOT, file), join(to, file))
  }
  // The dev dependencies the build needs (tsc, oclif), as `npm install` in a clone provides them.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(to, 'node_modules'), 'dir')
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tracegate-e2e-pack-'))
  const checkout = join(root, 'checkout')
  const out = join(root, 'out')
  mkdirSync(out, {recursive: true})
  cloneLikeCopy(checkout)
  expect(existsSync(join(checkout, 'dist'))).toBe(false)
  expect(existsSync(join(checkout, 'oclif.manifest.json'))).toBe(false)

  packResult = await runProcess('npm', ['pack', '--pack-destination', out], {cwd: checkout, env: cleanEnv(), timeoutMs: PACK_TIMEOUT})
  const made = readdirSync(out).filter((f) => f.endsWith('.tgz'))
  if (packResult.exitCode !== 0 || made.length !== 1) throw new Error(`npm pack failed\n${shown(packResult)}`)
  tarball = join(out, made[0])
  entries = execFileSync('tar', ['-tzf', tarball], {encoding: 'utf8'})
    .split('\n')
    .filter(Boolean)
    .map((e) => e.replace(/^package\//, ''))
}, PACK_TIMEOUT + 30_000)

afterAll(() => {
  if (root) rmSync(root, {recursive: true, force: true})
  // Where the time goes, for the report (the pack includes a full build).
  const times = [packResult && `npm pack ${packResult.durationMs} ms`, installed && `npm install -g ${installed.durationMs} ms`].filter(Boolean)
  process.stderr.write(`\n[e2e pack] ${times.join(', ')}\n`)
})

describe('npm pack', () => {
  test('builds dist/ and the oclif manifest itself, from a checkout that has neither', () => {
    expect(entries).toContain('oclif.manifest.json')
    expect(entries).toContain('dist/commands/deploy.js')
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/oclif.manifest.json'], {encoding: 'utf8'})) as {
      version: string
      commands: Record<string, unknown>
    }
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {version: string}).version
    expect(manifest.version).toBe(version)
    // Every command file is in the manifest (help and start-up read it instead of importing each command).
    const commandFiles = entries.filter((e) => /^dist\/commands\/.+\.js$/.test(e))
    expect(Object.keys(manifest.commands)).toHaveLength(commandFiles.length)
    expect(Object.keys(manifest.commands)).toEqual(expect.arrayContaining(['new', 'endpoint:add', 'deploy', 'invoke', 'traces', 'traces:show', 'permissions', 'permissions:prune', 'destroy', 'local:start', 'demo']))
  })

  test('contains what a user needs: the CLI entry, dist, templates, the JSON schema, the manifest, package.json and README', () => {
    for (const needed of ['package.json', 'README.md', 'bin/run.js', 'schema.json', 'oclif.manifest.json', 'dist/help.js', 'dist/local/daemon.js', 'dist/commands/new.js']) {
      expect(entries, needed).toContain(needed)
    }
    if (existsSync(join(REPO_ROOT, 'LICENSE'))) expect(entries).toContain('LICENSE')
    // Every template the scaffolder reads ships.
    const templates = execFileSync('git', ['ls-files', 'templates'], {cwd: REPO_ROOT, encoding: 'utf8'}).split('\n').filter(Boolean)
    expect(templates.length).toBeGreaterThan(0)
    expect(entries).toEqual(expect.arrayContaining(templates))
  })

  test('contains nothing else: no sources, tests, benchmarks, CI files, dev entry point or configs', () => {
    const allowedTop = new Set(['package.json', 'README.md', 'LICENSE', 'schema.json', 'oclif.manifest.json', 'bin', 'dist', 'templates'])
    const unexpected = entries.filter((e) => !allowedTop.has(e.split('/')[0]))
    expect(unexpected).toEqual([])
    expect(entries.filter((e) => e.startsWith('bin/'))).toEqual(['bin/run.js'])
    expect(entries.filter((e) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(e) && !e.startsWith('templates/'))).toEqual([])
    expect(entries.filter((e) => e.startsWith('dist/') && !e.endsWith('.js'))).toEqual([])
  })
})

/** better-sqlite3's prebuilt-binary name as prebuild-install looks for it (glibc Linux: no libc part). */
function betterSqlitePrebuildName(version: string): string {
  return `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
}

describe('the tarball installed globally (npm install -g --prefix)', () => {
  let prefix = ''
  let skipReason: string | undefined
  const userEnv = () => ({...cleanEnv(), HOME: join(root, 'home'), CI: '1', NO_COLOR: '1', PATH: `${join(prefix, 'bin')}:${process.env.PATH}`})

  beforeAll(async () => {
    prefix = join(root, 'prefix')
    mkdirSync(join(root, 'home'), {recursive: true})
    const ping = await runProcess('npm', ['ping'], {cwd: root, env: cleanEnv(), timeoutMs: 30_000})
    if (ping.exitCode !== 0) {
      skipReason = `the npm registry is unreachable (npm ping exited ${ping.exitCode}); the global install needs it for the dependencies`
      return
    }
    // better-sqlite3 has no reachable prebuilt binary here (GitHub), so its install script would compile SQLite
    // for minutes (STACK.md gotcha 13). prebuild-install's documented offline source is a local prebuilds dir:
    // hand it the binary this checkout's `npm install` already compiled from the same version for this Node ABI.
    // Without one, the install compiles as a user's would, only slower.
    const env: NodeJS.ProcessEnv = {...cleanEnv()}
    const sqliteDir = join(REPO_ROOT, 'node_modules', 'better-sqlite3')
    if (existsSync(join(sqliteDir, 'build', 'Release', 'better_sqlite3.node')) && process.platform === 'linux') {
      const version = (JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')) as {version: string}).version
      const prebuilds = join(root, 'prebuilds')
      mkdirSync(prebuilds)
      execFileSync('tar', ['-czf', join(prebuilds, betterSqlitePrebuildName(version)), '-C', sqliteDir, 'build/Release/better_sqlite3.node'])
      env.npm_config_better_sqlite3_local_prebuilds = prebuilds
    }
    installed = await runProcess('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: root,
      env,
      timeoutMs: INSTALL_TIMEOUT,
    })
  }, INSTALL_TIMEOUT + 60_000)

  test('installs without running the build (the tarball already holds dist/ and the manifest)', (context) => {
    if (skipReason) context.skip(skipReason)
    expect(installed?.exitCode, installed && shown(installed)).toBe(0)
    const pkg = join(prefix, 'lib', 'node_modules', 'tracegate')
    expect(existsSync(join(pkg, 'oclif.manifest.json'))).toBe(true)
    expect(existsSync(join(pkg, 'dist', 'commands', 'deploy.js'))).toBe(true)
    // Only runtime dependencies: the build tools are not installed, so a "prepare" at install time could not run.
    expect(existsSync(join(pkg, 'node_modules', 'typescript'))).toBe(false)
    expect(existsSync(join(pkg, 'node_modules', 'vitest'))).toBe(false)
  })

  test('tracegate --help and --version work from the installed bin', async (context) => {
    if (skipReason) context.skip(skipReason)
    const cwd = join(root, 'home')
    const help = await runProcess('tracegate', ['--help'], {cwd, env: userEnv(), timeoutMs: 30_000})
    expect(help.exitCode, shown(help)).toBe(0)
    expect(help.stdout).toContain('USAGE')
    for (const command of ['new', 'deploy', 'invoke', 'traces', 'permissions', 'destroy', 'local', 'demo']) expect(help.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'))
    expect(help.stderr).toBe('')

    const version = await runProcess('tracegate', ['--version'], {cwd, env: userEnv(), timeoutMs: 30_000})
    expect(version.exitCode, shown(version)).toBe(0)
    expect(version.stdout).toMatch(/^tracegate\/\d+\.\d+\.\d+ /)
  })

  test('tracegate new x scaffolds a project from the installed templates', async (context) => {
    if (skipReason) context.skip(skipReason)
    const work = join(root, 'work')
    mkdirSync(work, {recursive: true})
    const created = await runProcess('tracegate', ['new', 'x'], {cwd: work, env: userEnv(), timeoutMs: 30_000})
    expect(created.exitCode, shown(created)).toBe(0)
    expect(created.stdout).toContain('Created x')
    const config = JSON.parse(readFileSync(join(work, 'x', 'tracegate.json'), 'utf8')) as {name: string; functions: Record<string, {handler: string}>}
    expect(config.name).toBe('x')
    expect(existsSync(join(work, 'x', 'src', 'get-hello.mjs'))).toBe(true)
    expect(existsSync(join(work, 'x', 'test', 'get-hello.test.mjs'))).toBe(true)
  })

  test("the installed emulator starts and stops (better-sqlite3's native module loads)", async (context) => {
    if (skipReason) context.skip(skipReason)
    const env = {...userEnv(), TRACEGATE_LOCAL_DIR: join(root, 'emulator')}
    const start = await runProcess('tracegate', ['local', 'start', '--detach', '--port', '0', '--json'], {cwd: root, env, timeoutMs: 60_000})
    try {
      expect(start.exitCode, shown(start)).toBe(0)
      expect(start.json()).toMatchObject({detached: true, started: true, endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)})
      const status = await runProcess('tracegate', ['local', 'status', '--json'], {cwd: root, env, timeoutMs: 30_000})
      expect(status.json()).toMatchObject({running: true, counts: {functions: 0}})
    } finally {
      const stop = await runProcess('tracegate', ['local', 'stop'], {cwd: root, env, timeoutMs: 30_000})
      expect(stop.exitCode, shown(stop)).toBe(0)
    }
  })
})
