/**
 * Evidently's data-drift method over whole tables: one test per column (default by type and size,
 * or forced), a drift flag per column, and dataset drift when the drifted share reaches 0.5.
 * The result has the shape of the SciPy reference script's JSON, plus per-column drop counts.
 */
import { invalidParameter } from '../../shared/errors.js'
import { LazyNumericalColumn, type DriftColumn } from './drift-column.js'
import { parseNumericCell } from './csv-frame.js'
import { pythonNumberString } from './value-counts.js'
import { defaultStatTest, STAT_TESTS, type StatTestName } from './stat-tests.js'

/** A column as loaded: numbers (NaN for empty cells) or strings (null for empty cells). */
export type RawColumn =
  | { readonly kind: 'numerical'; readonly values: Float64Array; readonly integer?: boolean }
  | { readonly kind: 'categorical'; readonly values: readonly (string | null)[] }

/** Columns by name, in the order they should be reported. */
export type DriftFrame = ReadonlyMap<string, RawColumn>

export interface DetectDriftOptions {
  /** Force one test for every column (Evidently's `method`). */
  readonly method?: StatTestName
  /** Override the test's default threshold. */
  readonly threshold?: number
  /** Share of drifted columns at which the dataset counts as drifted (Evidently default 0.5). */
  readonly driftShare?: number
}

export interface ColumnDrift {
  readonly column: string
  readonly type: 'numerical' | 'categorical'
  readonly test: StatTestName
  readonly score: number
  readonly threshold: number
  readonly drift: boolean
  /** Reference and current cells dropped as empty, NaN or ±Infinity. */
  readonly dropped_reference: number
  readonly dropped_current: number
}

export interface DriftReport {
  readonly columns: readonly ColumnDrift[]
  readonly drifted: number
  readonly share: number
  readonly dataset_drift: boolean
  /** Why a column was read differently than one might expect (text in a numeric column, no values left). */
  readonly notes?: readonly string[]
}

const DEFAULT_DRIFT_SHARE = 0.5

/** Finite values in input order (the input itself when nothing is dropped) and the dropped count. */
function finiteValues(values: Float64Array): [Float64Array, number] {
  const n = values.length
  let kept = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    // v − v is 0 for finite v and NaN for NaN and ±Infinity.
    if (v - v === 0) kept++
  }
  if (kept === n) return [values, 0]
  const out = new Float64Array(kept)
  let k = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    if (v - v === 0) out[k++] = v
  }
  return [out, n - kept]
}

/** Non-empty cells as strings; a numeric side is printed the way pandas `astype(str)` would. */
function presentStrings(column: RawColumn): [string[], number] {
  const out: string[] = []
  if (column.kind === 'categorical') {
    for (const v of column.values) if (v !== null) out.push(v)
  } else {
    for (const v of column.values) if (!Number.isNaN(v)) out.push(pythonNumberString(v, column.integer === true))
  }
  return [out, column.values.length - out.length]
}

/** Drops what Evidently drops and decides the column type: numerical only if both sides are. */
export function prepareColumn(ref: RawColumn, cur: RawColumn): [DriftColumn, number, number] {
  if (ref.kind === 'numerical' && cur.kind === 'numerical') {
    const [r, droppedRef] = finiteValues(ref.values)
    const [c, droppedCur] = finiteValues(cur.values)
    const integer = ref.integer === true && cur.integer === true
    return [new LazyNumericalColumn(r, c, integer), droppedRef, droppedCur]
  }
  const [r, droppedRef] = presentStrings(ref)
  const [c, droppedCur] = presentStrings(cur)
  return [{ type: 'categorical', ref: r, cur: c }, droppedRef, droppedCur]
}

function sideLength(column: DriftColumn, side: 'ref' | 'cur'): number {
  if (column.type === 'categorical') return column[side].length
  return (side === 'ref' ? column.refValues ?? column.ref : column.curValues ?? column.cur).length
}

