import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { TEST_BACKENDS } from '../../storage/contract/test-databases.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import { SqlTriggerStateStore } from '../../storage/sql/sql-trigger-state-store.js'
import { SqlLoggedDatasets } from '../../storage/sql/tracking/sql-logged-datasets.js'
import { SqlTrackingStore } from '../../storage/sql/tracking/sql-tracking-store.js'
import { TrackingService } from '../../tracking/tracking-service.js'
import type { TriggerSpec } from '../pipeline-spec.js'
import { ArtifactPrefixLister } from './artifact-prefix-lister.js'
import { MemoryTriggerSource, RecordingLauncher } from './trigger-fixtures.test-helper.js'
import { TriggerManager } from './trigger-manager.js'

const mapping = { data: '${{ trigger.uri }}', key: '${{ trigger.key }}', name: '${{ trigger.name }}', digest: '${{ trigger.digest }}' }

for (const backend of TEST_BACKENDS) {
  describe(`${backend.name}: data triggers`, { skip: backend.skip }, () => {
    let database: SqlDatabase
    let cleanup: () => Promise<void>
    let tracking: TrackingService
    let folder: string
    const lister = new ArtifactPrefixLister()
    before(async () => {
      const opened = await backend.open()
      database = opened.database
      cleanup = opened.cleanup
      tracking = new TrackingService(new SqlTrackingStore(database))
      folder = mkdtempSync(join(tmpdir(), 'plinth-data-trigger-'))
    })
    after(async () => {
      await lister.close()
      rmSync(folder, { recursive: true, force: true })
      await cleanup()
    })

    function managerFor(spec: TriggerSpec, launcher = new RecordingLauncher()) {
      const source = new MemoryTriggerSource()
      source.set('retrain', [spec])
      const manager = new TriggerManager({ source, launcher, store: new SqlTriggerStateStore(database), tracking: new SqlLoggedDatasets(database), artifacts: lister, pollIntervalMs: 3_600_000, log: () => {} })
      return { manager, launcher }
    }

    const logDataset = async (experimentId: string, digest: string, name = 'churn-train') => {
      const run = await tracking.createRun({ experimentId })
      await tracking.logInputs(run.info.runId, [{ tags: [], dataset: { name, digest, sourceType: 'local', source: `s3://lake/churn/${digest}.parquet` } }])
      return run.info.runId
    }

    it('should start a run for a dataset version logged after the trigger was armed, once', async () => {
      const experimentId = await tracking.createExperiment({ name: `exp-${backend.name}` })
      await logDataset(experimentId, 'd0')
      const { manager, launcher } = managerFor({ kind: 'data', dataset: 'churn-train', params: mapping })
      await manager.start()
      assert.equal(launcher.runs.length, 0, 'data logged before the trigger existed is the baseline')
      const loggedBy = [await logDataset(experimentId, 'd1'), await logDataset(experimentId, 'd1')]
      await logDataset(experimentId, 'other', 'fraud-train')
      await manager.poll()
      await manager.poll()
      await manager.stop()
      assert.equal(launcher.runs.length, 1)
      const { trigger, params } = launcher.runs[0]!.request
      assert.equal(trigger.eventId, 'dataset:d1')
      assert.equal(params.data, 's3://lake/churn/d1.parquet')
      assert.equal(params.digest, 'd1')
      assert.ok(loggedBy.includes((trigger.payload as { runId: string }).runId), 'the payload names a run that logged it')
    })

    it('should start a run for each new or replaced object under a folder prefix, surviving a restart', async () => {
      const prefix = pathToFileURL(join(folder, 'incoming')).href
      mkdirSync(join(folder, 'incoming', 'day1'), { recursive: true })
      writeFileSync(join(folder, 'incoming', 'day1', 'old.csv'), 'a,b\n')
      const first = managerFor({ kind: 'data', prefix, params: mapping })
      await first.manager.start()
      writeFileSync(join(folder, 'incoming', 'day1', 'new.csv'), 'a,b\n1,2\n')
      await first.manager.poll()
      await first.manager.stop()
      writeFileSync(join(folder, 'incoming', 'day1', 'old.csv'), 'a,b\n3,4\n5,6\n')
      writeFileSync(join(folder, 'incoming', 'later.csv'), 'x\n')
      const second = managerFor({ kind: 'data', prefix, params: mapping }, first.launcher)
      await second.manager.start()
      await second.manager.stop()
      const started = first.launcher.runs.map((r) => r.request)
      assert.deepEqual(started.map((r) => r.trigger.eventId), ['object:day1/new.csv:8', 'object:day1/old.csv:12', 'object:later.csv:2'])
      assert.deepEqual(started[0]!.params, { data: `${prefix}/day1/new.csv`, key: 'day1/new.csv', name: 'new.csv', digest: '' })
    })
  })
}
