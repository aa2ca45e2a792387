/**
 * Quantile bins for histogram split finding. Every bin edge is a value seen in the training data
 * (float32), and bin b holds the rows with edges[b−1] < x ≤ edges[b]; a split after bin b is then
 * exactly `x ≤ edges[b]`, the test the ONNX tree ensemble makes on the same float32 input.
 */
export interface BinnedFeatures {
  /** Per feature, each training row's bin. */
  readonly bins: readonly Uint8Array[]
  /** Per feature, the inclusive upper edge of each bin, ascending. */
  readonly edges: readonly Float32Array[]
}

export const MAX_BINS = 255

function edgesOf(column: Float32Array, maxBins: number): Float32Array {
  const sorted = Float32Array.from(column).sort()
  const distinct: number[] = []
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!)
  if (distinct.length <= maxBins) return Float32Array.from(distinct)
  const edges: number[] = []
  for (let b = 1; b <= maxBins; b++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.ceil((b * sorted.length) / maxBins) - 1)]!
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge)
  }
  edges[edges.length - 1] = sorted[sorted.length - 1]!
  return Float32Array.from(edges)
}

/** The first bin whose edge is ≥ x (the last bin for values above every edge). */
export function binOf(edges: Float32Array, x: number): number {
  let lo = 0
  let hi = edges.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (x <= edges[mid]!) hi = mid
    else lo = mid + 1
  }
  return lo
}

export function binFeatures(columns: readonly Float32Array[], maxBins = MAX_BINS): BinnedFeatures {
  const edges = columns.map((c) => edgesOf(c, Math.min(maxBins, MAX_BINS)))
  const bins = columns.map((column, f) => {
    const e = edges[f]!
    const out = new Uint8Array(column.length)
    for (let i = 0; i < column.length; i++) out[i] = binOf(e, column[i]!)
    return out
  })
  return { bins, edges }
}
