import { AppError } from '../../shared/errors.js'
import { fromHalfBits, toHalfBits } from '../half-float.js'
import { allocateTensorData, DATATYPE_INFO, formatShape } from '../tensor-types.js'
import type { Datatype, Tensor, TensorData } from '../tensor-types.js'

/**
 * JSON ↔ tensor element conversion shared by the V2, V1 and MLflow codecs. Every failure is an
 * INVALID_PARAMETER_VALUE naming the tensor, the element and what would be accepted.
 *
 * Leniency on input (the V2 spec lets the server "coerce each element to the required type"):
 * numbers may arrive as numeric strings (CSV, and INT64/UINT64 beyond 2^53 which JSON numbers
 * cannot carry exactly); floats accept "NaN", "Infinity", "-Infinity" (any case, "inf" too) and
 * null as NaN, which is what JavaScript's JSON.stringify makes of NaN; BOOL accepts 0 and 1.
 */

export interface CoerceOptions {
  /** Turn numbers and booleans into strings for BYTES (tabular payloads); else they are refused. */
  stringifyBytes?: boolean
}

/** Unsafe 64-bit integers as decimal strings (exact) or as JSON numbers (rounded to a double). */
export type Int64Encoding = 'string' | 'number'

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/
const INTEGER = /^\s*[+-]?\d+\s*$/
const NON_FINITE: Readonly<Record<string, number>> = {
  nan: NaN, '+nan': NaN, '-nan': NaN,
  inf: Infinity, '+inf': Infinity, infinity: Infinity, '+infinity': Infinity,
  '-inf': -Infinity, '-infinity': -Infinity,
}

export function invalid(message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', message)
}

/**
 * Flattens row-major data, flat or nested, checking it has exactly `expected` elements. Stops
 * counting once past `expected`, so an oversized payload costs no more than the right one.
 */
export function flattenData(data: unknown, expected: number, what: string, shape: readonly number[]): unknown[] {
  if (!Array.isArray(data)) throw invalid(`${what}: "data" must be an array (flat or nested row-major), got ${typeName(data)}`)
  if (data.length === expected && !data.some(Array.isArray)) return data
  const out: unknown[] = []
  const walk = (value: unknown[], depth: number): void => {
    if (depth > MAX_NESTING) throw nestingError(what)
    for (const v of value) {
      if (Array.isArray(v)) walk(v, depth + 1)
      else if (out.push(v) > expected) throw countError(what, `more than ${expected}`, expected, shape)
    }
  }
  walk(data, 1)
  if (out.length !== expected) throw countError(what, String(out.length), expected, shape)
  return out
}

/**
 * Deeper than any tensor's rank (numpy caps it at 64). The walks over nested data recurse, and
 * a body within the serving limit can nest millions deep (JSON.parse copes): without this cap
 * such a body overflowed the stack and answered 500 instead of 400.
 */
const MAX_NESTING = 64

function nestingError(what: string): AppError {
  return invalid(`${what}: the values nest more than ${MAX_NESTING} arrays deep, more than any tensor has dimensions`)
}

// The shape is formatted only here: building the message up front cost every request.
function countError(what: string, got: string, expected: number, shape: readonly number[]): AppError {
  return invalid(`${what}: "data" has ${got} elements but shape ${formatShape(shape)} needs ${expected}; send exactly one value per element`)
}

/** The shape of rectangular nested arrays (`[[1,2],[3,4]]` → `[2, 2]`), for V1 and MLflow rows. */
export function nestedShape(data: unknown, what: string): number[] {
  const shape: number[] = []
  for (let v = data; Array.isArray(v); v = v[0]) if (shape.push(v.length) > MAX_NESTING) throw nestingError(what)
  const check = (value: unknown, depth: number): void => {
    const isArray = Array.isArray(value)
    if (depth === shape.length) {
      if (isArray) throw invalid(`${what}: rows are nested unevenly; every row must have the same shape`)
      return
    }
    if (!isArray || value.length !== shape[depth]) throw invalid(`${what}: rows are not rectangular; expected ${shape[depth]} values at depth ${depth + 1}`)
    for (const item of value) check(item, depth + 1)
  }
  check(data, 0)
  return shape
}

