/**
 * Streaming CSV reader for drift: bytes go straight into Float64Array columns, with no string per
 * cell or array per row, so a million-row file costs its numbers and not ten times that. Typing
 * follows pandas `read_csv` as csv-frame.ts describes; a column that meets a cell which is neither
 * a number nor missing is read again as strings in a second pass over the file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { invalidParameter } from '../../shared/errors.js'
import type { DriftFrame, RawColumn } from './detect-drift.js'
import { isMissingCell, parseNumericCell } from './csv-frame.js'

const CHUNK_BYTES = 1 << 22
const COMMA = 44
const LF = 10
const CR = 13
const QUOTE = 34
const MINUS = 45
const PLUS = 43
const DOT = 46
const ZERO = 48
const NINE = 57
const LOWER_E = 101
const UPPER_E = 69

/** Powers of ten that are exact doubles: a ≤15-digit mantissa scaled by one is correctly rounded. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k)

export interface ReadCsvOptions {
  /** Called after every chunk with the bytes read so far (a second pass starts again at 0). */
  readonly progress?: (bytesRead: number) => void
  /** Read size; small values exercise lines split across reads in tests. */
  readonly chunkBytes?: number
}

/** Shared memory, so drift worker threads read the columns where they are, without a copy. */
const sharedFloat64 = (length: number): Float64Array => new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT))

class NumberColumn {
  values: Float64Array
  length = 0
  integer = true
  constructor(capacity: number) {
    this.values = sharedFloat64(Math.max(capacity, 1024))
  }
  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = sharedFloat64(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.length++] = v
  }
}

interface Pass {
  readonly header: string[]
  readonly numbers: (NumberColumn | null)[]
  readonly strings: ((string | null)[] | null)[]
  /** Columns that met a non-numeric cell in this pass and must be re-read as strings. */
  readonly flipped: Set<number>
}

// Results of scanNumber, kept in module state so the hot loop allocates nothing.
let scanEnd = 0
let scanInteger = false

/**
 * Fast path for a plain decimal cell: [+-]digits[.digits][e[+-]digits] with at most 15
 * significant digits and a small exponent, read from `i` up to the first byte that cannot
 * continue it (`scanEnd`). Returns undefined when the prefix is not such a number; the caller
 * checks that the cell ends at scanEnd and otherwise hands the cell to the general parser.
 */
function scanNumber(buf: Uint8Array, i: number, end: number): number | undefined {
  let negative = false
  if (buf[i] === MINUS || buf[i] === PLUS) negative = buf[i++] === MINUS
  let mantissa = 0
  let digits = 0
  let scale = 0
  let sawDigit = false
  let integer = true
  let b = 0
  while (i < end && (b = buf[i]!) >= ZERO && b <= NINE) {
    if (digits > 0 || b !== ZERO) digits++
    mantissa = mantissa * 10 + (b - ZERO)
    sawDigit = true
    i++
  }
  if (i < end && buf[i] === DOT) {
    integer = false
    i++
    while (i < end && (b = buf[i]!) >= ZERO && b <= NINE) {
      if (digits > 0 || b !== ZERO) digits++
      mantissa = mantissa * 10 + (b - ZERO)
      scale--
      sawDigit = true
      i++
    }
  }
  scanEnd = i
  if (!sawDigit || digits > 15) return undefined
  if (i < end && (buf[i] === LOWER_E || buf[i] === UPPER_E)) {
    integer = false
    i++
    let expNegative = false
    if (buf[i] === MINUS || buf[i] === PLUS) expNegative = buf[i++] === MINUS
    let exponent = 0
    const expStart = i
    while (i < end && (b = buf[i]!) >= ZERO && b <= NINE && exponent < 1000) {
      exponent = exponent * 10 + (b - ZERO)
      i++
    }
    scanEnd = i
    if (i === expStart) return undefined
    scale += expNegative ? -exponent : exponent
  }
  if (scale < -22 || scale > 22) return undefined
  scanInteger = integer
  const magnitude = scale < 0 ? mantissa / EXACT_POWERS[-scale]! : mantissa * EXACT_POWERS[scale]!
  return negative ? -magnitude : magnitude
}

function fastNumber(buf: Uint8Array, start: number, end: number): number | undefined {
  const value = scanNumber(buf, start, end)
  return scanEnd === end ? value : undefined
}

