import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { QueueExecutor } from '../../src/pipelines/executors/queue/queue-executor.js'
import { QUEUE_KEY_PREFIX } from '../../src/pipelines/executors/queue/queue-protocol.js'
import { dropQueue, eventually, REDIS_URL, skipWithoutRedis, uniqueQueueName } from '../../src/pipelines/executors/queue/queue-redis.test-helper.js'
import { shellTask } from '../../src/pipelines/executors/queue/sh-runner.test-helper.js'
import { startWorkerProcess, type WorkerProcess } from '../../src/testing/worker-process.js'

/**
 * A worker process killed with SIGKILL mid-step: its lease (BullMQ job lock) runs out, another
 * worker's stalled check puts the job back, and the attempt runs again there. Short leases keep
 * the test quick; the mechanism is the one production uses with the 30 s defaults.
 */
describe('plinth worker killed with SIGKILL mid-step', { skip: skipWithoutRedis }, () => {
  const url = REDIS_URL!
  const queues: string[] = []
  const workers: WorkerProcess[] = []
  let dir: string
  let executor: QueueExecutor | undefined

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-queue-kill-'))
  })
  after(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')))
    await executor?.close()
    for (const name of queues) await dropQueue(url, name)
    await rm(dir, { recursive: true, force: true })
  })

  async function worker(queueName: string): Promise<WorkerProcess> {
    const w = await startWorkerProcess(['--redis-url', url, '--artifacts-destination', dir, '--queue', queueName, '--lock-duration-ms', '2000', '--stalled-interval-ms', '500', '--max-stalled', '1'])
    workers.push(w)
    return w
  }
  async function lines(file: string): Promise<string[]> {
    return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '')
  }
  /** The step's own shell (its process group leader) outlives a SIGKILLed worker; a dead host takes it too. */
  function killStepGroup(line: string): void {
    const pid = Number(line.split(' ')[1])
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  async function killedMidStep(w: WorkerProcess, file: string, deliveries: number): Promise<void> {
    await eventually(async () => (await lines(file)).length === deliveries, `delivery ${deliveries} to start`, 60_000)
    w.child.kill('SIGKILL')
    await w.exited
    killStepGroup((await lines(file))[deliveries - 1]!)
  }
  async function completedEvents(queueName: string, attemptId: string): Promise<number> {
    const redis = new Redis(url)
    try {
      const entries = await redis.xrange(`${QUEUE_KEY_PREFIX}:${queueName}:events`, '-', '+')
      return entries.filter(([, fields]) => fields.join(' ').includes(`event completed`) && fields.includes(attemptId)).length
    } finally {
      redis.disconnect()
    }
  }

  it('should run the attempt again on another worker and deliver its result once', async () => {
    const queueName = uniqueQueueName('kill')
    queues.push(queueName)
    const file = join(dir, 'deliveries.txt')
    const first = await worker(queueName)
    executor = new QueueExecutor({ redisUrl: url, queueName })
    const task = shellTask('att-kill', `echo "start $$" >> ${file}; sleep 3; echo "end $$" >> ${file}`)
    const result = executor.execute(task, new AbortController().signal)
    await killedMidStep(first, file, 1)
    const second = await worker(queueName)

    const ended = await result
    assert.equal(ended.outcome, 'succeeded')
    assert.equal(ended.worker, second.identity)
    assert.notEqual(second.identity, first.identity)
    const written = await lines(file)
    assert.equal(written.length, 3, written.join('\n'))
    assert.match(written[0]!, /^start /)
    assert.match(written[1]!, /^start /)
    assert.equal(written[2], `end ${written[1]!.split(' ')[1]}`)
    assert.equal(await completedEvents(queueName, 'att-kill'), 1)
    const queue = new Queue(queueName, { connection: { url }, prefix: QUEUE_KEY_PREFIX })
    const job = await queue.getJob('att-kill')
    assert.deepEqual([await job?.getState(), job?.attemptsStarted, job?.stalledCounter], ['completed', 2, 1])
    await queue.close()
    assert.equal(second.events.filter((e) => e.type === 'finished' && e.attemptId === 'att-kill').length, 1)
  })

  it('should end an attempt as lost once its workers died more often than --max-stalled allows', async () => {
    const queueName = uniqueQueueName('lost')
    queues.push(queueName)
    const file = join(dir, 'lost.txt')
    const exec = new QueueExecutor({ redisUrl: url, queueName })
    try {
      const result = exec.execute(shellTask('att-lost', `echo "start $$" >> ${file}; sleep 30`), new AbortController().signal)
      await killedMidStep(await worker(queueName), file, 1)
      await killedMidStep(await worker(queueName), file, 2)
      await worker(queueName)
      const ended = await result
      assert.equal(ended.outcome, 'lost')
      assert.match(ended.error ?? '', /stopped answering/)
      assert.equal((await lines(file)).length, 2)
    } finally {
      await exec.close()
    }
  })
})
