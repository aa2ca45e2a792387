import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../shared/seeded-random.js'
import { scoresOf } from './linear-scores.js'
import { fitLogistic } from './logistic-trainer.js'
import { predict } from './model-predictions.js'
import { standardize } from './standardization.js'
import type { ClassLabels } from './training-types.js'

function data(rows: number, classes: number, seed: number): { columns: Float32Array[]; target: Float64Array } {
  const random = seededRandom(seed)
  const target = Float64Array.from({ length: rows }, () => Math.floor(random() * classes))
  const columns = [0, 1, 2].map((f) => Float32Array.from(target, (y) => (f === 0 ? y * 1.5 : f === 1 ? -y : 0) + 2 * (random() - 0.5) + (f === 2 ? 100 : 0)))
  return { columns, target }
}

const labels = (k: number): ClassLabels => ({ names: Array.from({ length: k }, (_, i) => String(i)), values: Array.from({ length: k }, (_, i) => BigInt(i)) })

/** ∂/∂W of Σ log-loss + λ/2‖W‖², which vanishes at the optimum. */
function gradientNorm(columns: Float32Array[], target: Float64Array, model: ReturnType<typeof fitLogistic>, l2: number): number {
  const z = standardize(columns, model)
  const k = model.outputs
  const scores = scoresOf(z, model.weights, model.intercepts, target.length)
  const probability = (i: number, c: number) => {
    if (k === 1) return 1 / (1 + Math.exp(-scores[i]!))
    const row = Array.from({ length: k }, (_, j) => Math.exp(scores[i * k + j]!))
    return row[c]! / row.reduce((a, b) => a + b)
  }
  let worst = 0
  for (let f = 0; f < z.length; f++) {
    for (let c = 0; c < k; c++) {
      let g = l2 * model.weights[f * k + c]!
      for (let i = 0; i < target.length; i++) g += z[f]![i]! * (probability(i, c) - (k === 1 ? target[i]! : target[i] === c ? 1 : 0))
      worst = Math.max(worst, Math.abs(g) / target.length)
    }
  }
  return worst
}

describe('fitLogistic', () => {
  it('should reach the optimum of scikit-learn\'s binary objective with one logit', () => {
    const { columns, target } = data(400, 2, 1)
    const model = fitLogistic(columns, target, labels(2), { l2: 1, maxIterations: 200, tolerance: 1e-8 })
    assert.equal(model.outputs, 1)
    assert.ok(gradientNorm(columns, target, model, 1) < 1e-5)
  })

  it('should fit a multinomial model with one logit per class whose probabilities sum to one', () => {
    const { columns, target } = data(600, 3, 2)
    const model = fitLogistic(columns, target, labels(3), { l2: 1, maxIterations: 200, tolerance: 1e-8 })
    assert.equal(model.outputs, 3)
    assert.ok(gradientNorm(columns, target, model, 1) < 1e-5)
    const p = predict(model, columns)
    assert.equal(p.task, 'classification')
    if (p.task !== 'classification') return
    for (let i = 0; i < 600; i++) assert.ok(Math.abs(p.probabilities[i * 3]! + p.probabilities[i * 3 + 1]! + p.probabilities[i * 3 + 2]! - 1) < 1e-12)
    const correct = p.classIndex.filter((c, i) => c === target[i]).length
    assert.ok(correct / 600 > 0.7, `training accuracy ${correct / 600}`)
  })

  it('should report each iteration and stop at the iteration limit', () => {
    const { columns, target } = data(200, 2, 3)
    const seen: number[] = []
    fitLogistic(columns, target, labels(2), { l2: 0, maxIterations: 3, onProgress: (done) => seen.push(done) })
    assert.deepEqual(seen, [1, 2, 3])
  })
})
