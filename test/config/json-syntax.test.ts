import {describe, expect, test} from 'vitest'
import {type JsonNode, JsonSyntaxError, lineColumn, memberOf, parseJsonTree} from '../../src/config/json-syntax.js'

/** Rebuilds the plain value from a tree, to compare with JSON.parse. */
function plainValue(node: JsonNode): unknown {
  if (node.kind === 'object') return Object.fromEntries(node.members.map((m) => [m.key, plainValue(m.value)]))
  if (node.kind === 'array') return node.items.map(plainValue)
  return node.value
}

const VALID = [
  '{}',
  '[]',
  ' {"a": [1, -2.5e3, 0, true, false, null, "x\\n\\u00e9\\"\\/"]}\n',
  '"just a string"',
  '0',
  '-0.5E+2',
  '{"nested": {"deep": [[], {}, [{"k": "v"}]]}}',
  '\t\r\n{"a"\n:\n1}',
]

const INVALID = ['', '{', '{"a": 1,}', '[1,]', '{"a" 1}', "{'a': 1}", '{"a": 01}', '{"a": .5}', '{"a": 1.}', '{"a": -}', '{"a": "\\x"}', '{"a": "\t"}', '{"a": 1} x', 'nul', '\uFEFF{}', '{"a": NaN}', '[1 2]']

describe('parseJsonTree', () => {
  test.each(VALID)('accepts what JSON.parse accepts: %j', (text) => {
    expect(plainValue(parseJsonTree(text))).toEqual(JSON.parse(text))
  })

  test.each(INVALID)('rejects what JSON.parse rejects: %j', (text) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(() => parseJsonTree(text)).toThrow(JsonSyntaxError)
  })

  test('records the span of every value and key', () => {
    const text = '{\n  "functions": {\n    "a": {"routes": ["GET /x"]}\n  }\n}'
    const root = parseJsonTree(text)
    const fns = memberOf(root, 'functions')!
    expect(text.slice(fns.keyStart, fns.keyEnd)).toBe('"functions"')
    const routes = memberOf(memberOf(fns.value, 'a')!.value, 'routes')!.value
    expect(routes.kind).toBe('array')
    expect(text.slice(routes.start, routes.end)).toBe('["GET /x"]')
  })

  test('reports the line and column of the first problem', () => {
    const error = (() => {
      try {
        parseJsonTree('{\n  "a": 1,\n  "b": ]\n}')
      } catch (e) {
        return e as JsonSyntaxError
      }
      throw new Error('expected a syntax error')
    })()
    expect({line: error.line, column: error.column}).toEqual({line: 3, column: 8})
    expect(error.message).toContain('expected a value for property "b"')
  })

  test('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({line: 1, column: 1})
    expect(lineColumn('ab\ncd', 4)).toEqual({line: 2, column: 2})
  })
})
