import type { ModelVersion, RegistryService } from '../registry/index.js'
import type { ModelReference } from '../registry/model-uri.js'
import type { TrackingService } from '../tracking/index.js'
import type { RunRecord, VersionRecord } from './ci-report-entities.js'
import type { CiRunSource } from './side-resolver.js'

function versionRecord(v: ModelVersion): VersionRecord {
  return { name: v.name, version: v.version, ...(v.runId ? { runId: v.runId } : {}) }
}

/** Reads runs and versions from the local store, as the other CLI commands do. */
export class EmbeddedRunSource implements CiRunSource {
  readonly #tracking: TrackingService
  readonly #registry: RegistryService

  constructor(services: { tracking: TrackingService; registry: RegistryService }) {
    this.#tracking = services.tracking
    this.#registry = services.registry
  }

  async getRun(runId: string): Promise<RunRecord> {
    const run = await this.#tracking.getRun(runId)
    return {
      runId: run.info.runId,
      runName: run.info.runName,
      experimentId: run.info.experimentId,
      metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])),
      params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
    }
  }

  async getVersion(ref: ModelReference): Promise<VersionRecord> {
    if ('version' in ref) return versionRecord(await this.#registry.getModelVersion(ref.name, ref.version))
    if ('alias' in ref) return versionRecord(await this.#registry.getModelVersionByAlias(ref.name, ref.alias))
    const resolved = await this.#registry.resolveModelUri(`models:/${ref.name}/${'stage' in ref ? ref.stage : 'latest'}`)
    return versionRecord(await this.#registry.getModelVersion(resolved.name, resolved.version))
  }
}
