import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readOnnxSignature } from '../../src/registry/onnx-signature.js'
import { writeSyntheticCsv } from '../../src/training/synthetic-data.test-helper.js'
import { makeTempDir, removeTempDir, runCli, sqliteUri } from './plinth-process.test-helper.js'

/** `plinth train` as a pipeline step runs it: a CSV in, a model file, a run and a version out. */
describe('plinth train', () => {
  let dir: string
  let csv: string
  let env: Record<string, string>

  before(async () => {
    dir = await makeTempDir('train-cli')
    csv = join(dir, 'houses.csv')
    writeSyntheticCsv(csv, 'regression', 600, 3, 4)
    env = { PLINTH_BACKEND_STORE_URI: sqliteUri(join(dir, 'plinth.db')), PLINTH_ARTIFACTS_DESTINATION: join(dir, 'artifacts') }
    const migrated = await runCli(['db', 'migrate'], { env })
    assert.equal(migrated.code, 0, migrated.stderr)
  })
  after(() => removeTempDir(dir))

  it('should write an ONNX regressor and print its holdout metrics without touching the database', async () => {
    const out = join(dir, 'model.onnx')
    const result = await runCli(['train', '--data', csv, '--target', 'y', '--model', 'linear', '--out', out])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /Trained linear \(regression, target y\) on 480 rows/)
    assert.match(result.stdout, /r2\s+0\.\d{4}/)
    assert.deepEqual(readOnnxSignature(await readFile(out)).outputs.map((o) => o.name), ['variable'])
  })

  it('should track a run and register a version, answering with the documented JSON', async () => {
    const result = await runCli(['train', '--data', csv, '--target', 'y', '--trees', '10', '--experiment', 'houses', '--register', 'houses', '--json'], { env })
    assert.equal(result.code, 0, result.stderr)
    const output = JSON.parse(result.stdout)
    assert.deepEqual(Object.keys(output), [
      'task', 'model', 'target', 'features', 'trainRows', 'testRows', 'droppedRows', 'params', 'metrics', 'trainSeconds',
      'out', 'experimentId', 'runId', 'modelUri', 'registeredModel', 'version',
    ])
    assert.equal(output.model, 'gbt')
    assert.equal(output.modelUri, `runs:/${output.runId}/model/model.onnx`)
    assert.equal(output.version, 1)
    assert.deepEqual(Object.keys(output.metrics), ['mae', 'rmse', 'r2'])
    const shown = await runCli(['models', 'show', 'houses', '1', '--json'], { env })
    const version = JSON.parse(shown.stdout)
    assert.equal(version.runId, output.runId)
    assert.deepEqual(version.tags.find((t: { key: string }) => t.key === 'plinth.reference_data'), { key: 'plinth.reference_data', value: 'reference/reference.csv' })
  })

  it('should refuse a text feature with INVALID_PARAMETER_VALUE and say which column', async () => {
    const withText = join(dir, 'text.csv')
    await writeFile(withText, 'size,colour,y\n1,red,0\n2,blue,1\n3,red,0\n4,blue,1\n')
    const result = await runCli(['train', '--data', withText, '--target', 'y'])
    assert.equal(result.code, 3)
    assert.match(result.stderr, /Feature column 'colour' holds text/)
  })

  it('should write reference data named as prediction logs name the input, and append metrics as a pipeline step reads them', async () => {
    const reference = join(dir, 'reference.csv')
    const metrics = join(dir, 'metrics.txt')
    await writeFile(metrics, 'earlier=1\n')
    const result = await runCli(['train', '--data', csv, '--target', 'y', '--model', 'linear', '--reference-out', reference, '--metrics-file', metrics])
    assert.equal(result.code, 0, result.stderr)
    const lines = (await readFile(reference, 'utf8')).trim().split('\n')
    assert.equal(lines[0], 'input[0],input[1],input[2],y')
    assert.equal(lines.length, 1 + 480)
    const written = (await readFile(metrics, 'utf8')).trim().split('\n')
    assert.equal(written[0], 'earlier=1')
    assert.deepEqual(written.slice(1).map((l) => l.split('=')[0]), ['mae', 'rmse', 'r2'])
    assert.ok(written.slice(1).every((l) => Number.isFinite(Number(l.split('=')[1]))))
  })

  it('should refuse a classifier asked to do regression', async () => {
    const result = await runCli(['train', '--data', csv, '--target', 'y', '--model', 'logistic'])
    assert.equal(result.code, 3)
    assert.match(result.stderr, /--model logistic is a classifier but the task is regression/)
  })
})
