import {isDeepStrictEqual} from 'node:util'
import {type JsonArray, type JsonNode, type JsonObject, memberOf, parseJsonTree} from '../config/json-syntax.js'

/**
 * Edits tracegate.json as text, so a person's formatting survives `endpoint add`: key order, indentation (spaces
 * or tabs), line endings, one-line or expanded objects and arrays. Only the inserted text is new; it copies the
 * style of its neighbours. Every edit is checked by parsing the result and comparing it with the intended value.
 */

/** Adds `route` to the routes of an existing function (creating its "routes" array if it has none). */
export function addRouteToFunction(text: string, functionKey: string, route: string): string {
  const root = parseJsonTree(text)
  const fn = memberOf(memberOf(root, 'functions')?.value, functionKey)?.value
  if (fn?.kind !== 'object') throw new Error(`addRouteToFunction: no function "${functionKey}" in the config`)
  const routes = memberOf(fn, 'routes')
  let edited: string
  if (!routes) {
    edited = insertMember(text, fn, 'routes', [route], styleOf(text, fn))
  } else if (routes.value.kind === 'array') {
    edited = appendItem(text, routes.value, route)
  } else {
    throw new Error(`addRouteToFunction: "routes" of "${functionKey}" is not an array`)
  }
  return checked(text, edited, (json) => {
    const target = json.functions[functionKey]
    target.routes = [...(target.routes ?? []), route]
  })
}

/** Adds a new function entry after the last one. */
export function addFunction(text: string, functionKey: string, fn: {handler: string; routes: string[]}): string {
  const root = parseJsonTree(text)
  const functions = memberOf(root, 'functions')?.value
  if (functions?.kind !== 'object') throw new Error('addFunction: the config has no "functions" object')
  if (memberOf(functions, functionKey)) throw new Error(`addFunction: function "${functionKey}" already exists`)
  // Copy the style of the last function entry when there is one: a hand-written config often keeps each
  // function on one line.
  const sibling = functions.members.at(-1)?.value
  const fileStyle = styleOf(text, root as JsonObject)
  const style = sibling?.kind === 'object' ? styleOf(text, sibling) : fileStyle
  const memberStyle = functions.members.length > 0 ? styleOf(text, functions) : fileStyle
  const edited = insertMember(text, functions, functionKey, {handler: fn.handler, routes: fn.routes}, style, memberStyle)
  return checked(text, edited, (json) => {
    json.functions[functionKey] = {handler: fn.handler, routes: fn.routes}
  })
}

interface Style {
  eol: string
  /** One indentation level as the file writes it ("  ", "    " or "\t"). */
  unit: string
  /** Between a key and its value (": " or ":"). */
  colon: string
  /** Between items on one line (", " or ","). */
  comma: string
  objectMultiline: boolean
  arrayMultiline: boolean
  /** "{ a }" rather than "{a}" on one line. */
  braceSpace: boolean
  bracketSpace: boolean
}

const isMultiline = (text: string, node: JsonNode) => text.slice(node.start, node.end).includes('\n')

/** ":" or ": " (and "," or ", ") as the file writes them; alignment padding is not copied. */
const separator = (mark: string, written: string) => (/\s/.test(written) ? `${mark} ` : mark)

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))![0]
}

/** The file's indentation unit: the first indented line's indentation, or two spaces. */
function indentUnit(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text)
  return m ? m[1] : '  '
}

/** The formatting `node` (an object) and its arrays use, with file-wide fallbacks. */
function styleOf(text: string, node: JsonObject): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const first = node.members[0]
  const second = node.members[1]
  const objectMultiline = isMultiline(text, node)
  let unit = indentUnit(text)
  if (objectMultiline && first) {
    const inner = lineIndent(text, first.keyStart)
    const outer = lineIndent(text, node.start)
    if (inner.startsWith(outer) && inner.length > outer.length) unit = inner.slice(outer.length)
  }
  const array = node.members.map((m) => m.value).find((v): v is JsonArray => v.kind === 'array' && v.items.length > 0)
  const arrayMultiline = array ? isMultiline(text, array) : objectMultiline
  const between =
    !objectMultiline && second
      ? text.slice(first.value.end, second.keyStart)
      : array && array.items.length > 1 && !arrayMultiline
        ? text.slice(array.items[0].end, array.items[1].start)
        : (/,([ \t]*)[^\s]/.exec(text)?.[1] ?? ' ')
  return {
    eol,
    unit,
    colon: first ? separator(':', text.slice(first.keyEnd, first.value.start)) : ': ',
    comma: separator(',', between),
    objectMultiline,
    arrayMultiline,
    braceSpace: !objectMultiline && text[node.start + 1] === ' ',
    bracketSpace: array !== undefined && !arrayMultiline && text[array.start + 1] === ' ',
  }
}

