import { invalidParameter } from '../shared/errors.js'
import type { MetricDirection } from './ci-report-entities.js'

/**
 * Words that mark a metric where smaller is better. Matched per word of the name, so `val_loss`
 * and `latency_p99_ms` count, but a name that merely contains the letters (`maestro`) does not.
 */
const LOWER_WORDS = new Set(['loss', 'logloss', 'error', 'err', 'rmse', 'mse', 'mae', 'mape', 'latency'])

export interface DirectionOverrides {
  higher?: readonly string[]
  lower?: readonly string[]
}

export type DirectionOf = (metric: string) => MetricDirection

function defaultDirection(metric: string): MetricDirection {
  const words = metric.toLowerCase().split(/[^a-z0-9]+/)
  return words.some((w) => LOWER_WORDS.has(w)) ? 'lower' : 'higher'
}

/**
 * The direction of each metric: the flags first, then the defaults (losses, errors and latency
 * lower is better, everything else higher).
 * @throws AppError INVALID_PARAMETER_VALUE when a metric is named in both flags.
 */
export function directionRules(overrides: DirectionOverrides = {}): DirectionOf {
  const higher = new Set(overrides.higher ?? [])
  const lower = new Set(overrides.lower ?? [])
  const both = [...higher].filter((m) => lower.has(m))
  if (both.length > 0) {
    throw invalidParameter(`Metric ${both.map((m) => `'${m}'`).join(', ')} is in both --higher-is-better and --lower-is-better: keep it in one.`)
  }
  return (metric) => {
    if (higher.has(metric)) return 'higher'
    if (lower.has(metric)) return 'lower'
    return defaultDirection(metric)
  }
}
