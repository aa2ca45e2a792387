import type { BinnedFeatures } from './feature-binning.js'
import type { DecisionTree } from './training-types.js'

export interface TreeOptions {
  readonly maxDepth: number
  readonly minSamplesLeaf: number
}

/**
 * Gives a leaf its value from the rows that reach it (`rows[start..end)`, indices into the training
 * rows): the mean residual for squared error, a Newton step for log loss.
 */
export type LeafValue = (rows: Uint32Array, start: number, end: number) => number

interface Split {
  feature: number
  bin: number
  gain: number
}

/** Scratch space reused by every tree of a training run. */
export class TreeWorkspace {
  readonly rows: Uint32Array
  readonly sums = new Float64Array(256)
  readonly counts = new Uint32Array(256)
  constructor(rowCount: number) {
    this.rows = new Uint32Array(rowCount)
  }
}

interface Growing {
  feature: number[]
  threshold: number[]
  left: number[]
  right: number[]
  value: number[]
}

/**
 * Grows one regression tree on `residual` (the negative gradient), depth first, choosing each
 * split by the largest reduction in squared error found on the bins' histograms. Each leaf's
 * rows are handed to `onLeaf` with its final value so the caller can update its predictions
 * without evaluating the tree again.
 */
export function growTree(
  binned: BinnedFeatures,
  residual: Float64Array,
  options: TreeOptions,
  leafValue: LeafValue,
  work: TreeWorkspace,
  onLeaf: (rows: Uint32Array, start: number, end: number, value: number) => void,
): DecisionTree {
  const rows = work.rows
  for (let i = 0; i < rows.length; i++) rows[i] = i
  const tree: Growing = { feature: [], threshold: [], left: [], right: [], value: [] }
  const grow = (start: number, end: number, depth: number): number => {
    const id = tree.feature.length
    tree.feature.push(-1)
    tree.threshold.push(0)
    tree.left.push(-1)
    tree.right.push(-1)
    tree.value.push(0)
    const split = depth < options.maxDepth && end - start >= 2 * options.minSamplesLeaf ? bestSplit(binned, residual, rows, start, end, options.minSamplesLeaf, work) : undefined
    if (!split) {
      const value = leafValue(rows, start, end)
      tree.value[id] = value
      onLeaf(rows, start, end, value)
      return id
    }
    const middle = partition(binned.bins[split.feature]!, rows, start, end, split.bin)
    tree.feature[id] = split.feature
    tree.threshold[id] = binned.edges[split.feature]![split.bin]!
    tree.left[id] = grow(start, middle, depth + 1)
    tree.right[id] = grow(middle, end, depth + 1)
    return id
  }
  grow(0, rows.length, 0)
  return {
    feature: Int32Array.from(tree.feature),
    threshold: Float32Array.from(tree.threshold),
    left: Int32Array.from(tree.left),
    right: Int32Array.from(tree.right),
    value: Float64Array.from(tree.value),
  }
}

/** Moves rows with bin ≤ `bin` before the others; returns where the right side starts. */
function partition(bins: Uint8Array, rows: Uint32Array, start: number, end: number, bin: number): number {
  let i = start
  let j = end - 1
  while (i <= j) {
    if (bins[rows[i]!]! <= bin) i++
    else {
      const t = rows[i]!
      rows[i] = rows[j]!
      rows[j--] = t
    }
  }
  return i
}

/** Squared-error reduction of the best split over every feature, or undefined when none helps. */
function bestSplit(binned: BinnedFeatures, residual: Float64Array, rows: Uint32Array, start: number, end: number, minLeaf: number, work: TreeWorkspace): Split | undefined {
  const n = end - start
  let total = 0
  for (let j = start; j < end; j++) total += residual[rows[j]!]!
  const parentScore = (total * total) / n
  let best: Split | undefined
  const { sums, counts } = work
  for (let f = 0; f < binned.bins.length; f++) {
    const bins = binned.bins[f]!
    const binCount = binned.edges[f]!.length
    if (binCount < 2) continue
    sums.fill(0, 0, binCount)
    counts.fill(0, 0, binCount)
    for (let j = start; j < end; j++) {
      const r = rows[j]!
      const b = bins[r]!
      sums[b]! += residual[r]!
      counts[b]!++
    }
    let leftSum = 0
    let leftCount = 0
    for (let b = 0; b < binCount - 1; b++) {
      leftSum += sums[b]!
      leftCount += counts[b]!
      if (leftCount < minLeaf) continue
      const rightCount = n - leftCount
      if (rightCount < minLeaf) break
      if (counts[b] === 0) continue
      const rightSum = total - leftSum
      const gain = (leftSum * leftSum) / leftCount + (rightSum * rightSum) / rightCount - parentScore
      if (gain > (best?.gain ?? 1e-12 * Math.max(1, parentScore))) best = { feature: f, bin: b, gain }
    }
  }
  return best
}

/** The leaf a row of raw features reaches. */
export function treeLeafValue(tree: DecisionTree, columns: readonly Float32Array[], row: number): number {
  let node = 0
  while (tree.feature[node]! >= 0) node = columns[tree.feature[node]!]![row]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!
  return tree.value[node]!
}
