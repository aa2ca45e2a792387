import type { ArtifactStore } from '../artifacts/index.js'
import type { BuiltinStep } from '../pipelines/builtin-step.js'
import { LocalExecutor } from '../pipelines/executors/local-executor.js'
import { PipelineRunner } from '../pipelines/pipeline-runner.js'
import { PipelineService } from '../pipelines/pipeline-service.js'
import type { BuiltinName } from '../pipelines/pipeline-spec.js'
import { PipelineTracker } from '../pipelines/pipeline-tracker.js'
import type { StepExecutor } from '../pipelines/step-executor.js'
import { SqlPipelineStore } from '../storage/sql/sql-pipeline-store.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import type { TrackingService } from '../tracking/index.js'
import type { Services } from './services.js'

export interface PipelineOptions {
  /** Built-in steps by name (`uses:`); none by default. */
  readonly builtins?: ReadonlyMap<BuiltinName, BuiltinStep>
  /** What runs command steps; the local executor by default. */
  readonly executor?: StepExecutor
  readonly heartbeatMs?: number
  readonly staleMs?: number
}

export interface PipelineParts {
  readonly service: PipelineService
  /** The server's URL, handed to steps as MLFLOW_TRACKING_URI. */
  setTrackingUri(url: string): void
}

export function createPipelines(database: SqlDatabase, artifacts: ArtifactStore, tracking: TrackingService, services: () => Services | undefined, options: PipelineOptions = {}): PipelineParts {
  const builtins = options.builtins ?? new Map()
  let trackingUri: string | undefined
  const runner = new PipelineRunner({
    store: new SqlPipelineStore(database),
    executor: options.executor ?? new LocalExecutor({ artifacts }),
    artifacts,
    tracker: new PipelineTracker(tracking),
    builtins,
    services,
    trackingUri: () => trackingUri,
    secretEnv: process.env,
    random: Math.random,
    warn: (message) => process.emitWarning(message),
  })
  const service = new PipelineService({ store: new SqlPipelineStore(database), runner, artifacts, builtins, ...options })
  return { service, setTrackingUri: (url) => void (trackingUri = url) }
}
