import { AppError } from '../shared/errors.js'

/** Everything `plinth server` is told, after flags and environment are merged. Frozen. */
export interface PlinthConfig {
  readonly host: string
  readonly port: number
  readonly backendStoreUri: string
  readonly artifactsDestination: string
  readonly workers: number
  readonly auth: boolean
  readonly logLevel: string
  /** Largest JSON request body, in bytes (artifact uploads stream and are not bounded by it). */
  readonly jsonBodyLimit: number
  /** Largest inference request body (`/v2`, `/v1`, `/invocations`), in bytes. */
  readonly servingBodyLimit: number
  /** Rows per dynamic batch at most; 0 or 1 turns batching off. */
  readonly maxBatchSize: number
  /** How long a request may wait for others to share its batch; 0 batches only what has queued up. */
  readonly maxQueueDelayMs: number
  /** Requests allowed to wait per model version; past it, 503 with Retry-After. */
  readonly maxQueueSize: number
  /** Memory loaded models may hold, in MiB; 0 for no limit. Idle models are unloaded least recently used first. */
  readonly modelMemoryBudgetMb: number
  /** Price of one CPU core-hour for the cost metrics (any currency); 0 = unset, CPU figures only. */
  readonly pricePerCoreHour: number
}

export const DEFAULT_CONFIG: PlinthConfig = Object.freeze({
  host: '127.0.0.1',
  port: 5000,
  backendStoreUri: 'sqlite:///plinth-data/plinth.db',
  artifactsDestination: './plinth-data/artifacts',
  workers: 1,
  auth: false,
  logLevel: 'info',
  jsonBodyLimit: 32 * 1024 * 1024,
  servingBodyLimit: 64 * 1024 * 1024,
  maxBatchSize: 32,
  maxQueueDelayMs: 0,
  maxQueueSize: 1024,
  modelMemoryBudgetMb: 0,
  pricePerCoreHour: 0,
})

/** `--backend-store-uri` → `PLINTH_BACKEND_STORE_URI`: every flag's environment variable. */
export function envName(flag: string): string {
  return `PLINTH_${flag.replace(/^--/, '').replaceAll('-', '_').toUpperCase()}`
}

type Overrides = Partial<Record<keyof PlinthConfig, string | number | boolean | undefined>>

/**
 * Merges, strongest first: flags given, PLINTH_* environment variables, defaults. Values are
 * checked here, so a typo fails at start with a message instead of at the first request.
 */
export function resolveConfig(flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): PlinthConfig {
  const pick = (key: keyof PlinthConfig, flag: string) => {
    const fromFlag = flags[key]
    if (fromFlag !== undefined) return fromFlag
    const fromEnv = env[envName(flag)]
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_CONFIG[key]
  }
  return Object.freeze({
    host: String(pick('host', 'host')),
    port: integer(pick('port', 'port'), '--port', 0, 65535),
    backendStoreUri: String(pick('backendStoreUri', 'backend-store-uri')),
    artifactsDestination: String(pick('artifactsDestination', 'artifacts-destination')),
    workers: integer(pick('workers', 'workers'), '--workers', 1, 256),
    auth: boolean(pick('auth', 'auth'), '--auth'),
    logLevel: String(pick('logLevel', 'log-level')),
    jsonBodyLimit: integer(pick('jsonBodyLimit', 'json-body-limit'), '--json-body-limit', 1024, 2 ** 31),
    servingBodyLimit: integer(pick('servingBodyLimit', 'serving-body-limit'), '--serving-body-limit', 1024, 2 ** 31),
    maxBatchSize: integer(pick('maxBatchSize', 'max-batch-size'), '--max-batch-size', 0, 65536),
    maxQueueDelayMs: integer(pick('maxQueueDelayMs', 'max-queue-delay-ms'), '--max-queue-delay-ms', 0, 60_000),
    maxQueueSize: integer(pick('maxQueueSize', 'max-queue-size'), '--max-queue-size', 1, 1_000_000),
    modelMemoryBudgetMb: integer(pick('modelMemoryBudgetMb', 'model-memory-budget-mb'), '--model-memory-budget-mb', 0, 16 * 1024 * 1024),
    pricePerCoreHour: price(pick('pricePerCoreHour', 'price-per-core-hour'), '--price-per-core-hour'),
  })
}

function integer(value: unknown, flag: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a whole number from ${min} to ${max}; got '${String(value)}' (flag or ${envName(flag)}).`)
  }
  return n
}

function price(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n) || n < 0 || String(value).trim() === '') {
    throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a number of at least 0 (a price per CPU core-hour, e.g. 0.04; 0 = none); got '${String(value)}' (flag or ${envName(flag)}).`)
  }
  return n
}

function boolean(value: unknown, flag: string): boolean {
  if (typeof value === 'boolean') return value
  const text = String(value).toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(text)) return true
  if (['0', 'false', 'no', 'off', ''].includes(text)) return false
  throw new AppError('INVALID_PARAMETER_VALUE', `${flag} takes true or false; got '${String(value)}' (flag or ${envName(flag)}).`)
}
