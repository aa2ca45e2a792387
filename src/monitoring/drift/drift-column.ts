/** One column of reference and current data after NaN/±Infinity and empty cells were dropped. */
export type DriftColumn =
  | {
      readonly type: 'numerical'
      /** Sorted ascending (Float64Array.sort), so every test reuses one sort. */
      readonly ref: Float64Array
      readonly cur: Float64Array
      /** Both sides are integer-typed, which changes NumPy's minimum histogram bin width. */
      readonly integer: boolean
    }
  | {
      readonly type: 'categorical'
      readonly ref: readonly string[]
      readonly cur: readonly string[]
    }
