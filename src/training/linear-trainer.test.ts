import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../shared/seeded-random.js'
import { linearRawScores } from './linear-scores.js'
import { fitLinear, solveSymmetric } from './linear-trainer.js'

function columns(rows: number, seed: number): Float32Array[] {
  const random = seededRandom(seed)
  return [Float32Array.from({ length: rows }, () => random() * 10), Float32Array.from({ length: rows }, () => 1000 + random())]
}

describe('fitLinear', () => {
  it('should recover an exact linear relation, intercept included, despite a large feature offset', () => {
    const [a, b] = columns(200, 1)
    const y = Float64Array.from(a!, (v, i) => 2 * v - 3 * b![i]! + 5)
    const model = fitLinear([a!, b!], y)
    const predicted = linearRawScores(model, [a!, b!])
    for (let i = 0; i < y.length; i++) assert.ok(Math.abs(predicted[i]! - y[i]!) < 1e-6, `row ${i}: ${predicted[i]} vs ${y[i]}`)
    assert.ok(Math.abs(model.weights[0]! / model.scale[0]! - 2) < 1e-9)
    assert.ok(Math.abs(model.weights[1]! / model.scale[1]! + 3) < 1e-9)
  })

  it('should give a duplicated feature no weight instead of failing on the singular system', () => {
    const [a] = columns(100, 2)
    const y = Float64Array.from(a!, (v) => 4 * v + 1)
    const model = fitLinear([a!, Float32Array.from(a!)], y)
    assert.equal(model.weights[1], 0)
    const predicted = linearRawScores(model, [a!, a!])
    for (let i = 0; i < y.length; i++) assert.ok(Math.abs(predicted[i]! - y[i]!) < 1e-6)
  })

  it('should shrink the weights with a ridge penalty', () => {
    const [a, b] = columns(100, 3)
    const y = Float64Array.from(a!, (v, i) => v + b![i]!)
    const plain = fitLinear([a!, b!], y)
    const ridge = fitLinear([a!, b!], y, { l2: 50 })
    assert.ok(Math.abs(ridge.weights[0]!) < Math.abs(plain.weights[0]!))
  })
})

describe('solveSymmetric', () => {
  it('should solve a positive definite system', () => {
    const x = solveSymmetric(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 5), 2)
    assert.ok(Math.abs(4 * x[0]! + 2 * x[1]! - 2) < 1e-12 && Math.abs(2 * x[0]! + 3 * x[1]! - 5) < 1e-12)
  })
})
