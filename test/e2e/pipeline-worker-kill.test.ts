import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createServices, type Services } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { QueueExecutor } from '../../src/pipelines/executors/queue/queue-executor.js'
import { dropQueue, eventually, REDIS_URL, skipWithoutRedis, uniqueQueueName } from '../../src/pipelines/executors/queue/queue-redis.test-helper.js'
import { startWorkerProcess, type WorkerProcess } from '../../src/testing/worker-process.js'

/**
 * Issue 5's failure rule on the whole stack: a pipeline whose training step runs on `plinth worker`
 * over Redis; the worker is killed with SIGKILL mid-step; the step runs again on another worker,
 * the pipeline completes, and the model is registered exactly once.
 */
describe('a pipeline whose worker is killed mid-step', { skip: skipWithoutRedis }, () => {
  const url = REDIS_URL!
  const queueName = uniqueQueueName('pipeline-kill')
  const workers: WorkerProcess[] = []
  let dir: string
  let services: Services

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-pipeline-kill-'))
    await writeFile(join(dir, 'model.onnx'), unaryModel('Identity'))
    const config = resolveConfig({ backendStoreUri: `sqlite:///${join(dir, 'plinth.db')}`, artifactsDestination: join(dir, 'artifacts') })
    services = await createServices(config, { pipelines: { executor: new QueueExecutor({ redisUrl: url, queueName }) } })
    await services.pipelines.start()
  })
  after(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')))
    await services.close()
    await dropQueue(url, queueName)
    await rm(dir, { recursive: true, force: true })
  })

  async function worker(): Promise<WorkerProcess> {
    const w = await startWorkerProcess(['--redis-url', url, '--artifacts-destination', join(dir, 'artifacts'), '--queue', queueName, '--lock-duration-ms', '2000', '--stalled-interval-ms', '500'])
    workers.push(w)
    return w
  }
  const deliveries = async () => (await readFile(join(dir, 'deliveries.txt'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '')

  it('should retry the step on another worker, complete, and register one version', async () => {
    const first = await worker()
    await services.pipelines.apply(`
name: kill-train
steps:
  - name: train
    run: echo "start $$" >> ${dir}/deliveries.txt; sleep 3; cp ${dir}/model.onnx "\${{ outputs.model }}"; echo "end $$" >> ${dir}/deliveries.txt
    outputs: {artifacts: [model]}
  - name: register
    uses: register
    with: {model: "\${{ steps.train.outputs.model }}", name: churn, alias: challenger}
`)
    const launched = await services.pipelines.launch({ pipeline: 'kill-train', params: {}, trigger: { kind: 'api' } })
    assert.ok(launched.started)
    await eventually(async () => (await deliveries()).length === 1, 'the step to start on the first worker', 60_000)
    first.child.kill('SIGKILL')
    await first.exited
    // A dead machine takes its step's processes with it; here the orphaned shell is killed by hand.
    process.kill(-Number((await deliveries())[0]!.split(' ')[1]), 'SIGKILL')
    await worker()

    const status = await services.pipelines.waitFor(launched.runId)
    const view = await services.pipelines.getRun(launched.runId)
    assert.equal(status, 'succeeded', JSON.stringify(view.attempts.map((a) => [a.step, a.status, a.error])))
    const lines = await deliveries()
    assert.equal(lines.filter((l) => l.startsWith('start')).length, 2, lines.join('\n'))
    assert.equal(lines.filter((l) => l.startsWith('end')).length, 1, lines.join('\n'))
    const versions = await services.registry.searchModelVersions({ filter: "name = 'churn'" })
    assert.equal(versions.items.length, 1)
    assert.equal((await services.registry.getModelVersionByAlias('churn', 'challenger')).version, versions.items[0]!.version)
  })
})
