/**
 * Reads a CSV into a DriftFrame with pandas `read_csv` typing, so a file gets the same column types
 * here as in Evidently: a column is numerical when every non-missing cell parses as a number, and
 * integer-typed only when it also has no missing cells (pandas turns such columns into float64).
 */
import type { DriftFrame, RawColumn } from './detect-drift.js'

/** pandas' default `na_values`. */
const MISSING = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
])
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const INFINITE = /^[+-]?inf(inity)?$/i
const INTEGER = /^[+-]?\d+$/

/** Splits CSV text into rows of cells (RFC 4180 quoting, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch !== '"') cell += ch
      else if (text[i + 1] === '"') cell += text[++i]
      else quoted = false
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += ch
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows.filter((r) => !(r.length === 1 && r[0] === ''))
}

/** True for the cells pandas reads as missing by default. */
export function isMissingCell(cell: string): boolean {
  return MISSING.has(cell)
}

/** The number a non-missing cell holds as pandas would read it, or undefined when it is text. */
export function parseNumericCell(cell: string): number | undefined {
  if (INFINITE.test(cell)) return cell.startsWith('-') ? -Infinity : Infinity
  return DECIMAL.test(cell) ? Number(cell) : undefined
}

function parseNumber(cell: string): number {
  if (INFINITE.test(cell)) return cell.startsWith('-') ? -Infinity : Infinity
  return DECIMAL.test(cell) ? Number(cell) : NaN
}

function typedColumn(cells: readonly string[]): RawColumn {
  const present = cells.filter((c) => !MISSING.has(c))
  if (present.every((c) => DECIMAL.test(c) || INFINITE.test(c))) {
    const values = Float64Array.from(cells, (c) => (MISSING.has(c) ? NaN : parseNumber(c)))
    const integer = present.length === cells.length && cells.length > 0 && present.every((c) => INTEGER.test(c))
    return { kind: 'numerical', values, integer }
  }
  return { kind: 'categorical', values: cells.map((c) => (MISSING.has(c) ? null : c)) }
}

/** CSV text with a header row → columns in header order. */
export function csvToDriftFrame(text: string): DriftFrame {
  const [header = [], ...rows] = parseCsv(text)
  const frame = new Map<string, RawColumn>()
  header.forEach((name, k) => frame.set(name, typedColumn(rows.map((r) => r[k] ?? ''))))
  return frame
}
