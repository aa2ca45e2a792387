import { posix } from 'node:path'
import type { Readable } from 'node:stream'
import { AppError } from '../shared/errors.js'
import { joinArtifactPath, normalizeArtifactPath } from './artifact-path.js'
import type { ArtifactFileInfo, ArtifactStore } from './artifact-store.js'

/** Runs logged against Plinth's server keep artifacts under this scheme, as with MLflow's proxy. */
export const PROXIED_SCHEME = 'mlflow-artifacts:'

/**
 * Artifacts as MLflow's proxied artifact service presents them: `mlflow-artifacts:/<path>` URIs
 * map onto the configured store, and every path is checked once, here.
 */
export class ArtifactService {
  readonly #store: ArtifactStore
  readonly #runArtifactUri: (runId: string | undefined) => Promise<string>

  constructor(store: ArtifactStore, runArtifactUri: (runId: string | undefined) => Promise<string>) {
    this.#store = store
    this.#runArtifactUri = runArtifactUri
  }

  get storeUri(): string {
    return this.#store.rootUri
  }

  upload(path: string, body: Readable, contentLength?: number): Promise<{ size: number }> {
    const file = normalizeArtifactPath(path)
    if (file === '') throw new AppError('INVALID_PARAMETER_VALUE', 'An artifact upload needs a file path after /artifacts/.')
    return this.#store.put(file, body, { contentLength })
  }

  download(path: string): Promise<{ body: Readable; size?: number }> {
    return this.#store.get(normalizeArtifactPath(path))
  }

  delete(path: string): Promise<void> {
    return this.#store.delete(normalizeArtifactPath(path))
  }

  /** Children of a folder with base names, as MLflow's `GET /mlflow-artifacts/artifacts` answers. */
  async list(path: string | undefined): Promise<ArtifactFileInfo[]> {
    const entries = await this.#store.list(normalizeArtifactPath(path ?? ''))
    return entries.map((e) => ({ ...e, path: posix.basename(e.path) }))
  }

  /** A run's artifacts under `path`, relative to the run's artifact root (`/mlflow/artifacts/list`). */
  async listRun(runId: string | undefined, path: string | undefined): Promise<{ rootUri: string; files: ArtifactFileInfo[] }> {
    const rootUri = await this.#runArtifactUri(runId)
    const relative = normalizeArtifactPath(path ?? '')
    const root = proxiedPath(rootUri)
    const entries = await this.#store.list(joinArtifactPath(root, relative))
    return {
      rootUri,
      files: entries.map((e) => ({ ...e, path: joinArtifactPath(relative, posix.basename(e.path)) })),
    }
  }

  /** Streams one file of a run (MLflow's `/get-artifact?run_uuid=&path=`). */
  async downloadRun(runId: string | undefined, path: string | undefined): Promise<{ body: Readable; size?: number }> {
    const root = proxiedPath(await this.#runArtifactUri(runId))
    const relative = normalizeArtifactPath(path ?? '')
    if (relative === '') throw new AppError('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'path'.")
    return this.#store.get(joinArtifactPath(root, relative))
  }
}

/** The store path behind an `mlflow-artifacts:/…` URI; other schemes are not served here. */
export function proxiedPath(uri: string): string {
  if (!uri.startsWith(PROXIED_SCHEME)) {
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Artifacts at '${uri}' are not served by this server; read them from that location directly.`,
    )
  }
  return normalizeArtifactPath(uri.slice(PROXIED_SCHEME.length).replace(/^\/+/, ''))
}