function isIntegerCell(buf: Uint8Array, start: number, end: number): boolean {
  let i = start
  if (buf[i] === MINUS || buf[i] === PLUS) i++
  if (i === end) return false
  for (; i < end; i++) if (buf[i]! < ZERO || buf[i]! > NINE) return false
  return true
}

function splitHeader(line: string): string[] {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch !== '"') cell += ch
      else if (line[i + 1] === '"') cell += line[++i]
      else quoted = false
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      cells.push(cell)
      cell = ''
    } else cell += ch
  }
  cells.push(cell)
  return cells
}

/**
 * Rows in the file, from the line length of the first chunk, with a little headroom: columns
 * sized right at once are never grown, so no outgrown copy waits for the collector (shared
 * buffers can wait long) and peak memory stays at one copy of the data.
 */
function estimateRows(buf: Uint8Array, from: number, filled: number, fileBytes: number): number {
  let lines = 0
  for (let i = buf.indexOf(LF, from); i >= 0 && i < filled; i = buf.indexOf(LF, i + 1)) lines++
  if (lines === 0) return 1024
  return Math.ceil((fileBytes / ((filled - from) / lines)) * 1.02) + 1024
}

/** One pass over the file; `asStrings` columns keep their cells as text. */
function readPass(path: string, role: string, asStrings: ReadonlySet<number>, options: ReadCsvOptions): Pass {
  const progress = options.progress
  const fd = openSync(path, 'r')
  try {
    let buf = new Uint8Array(options.chunkBytes ?? CHUNK_BYTES)
    let filled = 0
    let eof = false
    let bytesRead = 0
    // Bytes before this index hold no quote, so lines there can take the fast path.
    let quoteFreeUntil = -1
    const refill = (keepFrom: number): void => {
      // Keep the unfinished line, grow if one line is longer than the buffer.
      const rest = filled - keepFrom
      if (rest === buf.length) {
        const grown = new Uint8Array(buf.length * 2)
        grown.set(buf)
        buf = grown
      } else buf.copyWithin(0, keepFrom, filled)
      filled = rest
      quoteFreeUntil = -1
      const n = readSync(fd, buf, filled, buf.length - filled, null)
      if (n === 0) eof = true
      filled += n
      bytesRead += n
      progress?.(bytesRead)
    }
    refill(0)
    // Header: the first non-empty line.
    let pos = 0
    let headerLine: string | undefined
    while (headerLine === undefined) {
      const nl = buf.indexOf(LF, pos)
      if (nl < 0 || nl >= filled) {
        if (eof) {
          if (filled > pos) headerLine = Buffer.from(buf.buffer, pos, filled - pos).toString('utf8')
          else throw invalidParameter(`The ${role} CSV '${path}' is empty: it needs a header row and at least one data row.`)
          pos = filled
          break
        }
        refill(pos)
        pos = 0
        continue
      }
      const end = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl
      if (end > pos) headerLine = Buffer.from(buf.buffer, pos, end - pos).toString('utf8')
      pos = nl + 1
    }
    const header = splitHeader(headerLine.replace(/^\uFEFF/, ''))
    const width = header.length
    const estimate = estimateRows(buf, pos, filled, fstatSync(fd).size)
    const numbers = header.map((_, k) => (asStrings.has(k) ? null : new NumberColumn(estimate)))
    const strings = header.map((_, k) => (asStrings.has(k) ? ([] as (string | null)[]) : null))
    const flipped = new Set<number>()
    let line = 1
    const pushCell = (k: number, start: number, end: number, quoted: boolean): void => {
      const text = strings[k]
      if (text) {
        const cell = Buffer.from(buf.buffer, start, end - start).toString('utf8')
        text.push(isMissingCell(cell) ? null : quoted ? cell.replaceAll('""', '"') : cell)
        return
      }
      const column = numbers[k]!
      const fast = quoted ? undefined : fastNumber(buf, start, end)
      if (fast !== undefined) {
        if (column.integer && !isIntegerCell(buf, start, end)) column.integer = false
        column.push(fast)
        return
      }
      const cell = Buffer.from(buf.buffer, start, end - start).toString('utf8').replaceAll('""', '"')
      column.integer = false
      if (isMissingCell(cell)) return column.push(NaN)
      const value = parseNumericCell(cell)
      if (value === undefined) flipped.add(k)
      column.push(value ?? NaN)
    }
    /** A line without quotes and with only number columns: one scan, no strings. */
    const scratch = new Float64Array(width)
    const scratchInteger = new Uint8Array(width)
    const allNumeric = numbers.every((c) => c !== null)
    const fastLine = (start: number, end: number): boolean => {
      if (!allNumeric) return false
      let k = 0
      let j = start
      for (;;) {
        if (k >= width) return false
        const value = scanNumber(buf, j, end)
        if (value === undefined || (scanEnd !== end && buf[scanEnd] !== COMMA)) return false
        scratch[k] = value
        scratchInteger[k++] = scanInteger ? 1 : 0
        j = scanEnd + 1
        if (scanEnd === end) break
      }
      if (k !== width) return false
      for (let c = 0; c < width; c++) {
        const column = numbers[c]!
        if (scratchInteger[c] === 0) column.integer = false
        column.push(scratch[c]!)
      }
      return true
    }
    for (;;) {
      if (quoteFreeUntil < pos) {
        const q = buf.indexOf(QUOTE, pos)
        quoteFreeUntil = q < 0 || q >= filled ? filled : q
      }
      const fastNl = buf.indexOf(LF, pos)
      if (fastNl >= 0 && fastNl < quoteFreeUntil) {
        const e = fastNl > pos && buf[fastNl - 1] === CR ? fastNl - 1 : fastNl
        if (e === pos) {
          pos = fastNl + 1
          continue
        }
        if (fastLine(pos, e)) {
          line++
          pos = fastNl + 1
          continue
        }
      }
      // Find a complete line [pos, nl) honouring quotes; refill when the buffer runs out.
      let i = pos
      let quoted = false
      let nl = -1
      while (i < filled) {
        const b = buf[i]!
        if (b === QUOTE) quoted = !quoted
        else if (b === LF && !quoted) {
          nl = i
          break
        }
        i++
      }
      if (nl < 0 && !eof) {
        refill(pos)
        pos = 0
        continue
      }
      const lineEnd = nl < 0 ? filled : nl
      let end = lineEnd > pos && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd
      if (end > pos) {
        line++
        let k = 0
        let start = pos
        let cellQuoted = false
        for (let j = pos; j <= end; j++) {
          const b = j < end ? buf[j]! : COMMA
          if (b === QUOTE) {
            cellQuoted = true
            quoted = !quoted
          } else if (b === COMMA && !quoted) {
            if (k >= width) {
              throw invalidParameter(`Line ${line} of the ${role} CSV '${path}' has more cells than its ${width}-column header; fix that row.`)
            }
            const s = cellQuoted && buf[start] === QUOTE ? start + 1 : start
            const e = cellQuoted && buf[j - 1] === QUOTE && j - 1 > start ? j - 1 : j
            pushCell(k++, s, e, cellQuoted)
            start = j + 1
            cellQuoted = false
          }
        }
        // pandas fills short rows with missing values.
        for (; k < width; k++) pushCell(k, start, start, false)
      } else end = lineEnd
      if (nl < 0) break
      pos = nl + 1
    }
    return { header, numbers, strings, flipped }
  } finally {
    closeSync(fd)
  }
}

function toRawColumn(pass: Pass, k: number): RawColumn {
  const text = pass.strings[k]
  if (text) return { kind: 'categorical', values: text }
  const column = pass.numbers[k]!
  const values = column.values.subarray(0, column.length)
  let missing = false
  for (let i = 0; i < values.length && !missing; i++) missing = Number.isNaN(values[i]!)
  return { kind: 'numerical', values, integer: column.integer && !missing && values.length > 0 }
}

/**
 * Reads a CSV file with a header row into columns typed as pandas would type them. Throws a 400
 * (invalid_parameter) for an empty file, a row with more cells than the header, or duplicate
 * column names.
 */
export function readCsvColumns(path: string, role = 'input', options: ReadCsvOptions = {}): DriftFrame {
  let pass = readPass(path, role, new Set(), options)
  if (pass.flipped.size > 0) pass = readPass(path, role, pass.flipped, options)
  const frame = new Map<string, RawColumn>()
  pass.header.forEach((name, k) => {
    if (frame.has(name)) throw invalidParameter(`The ${role} CSV '${path}' names column '${name}' twice; rename one.`)
    frame.set(name, toRawColumn(pass, k))
  })
  return frame
}
