import { randomBytes, randomInt, randomUUID } from 'node:crypto'

/** A run id as MLflow makes it: 32 lowercase hex characters (a uuid4 without dashes). */
export function newRunId(): string {
  return randomUUID().replaceAll('-', '')
}

/**
 * Experiment ids are strings on MLflow's wire but digits in practice, and some clients parse
 * them as numbers; so Plinth makes 16-digit numeric ids (milliseconds and three random digits)
 * that sort by creation time and stay below 2^53, exact even as JavaScript numbers.
 */
export function newExperimentId(now: number = Date.now()): string {
  return String(now * 1000 + randomInt(1000))
}

/** A random token secret: 32 bytes, url-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}
