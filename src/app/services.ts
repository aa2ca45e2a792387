import { ArtifactService, createArtifactStore, type ArtifactStore } from '../artifacts/index.js'
import { AuthService } from '../auth/index.js'
import type { PlinthConfig } from '../config/index.js'
import { openDatabase } from '../storage/open-database.js'
import { assertSchemaCurrent, migrateToLatest, schemaStatus } from '../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import { SqlTokenStore } from '../storage/sql/sql-token-store.js'
import { SqlTrackingStore } from '../storage/sql/tracking/sql-tracking-store.js'
import { TrackingService } from '../tracking/index.js'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import { RegistryService } from '../registry/index.js'
import { SqlRegistryStore } from '../storage/sql/registry/sql-registry-store.js'
import { DeploymentLineage, DeploymentService, registryTargetResolver } from '../deployments/index.js'
import { SqlDeploymentStore } from '../storage/sql/sql-deployment-store.js'
import { InferenceService, RegistryCatalog, inferenceOptionsFrom } from '../inference/index.js'
import { createMonitoring, type MonitoringParts } from '../monitoring/monitors/create-monitoring.js'
import type { MonitorScheduler } from '../monitoring/monitors/monitor-scheduler.js'
import type { MonitorService } from '../monitoring/monitors/monitor-service.js'

/** Everything the HTTP layer and the CLI call. */
export interface Services {
  readonly config: PlinthConfig
  readonly tracking: TrackingService
  readonly artifacts: ArtifactService
  readonly auth: AuthService
  readonly registry: RegistryService
  readonly deployments: DeploymentService
  /** Which deployments serve a model version (through an alias or by number). */
  readonly deploymentLineage: DeploymentLineage
  readonly database: SqlDatabase
  readonly metrics: PlinthMetrics
  /** Serves registered models and deployments on the inference routes. */
  readonly inference: InferenceService
  /** Monitors, alerts and their history. */
  readonly monitors: MonitorService
  /** Runs due monitors and sends notifications; started by the server, not by CLI commands. */
  readonly monitorScheduler: MonitorScheduler
  close(): Promise<void>
}

export interface ServiceOptions {
  /** Migrate an empty database instead of refusing it (server start, tests). Default true. */
  migrateEmpty?: boolean
  /** Skip opening the artifact store (CLI commands that only touch metadata). */
  withoutArtifacts?: boolean
  /** Monitor data sources and timing (prediction logs, performance); tests inject them. */
  monitoring?: Pick<MonitoringParts, 'predictionLogs' | 'performance' | 'performanceHistory' | 'pollMs' | 'retryPolicy'>
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
  const inference = new InferenceService({ catalog: new RegistryCatalog(registry, deployments), metrics, ...inferenceOptionsFrom(config) })
  const monitoring = createMonitoring({ database, registry, deployments, artifacts, metrics, ...options.monitoring })
  return Object.freeze({
    config,
    tracking,
    artifacts,
    auth,
    registry,
    deployments,
    deploymentLineage: new DeploymentLineage(deployments, resolveTarget),
    database,
    metrics,
    inference,
    monitors: monitoring.monitors,
    monitorScheduler: monitoring.scheduler,
    async close() {
      await monitoring.scheduler.stop()
      await inference.close()
      await store?.close()
      await database.close()
    },
  })
}
