import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { NewRun, PipelineStore, StepAttempt } from '../../pipelines/pipeline-store.js'
import { SqlPipelineStore } from '../sql/sql-pipeline-store.js'
import type { TestBackend } from './test-databases.js'

const SOURCE = 'name: p\nsteps:\n  - {name: a, run: "true"}\n'

function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
  return { id, pipeline: 'p', pipelineVersion: 1, source: SOURCE, baseDir: null, params: { lr: '0.1' }, trigger: { kind: 'manual' }, createdAt: 1000, resumedFrom: null, ...extra }
}

function attempt(runId: string, step: string, n: number, extra: Partial<StepAttempt> = {}): StepAttempt {
  return { runId, step, attempt: n, status: 'running', cacheKey: null, cachedFrom: null, readyAt: 10, startedAt: 11, endedAt: null, exitCode: null, error: null, outputParams: {}, outputArtifacts: {}, metrics: {}, logUri: null, trackingRunId: null, worker: null, ...extra }
}

/** The pipeline store on every backend. */
export function describePipelineStore(backend: TestBackend): void {
  describe(`${backend.name}: PipelineStore`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let store: PipelineStore
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      store = new SqlPipelineStore(opened.database)
      await store.savePipeline('p', SOURCE, '/tmp/x', 1)
    })
    after(() => cleanup())

    it('should bump the version only when the source changes', async () => {
      assert.equal((await store.savePipeline('p', SOURCE, '/tmp/x', 2)).version, 1)
      const changed = await store.savePipeline('p', `${SOURCE}# changed\n`, '/tmp/x', 3)
      assert.equal(changed.version, 2)
      assert.equal((await store.getPipeline('p'))?.version, 2)
      assert.deepEqual((await store.listPipelines()).map((p) => p.name), ['p'])
      await store.savePipeline('p', SOURCE, '/tmp/x', 4)
    })

    it('should start one run per trigger event id and refuse the same event again', async () => {
      const first = await store.createRun(newRun('r-ev1', { trigger: { kind: 'alert', eventId: 'ev-1', payload: { monitor: 'm' } } }), false)
      assert.equal(first.created, true)
      const again = await store.createRun(newRun('r-ev2', { trigger: { kind: 'alert', eventId: 'ev-1' } }), false)
      assert.deepEqual(again, { created: false, reason: 'duplicate', runId: 'r-ev1' })
      const run = await store.getRun('r-ev1')
      assert.deepEqual(run?.trigger, { kind: 'alert', eventId: 'ev-1', payload: { monitor: 'm' } })
      assert.deepEqual(run?.params, { lr: '0.1' })
      assert.equal(await store.finishRun('r-ev1', 'cancelled', 5, null), true)
    })

    it('should refuse an exclusive run while another is active, and allow it after', async () => {
      assert.equal((await store.createRun(newRun('r-a'), true)).created, true)
      assert.deepEqual(await store.createRun(newRun('r-b'), true), { created: false, reason: 'forbidden', runId: 'r-a' })
      assert.equal((await store.createRun(newRun('r-c', { createdAt: 1001 }), false)).created, true)
      assert.deepEqual((await store.activeRuns('p')).map((r) => r.id).sort(), ['r-a', 'r-c'])
      assert.equal(await store.finishRun('r-c', 'failed', 2000, 'boom'), true)
      assert.equal(await store.finishRun('r-c', 'succeeded', 2001, null), false, 'a finished run keeps its status')
    })

    it('should claim a queued run once and let only the named owner be taken over', async () => {
      assert.equal(await store.claimRun('r-a', 'host:1', 100), true)
      assert.equal(await store.claimRun('r-a', 'host:2', 101), false)
      assert.equal(await store.claimRun('r-a', 'host:2', 102, 'host:9'), false)
      assert.equal(await store.claimRun('r-a', 'host:2', 103, 'host:1'), true)
      const run = await store.getRun('r-a')
      assert.equal(run?.owner, 'host:2')
      assert.equal(run?.startedAt, 100)
      await store.heartbeat('host:2', 500)
      assert.equal((await store.getRun('r-a'))?.heartbeatAt, 500)
    })

    it('should finish a running attempt once and keep outputs', async () => {
      await store.insertAttempt(attempt('r-a', 'train', 1, { cacheKey: 'k1' }))
      const finish = { status: 'succeeded' as const, startedAt: 12, endedAt: 20, exitCode: 0, error: null, outputParams: { f1: '0.9' }, outputArtifacts: { model: 'mlflow-artifacts:/x' }, metrics: { loss: 0.1 }, logUri: 'mlflow-artifacts:/log', worker: 'h:1' }
      assert.equal(await store.finishAttempt({ runId: 'r-a', step: 'train', attempt: 1 }, finish), true)
      assert.equal(await store.finishAttempt({ runId: 'r-a', step: 'train', attempt: 1 }, { ...finish, status: 'failed' }), false)
      const [stored] = await store.listAttempts('r-a')
      assert.equal(stored?.status, 'succeeded')
      assert.deepEqual(stored?.outputParams, { f1: '0.9' })
      assert.deepEqual(stored?.metrics, { loss: 0.1 })
      assert.equal(stored?.readyAt, 10)
    })

    it('should find the newest succeeded attempt for a cache key', async () => {
      await store.recordCache('p', 'k1', { runId: 'r-a', step: 'train', attempt: 1 }, 30)
      await store.recordCache('p', 'k1', { runId: 'r-a', step: 'train', attempt: 1 }, 31)
      assert.equal((await store.findCache('p', 'k1'))?.outputArtifacts.model, 'mlflow-artifacts:/x')
      assert.equal(await store.findCache('other', 'k1'), undefined, 'the cache is per pipeline')
      await store.insertAttempt(attempt('r-a', 'eval', 1, { status: 'cached', cachedFrom: { runId: 'r-0', step: 'eval', attempt: 2 } }))
      assert.deepEqual((await store.getAttempt({ runId: 'r-a', step: 'eval', attempt: 1 }))?.cachedFrom, { runId: 'r-0', step: 'eval', attempt: 2 })
    })
  })
}
