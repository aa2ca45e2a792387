import { AppError } from '../../shared/errors.js'

/**
 * The gate's condition language: numbers, `true`/`false`, dotted names (`challenger.f1`,
 * `steps.train.accuracy`), `+ - * /`, comparisons, `and`, `or`, `not` and parentheses. Parsed
 * into a tree and evaluated by walking it; nothing is ever handed to `eval`, so a pipeline file
 * cannot run code through a condition.
 */
export type GateValue = number | boolean

export type GateNode =
  | { readonly kind: 'literal'; readonly value: GateValue }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: '-' | 'not'; readonly operand: GateNode }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: GateNode; readonly right: GateNode }

type BinaryOp = '+' | '-' | '*' | '/' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or'

interface Token {
  readonly kind: 'number' | 'name' | 'op' | 'end'
  readonly text: string
  readonly at: number
}

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>', '+', '-', '*', '/', '(', ')']
const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!='])
const SEGMENT = /[A-Za-z_][A-Za-z0-9_]*/y
// A step name may hold hyphens (`deploy-canary`); only there, so `a-b` elsewhere stays a subtraction.
const STEP_SEGMENT = /[A-Za-z_][A-Za-z0-9_-]*/y
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y

function syntaxError(source: string, at: number, message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', `Condition '${source}': ${message} at column ${at + 1}.`)
}

function readName(source: string, start: number): string {
  let end = start
  let segment = 0
  for (;;) {
    const pattern = segment === 1 && source.slice(start, end - 1) === 'steps' ? STEP_SEGMENT : SEGMENT
    pattern.lastIndex = end
    const match = pattern.exec(source)
    if (!match) throw syntaxError(source, end, 'expected a name after the dot')
    end += match[0].length
    segment++
    if (source[end] !== '.') return source.slice(start, end)
    end++
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const ch = source[i]!
    if (/\s/.test(ch)) {
      i++
      continue
    }
    NUMBER.lastIndex = i
    const number = /[\d.]/.test(ch) ? NUMBER.exec(source) : null
    if (number) {
      tokens.push({ kind: 'number', text: number[0], at: i })
      i += number[0].length
      continue
    }
    if (/[A-Za-z_]/.test(ch)) {
      const name = readName(source, i)
      tokens.push({ kind: 'name', text: name, at: i })
      i += name.length
      continue
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i))
    if (!op) throw syntaxError(source, i, `unexpected '${ch}' (use numbers, names, + - * /, < <= > >= == !=, and, or, not, parentheses)`)
    tokens.push({ kind: 'op', text: op, at: i })
    i += op.length
  }
  tokens.push({ kind: 'end', text: '', at: source.length })
  return tokens
}

/** A recursive-descent parser, one method per precedence level, loosest first. */
class Parser {
  readonly #source: string
  readonly #tokens: Token[]
  #next = 0

  constructor(source: string) {
    this.#source = source
    this.#tokens = tokenize(source)
  }

  parse(): GateNode {
    const node = this.#or()
    const rest = this.#peek()
    if (rest.kind !== 'end') throw syntaxError(this.#source, rest.at, `unexpected '${rest.text}'`)
    return node
  }

  #peek(): Token {
    return this.#tokens[this.#next]!
  }

