import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as ort from 'onnxruntime-node'
import { readOnnxSignature } from '../../registry/onnx-signature.js'
import { syntheticRows, type SyntheticKind } from '../synthetic-data.test-helper.js'
import { predict } from '../model-predictions.js'
import { trainOnData } from '../train-model.js'
import { selectTrainingData } from '../training-data.js'
import type { ModelKind } from '../training-types.js'
import { METADATA_KEYS } from './export-onnx.js'
import type { DriftFrame } from '../../monitoring/drift/detect-drift.js'

const FEATURES = 5

function frame(kind: SyntheticKind, rows: number, labels?: string[]): DriftFrame {
  const data = syntheticRows(kind, rows, FEATURES, 11)
  const columns = new Map<string, DriftFrame extends ReadonlyMap<string, infer C> ? C : never>()
  for (let j = 0; j < FEATURES; j++) columns.set(`x${j}`, { kind: 'numerical', values: Float64Array.from(data, (r) => r[j]!) })
  const y = Float64Array.from(data, (r) => r[FEATURES]!)
  columns.set('y', labels ? { kind: 'categorical', values: Array.from(y, (v) => labels[v]!) } : { kind: 'numerical', values: y, integer: kind !== 'regression' })
  return columns
}

/** Row-major float32 input of the test rows, as a caller of the served model sends it. */
function inputOf(columns: readonly Float32Array[]): ort.Tensor {
  const rows = columns[0]!.length
  const data = new Float32Array(rows * columns.length)
  columns.forEach((c, f) => c.forEach((v, i) => (data[i * columns.length + f] = v)))
  return new ort.Tensor('float32', data, [rows, columns.length])
}

const CASES: Array<{ kind: SyntheticKind; model: ModelKind; labels?: string[] }> = [
  { kind: 'binary', model: 'logistic' },
  { kind: 'binary', model: 'gbt' },
  { kind: 'multiclass', model: 'logistic', labels: ['cat', 'dog', 'eel'] },
  { kind: 'multiclass', model: 'gbt' },
  { kind: 'regression', model: 'linear' },
  { kind: 'regression', model: 'gbt' },
]

describe('ONNX export', () => {
  for (const { kind, model, labels } of CASES) {
    it(`should give onnxruntime the in-memory ${model} model's ${kind} predictions to 1e-5`, async () => {
      const data = selectTrainingData(frame(kind, 1500, labels), { target: 'y' })
      const result = trainOnData(data, { target: 'y', model, gbt: { trees: 30 } })
      const test = [...data.features.columns].map((c) => Float32Array.from(result.split.test, (r) => c[r]!))
      const expected = predict(result.model, test)
      const session = await ort.InferenceSession.create(result.onnx)
      const out = await session.run({ input: inputOf(test) })
      const rows = test[0]!.length
      if (expected.task === 'regression') {
        assert.deepEqual(out['variable']!.dims, [rows, 1])
        const got = out['variable']!.data as Float32Array
        for (let i = 0; i < rows; i++) {
          const e = expected.values[i]!
          assert.ok(Math.abs(got[i]! - e) <= 1e-5 * Math.max(1, Math.abs(e)), `row ${i}: ${got[i]} vs ${e}`)
        }
        return
      }
      const classes = result.classes!
      assert.deepEqual(out['probabilities']!.dims, [rows, classes.names.length])
      const probabilities = out['probabilities']!.data as Float32Array
      for (let j = 0; j < probabilities.length; j++) assert.ok(Math.abs(probabilities[j]! - expected.probabilities[j]!) <= 1e-5, `cell ${j}`)
      const label = out['label']!.data as BigInt64Array
      assert.deepEqual([...label], Array.from(expected.classIndex, (k) => classes.values[k]!))
    })
  }

  it('should number text classes by their sorted order and name them in the metadata', () => {
    const data = selectTrainingData(frame('multiclass', 300, ['cat', 'dog', 'eel']), { target: 'y' })
    assert.deepEqual(data.classes, { names: ['cat', 'dog', 'eel'], values: [0n, 1n, 2n] })
    const result = trainOnData(data, { target: 'y', model: 'logistic' })
    const text = Buffer.from(result.onnx).toString('latin1')
    assert.ok(text.includes(METADATA_KEYS.classes) && text.includes('["cat","dog","eel"]'))
  })

  it('should pass the registry signature check: one FP32 input [N, F], the outputs a classifier and a regressor promise', () => {
    const classifier = trainOnData(selectTrainingData(frame('binary', 400), { target: 'y' }), { target: 'y', model: 'gbt', gbt: { trees: 3 } })
    const signature = readOnnxSignature(classifier.onnx)
    assert.deepEqual(signature.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, FEATURES], dimParams: ['N', null] }])
    assert.deepEqual(signature.outputs.map((o) => [o.name, o.datatype, o.shape]), [['label', 'INT64', [-1]], ['probabilities', 'FP32', [-1, 2]]])
    assert.deepEqual(signature.opsetImports, [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }])
    const regressor = trainOnData(selectTrainingData(frame('regression', 400), { target: 'y' }), { target: 'y', model: 'linear' })
    assert.deepEqual(readOnnxSignature(regressor.onnx).outputs.map((o) => [o.name, o.datatype, o.shape]), [['variable', 'FP32', [-1, 1]]])
  })
})
