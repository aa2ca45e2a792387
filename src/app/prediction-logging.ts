import type { PlinthConfig } from '../config/index.js'
import { NatsPredictionStream } from '../monitoring/nats-prediction-stream.js'
import { PredictionLogMetrics } from '../monitoring/prediction-log-metrics.js'
import { PredictionLogService } from '../monitoring/prediction-log-service.js'
import { PredictionLogger } from '../monitoring/prediction-logger.js'
import { InlinePredictionLogWriter, type PredictionLogWriter } from '../monitoring/prediction-log-writer.js'
import type { PlinthMetrics } from '../observability/metrics-registry.js'
import { openDatabase } from '../storage/open-database.js'
import { assertSchemaCurrent, migrateToLatest, schemaStatus } from '../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import { SqlPredictionLogStore } from '../storage/sql/sql-prediction-log-store.js'
import { ThreadedPredictionLogWriter } from '../storage/threaded-prediction-log-writer.js'

/** A service whose warnings go wherever the app later says (its log), by then known. */
export interface PredictionLogging {
  service: PredictionLogService
  /** The store the service writes, for whatever else reads logs (feedback, performance, monitors). */
  store: SqlPredictionLogStore
  onWarning(warn: (message: string) => void): void
}

/**
 * Prediction logging on an open database, as the flags configure it: the buffered logger when
 * `--prediction-logging` is on, the NATS stream when `--prediction-log-nats-url` is set, and
 * the retention the service sweeps once started.
 */
export function createPredictionLogging(database: SqlDatabase, config: PlinthConfig, metrics: PlinthMetrics): PredictionLogging {
  let warnTo: (message: string) => void = () => {}
  const warn = (message: string) => warnTo(message)
  const logMetrics = new PredictionLogMetrics(metrics)
  const store = new SqlPredictionLogStore(database)
  const stream = config.predictionLogNatsUrl
    ? new NatsPredictionStream({ url: config.predictionLogNatsUrl, subject: config.predictionLogNatsSubject, metrics: logMetrics, queueSize: config.predictionLogBufferSize, warn })
    : undefined
  const sink = config.predictionLogging
    ? new PredictionLogger({
        writer: writerFor(config.backendStoreUri, store, stream),
        metrics: logMetrics,
        sampleRate: config.predictionLogSampleRate,
        bufferSize: config.predictionLogBufferSize,
        warn,
      })
    : undefined
  const service = new PredictionLogService({ store, retentionDays: config.predictionLogRetentionDays, warn, ...(sink ? { sink } : {}), ...(stream ? { stream } : {}) })
  return { service, store, onWarning: (w) => (warnTo = w) }
}

/**
 * Serving writes through a worker thread with its own connection; an in-memory SQLite database
 * exists only on this connection, so there (tests) the writes stay on this thread.
 */
function writerFor(uri: string, store: SqlPredictionLogStore, stream: NatsPredictionStream | undefined): PredictionLogWriter {
  if (uri.endsWith(':memory:')) return new InlinePredictionLogWriter(store, stream && ((logs) => stream.publish(logs)))
  return new ThreadedPredictionLogWriter({ uri, ...(stream ? { onStored: (encoded) => stream.publishEncoded(encoded) } : {}) })
}

/**
 * For `plinth serve -m`, which has no services: opens the backend store only for the logs,
 * migrating it when empty (as `plinth server` does) and refusing an outdated one.
 */
export async function openPredictionLogging(config: PlinthConfig, metrics: PlinthMetrics): Promise<PredictionLogging & { close(): Promise<void> }> {
  const database = await openDatabase(config.backendStoreUri)
  try {
    const status = await schemaStatus(database)
    if (status.applied.length === 0) await migrateToLatest(database)
    else await assertSchemaCurrent(database)
  } catch (error) {
    await database.close()
    throw error
  }
  const logging = createPredictionLogging(database, config, metrics)
  return {
    ...logging,
    async close() {
      await logging.service.close()
      await database.close()
    },
  }
}
