/**
 * X-Ray filter expressions (aws-semantics §6.8, X-Ray developer guide "Filter expressions"): a parser that
 * reports the position of the first error, and an evaluator over `TraceFacts`. The emulator uses both to
 * answer GetTraceSummaries (a parse error becomes InvalidRequestException); the CLI uses the parser to
 * validate `--filter` before calling AWS.
 *
 * Grammar (precedence low → high):
 *   expr    := and ( OR and )*
 *   and     := unary ( [AND] unary )*        juxtaposition is AND: the guide's own example "ok !partial duration <3"
 *   unary   := "!" unary | primary
 *   primary := "(" expr ")" | boolean [ ("=" | "!=") (true|false) ] | number op NUMBER
 *            | string strop "STRING" | annotation [ op value ] | service "(" [ref] ")" [ "{" expr "}" ]
 *            | edge "(" ref "," ref ")" [ "{" expr "}" ]
 *   ref     := "STRING" | id "(" name: "STRING" [, type: "STRING"] ")"
 *
 * Choices where the guide is silent (documented here, aws-semantics marks them unconfirmed):
 * - Keywords and operators are matched case-insensitively; annotation keys and values are case-sensitive,
 *   and so are string comparisons.
 * - There is no `NOT` keyword (the guide only shows `!`); `!` may prefix any term, including `( … )`.
 * - Inside a `service(…) { … }` / `edge(…) { … }` block the boolean keywords, `responsetime`, `duration`,
 *   `http.*` and `annotation.*` refer to that node; `user`, `partial` and nested `service()` to the trace.
 * - A bare `annotation.key` is true when the key is present with any value other than `false`.
 */
import type {AnnotationValue} from './segments.js'
import type {EdgeFacts, HttpFacts, ServiceFacts, TraceFacts} from './facts.js'

export type {
  EdgeFacts,
  HttpFacts,
  RootCause,
  RootCauseEntity,
  ServiceFacts,
  ServiceId,
  TraceFacts,
  TraceSummaryShape,
} from './facts.js'
export {traceFactsFromSegments, traceFactsFromTree, traceSummaryFromSegments} from './facts.js'

export const BOOLEAN_KEYWORDS = ['ok', 'error', 'fault', 'throttle', 'partial'] as const
export const NUMBER_KEYWORDS = ['responsetime', 'duration', 'http.status'] as const
export const STRING_KEYWORDS = ['http.url', 'http.method', 'http.useragent', 'http.clientip', 'user'] as const

export type BooleanKeyword = (typeof BOOLEAN_KEYWORDS)[number]
export type NumberKeyword = (typeof NUMBER_KEYWORDS)[number]
export type StringKeyword = (typeof STRING_KEYWORDS)[number]
export type NumberOperator = '=' | '!=' | '<' | '<=' | '>' | '>='
export type StringOperator = '=' | '!=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH'
export type AnnotationOperator = NumberOperator | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH'

/** `service("name")`, `service(id(name: "n", type: "T"))`, or `service()` (any node) when both are absent. */
export interface NodeSelector {
  name?: string
  type?: string
}

export type FilterAst =
  | {kind: 'and'; left: FilterAst; right: FilterAst}
  | {kind: 'or'; left: FilterAst; right: FilterAst}
  | {kind: 'not'; operand: FilterAst}
  | {kind: 'boolean'; keyword: BooleanKeyword; value: boolean}
  | {kind: 'number'; keyword: NumberKeyword; operator: NumberOperator; value: number}
  | {kind: 'string'; keyword: StringKeyword; operator: StringOperator; value: string}
  | {kind: 'annotation'; key: string; operator?: AnnotationOperator; value?: AnnotationValue}
  | {kind: 'service'; selector: NodeSelector; filter?: FilterAst}
  | {kind: 'edge'; from: NodeSelector; to: NodeSelector; filter?: FilterAst}

/** An invalid filter expression; `position` is the 0-based character offset of the offending token. */
export class FilterExpressionError extends Error {
  readonly position: number
  readonly expression: string

  constructor(message: string, position: number, expression: string) {
    super(`${message} (at position ${position})`)
    this.name = 'FilterExpressionError'
    this.position = position
    this.expression = expression
  }
}

