import type { MonitorService } from '../monitoring/monitors/monitor-service.js'
import type { PipelineService } from '../pipelines/pipeline-service.js'
import { ArtifactPrefixLister } from '../pipelines/triggers/artifact-prefix-lister.js'
import { TriggerManager } from '../pipelines/triggers/trigger-manager.js'
import type { TriggeredPipeline, TriggerSource } from '../pipelines/triggers/trigger-ports.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import { SqlTriggerStateStore } from '../storage/sql/sql-trigger-state-store.js'
import { SqlLoggedDatasets } from '../storage/sql/tracking/sql-logged-datasets.js'

export interface TriggerOptions {
  /** How often data prefixes are listed and alert events re-read. Default 30 s (alerts in this process wake it at once). */
  readonly pollIntervalMs?: number
}

/**
 * The pipelines' triggers, read from the stored pipelines. Other replicas' applies are seen at
 * the next poll; this process's applies re-arm at once.
 */
export function createPipelineTriggers(database: SqlDatabase, pipelines: PipelineService, monitors: MonitorService, options: TriggerOptions = {}): TriggerManager {
  const warn = (message: string) => process.emitWarning(message)
  return new TriggerManager({
    source: pipelineTriggerSource(pipelines, warn),
    launcher: pipelines,
    store: new SqlTriggerStateStore(database),
    alerts: monitors,
    tracking: new SqlLoggedDatasets(database),
    artifacts: new ArtifactPrefixLister({ warn }),
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    log: (level, message) => (level === 'warn' ? warn(message) : undefined),
  })
}

function pipelineTriggerSource(pipelines: PipelineService, warn: (message: string) => void): TriggerSource {
  return {
    async list(): Promise<TriggeredPipeline[]> {
      const out: TriggeredPipeline[] = []
      for (const stored of await pipelines.list()) {
        try {
          out.push({ pipeline: stored.name, version: stored.version, triggers: pipelines.parse(stored.source, stored.name).triggers })
        } catch (error) {
          // A stored file a newer parser refuses must not disarm every other pipeline's triggers.
          warn(`Pipeline '${stored.name}' v${stored.version} no longer parses, so its triggers are off: ${(error as Error).message}`)
        }
      }
      return out
    },
    onChange: (listener) => pipelines.onChange(listener),
  }
}
