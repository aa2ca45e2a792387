import type { Command } from 'commander'

/** The serving flags `plinth server` and `plinth serve` share; each also reads PLINTH_<FLAG>. */
export function withServingFlags(command: Command): Command {
  return command
    .option('--max-batch-size <rows>', 'rows per dynamic batch; 0 or 1 turns batching off (env PLINTH_MAX_BATCH_SIZE, default 32)')
    .option('--max-queue-delay-ms <ms>', 'how long a request may wait for others to batch with (env PLINTH_MAX_QUEUE_DELAY_MS, default 0)')
    .option('--max-queue-size <n>', 'requests waiting per model version before 503 + Retry-After (env PLINTH_MAX_QUEUE_SIZE, default 1024)')
    .option('--model-memory-budget-mb <mb>', 'memory for loaded models; idle ones are unloaded past it, 0 = no limit (env PLINTH_MODEL_MEMORY_BUDGET_MB)')
    .option('--serving-body-limit <bytes>', 'largest inference request body (env PLINTH_SERVING_BODY_LIMIT, default 64 MiB)')
    .option('--serving-rate-limit <rps>', 'inference requests/s per token or address, 0 = off (env PLINTH_SERVING_RATE_LIMIT, default 0)')
    .option('--price-per-core-hour <price>', 'price of one CPU core-hour for plinth_cost_per_1000_predictions; 0 = none, CPU only (env PLINTH_PRICE_PER_CORE_HOUR, default 0)')
    .option('--prediction-logging <bool>', 'log served predictions for monitoring (env PLINTH_PREDICTION_LOGGING, default true)')
    .option('--prediction-log-sample-rate <share>', 'share of predictions logged, 0..1 (env PLINTH_PREDICTION_LOG_SAMPLE_RATE, default 1)')
    .option('--prediction-log-buffer-size <records>', 'records held in memory before new ones are dropped (env PLINTH_PREDICTION_LOG_BUFFER_SIZE, default 10000)')
    .option('--prediction-log-retention-days <days>', 'days prediction logs are kept, 0 = forever (env PLINTH_PREDICTION_LOG_RETENTION_DAYS, default 30)')
    .option('--prediction-log-nats-url <url>', 'also publish stored prediction logs to this NATS JetStream server (env PLINTH_PREDICTION_LOG_NATS_URL)')
    .option('--prediction-log-nats-subject <subject>', 'NATS subject of published prediction logs (env PLINTH_PREDICTION_LOG_NATS_SUBJECT, default plinth.predictions)')
}

type ServingKeys = 'maxBatchSize' | 'maxQueueDelayMs' | 'maxQueueSize' | 'modelMemoryBudgetMb' | 'servingBodyLimit' | 'servingRateLimit' | 'pricePerCoreHour' | LoggingKeys
type LoggingKeys = 'predictionLogging' | 'predictionLogSampleRate' | 'predictionLogBufferSize' | 'predictionLogRetentionDays' | 'predictionLogNatsUrl' | 'predictionLogNatsSubject'

export function servingFlags(flags: Record<string, unknown>): Partial<Record<ServingKeys, string>> {
  const keys: ServingKeys[] = [
    'maxBatchSize', 'maxQueueDelayMs', 'maxQueueSize', 'modelMemoryBudgetMb', 'servingBodyLimit', 'servingRateLimit', 'pricePerCoreHour',
    'predictionLogging', 'predictionLogSampleRate', 'predictionLogBufferSize', 'predictionLogRetentionDays', 'predictionLogNatsUrl', 'predictionLogNatsSubject',
  ]
  return Object.fromEntries(keys.filter((k) => flags[k] !== undefined).map((k) => [k, String(flags[k])])) as Partial<Record<ServingKeys, string>>
}
