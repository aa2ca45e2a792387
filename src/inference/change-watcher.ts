export interface ChangeWatcherOptions {
  /** The catalog's change marker (one cheap query). */
  read(): Promise<string>
  /** Called when the marker moved; false asks to be called again on the next poll. */
  onChange(): Promise<boolean>
  /** Pause between polls. Default 1000 ms: replicas see a change within about a second. */
  intervalMs?: number
}

/**
 * Polls a change marker, so every replica sharing a database notices an alias move or a routing
 * change made through any of them. Polls never overlap; the timer does not keep the process up.
 */
export class ChangeWatcher {
  readonly #options: ChangeWatcherOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #started = false
  #stopped = false
  #marker: string | undefined
  #dirty = false
  #healthy = false
  #polled = false

  constructor(options: ChangeWatcherOptions) {
    this.#options = options
  }

  /** Whether the last poll reached the catalog. */
  get healthy(): boolean {
    return this.#healthy
  }

  /** Whether at least one poll has finished (successfully or not). */
  get polled(): boolean {
    return this.#polled
  }

  /** Starts polling, with a first poll at once. Idempotent. */
  start(): void {
    if (this.#started || this.#stopped) return
    this.#started = true
    this.#schedule(0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }

  /** One poll that starts now, after any poll already running (so it sees changes made before the call). */
  async poll(): Promise<void> {
    while (this.#running) await this.#running
    this.#running = this.#poll().finally(() => (this.#running = undefined))
    return this.#running
  }

  async #poll(): Promise<void> {
    let marker: string
    try {
      marker = await this.#options.read()
      this.#healthy = true
    } catch {
      this.#healthy = false
      return
    } finally {
      this.#polled = true
    }
    // The first poll counts as a change: plans cached before it may predate the first marker.
    if (marker === this.#marker && !this.#dirty) return
    this.#marker = marker
    this.#dirty = !(await this.#options.onChange().catch(() => false))
  }

  #schedule(delay: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      void this.poll().finally(() => this.#schedule(this.#options.intervalMs ?? 1000))
    }, delay)
    this.#timer.unref()
  }
}
