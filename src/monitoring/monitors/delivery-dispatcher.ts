import type { Clock } from '../../shared/clock.js'
import type { Delivery } from './monitor-entities.js'
import type { MonitorStore } from './monitor-store.js'
import { DEFAULT_RETRY_POLICY, isRetryable, retryAfterMs, retryDelayMs, type RetryPolicy } from './delivery-backoff.js'

const SEND_TIMEOUT_MS = 10_000
const LEASE_MS = 60_000
const BATCH = 20

export interface DispatcherOptions {
  readonly store: MonitorStore
  readonly clock: Clock
  /** Who holds claimed deliveries' leases (one per process). */
  readonly owner: string
  readonly policy?: RetryPolicy
  readonly random?: () => number
  /** Called with each attempt's outcome (metrics, logs). */
  readonly onAttempt?: (delivery: Delivery, outcome: 'delivered' | 'retry' | 'failed', detail?: string) => void
}

/**
 * Sends stored deliveries: claims the due ones (so replicas do not send one twice), POSTs each,
 * and records the outcome, retrying with backoff. Because a delivery is a row until delivered or
 * given up, one enqueued before a crash is sent after the restart.
 */
export class DeliveryDispatcher {
  readonly #o: DispatcherOptions
  readonly #policy: RetryPolicy

  constructor(options: DispatcherOptions) {
    this.#o = options
    this.#policy = options.policy ?? DEFAULT_RETRY_POLICY
  }

  /** Sends every delivery due now; returns how many were attempted. */
  async dispatchDue(): Promise<number> {
    const now = this.#o.clock.now()
    const due = await this.#o.store.claimDeliveries(now, this.#o.owner, now + LEASE_MS, BATCH)
    await Promise.all(due.map((d) => this.#attempt(d)))
    return due.length
  }

  async #attempt(delivery: Delivery): Promise<void> {
    const { status, error, retryAfter } = await this.#send(delivery)
    const attempts = delivery.attempts + 1
    const now = this.#o.clock.now()
    if (status !== undefined && status >= 200 && status < 300) {
      await this.#o.store.updateDelivery(delivery.id, { status: 'delivered', attempts, nextAttemptAt: now }, now)
      this.#o.onAttempt?.(delivery, 'delivered')
      return
    }
    const detail = error ?? `HTTP ${status}`
    if (!isRetryable(status) || attempts >= this.#policy.maxAttempts) {
      await this.#o.store.updateDelivery(delivery.id, { status: 'failed', attempts, nextAttemptAt: now, lastError: detail }, now)
      this.#o.onAttempt?.(delivery, 'failed', detail)
      return
    }
    const delay = Math.max(retryDelayMs(attempts, this.#policy, this.#o.random), Math.min(retryAfter ?? 0, this.#policy.maxDelayMs))
    await this.#o.store.updateDelivery(delivery.id, { status: 'pending', attempts, nextAttemptAt: now + delay, lastError: detail }, now)
    this.#o.onAttempt?.(delivery, 'retry', detail)
  }

  async #send(delivery: Delivery): Promise<{ status?: number; error?: string; retryAfter?: number }> {
    const { target } = delivery
    const url = target.kind === 'alertmanager' ? `${target.url.replace(/\/+$/, '')}/api/v2/alerts` : target.url
    const headers = { 'content-type': 'application/json', 'user-agent': 'plinth-alerts', ...(target.kind === 'webhook' ? target.headers : {}) }
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(delivery.payload), signal: AbortSignal.timeout(SEND_TIMEOUT_MS), redirect: 'manual' })
      // The body is read so the connection can be reused; its content is not needed.
      await response.arrayBuffer().catch(() => undefined)
      return { status: response.status, retryAfter: retryAfterMs(response.headers.get('retry-after'), this.#o.clock.now()) }
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      return { error: `${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}${cause ? ` (${cause})` : ''}` }
    }
  }
}
