/**
 * Fan-out benchmark: N steps of a fixed duration through QueueExecutor (BullMQ on Redis) to W
 * `plinth worker` processes of concurrency 1, against two references in the same run: the ideal
 * (sum of durations / W) and a local peer (the same step runner, W at a time in this process, no
 * queue), which shows how much of the overhead is process spawning rather than the queue.
 *
 *   npx tsx bench/pipelines/fanout.ts [--steps 1000] [--workers 4] [--duration-ms 200] [--probes 200] [--redis-url redis://127.0.0.1:6379] [--skip-local]
 *
 * Prints wall time, overhead over ideal (target: within 10 %), the gap a worker leaves between
 * one step's end and its next step's start (p50/p99), and, with the workers idle, enqueue-to-start
 * and end-to-result latency of single steps sent one after another (p50/p99).
 * Steps are `sleep`, so on a small machine the workers mostly wait rather than compete for CPU.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createArtifactStore } from '../../src/artifacts/index.js'
import { runStepProcess } from '../../src/pipelines/executors/run-step-process.js'
import { QueueExecutor } from '../../src/pipelines/executors/queue/queue-executor.js'
import type { StepResult, StepTask } from '../../src/pipelines/step-executor.js'
import { dropQueue } from '../../src/pipelines/executors/queue/queue-redis.test-helper.js'
import { startWorkerProcess, type WorkerProcess } from '../../src/testing/worker-process.js'
import { fmt, percentiles } from '../lib/stats.js'

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '4' },
    'duration-ms': { type: 'string', default: '200' },
    probes: { type: 'string', default: '200' },
    'redis-url': { type: 'string', default: process.env.PLINTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'skip-local': { type: 'boolean', default: false },
  },
})
const STEPS = Number(args.steps)
const WORKERS = Number(args.workers)
const DURATION_MS = Number(args['duration-ms'])
const PROBES = Number(args.probes)
const REDIS_URL = args['redis-url']!
const IDEAL_MS = (STEPS * DURATION_MS) / WORKERS
const ARTIFACTS = mkdtempSync(join(tmpdir(), 'plinth-fanout-artifacts-'))

function sleepTask(index: number, seconds: number): StepTask {
  return {
    pipelineRunId: 'bench-run',
    pipeline: 'fanout',
    step: `step-${index}`,
    attempt: 1,
    attemptId: `bench-${randomUUID()}`,
    trackingRunId: 'bench-tracking',
    command: { argv: ['sleep', String(seconds)] },
    env: {},
    secretEnv: [],
    inputs: {},
    outputs: { artifacts: [], params: [] },
  }
}

interface FanOut {
  wallMs: number
  results: StepResult[]
}

/** Every step sent at once; the wall clock runs from the first send to the last result. */
async function fanOut(run: (task: StepTask) => Promise<StepResult>): Promise<FanOut> {
  const tasks = Array.from({ length: STEPS }, (_, i) => sleepTask(i, DURATION_MS / 1000))
  const start = Date.now()
  let done = 0
  const progress = setInterval(() => process.stderr.write(`  ${done}/${STEPS} steps done\n`), 10_000)
  const results = await Promise.all(tasks.map((t) => run(t).then((r) => (done++, r))))
  clearInterval(progress)
  return { wallMs: Date.now() - start, results }
}

/** W loops in this process taking the next step as soon as they are free: the queue-less peer. */
async function localPeer(): Promise<FanOut> {
  // The same attempt runner the workers use, so the comparison is the queue and nothing else.
  const artifacts = createArtifactStore(ARTIFACTS)
  await artifacts.init()
  const runner = (task: StepTask, signal: AbortSignal) => runStepProcess(task, signal, { artifacts })
  const signal = new AbortController().signal
  const free = Array.from({ length: WORKERS }, (_, i) => `local-${i}`)
  const waiting: Array<(slot: string) => void> = []
  const take = () => (free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<string>((r) => waiting.push(r)))
  const release = (slot: string) => (waiting.length > 0 ? waiting.shift()!(slot) : free.push(slot))
  return fanOut(async (task) => {
    const slot = await take()
    try {
      return { ...(await runner(task, signal)), worker: slot }
    } finally {
      release(slot)
    }
  })
}

