import type { ModelSignature } from '../serving/tensor-types.js'
import type { ServedVersion, ServingPlan } from './serving-plan.js'

/** A model version's description for the metadata endpoints, without loading it. */
export interface ModelDescription {
  signature: ModelSignature
  /** The versions that may be asked for by number (`/versions/<n>`), when there are several. */
  versions?: string[]
}

/**
 * Where the inference service finds what to serve: the registry and deployments for
 * `plinth server`, one fixed model for `plinth serve -m`.
 */
export interface ModelCatalog {
  /**
   * What `/v2/models/<name>` serves now: a deployment of that name, else the registered model's
   * `champion` alias, else its newest READY version.
   * @throws AppError RESOURCE_DOES_NOT_EXIST when nothing has that name (or the model has no
   *   READY version); TEMPORARILY_UNAVAILABLE when the database cannot be reached.
   */
  resolve(name: string): Promise<ServingPlan>
  /**
   * `/v2/models/<name>/versions/<version>`: that exact version.
   * @throws AppError RESOURCE_DOES_NOT_EXIST for an unknown model or version,
   *   INVALID_PARAMETER_VALUE for a version that is not a number, INVALID_STATE for a version
   *   that is not READY.
   */
  resolveVersion(name: string, version: string): Promise<ServingPlan>
  /** The version's ONNX bytes. RESOURCE_DOES_NOT_EXIST when it is gone. */
  openModel(model: string, version: number): Promise<Uint8Array>
  /** Inputs and outputs as registered, for `GET /v2/models/<name>`. */
  describe(served: ServedVersion): Promise<ModelDescription>
  /** The names the server answers for (models and deployments), for `GET /v1/models`. */
  listNames(): Promise<string[]>
  /**
   * A value that changes whenever a resolution may change. Polled about once a second, so it
   * must be one cheap query; it may throw when the database is unreachable.
   */
  changeMarker(): Promise<string>
}
