import type { Command } from 'commander'

/** The serving flags `plinth server` and `plinth serve` share; each also reads PLINTH_<FLAG>. */
export function withServingFlags(command: Command): Command {
  return command
    .option('--max-batch-size <rows>', 'rows per dynamic batch; 0 or 1 turns batching off (env PLINTH_MAX_BATCH_SIZE, default 32)')
    .option('--max-queue-delay-ms <ms>', 'how long a request may wait for others to batch with (env PLINTH_MAX_QUEUE_DELAY_MS, default 0)')
    .option('--max-queue-size <n>', 'requests waiting per model version before 503 + Retry-After (env PLINTH_MAX_QUEUE_SIZE, default 1024)')
    .option('--model-memory-budget-mb <mb>', 'memory for loaded models; idle ones are unloaded past it, 0 = no limit (env PLINTH_MODEL_MEMORY_BUDGET_MB)')
    .option('--serving-body-limit <bytes>', 'largest inference request body (env PLINTH_SERVING_BODY_LIMIT, default 64 MiB)')
    .option('--price-per-core-hour <price>', 'price of one CPU core-hour for plinth_cost_per_1000_predictions; 0 = none, CPU only (env PLINTH_PRICE_PER_CORE_HOUR, default 0)')
}

type ServingKeys = 'maxBatchSize' | 'maxQueueDelayMs' | 'maxQueueSize' | 'modelMemoryBudgetMb' | 'servingBodyLimit' | 'pricePerCoreHour'

export function servingFlags(flags: Record<string, unknown>): Partial<Record<ServingKeys, string>> {
  const keys: ServingKeys[] = ['maxBatchSize', 'maxQueueDelayMs', 'maxQueueSize', 'modelMemoryBudgetMb', 'servingBodyLimit', 'pricePerCoreHour']
  return Object.fromEntries(keys.filter((k) => flags[k] !== undefined).map((k) => [k, String(flags[k])])) as Partial<Record<ServingKeys, string>>
}
