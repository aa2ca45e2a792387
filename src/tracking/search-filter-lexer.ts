import { AppError } from '../shared/errors.js'

const SPACE = /\s*/y
const BARE_WORD = /[\p{L}\p{N}_]+/uy
// A number must not run into a word or another dot, so `1acc` and `1.2.3` are not numbers.
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\p{L}\p{N}_.])/uy
const OPERATOR = /[<>=!]+/y
const CHUNK = /\S+/y

/** One dotted-identifier part: `metrics`, `` `my metric` `` or `"my metric"`. */
export interface NamePart {
  value: string
  quoted: boolean
}

/**
 * A cursor over one filter or order_by string. There is no separate token stream: the parser
 * asks for the kind of token it expects next, because the same text means different things on
 * either side of a comparator (`"a b"` is a key on the left and a string value on the right, and
 * `1.5` is a key part in `tags.v1.5` but a number after `>`).
 */
export class Scanner {
  #pos = 0
  #clauseStart: number | undefined

  /** `label` names the input in error messages: `filter` or `order_by`. */
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}

  /** Marks the start of a clause, so errors quote that clause instead of the whole input. */
  beginClause(): void {
    this.skipSpace()
    this.#clauseStart = this.#pos
  }

  endClause(): void {
    this.#clauseStart = undefined
  }

  /** The text consumed since `from`, trimmed; used to quote what the user wrote. */
  since(from: number): string {
    return this.text.slice(from, this.#pos).trim()
  }

  /** Skips whitespace and returns the position of the next token. */
  mark(): number {
    this.skipSpace()
    return this.#pos
  }

  /**
   * Throws INVALID_PARAMETER_VALUE quoting the current clause as read so far or, between clauses
   * or before anything of the clause was read, the whole input.
   */
  fail(problem: string): never {
    const clause = this.#clauseStart === undefined ? '' : this.since(this.#clauseStart)
    const where = clause ? `clause '${clause}' in ${this.label}` : `${this.label} '${this.text}'`
    return this.reject(`Invalid ${where}: ${problem}`)
  }

  /** Throws INVALID_PARAMETER_VALUE with `message` as it is. */
  reject(message: string): never {
    throw new AppError('INVALID_PARAMETER_VALUE', message)
  }

  atEnd(): boolean {
    return this.mark() >= this.text.length
  }

  /** The character right at the cursor, whitespace included, or '' at the end. */
  rawNext(): string {
    return this.text[this.#pos] ?? ''
  }

  /** The next character after whitespace, or '' at the end. */
  peek(): string {
    return this.text[this.mark()] ?? ''
  }

  /** The next whitespace-delimited chunk, unconsumed, for "got ..." in messages. */
  upcoming(): string {
    CHUNK.lastIndex = this.mark()
    return CHUNK.exec(this.text)?.[0] ?? ''
  }

  /** `got 'x'` for the upcoming chunk, or `reached the end`, to finish an error message. */
  got(): string {
    const next = this.upcoming()
    return next ? `got '${next}'` : 'reached the end'
  }

  /** Consumes `literal` if it comes next; `skipSpace: false` keeps `metrics . acc` apart. */
  take(literal: string, skipSpace = true): boolean {
    if (skipSpace) this.skipSpace()
    if (!this.text.startsWith(literal, this.#pos)) return false
    this.#pos += literal.length
    return true
  }

  word(): string | undefined {
    return this.#match(BARE_WORD)
  }

  number(): string | undefined {
    return this.#match(NUMBER)
  }

  operator(): string | undefined {
    return this.#match(OPERATOR)
  }

  /** An identifier part at the cursor (no leading whitespace allowed after a dot). */
  name(skipSpace: boolean): NamePart | undefined {
    if (skipSpace) this.skipSpace()
    const quote = this.text[this.#pos]
    if (quote === '"' || quote === '`') return { value: this.quoted(), quoted: true }
    const value = this.#match(BARE_WORD, false)
    return value === undefined ? undefined : { value, quoted: false }
  }

  /**
   * Reads the quoted string at the cursor and returns its content. Accepts the escapes MLflow's
   * sqlparse tokenizer accepts: a doubled quote and a backslash-escaped quote stand for the
   * quote, `\\` for one backslash; any other backslash is kept, so Windows paths survive.
   */
  quoted(): string {
    const start = this.mark()
    const quote = this.text[start] ?? ''
    let value = ''
    let i = start + 1
    while (i < this.text.length) {
      const char = this.text[i] as string
      const next = this.text[i + 1]
      if (char === '\\' && (next === quote || next === '\\')) {
        value += next
        i += 2
      } else if (char === quote && next === quote) {
        value += quote
        i += 2
      } else if (char === quote) {
        this.#pos = i + 1
        return value
      } else {
        value += char
        i += 1
      }
    }
    this.#pos = this.text.length
    return this.fail(
      `unterminated string starting at character ${start + 1}; close it with a matching ${quote}`,
    )
  }

  skipSpace(): void {
    this.#match(SPACE, false)
  }

  #match(pattern: RegExp, skipSpace = true): string | undefined {
    if (skipSpace) this.skipSpace()
    pattern.lastIndex = this.#pos
    const match = pattern.exec(this.text)
    if (!match) return undefined
    this.#pos += match[0].length
    return match[0]
  }
}
