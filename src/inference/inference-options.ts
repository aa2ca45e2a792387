import type { PlinthConfig } from '../config/index.js'
import type { InferenceServiceOptions } from './inference-service.js'

/** The serving flags of `plinth server` and `plinth serve` in the service's terms. */
export function inferenceOptionsFrom(config: PlinthConfig): Pick<InferenceServiceOptions, 'maxBatchSize' | 'maxQueueDelayMs' | 'maxQueueSize' | 'memoryBudgetBytes' | 'pricePerCoreHour'> {
  return {
    maxBatchSize: config.maxBatchSize,
    maxQueueDelayMs: config.maxQueueDelayMs,
    maxQueueSize: config.maxQueueSize,
    pricePerCoreHour: config.pricePerCoreHour,
    ...(config.modelMemoryBudgetMb > 0 ? { memoryBudgetBytes: config.modelMemoryBudgetMb * 1024 * 1024 } : {}),
  }
}
