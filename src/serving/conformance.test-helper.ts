import { fromHalfBits } from './half-float.js'
import type { Datatype, Tensor } from './tensor-types.js'

/**
 * The client side of the conformance suite, written independently of the codec under test:
 * how a client turns tensors into V2 JSON, and how results are compared with ONNX's expected
 * outputs (tolerances of onnx/backend/test/runner: rtol 1e-3, atol 1e-5 for floats; exact
 * otherwise; NaN equals NaN).
 */

export const RTOL = 1e-3
export const ATOL = 1e-5

/** One element as a client would put it in JSON. */
function clientJsonValue(datatype: Datatype, v: unknown): unknown {
  switch (datatype) {
    case 'BOOL':
      return v !== 0
    case 'FP16':
      return clientFloat(fromHalfBits(v as number))
    case 'FP32':
    case 'FP64':
      return clientFloat(v as number)
    case 'INT64':
    case 'UINT64': {
      const big = v as bigint
      return big >= -(2n ** 53n) + 1n && big <= 2n ** 53n - 1n ? Number(big) : big.toString()
    }
    default:
      return v
  }
}

function clientFloat(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return 'Infinity'
  if (v === -Infinity) return '-Infinity'
  return v
}

function nestData(flat: unknown[], shape: number[]): unknown[] {
  if (shape.length <= 1) return flat
  const rowSize = flat.length / (shape[0] || 1)
  return Array.from({ length: shape[0]! }, (_, r) => nestData(flat.slice(r * rowSize, (r + 1) * rowSize), shape.slice(1)))
}

/**
 * A V2 request body for `inputs` asking for `outputs`, every other tensor sent nested to cover
 * both layouts.
 */
export function buildV2RequestBody(inputs: Tensor[], outputs: string[]): string {
  const body = {
    id: 'conformance',
    outputs: outputs.map((name) => ({ name })),
    inputs: inputs.map((t, i) => {
      const flat = Array.from(t.data as ArrayLike<unknown>, (v) => clientJsonValue(t.datatype, v))
      return { name: t.name, shape: t.shape, datatype: t.datatype, data: i % 2 === 1 && t.shape.length > 1 ? nestData(flat, t.shape) : flat }
    }),
  }
  return JSON.stringify(body)
}

/** Numeric/boolean/string view of an element, whichever side it came from. */
function comparable(datatype: Datatype, v: unknown, fromJson: boolean): number | bigint | boolean | string {
  if (datatype === 'BYTES') return v as string
  if (datatype === 'BOOL') return fromJson ? (v as boolean) : v !== 0 && v !== false
  if (datatype === 'INT64' || datatype === 'UINT64') return BigInt(v as number | bigint | string)
  if (datatype === 'FP16' && !fromJson) return fromHalfBits(v as number)
  if (typeof v === 'string') return Number(v)
  return Number(v)
}

/**
 * Why `actual` differs from `expected`, or undefined when they agree. `actualData` is either
 * JSON values (a V2 response) or a typed array straight from onnxruntime.
 */
export function compareTensor(expected: Tensor, actualDatatype: string, actualShape: readonly number[], actualData: ArrayLike<unknown>, fromJson: boolean): string | undefined {
  if (actualDatatype !== expected.datatype) return `datatype ${actualDatatype}, expected ${expected.datatype}`
  if (actualShape.length !== expected.shape.length || actualShape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actualShape.join(',')}], expected [${expected.shape.join(',')}]`
  }
  const want = expected.data as ArrayLike<unknown>
  if (actualData.length !== want.length) return `${actualData.length} elements, expected ${want.length}`
  const float = expected.datatype === 'FP16' || expected.datatype === 'FP32' || expected.datatype === 'FP64'
  for (let i = 0; i < want.length; i++) {
    const a = comparable(expected.datatype, actualData[i], fromJson)
    const e = comparable(expected.datatype, want[i], false)
    if (float) {
      const x = a as number
      const y = e as number
      if (Number.isNaN(x) && Number.isNaN(y)) continue
      if (x === y) continue
      if (Math.abs(x - y) <= ATOL + RTOL * Math.abs(y)) continue
      return `element ${i} is ${x}, expected ${y}`
    }
    if (a !== e) return `element ${i} is ${String(a)}, expected ${String(e)}`
  }
  return undefined
}
