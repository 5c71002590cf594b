import {ensureBuilt} from './e2e/helpers.js'

/**
 * With oclif.manifest.json present, oclif loads commands from dist/ even in in-process tests, so a stale
 * build would test old code. Build once, before any test file, when dist/ is older than src/ (never in CI:
 * `npm ci` has just built it).
 */
export default async function setup(): Promise<void> {
  await ensureBuilt()
}
