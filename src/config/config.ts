import { AppError } from '../shared/errors.js'
import { securityConfig, type SecurityConfig } from './security-config.js'

/** Everything `plinth server` is told, after flags and environment are merged. Frozen. */
export interface PlinthConfig extends SecurityConfig {
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
  /** Log every served prediction (or a sample) for monitoring. */
  readonly predictionLogging: boolean
  /** Share of predictions logged, 0..1. */
  readonly predictionLogSampleRate: number
  /** Prediction log records held in memory at most; past it, new ones are dropped and counted. */
  readonly predictionLogBufferSize: number
  /** Days prediction logs are kept; 0 keeps them forever. */
  readonly predictionLogRetentionDays: number
  /** NATS server that stored prediction logs are also published to (JetStream); '' for none. */
  readonly predictionLogNatsUrl: string
  readonly predictionLogNatsSubject: string
  /** Where pipeline steps run: `local` child processes, or `queue` (BullMQ on Redis, run by `plinth worker`). */
  readonly executor: 'local' | 'queue'
  /** Redis the queue executor and `plinth worker` share; '' for none. */
  readonly redisUrl: string
}

/** Defaults of the flags that have a fixed one; the security flags' depend on --auth (security-config.ts). */
export const DEFAULT_CONFIG: Omit<PlinthConfig, keyof SecurityConfig> = Object.freeze({
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
  predictionLogging: true,
  predictionLogSampleRate: 1,
  predictionLogBufferSize: 10_000,
  predictionLogRetentionDays: 30,
  predictionLogNatsUrl: '',
  predictionLogNatsSubject: 'plinth.predictions',
  executor: 'local',
  redisUrl: '',
})

/** `--backend-store-uri` → `PLINTH_BACKEND_STORE_URI`: every flag's environment variable. */
export function envName(flag: string): string {
  return `PLINTH_${flag.replace(/^--/, '').replaceAll('-', '_').toUpperCase()}`
}

type Overrides = Partial<Record<keyof PlinthConfig, string | number | boolean | readonly string[] | undefined>>

/**
 * Merges, strongest first: flags given, PLINTH_* environment variables, defaults. Values are
 * checked here, so a typo fails at start with a message instead of at the first request.
 */
export function resolveConfig(flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): PlinthConfig {
  const given = (key: keyof PlinthConfig, flag: string) => {
    const fromFlag = flags[key]
    if (fromFlag !== undefined) return fromFlag
    const fromEnv = env[envName(flag)]
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined
  }
  const pick = (key: keyof typeof DEFAULT_CONFIG, flag: string) => given(key, flag) ?? DEFAULT_CONFIG[key]
  const auth = boolean(pick('auth', 'auth'), '--auth')
  return Object.freeze({
    host: String(pick('host', 'host')),
    port: integer(pick('port', 'port'), '--port', 0, 65535),
    backendStoreUri: String(pick('backendStoreUri', 'backend-store-uri')),
    artifactsDestination: String(pick('artifactsDestination', 'artifacts-destination')),
    workers: integer(pick('workers', 'workers'), '--workers', 1, 256),
    auth,
    logLevel: String(pick('logLevel', 'log-level')),
    jsonBodyLimit: integer(pick('jsonBodyLimit', 'json-body-limit'), '--json-body-limit', 1024, 2 ** 31),
    servingBodyLimit: integer(pick('servingBodyLimit', 'serving-body-limit'), '--serving-body-limit', 1024, 2 ** 31),
    maxBatchSize: integer(pick('maxBatchSize', 'max-batch-size'), '--max-batch-size', 0, 65536),
    maxQueueDelayMs: integer(pick('maxQueueDelayMs', 'max-queue-delay-ms'), '--max-queue-delay-ms', 0, 60_000),
    maxQueueSize: integer(pick('maxQueueSize', 'max-queue-size'), '--max-queue-size', 1, 1_000_000),
    modelMemoryBudgetMb: integer(pick('modelMemoryBudgetMb', 'model-memory-budget-mb'), '--model-memory-budget-mb', 0, 16 * 1024 * 1024),
    pricePerCoreHour: price(pick('pricePerCoreHour', 'price-per-core-hour'), '--price-per-core-hour'),
    predictionLogging: boolean(pick('predictionLogging', 'prediction-logging'), '--prediction-logging'),
    predictionLogSampleRate: fraction(pick('predictionLogSampleRate', 'prediction-log-sample-rate'), '--prediction-log-sample-rate'),
    predictionLogBufferSize: integer(pick('predictionLogBufferSize', 'prediction-log-buffer-size'), '--prediction-log-buffer-size', 1, 10_000_000),
    predictionLogRetentionDays: integer(pick('predictionLogRetentionDays', 'prediction-log-retention-days'), '--prediction-log-retention-days', 0, 36_500),
    predictionLogNatsUrl: natsUrl(pick('predictionLogNatsUrl', 'prediction-log-nats-url')),
    predictionLogNatsSubject: natsSubject(pick('predictionLogNatsSubject', 'prediction-log-nats-subject')),
    ...stepExecution(pick('executor', 'executor'), pick('redisUrl', 'redis-url')),
    ...securityConfig(given, auth),
  })
}

function stepExecution(executorValue: unknown, redisValue: unknown): Pick<PlinthConfig, 'executor' | 'redisUrl'> {
  const executor = String(executorValue)
  if (executor !== 'local' && executor !== 'queue') {
    throw new AppError('INVALID_PARAMETER_VALUE', `--executor takes local or queue; got '${executor}' (flag or ${envName('--executor')}).`)
  }
  const redisUrl = String(redisValue).trim()
  if (redisUrl !== '' && !/^rediss?:\/\/\S+$/.test(redisUrl)) {
    throw new AppError('INVALID_PARAMETER_VALUE', `--redis-url must be a Redis URL such as redis://127.0.0.1:6379; got '${redisUrl}' (flag or ${envName('--redis-url')}).`)
  }
  if (executor === 'queue' && redisUrl === '') {
    throw new AppError('INVALID_PARAMETER_VALUE', `--executor queue needs --redis-url (or ${envName('--redis-url')}): the Redis that plinth worker processes take steps from.`)
  }
  return { executor, redisUrl }
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

function fraction(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (String(value).trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a number from 0 to 1 (the share logged); got '${String(value)}' (flag or ${envName(flag)}).`)
  }
  return n
}

function natsUrl(value: unknown): string {
  const text = String(value).trim()
  if (text === '') return ''
  const flag = '--prediction-log-nats-url'
  const ok = text.split(',').every((server) => /^(nats|tls|wss?):\/\/[^\s/]+\/?$/.test(server.trim()) || /^[^\s:/]+:\d+$/.test(server.trim()))
  if (!ok) throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a NATS server URL such as nats://127.0.0.1:4222 (several separated by commas); got '${text}' (flag or ${envName(flag)}).`)
  return text
}

function natsSubject(value: unknown): string {
  const text = String(value)
  const flag = '--prediction-log-nats-subject'
  // A subject to publish to: dot-separated tokens, no wildcards or spaces.
  if (!/^[^\s.*>]+(\.[^\s.*>]+)*$/.test(text)) {
    throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a NATS subject of dot-separated words without wildcards, such as plinth.predictions; got '${text}' (flag or ${envName(flag)}).`)
  }
  return text
}
