import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Tensor } from '../serving/tensor-types.js'
import { compareOutputs } from './output-comparison.js'

const fp32 = (name: string, shape: number[], values: number[]): Tensor => ({ name, datatype: 'FP32', shape, data: Float32Array.from(values) })
const int64 = (name: string, values: number[]): Tensor => ({ name, datatype: 'INT64', shape: [values.length], data: BigInt64Array.from(values.map(BigInt)) })

describe('compareOutputs', () => {
  it('should report no difference and agreement for identical outputs', () => {
    const outputs = [fp32('p', [2, 2], [0.2, 0.8, 0.6, 0.4]), int64('label', [1, 0])]
    assert.deepEqual(compareOutputs(outputs, outputs), { differenceRatio: 0, disagree: false })
  })

  it('should agree when class scores move but every arg-max stays', () => {
    const result = compareOutputs([fp32('p', [2, 2], [0.2, 0.8, 0.6, 0.4])], [fp32('p', [2, 2], [0.3, 0.7, 0.55, 0.45])])
    assert.equal(result.disagree, false)
    assert.ok(Math.abs(result.differenceRatio! - 0.15) < 1e-6, String(result.differenceRatio))
  })

  it('should disagree when a row\'s arg-max changes', () => {
    assert.equal(compareOutputs([fp32('p', [2, 2], [0.2, 0.8, 0.6, 0.4])], [fp32('p', [2, 2], [0.2, 0.8, 0.4, 0.6])]).disagree, true)
  })

  it('should disagree on a regression value beyond tolerance, a label, or a missing or reshaped output', () => {
    assert.equal(compareOutputs([fp32('y', [1], [10])], [fp32('y', [1], [10.001])]).disagree, false)
    assert.equal(compareOutputs([fp32('y', [1], [10])], [fp32('y', [1], [10.5])]).disagree, true)
    assert.equal(compareOutputs([int64('label', [1, 0])], [int64('label', [1, 1])]).disagree, true)
    assert.equal(compareOutputs([fp32('y', [1], [1])], [fp32('z', [1], [1])]).disagree, true)
    assert.equal(compareOutputs([fp32('y', [2], [1, 2])], [fp32('y', [1, 2], [1, 2])]).disagree, true)
  })

  it('should compare strings by equality and leave the ratio out when nothing is numeric', () => {
    const text = (values: string[]): Tensor => ({ name: 't', datatype: 'BYTES', shape: [values.length], data: values })
    assert.deepEqual(compareOutputs([text(['a', 'b'])], [text(['a', 'b'])]), { disagree: false })
    assert.deepEqual(compareOutputs([text(['a', 'b'])], [text(['a', 'c'])]), { disagree: true })
  })

  it('should scale the difference by the primary\'s magnitude and skip non-finite values', () => {
    const result = compareOutputs([fp32('y', [3], [100, 200, NaN])], [fp32('y', [3], [110, 190, 5])])
    assert.ok(Math.abs(result.differenceRatio! - 10 / 150) < 1e-9)
    assert.equal(result.disagree, true)
  })
})
