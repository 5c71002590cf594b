/**
 * A small JSON (RFC 8259) parser that keeps source positions. Two users need what `JSON.parse` does not give:
 * - the config loader, to report the line and column of a syntax error (Node 20's V8 leaves the position out of
 *   "Unexpected token" messages and echoes the whole input instead);
 * - `endpoint add`, to edit tracegate.json in place without reformatting it.
 * It accepts exactly what JSON.parse accepts (no comments, no trailing commas).
 */

export type JsonNode = JsonObject | JsonArray | JsonScalar

interface Span {
  /** Offset of the first character of the value. */
  start: number
  /** Offset just past the last character of the value. */
  end: number
}

export interface JsonObject extends Span {
  kind: 'object'
  members: JsonMember[]
}

export interface JsonArray extends Span {
  kind: 'array'
  items: JsonNode[]
}

export interface JsonScalar extends Span {
  kind: 'string' | 'number' | 'boolean' | 'null'
  value: string | number | boolean | null
}

export interface JsonMember {
  key: string
  keyStart: number
  keyEnd: number
  value: JsonNode
}

export class JsonSyntaxError extends Error {
  readonly offset: number
  readonly line: number
  readonly column: number

  constructor(text: string, offset: number, problem: string) {
    const {line, column} = lineColumn(text, offset)
    super(`${problem} at line ${line}, column ${column}`)
    this.name = 'JsonSyntaxError'
    this.offset = offset
    this.line = line
    this.column = column
  }
}

/** 1-based line and column of an offset (a tab counts as one column, as editors report it). */
export function lineColumn(text: string, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++
      lineStart = i + 1
    }
  }
  return {line, column: offset - lineStart + 1}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/** Parses JSON text into a tree with offsets; throws JsonSyntaxError at the first problem. */
export function parseJsonTree(text: string): JsonNode {
  let pos = 0

  const fail = (problem: string, at = pos): never => {
    throw new JsonSyntaxError(text, at, problem)
  }
  const describe = (at: number) => (at >= text.length ? 'end of input' : `${JSON.stringify(text[at])}`)
  const skip = () => {
    while (pos < text.length && WHITESPACE.has(text[pos])) pos++
  }
  const expect = (ch: string, context: string) => {
    skip()
    if (text[pos] !== ch) fail(`expected ${JSON.stringify(ch)} ${context}, found ${describe(pos)}`)
    pos++
  }

  const parseString = (): JsonScalar => {
    const start = pos
    pos++ // opening quote
    let value = ''
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start)
      const ch = text[pos]
      if (ch === '"') {
        pos++
        return {kind: 'string', value, start, end: pos}
      }
      if (ch === '\\') {
        const esc = text[pos + 1]
        const simple: Record<string, string> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}
        if (esc !== undefined && esc in simple) {
          value += simple[esc]
          pos += 2
        } else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
          value += String.fromCharCode(Number.parseInt(text.slice(pos + 2, pos + 6), 16))
          pos += 6
        } else {
          fail('invalid escape sequence in string')
        }
        continue
      }
      if (ch.charCodeAt(0) < 0x20) fail(ch === '\n' ? 'line break inside a string (close the quote first)' : 'control character inside a string')
      value += ch
      pos++
    }
  }

  const parseValue = (context: string): JsonNode => {
    skip()
    const start = pos
    const ch = text[pos]
    if (ch === '{') return parseObject()
    if (ch === '[') return parseArray()
    if (ch === '"') return parseString()
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length
        return {kind: value === null ? 'null' : 'boolean', value, start, end: pos}
      }
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = pos
      const m = NUMBER.exec(text)
      if (m && m[0] !== '-') {
        pos += m[0].length
        return {kind: 'number', value: Number(m[0]), start, end: pos}
      }
    }
    if (ch === "'") return fail('strings must use double quotes')
    return fail(`expected a value ${context}, found ${describe(pos)}`)
  }

  const parseObject = (): JsonObject => {
    const start = pos
    pos++
    const members: JsonMember[] = []
    skip()
    if (text[pos] === '}') {
      pos++
      return {kind: 'object', members, start, end: pos}
    }
    for (;;) {
      skip()
      if (text[pos] !== '"') {
        fail(
          text[pos] === '}' && members.length > 0
            ? 'trailing comma before "}"'
            : `expected a double-quoted property name, found ${describe(pos)}`,
        )
      }
      const key = parseString()
      expect(':', `after property name ${JSON.stringify(key.value)}`)
      const value = parseValue(`for property ${JSON.stringify(key.value)}`)
      members.push({key: key.value as string, keyStart: key.start, keyEnd: key.end, value})
      skip()
      if (text[pos] === ',') {
        pos++
        continue
      }
      if (text[pos] === '}') {
        pos++
        return {kind: 'object', members, start, end: pos}
      }
      fail(`expected "," or "}" after the value of ${JSON.stringify(key.value)}, found ${describe(pos)}`)
    }
  }

  const parseArray = (): JsonArray => {
    const start = pos
    pos++
    const items: JsonNode[] = []
    skip()
    if (text[pos] === ']') {
      pos++
      return {kind: 'array', items, start, end: pos}
    }
    for (;;) {
      skip()
      if (text[pos] === ']' && items.length > 0) fail('trailing comma before "]"')
      items.push(parseValue('in array'))
      skip()
      if (text[pos] === ',') {
        pos++
        continue
      }
      if (text[pos] === ']') {
        pos++
        return {kind: 'array', items, start, end: pos}
      }
      fail(`expected "," or "]" in array, found ${describe(pos)}`)
    }
  }

  if (text.charCodeAt(0) === 0xfeff) fail('the file starts with a byte-order mark; save it as UTF-8 without BOM', 0)
  const root = parseValue('')
  skip()
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the end of the JSON value`)
  return root
}

/** The member `key` of an object node, if any. */
export function memberOf(node: JsonNode | undefined, key: string): JsonMember | undefined {
  return node?.kind === 'object' ? node.members.find((m) => m.key === key) : undefined
}
