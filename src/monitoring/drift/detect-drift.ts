/**
 * Evidently's data-drift method over whole tables: one test per column (default by type and size,
 * or forced), a drift flag per column, and dataset drift when the drifted share reaches 0.5.
 * The result has the shape of the SciPy reference script's JSON, plus per-column drop counts.
 */
import { invalidParameter } from '../../shared/errors.js'
import type { DriftColumn } from './drift-column.js'
import { sortFloat64 } from './sort-float64.js'
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
}

const DEFAULT_DRIFT_SHARE = 0.5

/** Finite values, sorted once for every test that needs order. */
function finiteSorted(values: Float64Array): [Float64Array, number] {
  let kept = 0
  for (const v of values) if (Number.isFinite(v)) kept++
  const out = new Float64Array(kept)
  let k = 0
  for (const v of values) if (Number.isFinite(v)) out[k++] = v
  return [sortFloat64(out), values.length - kept]
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
    const [r, droppedRef] = finiteSorted(ref.values)
    const [c, droppedCur] = finiteSorted(cur.values)
    const integer = ref.integer === true && cur.integer === true
    return [{ type: 'numerical', ref: r, cur: c, integer }, droppedRef, droppedCur]
  }
  const [r, droppedRef] = presentStrings(ref)
  const [c, droppedCur] = presentStrings(cur)
  return [{ type: 'categorical', ref: r, cur: c }, droppedRef, droppedCur]
}

function columnDrift(name: string, ref: RawColumn, cur: RawColumn, options: DetectDriftOptions): ColumnDrift {
  const [column, droppedRef, droppedCur] = prepareColumn(ref, cur)
  const empty = column.ref.length === 0 || column.cur.length === 0
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

/** Runs the drift tests on every reference column; each must also exist in `current`. */
export function detectDrift(reference: DriftFrame, current: DriftFrame, options: DetectDriftOptions = {}): DriftReport {
  const columns: ColumnDrift[] = []
  for (const [name, ref] of reference) {
    const cur = current.get(name)
    if (cur === undefined) throw invalidParameter(`Column '${name}' is missing from the current data.`)
    columns.push(columnDrift(name, ref, cur, options))
  }
  const drifted = columns.filter((c) => c.drift).length
  const share = columns.length === 0 ? 0 : drifted / columns.length
  return { columns, drifted, share, dataset_drift: share >= (options.driftShare ?? DEFAULT_DRIFT_SHARE) }
}
