import { AppError } from '../shared/errors.js'

/** The hardening part of the server's configuration (docs/security.md). */
export interface SecurityConfig {
  /** Origins (scheme://host[:port]) whose browser pages may call the API; empty = CORS off. */
  readonly corsOrigins: readonly string[]
  /** Send Strict-Transport-Security: only true when clients reach the server over TLS (a proxy). */
  readonly hsts: boolean
  /** Management API requests per second per token (per address without --auth); 0 = off. */
  readonly rateLimit: number
  /** Requests a caller may send at once above the steady rate. */
  readonly rateLimitBurst: number
  /** Inference (/v2, /v1, /invocations) requests per second per token or address; 0 = off. */
  readonly servingRateLimit: number
  /** Largest artifact upload in bytes (they stream, so memory is not the concern: disk is); 0 = none. */
  readonly artifactUploadLimit: number
}

/** 16 GiB: above any model file in common use, below what fills an ordinary disk by mistake. */
export const DEFAULT_ARTIFACT_UPLOAD_LIMIT = 2 ** 34

type Pick = (key: keyof SecurityConfig, flag: string) => unknown

/**
 * With --auth the server is shared, so one token must not starve the rest: 200 requests/s with a
 * burst of 400 is well above a training loop's logging. Without --auth the default bind is
 * loopback with one user, and a per-address limit would only throttle benchmarks. Inference is
 * unlimited unless asked: its callers are services whose load is the point of serving.
 */
export const DEFAULT_AUTH_RATE_LIMIT = 200

export function securityConfig(pick: Pick, auth: boolean): SecurityConfig {
  const rawRate = pick('rateLimit', 'rate-limit')
  const rateLimit = rawRate === undefined ? (auth ? DEFAULT_AUTH_RATE_LIMIT : 0) : rate(rawRate, '--rate-limit')
  const rawBurst = pick('rateLimitBurst', 'rate-limit-burst')
  return Object.freeze({
    corsOrigins: origins(pick('corsOrigins', 'cors-origins')),
    hsts: flagValue(pick('hsts', 'hsts'), '--hsts'),
    rateLimit,
    rateLimitBurst: rawBurst === undefined ? Math.max(1, rateLimit * 2) : rate(rawBurst, '--rate-limit-burst'),
    servingRateLimit: rate(pick('servingRateLimit', 'serving-rate-limit') ?? 0, '--serving-rate-limit'),
    artifactUploadLimit: bytes(pick('artifactUploadLimit', 'artifact-upload-limit') ?? DEFAULT_ARTIFACT_UPLOAD_LIMIT, '--artifact-upload-limit'),
  })
}

function rate(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (String(value).trim() === '' || !Number.isFinite(n) || n < 0 || n > 1_000_000) {
    throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a number of requests per second from 0 (off) to 1000000; got '${String(value)}'.`)
  }
  return n
}

function bytes(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (String(value).trim() === '' || !Number.isSafeInteger(n) || n < 0) {
    throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a whole number of bytes, 0 for no limit; got '${String(value)}'.`)
  }
  return n
}

function origins(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([])
  const list = (Array.isArray(value) ? value : String(value).split(',')).map((o) => String(o).trim()).filter(Boolean)
  for (const origin of list) {
    // An origin is compared byte for byte with the browser's Origin header, so a path or a slash would never match.
    if (!/^https?:\/\/[^\s/?#]+$/.test(origin)) {
      throw new AppError('INVALID_PARAMETER_VALUE', `--cors-origins takes origins such as https://app.example.com (scheme and host, no path), separated by commas; got '${origin}'.`)
    }
  }
  return Object.freeze(list)
}

function flagValue(value: unknown, flag: string): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true
  const text = String(value).toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(text)) return true
  if (['0', 'false', 'no', 'off', ''].includes(text)) return false
  throw new AppError('INVALID_PARAMETER_VALUE', `${flag} takes true or false; got '${String(value)}'.`)
}
