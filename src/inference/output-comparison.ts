import { fromHalfBits } from '../serving/half-float.js'
import type { Tensor } from '../serving/tensor-types.js'

export interface OutputComparison {
  /**
   * Mean absolute difference of the numeric outputs, divided by the mean absolute primary value;
   * undefined when no numeric output could be compared.
   */
  differenceRatio?: number
  /** The shadow would have answered differently: another arg-max, a value beyond tolerance, another label. */
  disagree: boolean
}

/** Relative tolerance for a single value (regressions, single scores) to count as the same answer. */
export const VALUE_TOLERANCE = 1e-3

/**
 * Compares a shadow's outputs with the primary's, output by output (by name). Rows of class scores
 * (`[batch, classes]` floats) agree when their arg-max agrees; other floats when within
 * VALUE_TOLERANCE; integers, booleans and strings (labels) when equal. Missing outputs or other
 * shapes disagree.
 */
export function compareOutputs(primary: readonly Tensor[], shadow: readonly Tensor[]): OutputComparison {
  let disagree = false
  let diffSum = 0
  let scaleSum = 0
  let count = 0
  for (const p of primary) {
    const s = shadow.find((t) => t.name === p.name)
    if (!s || s.shape.length !== p.shape.length || s.shape.some((d, i) => d !== p.shape[i])) {
      disagree = true
      continue
    }
    if (p.datatype === 'BYTES' || s.datatype === 'BYTES') {
      disagree ||= p.datatype !== s.datatype || (p.data as string[]).some((v, i) => v !== (s.data as string[])[i])
      continue
    }
    const a = numbers(p)
    const b = numbers(s)
    for (let i = 0; i < a.length; i++) {
      const diff = Math.abs(a[i]! - b[i]!)
      // Non-finite values have no distance; they still count as disagreeing below.
      if (!Number.isFinite(diff)) continue
      diffSum += diff
      scaleSum += Math.abs(a[i]!)
      count++
    }
    disagree ||= isFloat(p) && isClassScores(p) ? argmaxDiffers(a, b, p.shape.at(-1)!) : valuesDiffer(a, b, isFloat(p) ? VALUE_TOLERANCE : 0)
  }
  if (count === 0) return { disagree }
  const meanDiff = diffSum / count
  const scale = scaleSum / count
  return { differenceRatio: meanDiff === 0 ? 0 : meanDiff / Math.max(scale, Number.EPSILON), disagree }
}

function numbers(t: Tensor): ArrayLike<number> {
  if (t.datatype === 'FP16') return Array.from(t.data as Uint16Array, fromHalfBits)
  if (t.datatype === 'INT64' || t.datatype === 'UINT64') return Array.from(t.data as BigInt64Array, Number)
  return t.data as ArrayLike<number>
}

function isFloat(t: Tensor): boolean {
  return t.datatype === 'FP16' || t.datatype === 'FP32' || t.datatype === 'FP64'
}

function isClassScores(t: Tensor): boolean {
  return t.shape.length >= 2 && t.shape.at(-1)! > 1
}

function argmaxDiffers(a: ArrayLike<number>, b: ArrayLike<number>, width: number): boolean {
  for (let row = 0; row < a.length; row += width) {
    if (argmax(a, row, width) !== argmax(b, row, width)) return true
  }
  return false
}

function argmax(values: ArrayLike<number>, from: number, width: number): number {
  let best = 0
  for (let i = 1; i < width; i++) if (values[from + i]! > values[from + best]!) best = i
  return best
}

function valuesDiffer(a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (Number.isNaN(x) && Number.isNaN(y)) continue
    if (!(Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(x)))) return true
  }
  return false
}
