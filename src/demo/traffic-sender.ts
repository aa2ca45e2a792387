import { AppError } from '../shared/errors.js'

/** One request's worth of rows and the id its prediction was logged under. */
export interface SentBatch {
  readonly id: string
  readonly labels: readonly number[]
  readonly ok: boolean
}

export interface SendOptions {
  /** Rows per request. */
  readonly batch: number
  /** Requests in flight at once. */
  readonly concurrency: number
  /** Prefix of the prediction ids, so each phase's ids are told apart in the logs. */
  readonly idPrefix: string
}

export interface TrafficTotals {
  requests: number
  rows: number
  failed: number
  /** Requests whose ground truth was posted and matched to the logged prediction. */
  labelled: number
}

/**
 * Sends rows to a deployment over the real KServe V2 route, as a client application would, with
 * its own prediction ids; the labels are kept so ground truth can be posted later.
 */
export class TrafficSender {
  readonly #baseUrl: string
  readonly #deployment: string
  readonly #features: number
  readonly totals: TrafficTotals = { requests: 0, rows: 0, failed: 0, labelled: 0 }
  #seq = 0

  constructor(baseUrl: string, deployment: string, features: number) {
    this.#baseUrl = baseUrl
    this.#deployment = deployment
    this.#features = features
  }

  /** Rows are features then the label; the label is not sent. */
  async send(rows: readonly (readonly number[])[], options: SendOptions): Promise<SentBatch[]> {
    const batches: (readonly (readonly number[])[])[] = []
    for (let i = 0; i < rows.length; i += options.batch) batches.push(rows.slice(i, i + options.batch))
    const sent: SentBatch[] = []
    let next = 0
    const worker = async () => {
      while (next < batches.length) sent.push(await this.#infer(batches[next++]!, options.idPrefix))
    }
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker))
    return sent
  }

  /** Posts the labels of answered requests as delayed ground truth; returns how many matched a logged prediction (the route's `accepted`). */
  async sendFeedback(batches: readonly SentBatch[]): Promise<number> {
    const items = batches.filter((b) => b.ok).map((b) => ({ prediction_id: b.id, label: [...b.labels] }))
    let accepted = 0
    for (let i = 0; i < items.length; i += 5000) {
      const answer = await this.#post('/api/plinth/v1/feedback', { feedback: items.slice(i, i + 5000) })
      accepted += Number(answer.accepted ?? 0)
    }
    this.totals.labelled += accepted
    return accepted
  }

  async #infer(rows: readonly (readonly number[])[], prefix: string): Promise<SentBatch> {
    const id = `${prefix}-${++this.#seq}`
    const data = rows.flatMap((r) => r.slice(0, this.#features))
    const body = { id, inputs: [{ name: 'input', shape: [rows.length, this.#features], datatype: 'FP32', data }] }
    const response = await fetch(`${this.#baseUrl}/v2/models/${encodeURIComponent(this.#deployment)}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    await response.arrayBuffer()
    this.totals.requests++
    this.totals.rows += rows.length
    if (!response.ok) this.totals.failed++
    return { id, labels: rows.map((r) => r[this.#features]!), ok: response.ok }
  }

  async #post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.#baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const answer = (await response.json()) as Record<string, unknown>
    if (!response.ok) throw new AppError('INVALID_STATE', `POST ${path} answered ${response.status}: ${String(answer.message ?? JSON.stringify(answer))}`)
    return answer
  }
}

/**
 * Traffic in the background (a canary needs requests to judge) until stopped; failures are counted,
 * not thrown, since the server may be rolling routes while it runs.
 */
export function backgroundTraffic(sender: TrafficSender, nextRows: () => readonly (readonly number[])[], options: SendOptions & { pauseMs: number }): { stop(): Promise<void> } {
  let running = true
  const loop = (async () => {
    while (running) {
      await sender.send(nextRows(), options).catch(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
    },
  }
}