/** One column's test, score and verdict: what `detectDrift` does per column (also run on worker threads). */
export function columnDrift(name: string, ref: RawColumn, cur: RawColumn, options: DetectDriftOptions): ColumnDrift {
  const [column, droppedRef, droppedCur] = prepareColumn(ref, cur)
  const empty = sideLength(column, 'ref') === 0 || sideLength(column, 'cur') === 0
  const test = options.method ?? (empty ? 'jensenshannon' : defaultStatTest(column))
  const spec = STAT_TESTS[test]
  const threshold = options.threshold ?? spec.defaultThreshold
  // Evidently raises on an empty side; a monitor should report the column rather than fail.
  const score = empty ? NaN : spec.score(column)
  const drift = !Number.isNaN(score) && spec.drifted(score, threshold)
  return {
    column: name,
    type: column.type,
    test,
    score,
    threshold,
    drift,
    dropped_reference: droppedRef,
    dropped_current: droppedCur,
  }
}

function firstText(column: RawColumn): string | undefined {
  if (column.kind !== 'categorical') return undefined
  return column.values.find((v): v is string => v !== null && parseNumericCell(v) === undefined)
}

/** Notes for a column whose sides disagree on type or that has nothing left to compare. */
function columnNotes(name: string, ref: RawColumn, cur: RawColumn, result: ColumnDrift): string[] {
  const notes: string[] = []
  if (ref.kind !== cur.kind) {
    const [textSide, column] = ref.kind === 'categorical' ? ['reference', ref] : ['current', cur]
    notes.push(`Column '${name}' is numeric on one side but the ${textSide} holds text (e.g. '${firstText(column)}'), so it was compared as categorical.`)
  }
  if (Number.isNaN(result.score)) {
    notes.push(`Column '${name}' has no usable values on one side after dropping empty, NaN and infinite cells; its score is not a number and it does not count as drifted.`)
  }
  return notes
}

/** Checks that both tables can be compared at all: some columns, some rows, every reference column present. */
export function validateFrames(reference: DriftFrame, current: DriftFrame): void {
  if (reference.size === 0) throw invalidParameter('The reference data has no columns; give it a header row.')
  const rows = (frame: DriftFrame): number => frame.values().next().value?.values.length ?? 0
  if (rows(reference) === 0) throw invalidParameter('The reference data has a header but no rows; a reference needs data to compare against.')
  if (rows(current) === 0) throw invalidParameter('The current data has a header but no rows; there is nothing to compare.')
  const missing = [...reference.keys()].filter((name) => !current.has(name))
  if (missing.length > 0) {
    const list = missing.slice(0, 5).map((m) => `'${m}'`).join(', ')
    throw invalidParameter(`Column${missing.length > 1 ? 's' : ''} ${list}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} of the reference ${missing.length > 1 ? 'are' : 'is'} missing from the current data; the current data needs every reference column.`)
  }
}

/** Runs the drift tests on every reference column; each must also exist in `current`. */
export function detectDrift(reference: DriftFrame, current: DriftFrame, options: DetectDriftOptions = {}): DriftReport {
  validateFrames(reference, current)
  return assembleReport(reference, current, [...reference].map(([name, ref]) => columnDrift(name, ref, current.get(name)!, options)), options)
}

/** The report of frames already checked by `validateFrames`, from each column's result in frame order. */
export function assembleReport(reference: DriftFrame, current: DriftFrame, columns: ColumnDrift[], options: DetectDriftOptions): DriftReport {
  const notes = columns.flatMap((result) => columnNotes(result.column, reference.get(result.column)!, current.get(result.column)!, result))
  const drifted = columns.filter((c) => c.drift).length
  const share = drifted / columns.length
  const report = { columns, drifted, share, dataset_drift: share >= (options.driftShare ?? DEFAULT_DRIFT_SHARE) }
  return notes.length > 0 ? { ...report, notes } : report
}
