/**
 * The kinds of execution environment (see sandbox.ts), in a module of their own: the emulator's lifecycle and the
 * `local` commands name them without loading the code that starts threads and processes.
 */
export type Isolation = 'thread' | 'process'
export const ISOLATIONS: readonly Isolation[] = ['thread', 'process']
