import { ArtifactService, createArtifactStore, type ArtifactStore } from '../artifacts/index.js'
import { AuditService } from '../audit/index.js'
import { AuthService } from '../auth/index.js'
import type { PlinthConfig } from '../config/index.js'
import { openDatabase } from '../storage/open-database.js'
import { assertSchemaCurrent, migrateToLatest, schemaStatus } from '../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import { SqlTokenStore } from '../storage/sql/sql-token-store.js'
import { SqlAuditStore } from '../storage/sql/sql-audit-store.js'
import { SqlTrackingStore } from '../storage/sql/tracking/sql-tracking-store.js'
import { TrackingService } from '../tracking/index.js'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import { RegistryService } from '../registry/index.js'
import { SqlRegistryStore } from '../storage/sql/registry/sql-registry-store.js'
import { DeploymentLineage, DeploymentService, registryTargetResolver } from '../deployments/index.js'
import { SqlDeploymentStore } from '../storage/sql/sql-deployment-store.js'
import { InferenceService, RegistryCatalog, inferenceOptionsFrom } from '../inference/index.js'
import type { PredictionLogService } from '../monitoring/prediction-log-service.js'
import { createPredictionLogging } from './prediction-logging.js'
import type { FeedbackService } from '../monitoring/feedback-service.js'
import type { PerformanceService } from '../monitoring/performance/performance-service.js'
import type { PredictionLogStore } from '../monitoring/prediction-log-store.js'
import { createPerformanceServices } from './performance-services.js'
import { createMonitoring, type MonitoringParts } from '../monitoring/monitors/create-monitoring.js'
import type { MonitorScheduler } from '../monitoring/monitors/monitor-scheduler.js'
import type { MonitorService } from '../monitoring/monitors/monitor-service.js'
import { PerformanceServiceSource } from '../monitoring/monitors/performance-service-source.js'
import type { PipelineService } from '../pipelines/pipeline-service.js'
import type { TriggerManager } from '../pipelines/triggers/trigger-manager.js'
import { QueueExecutor } from '../pipelines/executors/queue/queue-executor.js'
import { createBuiltinSteps } from '../pipelines/builtins/index.js'
import { createPipelineTriggers, type TriggerOptions } from './pipeline-triggers.js'
import { createPipelines, type PipelineOptions } from './pipeline-services.js'

/** Everything the HTTP layer and the CLI call. */
export interface Services {
  readonly config: PlinthConfig
  readonly tracking: TrackingService
  readonly artifacts: ArtifactService
  readonly auth: AuthService
  /** Who changed what and when, for every mutation of the management API. */
  readonly audit: AuditService
  readonly registry: RegistryService
  readonly deployments: DeploymentService
  /** Which deployments serve a model version (through an alias or by number). */
  readonly deploymentLineage: DeploymentLineage
  readonly database: SqlDatabase
  readonly metrics: PlinthMetrics
  /** Serves registered models and deployments on the inference routes. */
  readonly inference: InferenceService
  /** Prediction logs: the serving logger, ingestion, listing and retention. */
  readonly predictionLogs: PredictionLogService
  /** Sends prediction logging's warnings (failed writes, sweeps) to the server log. */
  onPredictionLogWarning(warn: (message: string) => void): void
  /** Ground truth joined to prediction logs by prediction id. */
  readonly feedback: FeedbackService
  /** Performance over time (realized and CBPE-estimated). */
  readonly performance: PerformanceService
  /** Monitors, alerts and their history. */
  readonly monitors: MonitorService
  /** Runs due monitors and sends notifications; started by the server, not by CLI commands. */
  readonly monitorScheduler: MonitorScheduler
  /** Pipelines and their runs; the server starts its recovery and heartbeat (`pipelines.start()`). */
  readonly pipelines: PipelineService
  /** Starts pipeline runs on cron ticks, monitor alerts, new data and webhooks; started by the server. */
  readonly triggers: TriggerManager
  /** Tells pipeline steps the server's URL (MLFLOW_TRACKING_URI). */
  setPipelineTrackingUri(url: string): void
  close(): Promise<void>
}

