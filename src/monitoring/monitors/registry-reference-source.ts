import type { Readable } from 'node:stream'
import type { ArtifactService } from '../../artifacts/index.js'
import type { DeploymentService } from '../../deployments/index.js'
import type { ModelVersion } from '../../registry/registry-entities.js'
import { AppError, invalidParameter } from '../../shared/errors.js'
import { csvToDriftFrame } from '../drift/csv-frame.js'
import type { DriftFrame } from '../drift/detect-drift.js'
import type { MonitorReference } from './monitor-entities.js'
import type { ReferenceSource, ResolvedTarget } from './monitor-data-source.js'

/**
 * The version tag that names a version's reference data: `runs:/<run_id>/<path>.csv`,
 * `mlflow-artifacts:/<path>.csv`, or a path relative to the artifacts of the run the version was
 * registered from (`reference/train.csv`).
 */
export const REFERENCE_DATA_TAG = 'plinth.reference_data'
const MAX_REFERENCE_BYTES = 512 * 1024 * 1024
const CACHE_ENTRIES = 8
const CACHE_MS = 10 * 60_000

/** What is read from the registry (a subset of RegistryService). */
export interface ReferenceRegistry {
  getModelVersion(name: string, version: string | number | undefined): Promise<ModelVersion>
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>
  getLatestVersions(name: string, stages: string[] | undefined): Promise<ModelVersion[]>
}

async function readAll(body: Readable, what: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > MAX_REFERENCE_BYTES) throw invalidParameter(`${what} is larger than ${MAX_REFERENCE_BYTES / 1024 / 1024} MB; reference data that large should be a sample.`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Reference data from registered versions' tags and run artifacts, parsed once and cached. */
export class RegistryReferenceSource implements ReferenceSource {
  readonly #registry: ReferenceRegistry
  readonly #deployments: Pick<DeploymentService, 'get'>
  readonly #artifacts: Pick<ArtifactService, 'download' | 'downloadRun'>
  readonly #cache = new Map<string, { frame: DriftFrame; at: number }>()

  constructor(registry: ReferenceRegistry, deployments: Pick<DeploymentService, 'get'>, artifacts: Pick<ArtifactService, 'download' | 'downloadRun'>) {
    this.#registry = registry
    this.#deployments = deployments
    this.#artifacts = artifacts
  }

  /** A deployment's model is its heaviest route's (the one most traffic goes to). */
  async resolve(target: { deployment: string } | { model: string; alias?: string }): Promise<ResolvedTarget> {
    if ('deployment' in target) {
      const deployment = await this.#deployments.get(target.deployment)
      const main = [...deployment.spec.routes].sort((a, b) => b.weight - a.weight)[0]!
      const version = await this.#version(main.model, main.alias, main.version)
      return { deployment: target.deployment, model: main.model, version: String(version.version) }
    }
    const version = await this.#version(target.model, target.alias, undefined)
    return { model: target.model, version: String(version.version) }
  }

  async #version(model: string, alias: string | undefined, version: string | undefined): Promise<ModelVersion> {
    if (alias !== undefined) return this.#registry.getModelVersionByAlias(model, alias)
    if (version !== undefined) return this.#registry.getModelVersion(model, version)
    const newest = (await this.#registry.getLatestVersions(model, undefined)).sort((a, b) => b.version - a.version)[0]
    if (!newest) throw new AppError('RESOURCE_DOES_NOT_EXIST', `Registered model '${model}' has no version.`)
    return newest
  }

  async load(reference: Exclude<MonitorReference, { kind: 'window' }>, target: ResolvedTarget): Promise<DriftFrame> {
    const uri = reference.kind === 'uri' ? reference.uri : await this.#taggedUri(target)
    const cached = this.#cache.get(uri)
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.frame
    const frame = csvToDriftFrame(await readAll((await this.#open(uri)).body, `Reference data '${uri}'`))
    if (frame.size === 0) throw invalidParameter(`Reference data '${uri}' is empty; it needs a header row and data rows.`)
    this.#cache.set(uri, { frame, at: Date.now() })
    if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!)
    return frame
  }

  async #taggedUri(target: ResolvedTarget): Promise<string> {
    if (target.version === undefined) throw invalidParameter(`Model '${target.model}' has no version to read reference data from.`)
    const version = await this.#registry.getModelVersion(target.model, target.version)
    const value = version.tags.find((t) => t.key === REFERENCE_DATA_TAG)?.value
    if (!value) {
      throw invalidParameter(
        `Model version ${target.model}/${target.version} has no '${REFERENCE_DATA_TAG}' tag naming its reference data; set it (runs:/<run_id>/<path>.csv) or give the monitor a reference uri or time window.`,
      )
    }
    if (value.includes(':/')) return value
    if (!version.runId) throw invalidParameter(`Tag '${REFERENCE_DATA_TAG}' of ${target.model}/${target.version} is a relative path but the version has no run; use runs:/<run_id>/${value}.`)
    return `runs:/${version.runId}/${value}`
  }

  #open(uri: string): Promise<{ body: Readable }> {
    const runs = /^runs:\/([^/]+)\/(.+)$/.exec(uri)
    if (runs) return this.#artifacts.downloadRun(runs[1], runs[2])
    if (uri.startsWith('mlflow-artifacts:')) return this.#artifacts.download(uri.slice('mlflow-artifacts:'.length).replace(/^\/+/, ''))
    throw invalidParameter(`Reference data '${uri}' is not runs:/<run_id>/<path> or mlflow-artifacts:/<path>.`)
  }
}
