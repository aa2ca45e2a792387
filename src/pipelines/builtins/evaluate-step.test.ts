import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { registerModels } from '../../inference/serving-fixtures.test-helper.js'
import { writeOnnxModel } from '../../serving/onnx/onnx-model-writer.test-helper.js'
import type { AppError } from '../../shared/errors.js'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { holdoutCsv, linearModel, testContext } from './builtin-fixtures.test-helper.js'
import { createEvaluateStep } from './evaluate-step.js'

const good = linearModel([6, 6], -6, true)
const inverted = linearModel([-6, -6], 6, true)

describe('evaluate (built-in step)', () => {
  let t: TestApp
  let folder: string
  const step = createEvaluateStep()

  before(async () => {
    t = await createTestApp()
    folder = mkdtempSync(join(tmpdir(), 'plinth-evaluate-'))
    writeFileSync(join(folder, 'holdout.csv'), holdoutCsv())
    writeFileSync(join(folder, 'good.onnx'), good)
    await registerModels(t.services, 'churn', [inverted], { champion: 1 })
  })
  after(async () => {
    await t.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should score the candidate and the champion on the same rows with the monitoring metrics', async () => {
    const args = { candidate: join(folder, 'good.onnx'), champion: 'models:/churn@champion', data: join(folder, 'holdout.csv'), target: 'label', task: 'classification' }
    assert.deepEqual(step.validate(args), [])
    const result = await step.run(args, testContext(t.services))
    assert.equal(result.outputs['champion.present'], 'true')
    assert.equal(result.outputs['champion.model'], 'churn/1')
    assert.equal(result.outputs['challenger.rows'], '40')
    assert.ok(Number(result.outputs['challenger.accuracy']) > 0.9, result.outputs['challenger.accuracy'])
    assert.ok(Number(result.outputs['champion.accuracy']) < 0.2, result.outputs['champion.accuracy'])
    assert.equal(result.outputs['challenger.roc_auc'], '1')
    for (const key of ['f1', 'precision', 'recall', 'log_loss', 'latency_p50_ms', 'latency_p99_ms']) {
      assert.ok(Number.isFinite(Number(result.outputs[`challenger.${key}`])), key)
      assert.equal(result.metrics[`champion.${key}`], Number(result.outputs[`champion.${key}`]))
    }
  })

  it('should treat a champion alias that is not set yet as a first model', async () => {
    const context = testContext(t.services)
    const result = await step.run({ candidate: 'models:/churn/1', champion: 'models:/churn@gold', data: join(folder, 'holdout.csv'), target: 'label', task: 'classification' }, context)
    assert.equal(result.outputs['champion.present'], 'false')
    assert.equal(Object.keys(result.outputs).filter((k) => k.startsWith('champion.') && k !== 'champion.present').length, 0)
    assert.match(context.lines.join('\n'), /no champion at models:\/churn@gold/)
  })

  it('should feed a model with one input per column by name, and compute regression metrics', async () => {
    const sum = writeOnnxModel({
      inputs: [{ name: 'a', elemType: 1, shape: ['batch', 1] }, { name: 'b', elemType: 1, shape: ['batch', 1] }],
      outputs: [{ name: 'total', elemType: 1, shape: ['batch', 1] }],
      nodes: [{ opType: 'Add', inputs: ['a', 'b'], outputs: ['total'] }],
    })
    writeFileSync(join(folder, 'sum.onnx'), sum)
    writeFileSync(join(folder, 'sums.csv'), 'id,b,a,y\n1,1,2,3\n2,0.5,0.25,0.75\n3,2,2,4.5\n')
    const result = await step.run({ candidate: join(folder, 'sum.onnx'), data: join(folder, 'sums.csv'), target: 'y', features: ['a', 'b'] }, testContext(t.services))
    assert.equal(result.outputs.task, 'regression')
    assert.equal(Number(result.outputs['challenger.mae']), 0.5 / 3)
    assert.ok(Number(result.outputs['challenger.r2']) > 0.8)
  })

  it('should list every bad argument with a suggestion before running', () => {
    const problems = step.validate({ candidate: 'm.onnx', data: 'd.csv', treshold: 0.3, task: 'ranking' })
    assert.equal(problems.length, 3, problems.join('\n'))
    assert.match(problems.join('\n'), /missing required argument 'target'/)
    assert.match(problems.join('\n'), /unknown argument 'treshold' \(did you mean 'threshold'\?\)/)
    assert.match(problems.join('\n'), /'task' must be classification or regression/)
    assert.deepEqual(step.validate({ candidate: 'm.onnx', data: 'd.csv', target: 'y', threshold: '${{ params.threshold }}' }), [])
  })

  it('should name the missing column and the columns there are', async () => {
    const error = (await step.run({ candidate: join(folder, 'good.onnx'), data: join(folder, 'holdout.csv'), target: 'lable' }, testContext(t.services)).catch((e: AppError) => e)) as AppError
    assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
    assert.match(error.message, /no column 'lable' \(did you mean 'label'\?\); its columns are a, b, label/)
    const missing = (await step.run({ candidate: join(folder, 'good.onnx'), data: join(folder, 'none.csv'), target: 'label' }, testContext(t.services)).catch((e: AppError) => e)) as AppError
    assert.equal(missing.code, 'RESOURCE_DOES_NOT_EXIST')
  })
})
