import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {codeDirName, createCodeCache} from '../../../src/local/runtime/code-cache.js'
import {sha256, tempDir, zipFiles} from './helpers.js'

describe('code cache', () => {
  const dirs: {remove: () => void}[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove()
  })

  test('hex and base64 forms of the same SHA-256 name the same directory', () => {
    const zip = zipFiles({'index.js': 'x'})
    const base64 = sha256(zip)
    const hex = Buffer.from(base64, 'base64').toString('hex')
    expect(codeDirName(base64)).toBe(hex)
    expect(codeDirName(hex.toUpperCase())).toBe(hex)
    expect(codeDirName('not a hash')).toMatch(/^[0-9a-f]{64}$/)
  })

  test('code is unzipped once per SHA and shared', async () => {
    const dir = tempDir()
    dirs.push(dir)
    const cache = createCodeCache(join(dir.path, 'code'))
    const zip = zipFiles({'index.js': 'exports.handler = 1', 'lib/util.js': 'module.exports = 2'})
    let reads = 0
    const read = () => {
      reads++
      return zip
    }
    const [first, second] = await Promise.all([cache.taskRoot(sha256(zip), read), cache.taskRoot(sha256(zip), read)])
    expect(first).toBe(second)
    expect(reads).toBe(1)
    expect(readFileSync(join(first, 'lib/util.js'), 'utf8')).toBe('module.exports = 2')
    // The boundary that keeps an outer "type": "module" from applying to the code.
    expect(JSON.parse(readFileSync(join(dir.path, 'code', 'package.json'), 'utf8'))).toEqual({private: true})
  })

  test('entries that would escape the task root are not written', async () => {
    const dir = tempDir()
    dirs.push(dir)
    const cache = createCodeCache(join(dir.path, 'code'))
    const zip = zipFiles({'index.js': 'ok', '../escaped.js': 'bad', 'a/../../escaped2.js': 'bad'})
    const root = await cache.taskRoot(sha256(zip), () => zip)
    expect(existsSync(join(root, 'index.js'))).toBe(true)
    expect(existsSync(join(dir.path, 'code', 'escaped.js'))).toBe(false)
    expect(existsSync(join(dir.path, 'code', 'escaped2.js'))).toBe(false)
    expect(existsSync(join(dir.path, 'escaped.js'))).toBe(false)
  })
})
