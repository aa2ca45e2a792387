import type { Command } from 'commander'
import { resolveConfig } from '../config/index.js'
import { redactUrl } from '../pipelines/executors/queue/bullmq-loader.js'
import { createArtifactStore } from '../artifacts/index.js'
import { runStepProcess } from '../pipelines/executors/run-step-process.js'
import { DEFAULT_QUEUE_NAME } from '../pipelines/executors/queue/queue-protocol.js'
import { QueueWorker, type WorkerEvent } from '../pipelines/executors/queue/queue-worker.js'
import { AppError } from '../shared/errors.js'
import { action } from './cli-context.js'

interface WorkerFlags {
  redisUrl?: string
  artifactsDestination?: string
  concurrency: string
  queue: string
  lockDurationMs: string
  stalledIntervalMs: string
  maxStalled: string
  graceMs: string
  json?: boolean
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run pipeline steps from a Redis queue (the server runs with --executor queue)')
    .option('--redis-url <url>', 'Redis the server enqueues steps on (env PLINTH_REDIS_URL)')
    .option('--artifacts-destination <uri>', 'the artifact store the server uses (s3://… when workers run on other machines; env PLINTH_ARTIFACTS_DESTINATION)')
    .option('--concurrency <n>', 'steps this worker runs at once', '1')
    .option('--queue <name>', 'queue to take steps from', process.env.PLINTH_QUEUE ?? DEFAULT_QUEUE_NAME)
    .option('--lock-duration-ms <ms>', 'lease on a running step; a worker silent this long loses it', '30000')
    .option('--stalled-interval-ms <ms>', 'how often to look for steps whose worker was lost', '30000')
    .option('--max-stalled <n>', 'times a step is re-delivered after losing its worker before it ends as lost', '1')
    .option('--grace-ms <ms>', 'on SIGTERM, time running steps get to finish before they go back to the queue', '30000')
    .option('--json', 'log one JSON object per line')
    .action(action(runWorker))
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const { redisUrl, artifactsDestination } = resolveConfig({ redisUrl: flags.redisUrl, artifactsDestination: flags.artifactsDestination })
  if (redisUrl === '') throw new AppError('INVALID_PARAMETER_VALUE', 'plinth worker needs --redis-url (or PLINTH_REDIS_URL): the Redis the server enqueues steps on.')
  const log = logger(flags.json === true)
  // Inputs are read from and outputs, logs and metrics written to the server's artifact store.
  const artifacts = createArtifactStore(artifactsDestination)
  await artifacts.init()
  const worker = new QueueWorker({
    redisUrl,
    queueName: flags.queue,
    concurrency: whole(flags.concurrency, '--concurrency', 1),
    lockDurationMs: whole(flags.lockDurationMs, '--lock-duration-ms', 1000),
    stalledIntervalMs: whole(flags.stalledIntervalMs, '--stalled-interval-ms', 100),
    maxStalledCount: whole(flags.maxStalled, '--max-stalled', 1),
    runAttempt: (task, signal) => runStepProcess(task, signal, { artifacts }),
    onEvent: log,
  })
  const graceMs = whole(flags.graceMs, '--grace-ms', 0)
  await worker.start()
  stopOnSignals(worker, graceMs, log)
  log({ type: 'ready', worker: worker.identity, queue: flags.queue, redis: redactUrl(redisUrl), concurrency: flags.concurrency })
}

type LogEvent = WorkerEvent | { type: 'ready'; worker: string; queue: string; redis: string; concurrency: string } | { type: 'stopping' | 'stopped'; running: number }

/** The first SIGTERM/SIGINT drains; a second one hands running steps back at once. */
function stopOnSignals(worker: { stop(graceMs: number): Promise<void>; handBackAll(): void; readonly active: number }, graceMs: number, log: (event: LogEvent) => void): void {
  let signalled = false
  const onSignal = () => {
    if (signalled) return worker.handBackAll()
    signalled = true
    log({ type: 'stopping', running: worker.active })
    void worker.stop(graceMs).then(() => {
      log({ type: 'stopped', running: worker.active })
      process.exit(0)
    })
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

function logger(json: boolean): (event: LogEvent) => void {
  return (event) => {
    const line = json ? JSON.stringify({ time: new Date().toISOString(), ...event }) : describe(event)
    process.stdout.write(`${line}\n`)
  }
}

function describe(event: LogEvent): string {
  switch (event.type) {
    case 'ready':
      return `worker ${event.worker} taking steps from queue ${event.queue} on ${event.redis} (concurrency ${event.concurrency})`
    case 'started':
      return `started ${event.step} (attempt ${event.attemptId}, run ${event.pipelineRunId}${event.delivery > 1 ? `, delivery ${event.delivery}` : ''})`
    case 'finished':
      return `${event.outcome} ${event.step} (attempt ${event.attemptId})`
    case 'handed_back':
      return `handed back ${event.step} (attempt ${event.attemptId}) to the queue`
    case 'cancel_requested':
      return `cancelling attempt ${event.attemptId}`
    case 'requeued_stalled':
      return `re-queued attempt ${event.attemptId}: its worker stopped renewing its lease`
    case 'error':
      return `error: ${event.message}`
    case 'stopping':
      return `stopping: no new steps; ${event.running} running (a second signal hands them back now)`
    case 'stopped':
      return 'stopped'
  }
}

function whole(value: string, flag: string, min: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a whole number of at least ${min}; got '${value}'.`)
  return n
}