export interface ServiceOptions {
  /** Migrate an empty database instead of refusing it (server start, tests). Default true. */
  migrateEmpty?: boolean
  /** Skip opening the artifact store (CLI commands that only touch metadata). */
  withoutArtifacts?: boolean
  /** Where feedback and performance read prediction logs; default the backend store's table (tests pass others). */
  predictionLogs?: PredictionLogStore
  /** Monitor data sources and timing (prediction logs, performance); tests inject them. */
  monitoring?: Pick<MonitoringParts, 'predictionLogs' | 'performance' | 'performanceHistory' | 'pollMs' | 'retryPolicy'>
  /** Built-in steps, executor and timing of pipeline runs; tests inject them. */
  pipelines?: PipelineOptions
  triggers?: TriggerOptions
}

/**
 * The composition root: the only place adapters are chosen. An empty database is migrated;
 * one with some migrations missing refuses to start with SCHEMA_MIGRATION_REQUIRED, because
 * migrating a shared database is a decision for its operator (`plinth db migrate`).
 */
export async function createServices(config: PlinthConfig, options: ServiceOptions = {}): Promise<Services> {
  const database = await openDatabase(config.backendStoreUri)
  let store: ArtifactStore | undefined
  try {
    const status = await schemaStatus(database)
    if (status.applied.length === 0 && options.migrateEmpty !== false) await migrateToLatest(database)
    else await assertSchemaCurrent(database)
    store = createArtifactStore(config.artifactsDestination)
    if (!options.withoutArtifacts) await store.init()
  } catch (error) {
    await database.close()
    throw error
  }
  const tracking = new TrackingService(new SqlTrackingStore(database))
  const artifacts = new ArtifactService(store, async (runId) => (await tracking.getRunInfo(runId)).artifactUri)
  const auth = new AuthService(new SqlTokenStore(database))
  // A server with --auth serves several people: none of them may make it read its own disk.
  const registry = new RegistryService({ store: new SqlRegistryStore(database), artifacts: store, runs: tracking, allowLocalFiles: !config.auth })
  // A deployment may only route to a version or alias that exists when the routing is set.
  const resolveTarget = registryTargetResolver(registry)
  const deployments = new DeploymentService(new SqlDeploymentStore(database), async (target) => void (await resolveTarget(target)))
  const metrics = new PlinthMetrics()
  const predictionLogging = createPredictionLogging(database, config, metrics)
  const predictionLogs = predictionLogging.service
  const sink = predictionLogs.sink
  const inference = new InferenceService({ catalog: new RegistryCatalog(registry, deployments), metrics, ...inferenceOptionsFrom(config), ...(sink ? { predictions: sink } : {}) })
  const logStore = options.predictionLogs ?? predictionLogging.store
  const { feedback, performance } = createPerformanceServices(database, logStore, metrics)
  const performanceSource = new PerformanceServiceSource(performance)
  const monitoring = createMonitoring({
    database,
    registry,
    deployments,
    artifacts,
    metrics,
    predictionLogs: logStore,
    performance: performanceSource,
    performanceHistory: performanceSource,
    ...options.monitoring,
  })
  let composed: Services | undefined
  const pipelines = createPipelines(database, store, tracking, () => composed, { builtins: createBuiltinSteps(), ...queueExecutor(config), ...options.pipelines })
  const triggers = createPipelineTriggers(database, pipelines.service, monitoring.monitors, options.triggers)
  composed = Object.freeze({
    config,
    tracking,
    artifacts,
    auth,
    audit: new AuditService(new SqlAuditStore(database)),
    registry,
    deployments,
    deploymentLineage: new DeploymentLineage(deployments, resolveTarget),
    database,
    metrics,
    inference,
    predictionLogs,
    onPredictionLogWarning: predictionLogging.onWarning,
    feedback,
    performance,
    monitors: monitoring.monitors,
    monitorScheduler: monitoring.scheduler,
    pipelines: pipelines.service,
    triggers,
    setPipelineTrackingUri: pipelines.setTrackingUri,
    async close() {
      await triggers.stop()
      await monitoring.scheduler.stop()
      // Steps in flight are killed without an end recorded, so the next start resumes their runs.
      await pipelines.service.stop()
      await inference.close()
      // After serving stops, so every answered request is in the buffer being written.
      await predictionLogs.close()
      await store?.close()
      await database.close()
    },
  })
  return composed
}

/** `--executor queue`: command steps go to `plinth worker` processes through Redis (BullMQ is loaded on first use). */
function queueExecutor(config: PlinthConfig): { executor?: QueueExecutor } {
  return config.executor === 'queue' ? { executor: new QueueExecutor({ redisUrl: config.redisUrl, onError: (error) => process.emitWarning(`pipeline queue: ${error.message}`) }) } : {}
}