/** Per worker: time from the end of one step to the start of the next (queue hand-off plus spawn). */
function handoffGaps(results: StepResult[]): number[] {
  const byWorker = new Map<string, StepResult[]>()
  for (const r of results) byWorker.set(r.worker ?? 'local', [...(byWorker.get(r.worker ?? 'local') ?? []), r])
  const gaps: number[] = []
  for (const list of byWorker.values()) {
    list.sort((a, b) => a.startedAt - b.startedAt)
    for (let i = 1; i < list.length; i++) gaps.push(list[i]!.startedAt - list[i - 1]!.endedAt)
  }
  return gaps
}

async function idleLatency(executor: QueueExecutor): Promise<{ toStart: number[]; toResult: number[] }> {
  const toStart: number[] = []
  const toResult: number[] = []
  for (let i = 0; i < PROBES; i++) {
    const sent = Date.now()
    const result = await executor.execute(sleepTask(i, 0), new AbortController().signal)
    toStart.push(result.startedAt - sent)
    toResult.push(Date.now() - result.endedAt)
  }
  return { toStart, toResult }
}

function report(label: string, run: FanOut): void {
  const notSucceeded = run.results.filter((r) => r.outcome !== 'succeeded')
  const failed = notSucceeded.length
  for (const r of notSucceeded.slice(0, 3)) console.log(`  not succeeded: ${r.outcome} on ${r.worker ?? '-'}: ${r.error ?? ''}`)
  const gaps = percentiles(handoffGaps(run.results))
  const stepMs = percentiles(run.results.map((r) => r.endedAt - r.startedAt))
  const overhead = ((run.wallMs - IDEAL_MS) / IDEAL_MS) * 100
  console.log(`${label}: wall ${fmt(run.wallMs / 1000, 2)} s, ideal ${fmt(IDEAL_MS / 1000, 2)} s, overhead ${fmt(overhead, 2)} %`)
  console.log(`  step run time (spawn to exit) mean ${fmt(stepMs.mean)} ms p99 ${fmt(stepMs.p99)} ms; hand-off gap p50 ${fmt(gaps.p50)} ms p99 ${fmt(gaps.p99)} ms; not succeeded ${failed}`)
}

async function main(): Promise<void> {
  const queueName = `bench-fanout-${randomUUID().slice(0, 8)}`
  console.log(`fan-out: ${STEPS} steps of sleep ${DURATION_MS} ms, ${WORKERS} workers of concurrency 1, Redis ${REDIS_URL}`)
  const workers: WorkerProcess[] = await Promise.all(Array.from({ length: WORKERS }, () => startWorkerProcess(['--redis-url', REDIS_URL, '--artifacts-destination', ARTIFACTS, '--queue', queueName, '--concurrency', '1'])))
  const executor = new QueueExecutor({ redisUrl: REDIS_URL, queueName })
  try {
    await Promise.all(Array.from({ length: WORKERS * 2 }, (_, i) => executor.execute(sleepTask(i, 0), new AbortController().signal)))
    const queued = await fanOut((task) => executor.execute(task, new AbortController().signal))
    report('queue (BullMQ)', queued)
    const local = args['skip-local'] ? undefined : await localPeer()
    if (local) {
      report('local peer (no queue)', local)
      console.log(`queue wall / local wall: ${fmt(queued.wallMs / local.wallMs, 3)}`)
    }
    const idle = await idleLatency(executor)
    const start = percentiles(idle.toStart)
    const back = percentiles(idle.toResult)
    console.log(`idle workers, ${PROBES} single steps one after another: enqueue-to-start p50 ${fmt(start.p50)} ms p99 ${fmt(start.p99)} ms; end-to-result p50 ${fmt(back.p50)} ms p99 ${fmt(back.p99)} ms`)
  } finally {
    await executor.close()
    await Promise.all(workers.map((w) => w.stop()))
    await dropQueue(REDIS_URL, queueName)
  }
}

await main()
