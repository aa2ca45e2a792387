/** Retry policy of notification deliveries. */
export interface RetryPolicy {
  /** Attempts before a delivery is given up (the first try included). */
  readonly maxAttempts: number
  /** Delay before the second attempt; doubles with each further one. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 8, baseDelayMs: 2_000, maxDelayMs: 10 * 60_000 })

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so receivers that
 * failed together are not retried in lockstep, yet no retry comes sooner than half its step.
 * `attempts` is how many attempts were made so far (≥ 1).
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1))
  return Math.round(step / 2 + (step / 2) * random())
}

/**
 * Whether a failed attempt is worth retrying: network errors and 5xx are; a 4xx means the request
 * itself is wrong and will stay wrong, except 408 (timeout) and 429 (slow down).
 */
export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true
  if (status === 408 || status === 429) return true
  return status >= 500
}

/** A `Retry-After` header in seconds or as an HTTP date, in milliseconds from `now`. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const at = Date.parse(header)
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined
}
