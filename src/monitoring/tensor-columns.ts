import { fromHalfBits } from '../serving/half-float.js'
import type { Tensor } from '../serving/tensor-types.js'
import type { LoggedColumns, LoggedValue } from './prediction-log-store.js'

/**
 * Tensors as logged columns: a `[n]` tensor `x` is column `x`, `[n, k]` is `x[0]` … `x[k-1]`, and
 * a higher rank flattens everything after the batch dimension the same way (`[n, 2, 3]` gives
 * `x[0]` … `x[5]`, row-major). A scalar is one row. Values JSON cannot carry faithfully become
 * null (NaN, ±Infinity) or a string (64-bit integers past 2^53).
 */
export function tensorsToColumns(tensors: readonly Tensor[]): LoggedColumns {
  const columns: LoggedColumns = {}
  for (const tensor of tensors) {
    const rows = tensor.shape.length === 0 ? 1 : tensor.shape[0]!
    const width = rows === 0 ? 0 : tensor.data.length / rows
    const value = elementReader(tensor)
    if (tensor.shape.length <= 1) {
      const column = new Array<LoggedValue>(rows)
      for (let r = 0; r < rows; r++) column[r] = value(r)
      columns[tensor.name] = column
      continue
    }
    for (let c = 0; c < width; c++) {
      const column = new Array<LoggedValue>(rows)
      for (let r = 0; r < rows; r++) column[r] = value(r * width + c)
      columns[`${tensor.name}[${c}]`] = column
    }
  }
  return columns
}

/** Rows of a request: the batch dimension of its first tensor (1 for a scalar, 0 for none). */
export function rowsOf(tensors: readonly Tensor[]): number {
  const first = tensors[0]
  if (first === undefined) return 0
  return first.shape.length === 0 ? 1 : first.shape[0]!
}

function elementReader(tensor: Tensor): (i: number) => LoggedValue {
  const data = tensor.data
  switch (tensor.datatype) {
    case 'BOOL':
      return (i) => (data as Uint8Array)[i] !== 0
    case 'BYTES':
      return (i) => (data as string[])[i]!
    case 'FP16':
      return (i) => finite(fromHalfBits((data as Uint16Array)[i]!))
    case 'INT64':
    case 'UINT64':
      return (i) => {
        const v = (data as BigInt64Array | BigUint64Array)[i]!
        return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString()
      }
    default:
      return (i) => finite((data as Float64Array)[i]!)
  }
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null
}
