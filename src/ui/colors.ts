/** Minimal ANSI styling that respects NO_COLOR and non-TTY streams (no dependency, no import cost). */

export interface Palette {
  green(s: string): string
  red(s: string): string
  yellow(s: string): string
  cyan(s: string): string
  magenta(s: string): string
  dim(s: string): string
  bold(s: string): string
}

const wrap = (open: number, close: number) => (s: string) => `\u001B[${open}m${s}\u001B[${close}m`
const identity = (s: string) => s

export function paletteFor(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): Palette {
  const enabled = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb'
  if (!enabled) {
    return {green: identity, red: identity, yellow: identity, cyan: identity, magenta: identity, dim: identity, bold: identity}
  }
  return {
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  }
}

const ANSI = /\u001B\[[0-9;]*[A-Za-z]/g
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '')
}
