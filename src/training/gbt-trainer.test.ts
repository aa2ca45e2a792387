import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../shared/seeded-random.js'
import { binFeatures, binOf } from './feature-binning.js'
import { boostedRawScores, fitBoostedTrees } from './gbt-trainer.js'
import { predict } from './model-predictions.js'
import type { ClassLabels, DecisionTree } from './training-types.js'

const random = seededRandom(5)
const x = Float32Array.from({ length: 500 }, () => random() * 10)
const noise = Float32Array.from({ length: 500 }, () => random())

function leafSizes(tree: DecisionTree, column: Float32Array): number[] {
  const counts = new Map<number, number>()
  for (const v of column) {
    let node = 0
    while (tree.feature[node]! >= 0) node = v <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!
    counts.set(node, (counts.get(node) ?? 0) + 1)
  }
  return [...counts.values()]
}

describe('fitBoostedTrees', () => {
  it('should learn a step function with stumps, starting from the mean', () => {
    const y = Float64Array.from(x, (v) => (v > 4 ? 10 : 0))
    const model = fitBoostedTrees([x, noise], y, 'regression', undefined, { trees: 60, maxDepth: 1, learningRate: 0.3, minSamplesLeaf: 1 })
    let mean = 0
    for (const v of y) mean += v / y.length
    assert.ok(Math.abs(model.baseScores[0]! - mean) < 1e-9)
    const raw = boostedRawScores(model, [x, noise])
    for (let i = 0; i < y.length; i++) assert.ok(Math.abs(raw[i]! - y[i]!) < 1e-3, `row ${i}`)
    assert.equal(model.trees[0]![0]!.feature[0], 0, 'the first stump splits on the informative feature')
  })

  it('should keep at least min_samples_leaf rows in every leaf', () => {
    const y = Float64Array.from(x, (v, i) => Math.sin(v) + noise[i]!)
    const model = fitBoostedTrees([x], y, 'regression', undefined, { trees: 10, maxDepth: 4, learningRate: 0.1, minSamplesLeaf: 40 })
    for (const tree of model.trees[0]!) assert.ok(Math.min(...leafSizes(tree, x)) >= 40)
  })

  it('should start a binary model at the log-odds and lower the log loss with each round', () => {
    const y = Float64Array.from(x, (v, i) => (v + 3 * noise[i]! > 6 ? 1 : 0))
    const classes: ClassLabels = { names: ['0', '1'], values: [0n, 1n] }
    const logLoss = (trees: number) => {
      const model = fitBoostedTrees([x, noise], y, 'classification', classes, { trees, maxDepth: 2, learningRate: 0.1, minSamplesLeaf: 1 })
      const p = predict(model, [x, noise])
      if (p.task !== 'classification') throw new Error('not a classifier')
      let loss = 0
      for (let i = 0; i < y.length; i++) loss -= Math.log(p.probabilities[i * 2 + y[i]!]!)
      return { model, loss: loss / y.length }
    }
    const positives = y.reduce((a, b) => a + b, 0) / y.length
    const start = logLoss(1)
    assert.ok(Math.abs(start.model.baseScores[0]! - Math.log(positives / (1 - positives))) < 1e-12)
    const later = logLoss(20)
    assert.ok(later.loss < start.loss, `${later.loss} should be below ${start.loss}`)
  })

  it('should grow one tree per class per round for a multiclass target', () => {
    const grid = x.map(Math.floor)
    const y = Float64Array.from(grid, (v) => (v < 3 ? 0 : v < 7 ? 1 : 2))
    const classes: ClassLabels = { names: ['0', '1', '2'], values: [0n, 1n, 2n] }
    const model = fitBoostedTrees([grid], y, 'classification', classes, { trees: 15, maxDepth: 2, learningRate: 0.5, minSamplesLeaf: 1 })
    assert.deepEqual(model.trees.map((t) => t.length), [15, 15, 15])
    const p = predict(model, [grid])
    if (p.task !== 'classification') throw new Error('not a classifier')
    assert.ok(p.classIndex.every((c, i) => c === y[i]))
  })
})

describe('binFeatures', () => {
  it('should use data values as inclusive upper edges so a split is exactly x ≤ edge', () => {
    const column = Float32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000 / 3)
    const { bins, edges } = binFeatures([column], 16)
    const e = edges[0]!
    assert.ok(e.length <= 16)
    const values = new Set(column)
    for (const edge of e) assert.ok(values.has(edge))
    for (let i = 0; i < column.length; i++) {
      const b = bins[0]![i]!
      assert.ok(column[i]! <= e[b]! && (b === 0 || column[i]! > e[b - 1]!))
    }
    assert.equal(binOf(e, 1e9), e.length - 1)
  })

  it('should give each value its own bin when there are few distinct values', () => {
    const { edges } = binFeatures([Float32Array.of(3, 1, 2, 1, 3)])
    assert.deepEqual([...edges[0]!], [1, 2, 3])
  })
})