export function isFilterExpressionError(error: unknown): error is FilterExpressionError {
  return error instanceof Error && error.name === 'FilterExpressionError' && 'position' in error
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

type TokenType = 'word' | 'string' | 'number' | 'op' | 'bang' | '(' | ')' | '{' | '}' | '[' | ']' | ',' | ':' | 'end'

interface Token {
  type: TokenType
  text: string
  /** Decoded value of a string token. */
  value?: string
  position: number
}

const WORD_START = /[A-Za-z_]/
const WORD_CHAR = /[A-Za-z0-9_.-]/
const NUMBER_AT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i]
    if (/\s/.test(c)) {
      i++
      continue
    }
    const start = i
    if (c === '"') {
      let value = ''
      i++
      let closed = false
      while (i < input.length) {
        const ch = input[i]
        if (ch === '\\' && i + 1 < input.length) {
          value += input[i + 1]
          i += 2
          continue
        }
        if (ch === '"') {
          closed = true
          i++
          break
        }
        value += ch
        i++
      }
      if (!closed) throw new FilterExpressionError('Unterminated string: a closing " is missing', start, input)
      tokens.push({type: 'string', text: input.slice(start, i), value, position: start})
      continue
    }
    if ('(){}[],:'.includes(c)) {
      tokens.push({type: c as TokenType, text: c, position: start})
      i++
      continue
    }
    if (c === '!' && input[i + 1] === '=') {
      tokens.push({type: 'op', text: '!=', position: start})
      i += 2
      continue
    }
    if (c === '!') {
      tokens.push({type: 'bang', text: '!', position: start})
      i++
      continue
    }
    if (c === '<' || c === '>') {
      const op = input[i + 1] === '=' ? `${c}=` : c
      tokens.push({type: 'op', text: op, position: start})
      i += op.length
      continue
    }
    if (c === '=') {
      // `==` is not X-Ray syntax; reject it rather than guess.
      if (input[i + 1] === '=') throw new FilterExpressionError('Unknown operator "==": use "="', start, input)
      tokens.push({type: 'op', text: '=', position: start})
      i++
      continue
    }
    const number = NUMBER_AT.exec(input.slice(i))
    if (number && (c !== '-' || /[\d.]/.test(input[i + 1] ?? ''))) {
      tokens.push({type: 'number', text: number[0], position: start})
      i += number[0].length
      continue
    }
    if (WORD_START.test(c)) {
      // ':' belongs to a word only between word characters (annotation keys like aws:api_id), so that
      // id(name:"fn") still splits into name, ':' and the string.
      while (i < input.length && (WORD_CHAR.test(input[i]) || (input[i] === ':' && WORD_CHAR.test(input[i + 1] ?? '')))) i++
      tokens.push({type: 'word', text: input.slice(start, i), position: start})
      continue
    }
    throw new FilterExpressionError(`Unexpected character "${c}"`, start, input)
  }
  tokens.push({type: 'end', text: '', position: input.length})
  return tokens
}

// ---------------------------------------------------------------------------------------------------------
// Parser

const NUMBER_OPERATORS: readonly string[] = ['=', '!=', '<', '<=', '>', '>=']
const STRING_WORD_OPERATORS = ['CONTAINS', 'BEGINSWITH', 'ENDSWITH'] as const

function describe(token: Token): string {
  return token.type === 'end' ? 'end of expression' : `"${token.text}"`
}

class Parser {
  private index = 0

  constructor(
    private readonly tokens: Token[],
    private readonly input: string,
  ) {}

