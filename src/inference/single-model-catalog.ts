import { readOnnxSignature } from '../registry/onnx-signature.js'
import { notFound } from '../shared/errors.js'
import type { ModelCatalog, ModelDescription } from './model-catalog.js'
import { signatureFromRegistry } from './registry-catalog.js'
import { servedVersion, type ServedVersion, type ServingPlan } from './serving-plan.js'

/** One model held in memory: what `plinth serve -m` serves, resolved once at start. */
export interface SingleModel {
  /** The name it answers to on `/v2/models/<name>` and `/v1/models/<name>`. */
  name: string
  /** Its registry version, or 1 for a model file. */
  version: number
  bytes: Uint8Array
}

/** A catalog of exactly one model version that never changes. */
export class SingleModelCatalog implements ModelCatalog {
  readonly #model: SingleModel
  readonly #served: ServedVersion
  #description: ModelDescription | undefined

  constructor(model: SingleModel) {
    this.#model = model
    this.#served = servedVersion(model.name, model.version)
  }

  get model(): ServedVersion {
    return this.#served
  }

  async resolve(name: string): Promise<ServingPlan> {
    if (name !== this.#model.name) throw this.#unknown(name)
    return { name, resolution: 'version', routes: [this.#served] }
  }

  async resolveVersion(name: string, version: string): Promise<ServingPlan> {
    if (name !== this.#model.name) throw this.#unknown(name)
    if (version !== String(this.#model.version)) {
      throw notFound(`Model '${name}' has no version ${version} on this server; it serves version ${this.#model.version}.`)
    }
    return { name, resolution: 'version', routes: [this.#served] }
  }

  async openModel(): Promise<Uint8Array> {
    return this.#model.bytes
  }

  async describe(): Promise<ModelDescription> {
    this.#description ??= { signature: signatureFromRegistry(readOnnxSignature(this.#model.bytes, `model '${this.#model.name}'`)), versions: [String(this.#model.version)] }
    return this.#description
  }

  async listNames(): Promise<string[]> {
    return [this.#model.name]
  }

  async changeMarker(): Promise<string> {
    return 'fixed'
  }

  #unknown(name: string) {
    return notFound(`This server serves one model, '${this.#model.name}'; there is no model '${name}'.`)
  }
}
