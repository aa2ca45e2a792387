import { randomBytes, randomUUID } from 'node:crypto'

/** A run id as MLflow makes it: 32 lowercase hex characters (a uuid4 without dashes). */
export function newRunId(): string {
  return randomUUID().replaceAll('-', '')
}

/**
 * Experiment ids are strings on MLflow's wire but digits in practice, and some clients parse
 * them as integers; so Plinth makes 18-digit numeric ids (as MLflow's file store did) that sort
 * roughly by creation time and never collide in practice across replicas.
 */
export function newExperimentId(now: number = Date.now()): string {
  const random = randomBytes(4).readUInt32BE(0) % 100_000
  return `${now}${String(random).padStart(5, '0')}`.slice(0, 18)
}

/** A random token secret: 32 bytes, url-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}