  parse(): FilterAst {
    if (this.peek().type === 'end') throw this.error('The filter expression is empty', this.peek())
    const ast = this.expression()
    const next = this.peek()
    if (next.type !== 'end') throw this.error(`Unexpected ${describe(next)}: expected AND, OR or the end`, next)
    return ast
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]
  }

  private next(): Token {
    const token = this.peek()
    if (token.type !== 'end') this.index++
    return token
  }

  private error(message: string, token: Token): FilterExpressionError {
    return new FilterExpressionError(message, token.position, this.input)
  }

  private expect(type: TokenType, what: string): Token {
    const token = this.peek()
    if (token.type !== type) throw this.error(`Expected ${what}, found ${describe(token)}`, token)
    return this.next()
  }

  private isWord(token: Token, word: string): boolean {
    return token.type === 'word' && token.text.toUpperCase() === word
  }

  private expression(): FilterAst {
    let left = this.conjunction()
    while (this.isWord(this.peek(), 'OR')) {
      this.next()
      left = {kind: 'or', left, right: this.conjunction()}
    }
    return left
  }

  private startsTerm(token: Token): boolean {
    if (token.type === 'bang' || token.type === '(') return true
    return token.type === 'word' && !this.isWord(token, 'AND') && !this.isWord(token, 'OR')
  }

  private conjunction(): FilterAst {
    let left = this.unary()
    for (;;) {
      const token = this.peek()
      if (this.isWord(token, 'AND')) {
        this.next()
        left = {kind: 'and', left, right: this.unary()}
      } else if (this.startsTerm(token)) {
        left = {kind: 'and', left, right: this.unary()}
      } else {
        return left
      }
    }
  }

  private unary(): FilterAst {
    if (this.peek().type === 'bang') {
      this.next()
      return {kind: 'not', operand: this.unary()}
    }
    return this.primary()
  }

  private primary(): FilterAst {
    const token = this.peek()
    if (token.type === '(') {
      this.next()
      const inner = this.expression()
      this.expect(')', 'a closing ")"')
      return inner
    }
    if (token.type !== 'word') {
      throw this.error(`Unexpected ${describe(token)}: expected a keyword such as fault, http.status or service()`, token)
    }
    const word = token.text.toLowerCase()
    if ((BOOLEAN_KEYWORDS as readonly string[]).includes(word)) return this.booleanTerm(word as BooleanKeyword)
    if ((NUMBER_KEYWORDS as readonly string[]).includes(word)) return this.numberTerm(word as NumberKeyword)
    if ((STRING_KEYWORDS as readonly string[]).includes(word)) return this.stringTerm(word as StringKeyword)
    if (word === 'service') return this.serviceTerm()
    if (word === 'edge') return this.edgeTerm()
    if (word === 'annotation' || word.startsWith('annotation.')) return this.annotationTerm()
    if (this.isWord(token, 'NOT')) throw this.error('NOT is not X-Ray filter syntax: use "!", e.g. !fault or !service("name")', token)
    if (this.isWord(token, 'AND') || this.isWord(token, 'OR')) {
      throw this.error(`Unexpected ${describe(token)}: a term is missing before it`, token)
    }
    throw this.error(
      `Unknown keyword "${token.text}": use ok, error, fault, throttle, partial, responsetime, duration, http.status, http.url, http.method, http.useragent, http.clientip, user, annotation.KEY, service() or edge()`,
      token,
    )
  }

  private booleanTerm(keyword: BooleanKeyword): FilterAst {
    this.next()
    const op = this.peek()
    if (op.type !== 'op') return {kind: 'boolean', keyword, value: true}
    if (op.text !== '=' && op.text !== '!=') {
      throw this.error(`Operator "${op.text}" does not apply to the boolean keyword ${keyword}: use =, != or !`, op)
    }
    this.next()
    const valueToken = this.next()
    const text = valueToken.type === 'string' ? valueToken.value : valueToken.type === 'word' ? valueToken.text.toLowerCase() : undefined
    if (text !== 'true' && text !== 'false') {
      throw this.error(`Expected true or false after "${keyword} ${op.text}", found ${describe(valueToken)}`, valueToken)
    }
    const value = text === 'true'
    return {kind: 'boolean', keyword, value: op.text === '=' ? value : !value}
  }

  private numberTerm(keyword: NumberKeyword): FilterAst {
    this.next()
    const op = this.peek()
    if (op.type !== 'op' || !NUMBER_OPERATORS.includes(op.text)) {
      throw this.error(`Expected a comparison (=, !=, <, <=, >, >=) after ${keyword}, found ${describe(op)}`, op)
    }
    this.next()
    const valueToken = this.next()
    if (valueToken.type !== 'number') {
      throw this.error(`Expected a number after "${keyword} ${op.text}", found ${describe(valueToken)}`, valueToken)
    }
    return {kind: 'number', keyword, operator: op.text as NumberOperator, value: Number(valueToken.text)}
  }

  private stringOperator(after: string): StringOperator {
    const op = this.peek()
    if (op.type === 'op' && (op.text === '=' || op.text === '!=')) {
      this.next()
      return op.text
    }
    const upper = op.type === 'word' ? op.text.toUpperCase() : ''
    if ((STRING_WORD_OPERATORS as readonly string[]).includes(upper)) {
      this.next()
      return upper as StringOperator
    }
    throw this.error(`Expected =, !=, CONTAINS, BEGINSWITH or ENDSWITH after ${after}, found ${describe(op)}`, op)
  }

  private stringTerm(keyword: StringKeyword): FilterAst {
    this.next()
    const operator = this.stringOperator(keyword)
    const valueToken = this.next()
    if (valueToken.type !== 'string') {
      throw this.error(`String values must be quoted: expected "…" after "${keyword} ${operator}", found ${describe(valueToken)}`, valueToken)
    }
    return {kind: 'string', keyword, operator, value: valueToken.value ?? ''}
  }

  private annotationTerm(): FilterAst {
    const token = this.next()
    let key: string
    if (token.text.includes('.')) {
      key = token.text.slice(token.text.indexOf('.') + 1)
    } else {
      // annotation[key] or annotation["key"]: the form for keys a dotted name cannot carry.
      this.expect('[', '"." or "[" after annotation')
      const keyToken = this.next()
      if (keyToken.type === 'string') key = keyToken.value ?? ''
      else if (keyToken.type === 'word' || keyToken.type === 'number') key = keyToken.text
      else throw this.error(`Expected an annotation key, found ${describe(keyToken)}`, keyToken)
      this.expect(']', 'a closing "]"')
    }
    if (key === '') throw this.error('The annotation key is empty', token)

    const op = this.peek()
    const upper = op.type === 'word' ? op.text.toUpperCase() : ''
    if (op.type !== 'op' && !(STRING_WORD_OPERATORS as readonly string[]).includes(upper)) return {kind: 'annotation', key}
    this.next()
    const operator = (op.type === 'op' ? op.text : upper) as AnnotationOperator
    const valueToken = this.next()
    let value: AnnotationValue
    if (valueToken.type === 'string') value = valueToken.value ?? ''
    else if (valueToken.type === 'number') value = Number(valueToken.text)
    else if (valueToken.type === 'word' && /^(true|false)$/i.test(valueToken.text)) value = valueToken.text.toLowerCase() === 'true'
    else {
      throw this.error(`Expected a quoted string, a number, true or false after "annotation.${key} ${operator}", found ${describe(valueToken)}`, valueToken)
    }
    const textual = operator === 'CONTAINS' || operator === 'BEGINSWITH' || operator === 'ENDSWITH'
    if (textual && typeof value !== 'string') throw this.error(`${operator} needs a quoted string`, valueToken)
    if ((operator === '<' || operator === '<=' || operator === '>' || operator === '>=') && typeof value !== 'number') {
      throw this.error(`${operator} needs a number`, valueToken)
    }
    return {kind: 'annotation', key, operator, value}
  }

  private nodeReference(allowEmpty: boolean): NodeSelector {
    const token = this.peek()
    if (token.type === 'string') {
      this.next()
      return {name: token.value ?? ''}
    }
    if (token.type === 'word' && token.text.toLowerCase() === 'id') {
      this.next()
      this.expect('(', '"(" after id')
      const selector: NodeSelector = {}
      for (;;) {
        const field = this.expect('word', 'name: or type:')
        const fieldName = field.text.toLowerCase()
        if (fieldName !== 'name' && fieldName !== 'type') throw this.error(`Unknown id() field "${field.text}": use name or type`, field)
        if (selector[fieldName] !== undefined) throw this.error(`id() field "${fieldName}" is given twice`, field)
        this.expect(':', `":" after ${fieldName}`)
        const value = this.expect('string', `a quoted ${fieldName}`)
        selector[fieldName] = value.value ?? ''
        if (this.peek().type !== ',') break
        this.next()
      }
      this.expect(')', 'a closing ")" for id(')
      return selector
    }
    if (allowEmpty && token.type === ')') return {}
    throw this.error(`Expected a quoted service name or id(name: "…", type: "…"), found ${describe(token)}`, token)
  }

  private block(): FilterAst | undefined {
    if (this.peek().type !== '{') return undefined
    const open = this.next()
    if (this.peek().type === '}') throw this.error('The { } block is empty', open)
    const inner = this.expression()
    this.expect('}', 'a closing "}"')
    return inner
  }

  private serviceTerm(): FilterAst {
    this.next()
    this.expect('(', '"(" after service')
    const selector = this.nodeReference(true)
    this.expect(')', 'a closing ")" for service(')
    return {kind: 'service', selector, filter: this.block()}
  }

  private edgeTerm(): FilterAst {
    this.next()
    this.expect('(', '"(" after edge')
    const from = this.nodeReference(false)
    this.expect(',', '"," between the two services of edge(')
    const to = this.nodeReference(false)
    this.expect(')', 'a closing ")" for edge(')
    return {kind: 'edge', from, to, filter: this.block()}
  }
}

