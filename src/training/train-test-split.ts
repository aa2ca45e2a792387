import { seededRandom } from '../shared/seeded-random.js'

/**
 * A seeded shuffle split. The indices are part of a training result so a peer (scikit-learn in the
 * parity test) can be trained on exactly the same rows.
 */
export interface SplitIndices {
  readonly train: Uint32Array
  readonly test: Uint32Array
}

/** The test share is rounded up, as scikit-learn's train_test_split does; both sides keep at least one row. */
export function splitRows(rows: number, testSize: number, seed: number): SplitIndices {
  const order = new Uint32Array(rows)
  for (let i = 0; i < rows; i++) order[i] = i
  const random = seededRandom(seed)
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  const testRows = Math.min(rows - 1, Math.max(1, Math.ceil(rows * testSize)))
  return { test: order.slice(0, testRows).sort(), train: order.slice(testRows).sort() }
}

/** The given rows of every column. */
export function takeRows(columns: readonly Float32Array[], rows: Uint32Array): Float32Array[] {
  return columns.map((column) => {
    const out = new Float32Array(rows.length)
    for (let i = 0; i < rows.length; i++) out[i] = column[rows[i]!]!
    return out
  })
}
