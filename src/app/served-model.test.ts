import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { resolveConfig, type PlinthConfig } from '../config/index.js'
import { registerModels, unaryModel } from '../inference/serving-fixtures.test-helper.js'
import type { AppError } from '../shared/errors.js'
import { loadServedModel } from './served-model.js'
import { createServices } from './services.js'

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: AppError) => error.code)

describe('loadServedModel (plinth serve -m)', () => {
  let folder: string
  let config: PlinthConfig
  let runId: string
  const model = unaryModel('Neg')

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-served-model-'))
    config = resolveConfig({ backendStoreUri: `sqlite:///${join(folder, 'plinth.db')}`, artifactsDestination: join(folder, 'artifacts') }, {})
    const services = await createServices(config)
    try {
      await registerModels(services, 'churn', [unaryModel('Identity'), model], { champion: 2 })
      const run = await services.tracking.createRun({ experimentId: '0' })
      runId = run.info.runId
      const root = run.info.artifactUri.replace(/^mlflow-artifacts:\/*/, '')
      await services.artifacts.upload(`${root}/classifier/model.onnx`, Readable.from(Buffer.from(model)))
      await services.artifacts.upload(`${root}/classifier/MLmodel`, Readable.from(Buffer.from('flavors: {}\n')))
    } finally {
      await services.close()
    }
    mkdirSync(join(folder, 'exported'))
    writeFileSync(join(folder, 'exported', 'fraud.onnx'), model)
  })
  after(() => rmSync(folder, { recursive: true, force: true }))

  it('should resolve models:/ aliases and versions through the registry, once', async () => {
    const byAlias = await loadServedModel('models:/churn@champion', config)
    assert.deepEqual([byAlias.name, byAlias.version, Buffer.from(byAlias.bytes).equals(Buffer.from(model))], ['churn', 2, true])
    const byVersion = await loadServedModel('models:/churn/1', config, 'scorer')
    assert.deepEqual([byVersion.name, byVersion.version], ['scorer', 1])
  })

  it('should read runs:/ from the run\'s artifacts, finding the .onnx in a model folder', async () => {
    const served = await loadServedModel(`runs:/${runId}/classifier`, config)
    assert.deepEqual([served.name, served.version], ['classifier', 1])
    assert.ok(Buffer.from(served.bytes).equals(Buffer.from(model)))
  })

  it('should read a local file, a file:// URI or a folder without touching the database', async () => {
    const offline = resolveConfig({ backendStoreUri: 'postgresql://nobody@127.0.0.1:1/none' }, {})
    for (const uri of [join(folder, 'exported', 'fraud.onnx'), pathToFileURL(join(folder, 'exported', 'fraud.onnx')).href, join(folder, 'exported')]) {
      const served = await loadServedModel(uri, offline)
      assert.deepEqual([served.name, served.version], [uri.endsWith('exported') ? 'exported' : 'fraud', 1])
    }
  })

  it('should refuse what it cannot serve with a clear code', async () => {
    assert.equal(await codeOf(loadServedModel(join(folder, 'nothing.onnx'), config)), 'RESOURCE_DOES_NOT_EXIST')
    assert.equal(await codeOf(loadServedModel(join(folder, 'plinth.db'), config)), 'INVALID_PARAMETER_VALUE')
    assert.equal(await codeOf(loadServedModel('s3://bucket/model.onnx', config)), 'INVALID_PARAMETER_VALUE')
    assert.equal(await codeOf(loadServedModel('models:/churn@gold', config)), 'INVALID_PARAMETER_VALUE')
    assert.equal(await codeOf(loadServedModel('models:/nope/1', config)), 'RESOURCE_DOES_NOT_EXIST')
  })
})