/** Parses an X-Ray filter expression; throws `FilterExpressionError` (message + position) when invalid. */
export function parseFilterExpression(expression: string): FilterAst {
  return new Parser(tokenize(expression), expression).parse()
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** What a term is evaluated against: the whole trace, or one service/edge node inside a `{ }` block. */
interface Scope {
  ok: boolean
  error: boolean
  fault: boolean
  throttle: boolean
  responseTime?: number
  duration?: number
  http: HttpFacts
  annotations: Record<string, AnnotationValue[]>
  trace: TraceFacts
}

function compareNumbers(actual: number | undefined, operator: NumberOperator, expected: number): boolean {
  if (actual === undefined) return operator === '!='
  switch (operator) {
    case '=':
      return actual === expected
    case '!=':
      return actual !== expected
    case '<':
      return actual < expected
    case '<=':
      return actual <= expected
    case '>':
      return actual > expected
    case '>=':
      return actual >= expected
  }
}

function compareStrings(actual: string | undefined, operator: StringOperator, expected: string): boolean {
  if (actual === undefined) return operator === '!='
  switch (operator) {
    case '=':
      return actual === expected
    case '!=':
      return actual !== expected
    case 'CONTAINS':
      return actual.includes(expected)
    case 'BEGINSWITH':
      return actual.startsWith(expected)
    case 'ENDSWITH':
      return actual.endsWith(expected)
  }
}

function annotationMatches(values: AnnotationValue[] | undefined, node: Extract<FilterAst, {kind: 'annotation'}>): boolean {
  if (!values || values.length === 0) return node.operator === '!='
  const {operator, value} = node
  if (operator === undefined || value === undefined) return values.some((v) => v !== false)
  if (operator === '!=') return values.every((v) => v !== value)
  return values.some((v) => {
    if (typeof value === 'number') return typeof v === 'number' && compareNumbers(v, operator as NumberOperator, value)
    if (typeof value === 'string') return typeof v === 'string' && compareStrings(v, operator as StringOperator, value)
    return v === value
  })
}

function selects(selector: NodeSelector, node: {name: string; type?: string}): boolean {
  return (selector.name === undefined || selector.name === node.name) && (selector.type === undefined || selector.type === node.type)
}

function serviceScope(service: ServiceFacts, trace: TraceFacts): Scope {
  return {...service, trace}
}

function edgeScope(edge: EdgeFacts, trace: TraceFacts): Scope {
  return {...edge, duration: edge.responseTime, http: {}, annotations: {}, trace}
}

function evaluateIn(ast: FilterAst, scope: Scope): boolean {
  switch (ast.kind) {
    case 'and':
      return evaluateIn(ast.left, scope) && evaluateIn(ast.right, scope)
    case 'or':
      return evaluateIn(ast.left, scope) || evaluateIn(ast.right, scope)
    case 'not':
      return !evaluateIn(ast.operand, scope)
    case 'boolean': {
      const actual = ast.keyword === 'partial' ? scope.trace.partial : scope[ast.keyword]
      return actual === ast.value
    }
    case 'number': {
      const actual = ast.keyword === 'http.status' ? scope.http.status : ast.keyword === 'duration' ? scope.duration : scope.responseTime
      return compareNumbers(actual, ast.operator, ast.value)
    }
    case 'string': {
      if (ast.keyword === 'user') {
        const users = scope.trace.users
        if (ast.operator === '!=') return users.every((u) => u !== ast.value)
        return users.some((u) => compareStrings(u, ast.operator, ast.value))
      }
      const field = ast.keyword.slice('http.'.length) as keyof HttpFacts
      const actual = scope.http[field]
      return compareStrings(actual === undefined ? undefined : String(actual), ast.operator, ast.value)
    }
    case 'annotation':
      return annotationMatches(scope.annotations[ast.key], ast)
    case 'service': {
      const trace = scope.trace
      return trace.services.some(
        (service) => selects(ast.selector, service) && (!ast.filter || evaluateIn(ast.filter, serviceScope(service, trace))),
      )
    }
    case 'edge': {
      const trace = scope.trace
      return trace.edges.some(
        (edge) =>
          selects(ast.from, edge.from) && selects(ast.to, edge.to) && (!ast.filter || evaluateIn(ast.filter, edgeScope(edge, trace))),
      )
    }
  }
}

/** True when the trace described by `facts` matches the parsed expression. */
export function evaluateFilter(ast: FilterAst, facts: TraceFacts): boolean {
  return evaluateIn(ast, {...facts, trace: facts})
}

/** Parses and evaluates in one call (throws `FilterExpressionError` for invalid input). */
export function matchesFilter(expression: string, facts: TraceFacts): boolean {
  return evaluateFilter(parseFilterExpression(expression), facts)
}