  #accept(...texts: string[]): string | undefined {
    const token = this.#peek()
    if ((token.kind === 'op' || token.kind === 'name') && texts.includes(token.text)) {
      this.#next++
      return token.text
    }
    return undefined
  }

  #or(): GateNode {
    let left = this.#and()
    while (this.#accept('or')) left = { kind: 'binary', op: 'or', left, right: this.#and() }
    return left
  }

  #and(): GateNode {
    let left = this.#not()
    while (this.#accept('and')) left = { kind: 'binary', op: 'and', left, right: this.#not() }
    return left
  }

  #not(): GateNode {
    return this.#accept('not') ? { kind: 'unary', op: 'not', operand: this.#not() } : this.#comparison()
  }

  #comparison(): GateNode {
    const left = this.#sum()
    const op = this.#accept(...COMPARISONS)
    if (!op) return left
    const node: GateNode = { kind: 'binary', op: op as BinaryOp, left, right: this.#sum() }
    const chained = this.#peek()
    if (chained.kind === 'op' && COMPARISONS.has(chained.text)) throw syntaxError(this.#source, chained.at, 'comparisons do not chain; join them with and')
    return node
  }

  #sum(): GateNode {
    let left = this.#product()
    for (let op = this.#accept('+', '-'); op; op = this.#accept('+', '-')) left = { kind: 'binary', op: op as BinaryOp, left, right: this.#product() }
    return left
  }

  #product(): GateNode {
    let left = this.#unary()
    for (let op = this.#accept('*', '/'); op; op = this.#accept('*', '/')) left = { kind: 'binary', op: op as BinaryOp, left, right: this.#unary() }
    return left
  }

  #unary(): GateNode {
    return this.#accept('-') ? { kind: 'unary', op: '-', operand: this.#unary() } : this.#primary()
  }

  #primary(): GateNode {
    const token = this.#peek()
    this.#next++
    if (token.kind === 'number') return { kind: 'literal', value: Number(token.text) }
    if (token.kind === 'name' && (token.text === 'true' || token.text === 'false')) return { kind: 'literal', value: token.text === 'true' }
    if (token.kind === 'name' && !['and', 'or', 'not'].includes(token.text)) return { kind: 'name', name: token.text }
    if (token.text === '(') {
      const inner = this.#or()
      if (!this.#accept(')')) throw syntaxError(this.#source, this.#peek().at, "missing ')'")
      return inner
    }
    throw syntaxError(this.#source, token.at, token.kind === 'end' ? 'the condition ends too early' : `unexpected '${token.text}'`)
  }
}

/** Parses a condition. @throws AppError INVALID_PARAMETER_VALUE naming the column of the mistake. */
export function parseCondition(source: string): GateNode {
  if (source.trim() === '') throw new AppError('INVALID_PARAMETER_VALUE', 'A gate condition is empty; write one such as `challenger.f1 >= champion.f1`.')
  return new Parser(source).parse()
}

/** Every name a condition reads, in order of first use. */
export function namesIn(node: GateNode, into: string[] = []): string[] {
  if (node.kind === 'name' && !into.includes(node.name)) into.push(node.name)
  if (node.kind === 'unary') namesIn(node.operand, into)
  if (node.kind === 'binary') {
    namesIn(node.left, into)
    namesIn(node.right, into)
  }
  return into
}

/** Evaluates a parsed condition; `lookup` gives each name's value (it throws for unknown names). */
export function evaluateCondition(node: GateNode, lookup: (name: string) => GateValue): GateValue {
  switch (node.kind) {
    case 'literal':
      return node.value
    case 'name':
      return lookup(node.name)
    case 'unary': {
      const v = evaluateCondition(node.operand, lookup)
      return node.op === 'not' ? !truthy(v) : -asNumber(v, '-')
    }
    case 'binary':
      return binary(node.op, evaluateCondition(node.left, lookup), () => evaluateCondition(node.right, lookup))
  }
}

function binary(op: BinaryOp, left: GateValue, right: () => GateValue): GateValue {
  if (op === 'and') return truthy(left) && truthy(right())
  if (op === 'or') return truthy(left) || truthy(right())
  const r = right()
  if (op === '==') return left === r
  if (op === '!=') return left !== r
  const a = asNumber(left, op)
  const b = asNumber(r, op)
  switch (op) {
    case '+': return a + b
    case '-': return a - b
    case '*': return a * b
    case '/': return a / b
    case '<': return a < b
    case '<=': return a <= b
    case '>': return a > b
    default: return a >= b
  }
}

function truthy(v: GateValue): boolean {
  return typeof v === 'boolean' ? v : v !== 0
}

function asNumber(v: GateValue, op: string): number {
  if (typeof v === 'number') return v
  throw new AppError('INVALID_PARAMETER_VALUE', `'${op}' needs numbers; got ${v}.`)
}