/** Converts flat JSON values to the datatype's representation, validating every element. */
export function coerceElements<D extends Datatype>(datatype: D, values: readonly unknown[], what: string, options: CoerceOptions = {}): Tensor<D>['data'] {
  const out = allocateTensorData(datatype, values.length)
  if (datatype === 'BYTES') {
    const strings = out as string[]
    for (let i = 0; i < values.length; i++) strings[i] = toBytesElement(values[i], i, what, options)
  } else if (datatype === 'BOOL') {
    const bools = out as Uint8Array
    for (let i = 0; i < values.length; i++) bools[i] = toBool(values[i], i, what)
  } else if (datatype === 'FP16') {
    const halves = out as Uint16Array
    for (let i = 0; i < values.length; i++) halves[i] = toHalfBits(toFloat(values[i], i, what, datatype))
  } else if (datatype === 'FP32' || datatype === 'FP64') {
    const floats = out as Float32Array | Float64Array
    for (let i = 0; i < values.length; i++) floats[i] = toFloat(values[i], i, what, datatype)
  } else if (datatype === 'INT64' || datatype === 'UINT64') {
    const big = out as BigInt64Array | BigUint64Array
    for (let i = 0; i < values.length; i++) big[i] = toBigInteger(values[i], i, what, datatype)
  } else {
    const ints = out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>
    const { min, max } = DATATYPE_INFO[datatype]
    const lo = Number(min)
    const hi = Number(max)
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      // The common case, a JSON integer in range, takes no string or bigint work.
      if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) ints[i] = v
      else ints[i] = Number(toBigInteger(v, i, what, datatype))
    }
  }
  return out as Tensor<D>['data']
}

function toFloat(v: unknown, i: number, what: string, datatype: Datatype): number {
  if (typeof v === 'number') return v
  if (v === null) return NaN
  if (typeof v === 'string') {
    const special = NON_FINITE[v.trim().toLowerCase()]
    if (special !== undefined) return special
    if (NUMERIC.test(v)) return Number(v)
  }
  throw invalid(`${what}: element ${i} is ${show(v)}; ${datatype} needs a number (or "NaN", "Infinity", "-Infinity")`)
}

function toBigInteger(v: unknown, i: number, what: string, datatype: Datatype): bigint {
  const { min, max } = DATATYPE_INFO[datatype]
  let value: bigint | undefined
  if (typeof v === 'number' && Number.isInteger(v)) value = BigInt(v)
  else if (typeof v === 'string' && INTEGER.test(v)) value = BigInt(v.trim())
  if (value === undefined) throw invalid(`${what}: element ${i} is ${show(v)}; ${datatype} needs integers${integerHint(v)}`)
  if (value < min! || value > max!) throw invalid(`${what}: element ${i} is ${show(v)}, outside ${datatype}'s range ${min} to ${max}`)
  return value
}

function integerHint(v: unknown): string {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? NON_FINITE[v.trim().toLowerCase()] ?? (NUMERIC.test(v) ? Number(v) : undefined) : v === null ? NaN : undefined
  if (n === undefined) return ''
  return Number.isFinite(n) ? ' (this one has a fractional part)' : ' (NaN and infinities have no integer value)'
}

function toBool(v: unknown, i: number, what: string): number {
  if (v === true || v === 1) return 1
  if (v === false || v === 0) return 0
  throw invalid(`${what}: element ${i} is ${show(v)}; BOOL needs true or false`)
}

function toBytesElement(v: unknown, i: number, what: string, options: CoerceOptions): string {
  if (typeof v === 'string') return v
  if (options.stringifyBytes && (typeof v === 'number' || typeof v === 'boolean')) return String(v)
  throw invalid(`${what}: element ${i} is ${show(v)}; BYTES needs strings`)
}

/**
 * A tensor's elements as flat JSON values: BOOL as true/false, FP16 as numbers, non-finite
 * floats as "NaN"/"Infinity"/"-Infinity" (JSON has no literal for them; these strings are what
 * the decoder above, Python's float() and JavaScript's Number() all read back), and INT64/UINT64
 * beyond ±(2^53 - 1) per `int64`.
 */
export function toJsonElements(tensor: Tensor, int64: Int64Encoding = 'string'): unknown[] {
  const { datatype, data } = tensor
  switch (datatype) {
    case 'BYTES':
      return data as string[]
    case 'BOOL':
      return Array.from(data as Uint8Array, (v) => v !== 0)
    case 'FP16':
      return Array.from(data as Uint16Array, (bits) => jsonFloat(fromHalfBits(bits)))
    case 'FP32':
    case 'FP64': {
      const floats = data as Float32Array | Float64Array
      const out = Array.from(floats) as unknown[]
      for (let i = 0; i < out.length; i++) if (!Number.isFinite(floats[i]!)) out[i] = jsonFloat(floats[i]!)
      return out
    }
    case 'INT64':
    case 'UINT64':
      return Array.from(data as BigInt64Array, (v) => (int64 === 'number' || (v <= MAX_SAFE && v >= MIN_SAFE) ? Number(v) : String(v)))
    default:
      return Array.from(data as Int32Array)
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = -MAX_SAFE

function jsonFloat(v: number): number | string {
  if (Number.isFinite(v)) return v
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'
}

/** Flat row-major values → nested arrays of `shape` (a scalar stays a value). */
export function nest(flat: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0]
  let offset = 0
  const build = (depth: number): unknown[] => {
    const size = shape[depth]!
    if (depth === shape.length - 1) {
      offset += size
      return flat.slice(offset - size, offset)
    }
    return Array.from({ length: size }, () => build(depth + 1))
  }
  return build(0)
}

export function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v
}

/** An element as error messages quote it: long strings cut, containers named rather than dumped. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' && v !== null ? 'an object' : String(v)
}
