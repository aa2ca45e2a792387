import { parseDuration } from '../../monitoring/monitors/schedule.js'
import { AppError } from '../../shared/errors.js'

/** Which `with:` keys a built-in step takes. */
export interface ArgNames {
  readonly required: readonly string[]
  readonly optional: readonly string[]
}

/**
 * `validate` sees the file before expressions are resolved, so a `${{ … }}` value is only known
 * to be there; `run` sees resolved values and checks every type.
 */
export type ArgMode = 'validate' | 'run'

const EXPRESSION = /\$\{\{/

/** ` (did you mean 'x'?)` for a close known word, else ''. */
export function didYouMean(word: string, known: readonly string[]): string {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * Reads a step's `with:` arguments, collecting every problem rather than stopping at the first,
 * so one run of `validate` tells the author everything to fix.
 */
export class ArgReader {
  readonly problems: string[] = []
  readonly #args: Readonly<Record<string, unknown>>
  readonly #step: string
  readonly #mode: ArgMode

  constructor(step: string, args: Readonly<Record<string, unknown>>, names: ArgNames, mode: ArgMode) {
    this.#step = step
    this.#args = args
    this.#mode = mode
    const known = [...names.required, ...names.optional]
    for (const key of names.required) {
      if (args[key] === undefined || args[key] === null || args[key] === '') this.problems.push(`${step}: missing required argument '${key}'.`)
    }
    for (const key of Object.keys(args)) {
      if (!known.includes(key)) this.problems.push(`${step}: unknown argument '${key}'${didYouMean(key, known)}; it takes ${known.join(', ')}.`)
    }
  }

  has(key: string): boolean {
    return this.#args[key] !== undefined && this.#args[key] !== null && this.#args[key] !== ''
  }

  /** True when the value is a still-unresolved expression (validate mode only). */
  deferred(key: string): boolean {
    const value = this.#args[key]
    return this.#mode === 'validate' && typeof value === 'string' && EXPRESSION.test(value)
  }

  string(key: string): string | undefined {
    const value = this.#args[key]
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    return this.#fail(key, `must be a string; got ${describe(value)}`)
  }

  number(key: string, bounds: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const value = this.#args[key]
    if (value === undefined || value === null || value === '' || this.deferred(key)) return undefined
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
    const range = `${bounds.min ?? '-∞'} to ${bounds.max ?? '∞'}`
    if (!Number.isFinite(n) || (bounds.integer && !Number.isInteger(n))) return this.#fail(key, `must be ${bounds.integer ? 'a whole number' : 'a number'} from ${range}; got ${describe(value)}`)
    if ((bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) return this.#fail(key, `must be from ${range}; got ${n}`)
    return n
  }

  /** `10m`, `30s`, `1h` (or milliseconds as a number) in milliseconds. */
  duration(key: string): number | undefined {
    const value = this.#args[key]
    if (value === undefined || value === null || value === '' || this.deferred(key)) return undefined
    const ms = typeof value === 'number' ? value : parseDuration(String(value))
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) return this.#fail(key, `must be a duration such as 30s, 10m or 1h; got ${describe(value)}`)
    return ms
  }

  /** A YAML list of strings, or one string (comma-separated items allowed). */
  strings(key: string): string[] | undefined {
    const value = this.#args[key]
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
    if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.map(String)
    return this.#fail(key, `must be a list of strings; got ${describe(value)}`)
  }

  /** A YAML list of numbers (or a comma-separated string of them). */
  numbers(key: string): number[] | undefined {
    const items = this.deferred(key) ? undefined : this.strings(key)
    if (items === undefined) return undefined
    const numbers = items.map(Number)
    if (numbers.some((n) => !Number.isFinite(n))) return this.#fail(key, `must be a list of numbers; got ${describe(this.#args[key])}`)
    return numbers
  }

  /** A map of strings (tags). */
  record(key: string): Record<string, string> | undefined {
    const value = this.#args[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'object' || Array.isArray(value)) return this.#fail(key, `must be a map of key: value; got ${describe(value)}`)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
  }

  /** Adds a problem about one argument. */
  fail(key: string, message: string): undefined {
    return this.#fail(key, message)
  }

  /** In run mode, throws INVALID_PARAMETER_VALUE listing every problem found. */
  finish(): void {
    if (this.problems.length > 0) throw new AppError('INVALID_PARAMETER_VALUE', this.problems.join(' '), { details: { problems: this.problems } })
  }

  #fail(key: string, message: string): undefined {
    this.problems.push(`${this.#step}: '${key}' ${message}.`)
    return undefined
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object' && value !== null) return 'a map'
  return String(value)
}
