import type { PredictionLogMetrics } from './prediction-log-metrics.js'
import type { PredictionStream } from './prediction-log-service.js'
import type { PredictionLog } from './prediction-log-store.js'
import { predictionLogToWire } from './prediction-log-wire.js'
import type { EncodedLog } from './prediction-log-writer.js'

type Nats = typeof import('nats')
type Connection = Awaited<ReturnType<Nats['connect']>>
type JetStream = ReturnType<Connection['jetstream']>

export interface NatsPredictionStreamOptions {
  /** One server URL or several separated by commas. */
  url: string
  subject: string
  metrics: PredictionLogMetrics
  /** Records waiting to be published at most; past it, new ones are dropped and counted. Default 10,000. */
  queueSize?: number
  /** Attempts per record before it is counted failed. Default 6 (about 6 s of backoff). */
  maxAttempts?: number
  retryBaseMs?: number
  warn?: (message: string) => void
}

/** `plinth.predictions` → `PLINTH_PREDICTIONS`: JetStream names allow no dots. */
export function streamNameFor(subject: string): string {
  return subject.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')
}

/**
 * Publishes stored prediction logs to NATS JetStream, one message per prediction (its JSON as the
 * API returns it), each confirmed by the stream's acknowledgement. The message id is the
 * prediction id, so a record republished after a lost acknowledgement is stored once (within
 * the stream's duplicate window). The stream is created if no stream takes the subject yet.
 * The connection is made on first use and kept; NATS reconnects by itself.
 */
export class NatsPredictionStream implements PredictionStream {
  readonly #options: Required<Omit<NatsPredictionStreamOptions, 'warn'>> & Pick<NatsPredictionStreamOptions, 'warn'>
  #queue: EncodedLog[] = []
  #running: Promise<void> | undefined
  #connection: Promise<{ nc: Connection; js: JetStream }> | undefined
  #closed = false

  constructor(options: NatsPredictionStreamOptions) {
    this.#options = { queueSize: 10_000, maxAttempts: 6, retryBaseMs: 100, ...options }
  }

  publish(logs: readonly PredictionLog[]): void {
    this.publishEncoded(logs.map((log) => ({ id: log.predictionId, json: JSON.stringify(predictionLogToWire(log)) })))
  }

  /** Queues logs already in wire JSON (as the writer thread sends them back). */
  publishEncoded(messages: readonly EncodedLog[]): void {
    const room = this.#closed ? 0 : Math.max(0, this.#options.queueSize - this.#queue.length)
    if (messages.length > room) this.#options.metrics.stream.inc({ outcome: 'dropped' }, messages.length - room)
    for (let i = 0; i < Math.min(room, messages.length); i++) this.#queue.push(messages[i]!)
    this.#running ??= this.#drain().finally(() => (this.#running = undefined))
  }

  async flush(): Promise<void> {
    while (this.#running) await this.#running
  }

  /** Publishes what is queued (with its retries), then closes the connection. */
  async close(): Promise<void> {
    this.#closed = true
    await this.flush()
    const connection = await this.#connection?.catch(() => undefined)
    await connection?.nc.drain().catch(() => undefined)
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, 256)
      await this.#publishWithRetries(batch)
    }
  }

  async #publishWithRetries(batch: EncodedLog[]): Promise<void> {
    const { metrics, maxAttempts } = this.#options
    let pending = batch
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failure: unknown
      try {
        const { js } = await this.#connect()
        const results = await Promise.allSettled(pending.map((m) => js.publish(this.#options.subject, m.json, { msgID: m.id })))
        const failed = pending.filter((_, i) => results[i]!.status === 'rejected')
        failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason
        metrics.stream.inc({ outcome: 'published' }, pending.length - failed.length)
        pending = failed
      } catch (error) {
        failure = error
      }
      if (pending.length === 0) return
      if (attempt >= maxAttempts) {
        metrics.stream.inc({ outcome: 'failed' }, pending.length)
        this.#options.warn?.(`publishing ${pending.length} prediction logs to NATS failed, giving up: ${(failure as Error)?.message}`)
        return
      }
      metrics.stream.inc({ outcome: 'retried' }, pending.length)
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, this.#options.retryBaseMs * 2 ** (attempt - 1))))
    }
  }

  #connect(): Promise<{ nc: Connection; js: JetStream }> {
    this.#connection ??= this.#open().catch((error: unknown) => {
      // Forget a failed attempt, so the next batch tries again.
      this.#connection = undefined
      throw error
    })
    return this.#connection
  }

  async #open(): Promise<{ nc: Connection; js: JetStream }> {
    let nats: Nats
    try {
      nats = await import('nats')
    } catch (cause) {
      throw new Error('Streaming prediction logs to NATS needs the nats package: npm install nats', { cause })
    }
    const servers = this.#options.url.split(',').map((s) => s.trim())
    const nc = await nats.connect({ servers, name: 'plinth-prediction-logs', maxReconnectAttempts: -1, timeout: 5000 })
    try {
      const jsm = await nc.jetstreamManager()
      const subject = this.#options.subject
      const taken = await jsm.streams.find(subject).then(() => true, () => false)
      if (!taken) {
        await jsm.streams.add({ name: streamNameFor(subject), subjects: [subject] }).catch(async (error: Error) => {
          // Another replica created it meanwhile.
          if (!(await jsm.streams.find(subject).then(() => true, () => false))) throw error
        })
      }
      return { nc, js: nc.jetstream() }
    } catch (error) {
      await nc.close().catch(() => undefined)
      throw error
    }
  }
}
