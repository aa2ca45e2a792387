import { feedbackCounter } from '../monitoring/feedback-metrics.js'
import { FeedbackService } from '../monitoring/feedback-service.js'
import { PerformanceService } from '../monitoring/performance/performance-service.js'
import type { PredictionLogStore } from '../monitoring/prediction-log-store.js'
import type { PlinthMetrics } from '../observability/metrics-registry.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import { SqlFeedbackStore } from '../storage/sql/sql-feedback-store.js'

/** Ground truth and performance over time, over the given prediction logs and the feedback table of `database`. */
export function createPerformanceServices(database: SqlDatabase, logs: PredictionLogStore, metrics: PlinthMetrics): { feedback: FeedbackService; performance: PerformanceService } {
  const store = new SqlFeedbackStore(database)
  return {
    feedback: new FeedbackService({ logs, feedback: store, counter: feedbackCounter(metrics.registry) }),
    performance: new PerformanceService({ logs, feedback: store }),
  }
}
