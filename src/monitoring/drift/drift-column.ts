import { sortFloat64 } from './sort-float64.js'

/** One column of reference and current data after NaN/±Infinity and empty cells were dropped. */
export type DriftColumn = NumericalDriftColumn | CategoricalDriftColumn

export interface NumericalDriftColumn {
  readonly type: 'numerical'
  /** Sorted ascending, so every test that needs order reuses one sort. */
  readonly ref: Float64Array
  readonly cur: Float64Array
  /**
   * The same finite values in input order, for tests that need no order (binning, moments):
   * reading these instead of `ref`/`cur` spares the sort when a column is built lazily.
   */
  readonly refValues?: Float64Array
  readonly curValues?: Float64Array
  /** Both sides are integer-typed, which changes NumPy's minimum histogram bin width. */
  readonly integer: boolean
}

export interface CategoricalDriftColumn {
  readonly type: 'categorical'
  readonly ref: readonly string[]
  readonly cur: readonly string[]
}

/** A numerical column whose sorted copies are made on first use, at most once per side. */
export class LazyNumericalColumn implements NumericalDriftColumn {
  readonly type = 'numerical' as const
  #ref: Float64Array | undefined
  #cur: Float64Array | undefined
  constructor(
    readonly refValues: Float64Array,
    readonly curValues: Float64Array,
    readonly integer: boolean,
  ) {}
  get ref(): Float64Array {
    return (this.#ref ??= sortFloat64(this.refValues.slice()))
  }
  get cur(): Float64Array {
    return (this.#cur ??= sortFloat64(this.curValues.slice()))
  }
}

/** Finite values in any order: the input-order copy when there is one, else the sorted array. */
export function unsortedRef(column: NumericalDriftColumn): Float64Array {
  return column.refValues ?? column.ref
}

export function unsortedCur(column: NumericalDriftColumn): Float64Array {
  return column.curValues ?? column.cur
}
