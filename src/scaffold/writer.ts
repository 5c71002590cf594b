import {existsSync, mkdirSync, rmdirSync, unlinkSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {UserError} from '../errors.js'
import type {Progress} from '../progress.js'
import type {PlannedFile} from './types.js'

/** The planned files that already exist in `dir`. */
export function existingFiles(dir: string, files: PlannedFile[]): string[] {
  return files.filter((f) => existsSync(join(dir, f.path))).map((f) => f.path)
}

export function fileExistsError(paths: string[], dir: string): UserError {
  const shown = relative(process.cwd(), dir) || '.'
  return new UserError('FILE_EXISTS', `Not overwriting ${paths.length === 1 ? 'a file' : 'files'} in ${shown}: ${paths.join(', ')}`, {
    suggestion: 'Move or rename them, or pick another name (tracegate never overwrites a file it did not create)',
    details: {files: paths},
  })
}

/**
 * Creates `files` under `dir`, each with an exclusive create (`wx`), so a file that appears in the meantime is
 * never overwritten. Nothing is written when any file exists already. On a failure, the files and folders this
 * call created are removed again (and only those), so a refused or failed run leaves no partial project.
 */
export async function writeNewFiles(dir: string, files: PlannedFile[], progress: Progress): Promise<string[]> {
  const conflicts = existingFiles(dir, files)
  if (conflicts.length > 0) throw fileExistsError(conflicts, dir)
  const createdFiles: string[] = []
  const createdDirs: string[] = []
  try {
    for (const file of files) {
      const target = join(dir, file.path)
      const id = `create:${file.path}`
      const label = `Create ${file.path}`
      progress.emit({step: id, status: 'start', label})
      const first = mkdirSync(dirname(target), {recursive: true})
      if (first) {
        // Every folder from the first one created down to the file's folder is ours.
        for (let d = dirname(target); d.length >= first.length; d = dirname(d)) createdDirs.push(d)
      }
      try {
        writeFileSync(target, file.content, {flag: 'wx'})
      } catch (error) {
        const failure = (error as NodeJS.ErrnoException).code === 'EEXIST' ? fileExistsError([file.path], dir) : (error as Error)
        progress.emit({step: id, status: 'fail', label, error: {code: (failure as UserError).code, message: failure.message}})
        throw failure
      }
      createdFiles.push(target)
      // No duration: a file write takes no time worth showing.
      progress.emit({step: id, status: 'done', label})
    }
  } catch (error) {
    rollback(createdFiles, createdDirs)
    throw error
  }
  return createdFiles.map((f) => relative(dir, f).split('\\').join('/'))
}

/** Removes what a failed run created: its files, then its folders when they are empty. */
export function rollback(files: string[], dirs: string[]): void {
  for (const file of files.reverse()) {
    try {
      unlinkSync(file)
    } catch {}
  }
  for (const d of [...new Set(dirs)].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d)
    } catch {}
  }
}
