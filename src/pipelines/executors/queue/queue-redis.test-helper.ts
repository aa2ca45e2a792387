import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import { QUEUE_KEY_PREFIX } from './queue-protocol.js'

export const REDIS_URL = process.env.PLINTH_TEST_REDIS_URL
export const skipWithoutRedis = REDIS_URL ? undefined : 'PLINTH_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379)'

/** A queue of its own per test, so tests running side by side never take each other's jobs. */
export function uniqueQueueName(label: string): string {
  return `test-${label}-${randomUUID().slice(0, 8)}`
}

/** Deletes every key the queue left (jobs, events, cancel flags). */
export async function dropQueue(redisUrl: string, queueName: string): Promise<void> {
  const redis = new Redis(redisUrl)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${QUEUE_KEY_PREFIX}:${queueName}:*`, 'COUNT', 500)
      if (keys.length > 0) await redis.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

/** Polls until `check` holds; the tests wait for processes and Redis, never for a fixed time. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Dead, or a zombie nobody reaped yet (in a container, PID 1 may never reap orphans). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}
