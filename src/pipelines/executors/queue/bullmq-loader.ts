import type { ConnectionOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import { AppError } from '../../../shared/errors.js'

/**
 * BullMQ and ioredis are loaded on first use only: the embedded default (local executor) never
 * pays for them, and an install without them fails with a message instead of at start-up.
 */

export type BullMq = typeof import('bullmq')

let bullmq: Promise<BullMq> | undefined

export function loadBullMq(): Promise<BullMq> {
  bullmq ??= import('bullmq').catch((cause: unknown) => {
    bullmq = undefined
    throw new AppError('INVALID_STATE', 'The queue executor needs the bullmq and ioredis packages: run npm install bullmq ioredis.', { cause })
  })
  return bullmq
}

/** Options BullMQ opens its own connections with; workers need no per-command retry limit. */
export function bullConnection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: null }
}

/** A plain ioredis client for what BullMQ does not do for us: cancel flags and their channel. */
export async function openRedis(redisUrl: string, name: string): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis')
  const client = new RedisClient(redisUrl, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: true })
  // The first connection error says why (ECONNREFUSED, auth); connect() itself only says it closed.
  let firstError: Error | undefined
  const remember = (error: Error) => (firstError ??= error)
  client.on('error', remember)
  try {
    await client.connect()
  } catch (cause) {
    client.disconnect()
    const why = (firstError ?? (cause as Error)).message.replace(/\.$/, '')
    throw new AppError('TEMPORARILY_UNAVAILABLE', `Cannot reach Redis at ${redactUrl(redisUrl)}: ${why}. Is it running, and is --redis-url right?`, { cause })
  } finally {
    client.off('error', remember)
  }
  return client
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@')
}
