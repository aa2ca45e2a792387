/**
 * From raw scores to class probabilities, shared by logistic regression and boosted trees: one
 * score per row is the positive class's logit (sigmoid), K scores are softmax logits.
 */

export function sigmoid(s: number): number {
  return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s))
}

/** Probabilities [rows, classes] row-major from raw scores [rows, outputs]. */
export function probabilitiesFromScores(raw: Float64Array, outputs: number, classes: number): Float64Array {
  const rows = raw.length / outputs
  const out = new Float64Array(rows * classes)
  if (outputs === 1) {
    for (let i = 0; i < rows; i++) {
      const p = sigmoid(raw[i]!)
      out[i * 2] = 1 - p
      out[i * 2 + 1] = p
    }
    return out
  }
  for (let i = 0; i < rows; i++) softmaxRow(raw, i * outputs, outputs, out, i * classes)
  return out
}

export function softmaxRow(raw: ArrayLike<number>, from: number, k: number, out: Float64Array, to: number): void {
  let max = -Infinity
  for (let c = 0; c < k; c++) max = Math.max(max, raw[from + c]!)
  let sum = 0
  for (let c = 0; c < k; c++) sum += out[to + c] = Math.exp(raw[from + c]! - max)
  for (let c = 0; c < k; c++) out[to + c]! /= sum
}

/** Each row's most probable class; ties go to the lower index, as ONNX ArgMax and numpy's argmax do. */
export function argmaxRows(probabilities: Float64Array, classes: number): Uint32Array {
  const rows = probabilities.length / classes
  const out = new Uint32Array(rows)
  for (let i = 0; i < rows; i++) {
    let best = 0
    for (let c = 1; c < classes; c++) if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c
    out[i] = best
  }
  return out
}
