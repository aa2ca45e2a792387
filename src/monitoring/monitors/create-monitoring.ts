import type { ArtifactService } from '../../artifacts/index.js'
import type { DeploymentService } from '../../deployments/index.js'
import { MonitorMetrics } from '../../observability/monitor-metrics.js'
import type { PlinthMetrics } from '../../observability/metrics-registry.js'
import type { RegistryService } from '../../registry/index.js'
import { SYSTEM_CLOCK } from '../../shared/clock.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import { SqlMonitorStore } from '../../storage/sql/sql-monitor-store.js'
import type { PredictionLogStore } from '../prediction-log-store.js'
import type { RetryPolicy } from './delivery-backoff.js'
import { DeliveryDispatcher } from './delivery-dispatcher.js'
import { PredictionLogDataSource, type PerformanceSource } from './monitor-data-source.js'
import { MonitorScheduler } from './monitor-scheduler.js'
import { MonitorService } from './monitor-service.js'
import type { PerformanceHistory } from './monitoring-dashboard.js'
import { RegistryReferenceSource } from './registry-reference-source.js'

export interface MonitoringParts {
  readonly database: SqlDatabase
  readonly registry: RegistryService
  readonly deployments: DeploymentService
  readonly artifacts: ArtifactService
  readonly metrics: PlinthMetrics
  /** Where monitors read logged predictions; without it, runs fail saying logging is off. */
  readonly predictionLogs?: PredictionLogStore
  /** Realized/estimated performance for performance_drop conditions and the gauges. */
  readonly performance?: PerformanceSource
  /** Performance over time for `GET /deployments/{name}/monitoring`. */
  readonly performanceHistory?: PerformanceHistory
  readonly pollMs?: number
  readonly retryPolicy?: RetryPolicy
}

/** Monitors, their scheduler and delivery of notifications, on the SQL store. */
export function createMonitoring(parts: MonitoringParts): { monitors: MonitorService; scheduler: MonitorScheduler } {
  const store = new SqlMonitorStore(parts.database)
  const metrics = new MonitorMetrics(parts.metrics.registry)
  metrics.attach(store)
  const monitors = new MonitorService({
    store,
    ...(parts.predictionLogs ? { data: new PredictionLogDataSource(parts.predictionLogs) } : {}),
    ...(parts.performance ? { performance: parts.performance } : {}),
    ...(parts.performanceHistory ? { performanceHistory: parts.performanceHistory } : {}),
    references: new RegistryReferenceSource(parts.registry, parts.deployments, parts.artifacts),
    metrics,
  })
  const dispatcher = new DeliveryDispatcher({
    store,
    clock: SYSTEM_CLOCK,
    owner: monitors.owner,
    ...(parts.retryPolicy ? { policy: parts.retryPolicy } : {}),
    onAttempt: (delivery, outcome) => metrics.deliveries.inc({ kind: delivery.target.kind, outcome }),
  })
  // A database outage fails every tick; say so once per distinct error, not every 5 seconds.
  let lastError = ''
  const onError = (error: unknown) => {
    const message = (error as Error)?.message ?? String(error)
    if (message !== lastError) process.stderr.write(`plinth monitors: a scheduler pass failed: ${message}\n`)
    lastError = message
  }
  return { monitors, scheduler: new MonitorScheduler(monitors, dispatcher, { onError, ...(parts.pollMs ? { pollMs: parts.pollMs } : {}) }) }
}