/** Serialises a value (objects of strings and string arrays) in a style, with `indent` as its line's indentation. */
function format(value: unknown, style: Style, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map((v) => format(v, style, indent + style.unit))
    if (style.arrayMultiline) return `[${style.eol}${items.map((i) => indent + style.unit + i).join(`,${style.eol}`)}${style.eol}${indent}]`
    const pad = style.bracketSpace ? ' ' : ''
    return `[${pad}${items.join(style.comma)}${pad}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}${style.colon}${format(v, style, indent + (style.objectMultiline ? style.unit : ''))}`)
    if (entries.length === 0) return '{}'
    if (style.objectMultiline) return `{${style.eol}${entries.map((e) => indent + style.unit + e).join(`,${style.eol}`)}${style.eol}${indent}}`
    const pad = style.braceSpace ? ' ' : ''
    return `{${pad}${entries.join(style.comma)}${pad}}`
  }
  return JSON.stringify(value)
}

/**
 * Inserts `"key": value` as the last member of `object`. `valueStyle` formats the value; `memberStyle` (the
 * object's own style) decides whether the member goes on its own line.
 */
function insertMember(text: string, object: JsonObject, key: string, value: unknown, valueStyle: Style, memberStyle: Style = valueStyle): string {
  const last = object.members.at(-1)
  const outer = lineIndent(text, object.start)
  if (!last) {
    // An empty object: open it up, one level deeper than the line it is on.
    const indent = outer + memberStyle.unit
    const member = `${JSON.stringify(key)}${memberStyle.colon}${format(value, valueStyle, indent)}`
    return `${text.slice(0, object.start)}{${memberStyle.eol}${indent}${member}${memberStyle.eol}${outer}}${text.slice(object.end)}`
  }
  const multiline = isMultiline(text, object)
  const indent = multiline ? lineIndent(text, last.keyStart) : outer
  const colon = separator(':', text.slice(last.keyEnd, last.value.start))
  const member = `${JSON.stringify(key)}${colon}${format(value, valueStyle, indent)}`
  const before = multiline ? `,${memberStyle.eol}${indent}` : memberStyle.comma
  return `${text.slice(0, last.value.end)}${before}${member}${text.slice(last.value.end)}`
}

/** Appends a string item to an array, on its own line when the array is expanded. */
function appendItem(text: string, array: JsonArray, item: string): string {
  const quoted = JSON.stringify(item)
  const last = array.items.at(-1)
  if (!last) return `${text.slice(0, array.start)}[${quoted}]${text.slice(array.end)}`
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  if (isMultiline(text, array)) {
    return `${text.slice(0, last.end)},${eol}${lineIndent(text, last.start)}${quoted}${text.slice(last.end)}`
  }
  const comma = array.items.length > 1 ? separator(',', text.slice(array.items[0].end, array.items[1].start)) : ', '
  return `${text.slice(0, last.end)}${comma}${quoted}${text.slice(last.end)}`
}

// biome-ignore lint/suspicious/noExplicitAny: the config is plain JSON being edited in the callback
type AnyJson = any

/** Returns `edited` after proving it parses to the original value with `change` applied; a mismatch is a bug. */
function checked(original: string, edited: string, change: (json: AnyJson) => void): string {
  const expected = JSON.parse(original)
  change(expected)
  if (!isDeepStrictEqual(JSON.parse(edited), expected)) throw new Error('tracegate.json edit produced an unexpected document')
  return edited
}
