import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { text } from 'node:stream/consumers'
import { after, before, describe, it } from 'node:test'
import type { AppError } from '../../shared/errors.js'
import { openPostgresSchema } from '../../storage/contract/test-databases.js'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { holdoutCsv, linearModel, testContext } from './builtin-fixtures.test-helper.js'
import { createRegisterStep } from './register-step.js'

const POSTGRES_URL = process.env.PLINTH_TEST_POSTGRES_URL

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`register (built-in step) on ${backend}`, { skip: backend === 'postgres' && !POSTGRES_URL ? 'PLINTH_TEST_POSTGRES_URL is not set' : false }, () => {
    let t: TestApp
    let dropSchema: (() => Promise<void>) | undefined
    let folder: string
    let trainRun: string
    let stepRun: string
    const step = createRegisterStep()

    before(async () => {
      if (backend === 'postgres') {
        const schema = await openPostgresSchema(POSTGRES_URL!)
        dropSchema = () => schema.cleanup()
        t = await createTestApp({ backendStoreUri: schema.uri })
      } else t = await createTestApp()
      folder = mkdtempSync(join(tmpdir(), 'plinth-register-'))
      writeFileSync(join(folder, 'model.onnx'), linearModel([1, 1], 0, true))
      writeFileSync(join(folder, 'train.csv'), holdoutCsv(5))
      trainRun = (await t.services.tracking.createRun({ experimentId: '0' })).info.runId
      stepRun = (await t.services.tracking.createRun({ experimentId: '0' })).info.runId
    })
    after(async () => {
      await t.close()
      await dropSchema?.()
      rmSync(folder, { recursive: true, force: true })
    })

    const args = () => ({ model: join(folder, 'model.onnx'), name: 'churn', alias: 'challenger', tags: { team: 'risk' }, reference_data: join(folder, 'train.csv'), source_run: trainRun })

    it('should register a version with lineage, tags, reference data and an alias', async () => {
      const result = await step.run(args(), testContext(t.services, { step: 'register', trackingRunId: stepRun }))
      assert.deepEqual([result.outputs.name, result.outputs.version, result.outputs.uri, result.outputs.reused], ['churn', '1', 'models:/churn/1', 'false'])
      const version = await t.services.registry.getModelVersionByAlias('churn', 'challenger')
      assert.equal(version.version, 1)
      assert.equal(version.runId, trainRun)
      const tags = Object.fromEntries(version.tags.map((tag) => [tag.key, tag.value]))
      assert.deepEqual([tags.team, tags['plinth.pipeline_run'], tags['plinth.pipeline_step'], tags['plinth.reference_data']], ['risk', 'prun-1', 'register', `runs:/${trainRun}/reference/train.csv`])
      const reference = await t.services.artifacts.downloadRun(trainRun, 'reference/train.csv')
      assert.equal(await text(reference.body), holdoutCsv(5))
    })

    it('should return the version it already made when the attempt is retried', async () => {
      const retried = await step.run(args(), { ...testContext(t.services, { step: 'register', trackingRunId: stepRun }), attempt: 2 })
      assert.deepEqual([retried.outputs.version, retried.outputs.reused], ['1', 'true'])
      const versions = await t.services.registry.searchModelVersions({ filter: "name = 'churn'" })
      assert.equal(versions.items.length, 1)
    })

    it('should make a new version for another pipeline run or step', async () => {
      const other = await step.run(args(), testContext(t.services, { step: 'register', pipelineRunId: 'prun-2', trackingRunId: stepRun }))
      assert.equal(other.outputs.version, '2')
      const plain = await step.run({ model: join(folder, 'model.onnx'), name: 'fraud' }, testContext(t.services, { step: 'register-fraud', trackingRunId: stepRun }))
      assert.equal(plain.outputs.uri, 'models:/fraud/1')
      assert.equal((await t.services.registry.getModelVersion('fraud', 1)).runId, stepRun)
    })

    it('should refuse bad arguments and a missing reference file', async () => {
      const problems = step.validate({ model: 'm.onnx', nme: 'x', tags: ['a'] })
      assert.equal(problems.length, 3, problems.join('\n'))
      assert.match(problems.join('\n'), /missing required argument 'name'/)
      assert.match(problems.join('\n'), /unknown argument 'nme' \(did you mean 'name'\?\)/)
      assert.match(problems.join('\n'), /'tags' must be a map/)
      const error = (await step.run({ ...args(), reference_data: join(folder, 'none.csv') }, testContext(t.services, { step: 'other', trackingRunId: stepRun })).catch((e: AppError) => e)) as AppError
      assert.equal(error.code, 'RESOURCE_DOES_NOT_EXIST')
    })
  })
}
