import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, it } from 'node:test'
import { Queue } from 'bullmq'
import { QueueExecutor } from './queue-executor.js'
import { QUEUE_KEY_PREFIX } from './queue-protocol.js'
import { dropQueue, eventually, processGone, REDIS_URL, skipWithoutRedis, uniqueQueueName } from './queue-redis.test-helper.js'
import { QueueWorker, type WorkerEvent } from './queue-worker.js'
import { runShell, shellTask } from './sh-runner.test-helper.js'

describe('QueueExecutor with QueueWorker on Redis', { skip: skipWithoutRedis }, () => {
  const url = REDIS_URL!
  let dir: string
  const open: Array<{ close?: () => Promise<void>; stop?: (graceMs?: number) => Promise<void> }> = []
  const queues: string[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-queue-'))
  })
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await (item.close?.() ?? item.stop?.(0))
  })
  after(async () => {
    for (const name of queues) await dropQueue(url, name)
    await rm(dir, { recursive: true, force: true })
  })

  function queueName(label: string): string {
    const name = uniqueQueueName(label)
    queues.push(name)
    return name
  }
  function executor(name: string): QueueExecutor {
    const created = new QueueExecutor({ redisUrl: url, queueName: name, sweepIntervalMs: 500 })
    open.push(created)
    return created
  }
  async function worker(name: string, extra: { events?: WorkerEvent[]; identity?: string } = {}): Promise<QueueWorker> {
    const created = new QueueWorker({ redisUrl: url, queueName: name, runAttempt: runShell, identity: extra.identity, onEvent: (e) => extra.events?.push(e) })
    await created.start()
    open.push(created)
    return created
  }
  async function lines(file: string): Promise<string[]> {
    const text = await readFile(file, 'utf8').catch(() => '')
    return text.split('\n').filter((line) => line !== '')
  }
  /** The job as Redis holds it now, or undefined when the queue has no such job. */
  async function jobOf(name: string, attemptId: string) {
    const queue = new Queue(name, { connection: { url }, prefix: QUEUE_KEY_PREFIX })
    try {
      const job = await queue.getJob(attemptId)
      return job && { state: await job.getState(), attemptsStarted: job.attemptsStarted }
    } finally {
      await queue.close()
    }
  }

  it('should run an attempt on a worker and return its result with the worker identity', async () => {
    const name = queueName('run')
    const file = join(dir, 'run.txt')
    await worker(name, { identity: 'host-a:101' })
    const result = await executor(name).execute(shellTask('att-run', `echo "$GREETING" >> ${file}`, { GREETING: 'hello' }), new AbortController().signal)
    assert.equal(result.outcome, 'succeeded')
    assert.equal(result.exitCode, 0)
    assert.equal(result.worker, 'host-a:101')
    assert.deepEqual(await lines(file), ['hello'])
  })

  it('should hand secrets to the step while Redis only ever holds them sealed', async () => {
    const name = queueName('secret')
    const file = join(dir, 'secret.txt')
    const key = 'shared-queue-key-for-tests'
    const w = new QueueWorker({ redisUrl: url, queueName: name, runAttempt: runShell, secretKey: key })
    await w.start()
    open.push(w)
    const exec = new QueueExecutor({ redisUrl: url, queueName: name, secretKey: key })
    open.push(exec)
    const task = { ...shellTask('att-secret', `echo "$TOKEN" >> ${file}`, { TOKEN: 'hunter2-token' }), secretEnv: ['TOKEN'] }
    assert.equal((await exec.execute(task, new AbortController().signal)).outcome, 'succeeded')
    assert.deepEqual(await lines(file), ['hunter2-token'])
    const queue = new Queue(name, { connection: { url }, prefix: QUEUE_KEY_PREFIX })
    const stored = JSON.stringify((await queue.getJob('att-secret'))?.data)
    await queue.close()
    assert.ok(stored.includes('plinth-sealed:v1:') && !stored.includes('hunter2-token'), stored)
  })

  it('should report a failing step as failed and not retry it', async () => {
    const name = queueName('fail')
    const file = join(dir, 'fail.txt')
    await worker(name)
    const result = await executor(name).execute(shellTask('att-fail', `echo ran >> ${file}; exit 3`), new AbortController().signal)
    assert.equal(result.outcome, 'failed')
    assert.equal(result.exitCode, 3)
    assert.deepEqual(await jobOf(name, 'att-fail'), { state: 'completed', attemptsStarted: 1 })
    assert.deepEqual(await lines(file), ['ran'])
  })

  it('should report an attempt whose runner threw as failed, once', async () => {
    const name = queueName('throw')
    const thrower = new QueueWorker({ redisUrl: url, queueName: name, runAttempt: () => Promise.reject(new Error('artifact store unreachable')) })
    await thrower.start()
    open.push(thrower)
    const result = await executor(name).execute(shellTask('att-throw', 'true'), new AbortController().signal)
    assert.equal(result.outcome, 'failed')
    assert.match(result.error ?? '', /artifact store unreachable/)
    assert.equal((await jobOf(name, 'att-throw'))?.attemptsStarted, 1)
  })

  it('should kill the process tree of a running attempt when its run is cancelled', async () => {
    const name = queueName('cancel')
    const pidFile = join(dir, 'cancel.pid')
    const events: WorkerEvent[] = []
    await worker(name, { events })
    const controller = new AbortController()
    const running = executor(name).execute(shellTask('att-cancel', `sleep 60 & echo $! > ${pidFile}; wait`), controller.signal)
    await eventually(async () => (await lines(pidFile)).length === 1, 'the step to start its child')
    const childPid = Number((await lines(pidFile))[0])
    controller.abort()
    const result = await running
    assert.equal(result.outcome, 'cancelled')
    await eventually(() => processGone(childPid), 'the step child to be killed', 10_000)
    assert.ok(events.some((e) => e.type === 'cancel_requested' && e.attemptId === 'att-cancel'))
  })

  it('should answer cancelled for an attempt no worker has taken, and take it off the queue', async () => {
    const name = queueName('cancel-waiting')
    const controller = new AbortController()
    const running = executor(name).execute(shellTask('att-waiting', 'true'), controller.signal)
    await eventually(async () => (await jobOf(name, 'att-waiting')) !== undefined, 'the job to be queued')
    controller.abort()
    const result = await running
    assert.equal(result.outcome, 'cancelled')
    assert.equal(await jobOf(name, 'att-waiting'), undefined)
  })

  it('should run an attempt sent twice once and give both callers its result', async () => {
    const name = queueName('twice')
    const file = join(dir, 'twice.txt')
    await worker(name)
    const exec = executor(name)
    const task = shellTask('att-twice', `echo once >> ${file}; sleep 0.3`)
    const [a, b] = await Promise.all([exec.execute(task, new AbortController().signal), exec.execute(task, new AbortController().signal)])
    assert.equal(a.outcome, 'succeeded')
    assert.deepEqual(a, b)
    assert.deepEqual(await lines(file), ['once'])
  })

  it('should re-attach a restarted executor to the result of an attempt that ended while it was down', async () => {
    const name = queueName('reattach')
    const file = join(dir, 'reattach.txt')
    const task = shellTask('att-reattach', `echo ran >> ${file}; sleep 1`)
    const first = new QueueExecutor({ redisUrl: url, queueName: name })
    const lost = first.execute(task, new AbortController().signal)
    await eventually(async () => (await jobOf(name, 'att-reattach')) !== undefined, 'the job to be queued')
    const rejected = assert.rejects(lost, /executor closed/)
    await first.close()
    await rejected
    const w = await worker(name)
    await eventually(async () => (await jobOf(name, 'att-reattach'))?.state === 'completed', 'the attempt to end')
    const result = await executor(name).execute(task, new AbortController().signal)
    assert.equal(result.outcome, 'succeeded')
    assert.equal(result.worker, w.identity)
    assert.deepEqual(await lines(file), ['ran'])
  })

  it('should let a stopping worker finish an attempt that ends within the grace period', async () => {
    const name = queueName('drain')
    const file = join(dir, 'drain.txt')
    const events: WorkerEvent[] = []
    const w = await worker(name, { events })
    const running = executor(name).execute(shellTask('att-drain', `sleep 0.5; echo done >> ${file}`), new AbortController().signal)
    await eventually(() => w.active === 1, 'the attempt to start')
    await w.stop(30_000)
    assert.equal((await running).outcome, 'succeeded')
    assert.deepEqual(await lines(file), ['done'])
  })

  it('should hand a running attempt back to the queue when the grace period ends, for another worker to run', async () => {
    const name = queueName('handback')
    const file = join(dir, 'handback.txt')
    const events: WorkerEvent[] = []
    const first = await worker(name, { events, identity: 'first:1' })
    const running = executor(name).execute(shellTask('att-handback', `echo "start $$" >> ${file}; sleep 2`), new AbortController().signal)
    await eventually(async () => (await lines(file)).length === 1, 'the first delivery to start')
    await first.stop(100)
    assert.ok(events.some((e) => e.type === 'handed_back' && e.attemptId === 'att-handback'))
    const second = await worker(name, { identity: 'second:2' })
    const result = await running
    assert.equal(result.outcome, 'succeeded')
    assert.equal(result.worker, second.identity)
    assert.equal((await lines(file)).length, 2)
  })
})
