import type { LogErrorContext, PlinthClientOptions } from './client-types.js'

export const DEFAULT_TRACKING_URI = 'http://127.0.0.1:5000'

/** Options with every default filled in, read once when the client is built. */
export interface ResolvedClientConfig {
  trackingUri: string
  /** The whole `Authorization` header value, or undefined for none. */
  authorization: string | undefined
  flushIntervalMs: number
  requestTimeoutMs: number
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  onError: ((error: Error, context: LogErrorContext) => void) | undefined
  fetch: typeof globalThis.fetch
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`PlinthClient option ${name} must be a non-negative number, got ${value}`)
  }
  return value
}

function basic(username: string, password: string | undefined): string {
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`
}

/**
 * Explicit options beat the environment, and a token beats a username at the same level, so a
 * script that passes credentials is never overridden by a stray variable in the shell.
 */
function authorization(options: PlinthClientOptions, env: Record<string, string | undefined>) {
  const token = nonEmpty(options.token)
  if (token) return `Bearer ${token}`
  const username = nonEmpty(options.username)
  if (username) return basic(username, options.password)
  const envToken = nonEmpty(env.PLINTH_TRACKING_TOKEN) ?? nonEmpty(env.MLFLOW_TRACKING_TOKEN)
  if (envToken) return `Bearer ${envToken}`
  const envUser = nonEmpty(env.PLINTH_TRACKING_USERNAME) ?? nonEmpty(env.MLFLOW_TRACKING_USERNAME)
  if (envUser) {
    return basic(envUser, env.PLINTH_TRACKING_PASSWORD ?? env.MLFLOW_TRACKING_PASSWORD)
  }
  return undefined
}

export function resolveClientConfig(options: PlinthClientOptions): ResolvedClientConfig {
  const env = options.env ?? process.env
  const uri =
    nonEmpty(options.trackingUri) ??
    nonEmpty(env.PLINTH_TRACKING_URI) ??
    nonEmpty(env.MLFLOW_TRACKING_URI) ??
    DEFAULT_TRACKING_URI
  if (!/^https?:\/\//i.test(uri)) {
    throw new TypeError(`Tracking URI must start with http:// or https://, got '${uri}'`)
  }
  const retry = options.retry ?? {}
  const fetchImpl = options.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function')
    throw new TypeError('No fetch available: use Node 20 or newer')
  return {
    // Trailing slashes would double up when endpoints are appended.
    trackingUri: uri.replace(/\/+$/, ''),
    authorization: authorization(options, env),
    flushIntervalMs: positive(options.flushIntervalMs, 1000, 'flushIntervalMs'),
    requestTimeoutMs: positive(options.requestTimeoutMs, 60_000, 'requestTimeoutMs'),
    maxAttempts: Math.max(1, Math.floor(positive(retry.maxAttempts, 5, 'retry.maxAttempts'))),
    baseDelayMs: positive(retry.baseDelayMs, 250, 'retry.baseDelayMs'),
    maxDelayMs: positive(retry.maxDelayMs, 8000, 'retry.maxDelayMs'),
    onError: options.onError,
    fetch: fetchImpl,
  }
}
