/** A caller's bucket: tokens left, and when they were last counted. */
interface Bucket {
  tokens: number
  at: number
}

/** Callers tracked at most; past it, full buckets (idle callers) are dropped first. */
const MAX_CALLERS = 50_000

/**
 * Token buckets keyed by caller: `rate` tokens a second refill up to `burst`, a request takes
 * one. Per process: with --workers N each worker keeps its own, so a caller may get up to N
 * times the rate (docs/security.md says so).
 */
export class TokenBuckets {
  readonly #rate: number
  readonly #burst: number
  readonly #buckets = new Map<string, Bucket>()

  constructor(rate: number, burst: number) {
    this.#rate = rate
    this.#burst = Math.max(1, burst)
  }

  /** Takes a token for `key`; returns 0 when granted, else the seconds until one is due. */
  take(key: string, now: number): number {
    let bucket = this.#buckets.get(key)
    if (!bucket) {
      if (this.#buckets.size >= MAX_CALLERS) this.#evictIdle(now)
      bucket = { tokens: this.#burst, at: now }
      this.#buckets.set(key, bucket)
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate)
    bucket.at = now
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return (1 - bucket.tokens) / this.#rate
  }

  get size(): number {
    return this.#buckets.size
  }

  #evictIdle(now: number): void {
    const fullAfterMs = (this.#burst / this.#rate) * 1000
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.at >= fullAfterMs) this.#buckets.delete(key)
    }
    // Everyone is active: forgetting the oldest only gives it a fresh burst, never a lockout.
    if (this.#buckets.size >= MAX_CALLERS) this.#buckets.delete(this.#buckets.keys().next().value!)
  }
}
