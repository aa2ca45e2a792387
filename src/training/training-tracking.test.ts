import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { RegistryReferenceSource } from '../monitoring/monitors/registry-reference-source.js'
import { openPostgresSchema } from '../storage/contract/test-databases.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'
import { predict } from './model-predictions.js'
import { writeSyntheticCsv } from './synthetic-data.test-helper.js'
import { train, type TrainResult } from './train-model.js'
import { MODEL_ARTIFACT, trackTraining } from './training-tracking.js'

const POSTGRES_URL = process.env['PLINTH_TEST_POSTGRES_URL']
const BACKENDS = [
  { name: 'sqlite', skip: undefined },
  { name: 'postgres', skip: POSTGRES_URL ? undefined : 'PLINTH_TEST_POSTGRES_URL is not set' },
]

for (const backend of BACKENDS) describe(`tracking and registering a training run (${backend.name})`, { skip: backend.skip }, () => {
  let t: TestApp
  let folder: string
  let csv: string
  let result: TrainResult
  let dropSchema = async () => {}
  before(async () => {
    if (backend.name === 'postgres') {
      const schema = await openPostgresSchema(POSTGRES_URL!)
      dropSchema = schema.cleanup
      t = await createTestApp({ backendStoreUri: schema.uri })
    } else t = await createTestApp()
    folder = mkdtempSync(join(tmpdir(), 'plinth-train-track-'))
    csv = join(folder, 'churn.csv')
    writeSyntheticCsv(csv, 'binary', 800, 4, 21)
    result = train(csv, { target: 'y', model: 'gbt', gbt: { trees: 20 } })
  })
  after(async () => {
    await t.close()
    await dropSchema()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should log params, holdout metrics and the model to a finished run in the named experiment', async () => {
    const tracked = await trackTraining(t.services, result, { experiment: 'churn-baselines', dataPath: csv, userId: 'ada' })
    assert.equal(tracked.modelUri, `runs:/${tracked.runId}/${MODEL_ARTIFACT}`)
    assert.equal(tracked.version, undefined)
    const run = await t.services.tracking.getRun(tracked.runId)
    assert.equal(run.info.status, 'FINISHED')
    assert.equal((await t.services.tracking.getExperimentByName('churn-baselines')).experimentId, run.info.experimentId)
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]))
    assert.deepEqual({ model: params['model'], task: params['task'], trees: params['trees'], features: params['features'] }, { model: 'gbt', task: 'classification', trees: '20', features: 'x0,x1,x2,x3' })
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]))
    for (const key of ['accuracy', 'f1', 'roc_auc', 'log_loss']) assert.equal(metrics[key], result.metrics[key])
    const files = (await t.services.artifacts.listRun(tracked.runId, '')).files.map((f) => f.path).sort()
    assert.deepEqual(files, ['data', 'model'])
  })

  it('should register a version that serves on /v2 with the in-memory predictions and names its reference data', async () => {
    const tracked = await trackTraining(t.services, result, { register: 'churn', userId: 'ada' })
    assert.equal(tracked.version?.version, 1)
    assert.deepEqual(tracked.version?.pinned.signature.inputs.map((i) => [i.name, i.datatype, i.shape]), [['input', 'FP32', [-1, 4]]])
    const rows = [[0.1, -1, 55, 0.3], [1.2, 0.4, 41, -2]]
    const response = await call(t.app, 'POST', '/v2/models/churn/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 4], data: rows.flat() }] })
    assert.equal(response.status, 200, JSON.stringify(response.body))
    const outputs = Object.fromEntries(response.body.outputs.map((o: { name: string; data: number[] }) => [o.name, o.data]))
    const expected = predict(result.model, [0, 1, 2, 3].map((f) => Float32Array.from(rows, (r) => r[f]!)))
    if (expected.task !== 'classification') throw new Error('not a classifier')
    assert.deepEqual(outputs['label'], Array.from(expected.classIndex, Number))
    outputs['probabilities'].forEach((p: number, j: number) => assert.ok(Math.abs(p - expected.probabilities[j]!) < 1e-5))

    const source = new RegistryReferenceSource(t.services.registry, t.services.deployments, t.services.artifacts)
    const reference = await source.load({ kind: 'version' }, { model: 'churn', version: '1' })
    assert.deepEqual([...reference.keys()], ['input[0]', 'input[1]', 'input[2]', 'input[3]', 'y'])
    assert.equal(reference.get('input[0]')!.values.length, result.split.train.length)
  })
})
