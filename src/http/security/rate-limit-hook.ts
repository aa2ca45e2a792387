import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../shared/errors.js'
import { TokenBuckets } from './token-bucket.js'

export interface RateLimitOptions {
  /** Management API requests per second per caller; 0 = off. */
  rate: number
  burst: number
  /** Inference requests per second per caller; 0 = off. */
  servingRate: number
}

/** Inference routes: their own limit, so serving load never spends a caller's management budget. */
const SERVING = /^\/(v2|v1|invocations)(\/|$)/

/** A verified token is the caller; without --auth (or before it), the client address. */
function callerOf(request: FastifyRequest): string {
  return request.principal ? `token:${request.principal.tokenId}` : `ip:${request.ip}`
}

function limited(seconds: number, caller: string): AppError {
  const who = caller.startsWith('token:') ? 'this token' : 'this address'
  return new AppError('RATE_LIMITED', `Too many requests from ${who}; retry after ${Math.ceil(seconds)} s, or ask the operator to raise --rate-limit / --serving-rate-limit.`, {
    details: { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) },
  })
}

/** Per-caller token buckets; registered after auth so a verified token is what is counted. */
export function installRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const management = options.rate > 0 ? new TokenBuckets(options.rate, options.burst) : undefined
  const serving = options.servingRate > 0 ? new TokenBuckets(options.servingRate, Math.max(1, options.servingRate * 2)) : undefined
  if (!management && !serving) return
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.access === 'public') return
    const buckets = SERVING.test(request.url) ? serving : management
    if (!buckets) return
    const caller = callerOf(request)
    const wait = buckets.take(caller, Date.now())
    if (wait > 0) throw limited(wait, caller)
  })
}
