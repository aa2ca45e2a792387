import type { DeploymentService } from '../deployments/deployment-service.js'
import type { Deployment, ModelTarget, WeightedRoute } from '../deployments/deployment-entities.js'
import { registryTargetResolver, type TargetResolver } from '../deployments/deployment-targets.js'
import type { OnnxSignature } from '../registry/onnx-signature.js'
import type { ModelVersion } from '../registry/registry-entities.js'
import type { RegistryService } from '../registry/registry-service.js'
import { AppError, isAppError, notFound } from '../shared/errors.js'
import { isDatatype, type ModelSignature, type TensorSpec } from '../serving/tensor-types.js'
import type { ModelCatalog, ModelDescription } from './model-catalog.js'
import { servedVersion, type ServedVersion, type ServingPlan } from './serving-plan.js'

/** The alias `/v2/models/<name>` serves when no deployment has that name. */
export const DEFAULT_ALIAS = 'champion'

/** How many of a model's newest versions are searched for a READY one. */
const LATEST_SEARCH = 50

const isNotFound = (error: unknown) => isAppError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST'

/** Names resolved against the model registry and the deployments, in that order of precedence. */
export class RegistryCatalog implements ModelCatalog {
  readonly #registry: RegistryService
  readonly #deployments: DeploymentService
  readonly #resolveTarget: TargetResolver

  constructor(registry: RegistryService, deployments: DeploymentService) {
    this.#registry = registry
    this.#deployments = deployments
    this.#resolveTarget = registryTargetResolver(registry)
  }

  async resolve(name: string): Promise<ServingPlan> {
    const deployment = await this.#deployments.get(name).catch((error: unknown) => {
      if (isNotFound(error)) return undefined
      throw error
    })
    if (deployment) return this.#deploymentPlan(deployment)
    const model = await this.#registry.getRegisteredModel(name).catch((error: unknown) => {
      if (!isNotFound(error)) throw error
      throw notFound(`No deployment or registered model is named '${name}'. Register a model under that name, or check the name with GET /v1/models.`)
    })
    const champion = model.aliases.find((a) => a.alias === DEFAULT_ALIAS)
    const championVersion = champion && (await this.#registry.getModelVersion(model.name, champion.version))
    // A champion that is not READY is passed over, as if unset, rather than served broken.
    if (championVersion?.status === 'READY') {
      return { name, resolution: 'champion', routes: [servedVersion(championVersion.name, championVersion.version)] }
    }
    const latest = await this.#latestReady(model.name)
    return { name, resolution: 'latest', routes: [servedVersion(latest.name, latest.version)] }
  }

  async resolveVersion(name: string, version: string): Promise<ServingPlan> {
    const found = ready(await this.#registry.getModelVersion(name, version))
    return { name, resolution: 'version', routes: [servedVersion(found.name, found.version)] }
  }

  openModel(model: string, version: number): Promise<Uint8Array> {
    return this.#registry.openModelBytes(model, version)
  }

  async describe(served: ServedVersion): Promise<ModelDescription> {
    const version = await this.#registry.getModelVersion(served.model, served.version)
    const page = await this.#registry.searchModelVersions({ filter: nameFilter(served.model), orderBy: ['version_number ASC'], maxResults: 1000 })
    return {
      signature: signatureFromRegistry(version.pinned.signature),
      versions: page.items.filter((v) => v.status === 'READY').map((v) => String(v.version)),
    }
  }

  async listNames(): Promise<string[]> {
    const [deployments, models] = await Promise.all([this.#deployments.list(), this.#registry.searchRegisteredModels({ maxResults: 1000, orderBy: ['name ASC'] })])
    return [...new Set([...deployments.map((d) => d.name), ...models.items.map((m) => m.name)])].sort()
  }

  async changeMarker(): Promise<string> {
    const [registry, deployments] = await Promise.all([this.#registry.changeMarker(), this.#deployments.changeMarker()])
    return `${registry}|${deployments}`
  }

  async #latestReady(name: string): Promise<ModelVersion> {
    const page = await this.#registry.searchModelVersions({ filter: nameFilter(name), orderBy: ['version_number DESC'], maxResults: LATEST_SEARCH })
    const found = page.items.find((v) => v.status === 'READY')
    if (!found) throw notFound(`Registered model '${name}' has no READY version to serve. Register one, or set its '${DEFAULT_ALIAS}' alias.`)
    return found
  }

  /**
   * Routes whose target no longer resolves (an alias removed, a version deleted since the routing
   * was set) are left out and their weight shared among the others, so the deployment keeps
   * serving; only when no route resolves is the name unservable.
   */
  async #deploymentPlan(deployment: Deployment): Promise<ServingPlan> {
    const { spec } = deployment
    const resolved = await Promise.all(spec.routes.map((route) => this.#target(route)))
    const live = spec.routes.map((route, i) => ({ route, served: resolved[i] })).filter((r): r is { route: WeightedRoute; served: ServedVersion } => r.served !== undefined)
    if (live.length === 0) {
      throw notFound(`Deployment '${deployment.name}' has no route whose target exists any more (${spec.routes.map(describe).join(', ')}); update its routing.`)
    }
    const total = live.reduce((sum, r) => sum + r.route.weight, 0)
    const routes = live.map((r) => ({ ...r.route, weight: total > 0 ? (r.route.weight * 100) / total : 100 / live.length }))
    const shadowVersion = spec.shadow && (await this.#target(spec.shadow))
    const plan: ServingPlan = {
      name: deployment.name,
      resolution: 'deployment',
      spec: { routes, ...(spec.stickyHeader ? { stickyHeader: spec.stickyHeader.toLowerCase() } : {}) },
      routes: live.map((r) => r.served),
    }
    // A shadow whose target is gone is dropped: mirroring is never worth failing requests for.
    if (spec.shadow && shadowVersion) {
      plan.spec!.shadow = spec.shadow
      plan.shadow = { ...shadowVersion, share: spec.shadow.share }
    }
    return plan
  }

  async #target(target: ModelTarget): Promise<ServedVersion | undefined> {
    try {
      const { version } = await this.#resolveTarget(target)
      return servedVersion(target.model, version)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }
}

function describe(target: ModelTarget): string {
  return target.alias ? `${target.model}@${target.alias}` : `${target.model}/${target.version}`
}

function ready(version: ModelVersion): ModelVersion {
  if (version.status !== 'READY') {
    const why = version.statusMessage ? `: ${version.statusMessage}` : ''
    throw new AppError('INVALID_STATE', `Version ${version.version} of model '${version.name}' is ${version.status}${why}; only READY versions are served.`)
  }
  return version
}

function nameFilter(name: string): string {
  return `name = '${name.replaceAll("'", "''")}'`
}

/**
 * The registry's signature in serving terms. Outputs V2 cannot carry are left out (they are never
 * fetched); inputs keep their ONNX type name, so metadata shows why such a model cannot be served.
 */
export function signatureFromRegistry(signature: OnnxSignature): ModelSignature {
  const spec = (t: OnnxSignature['inputs'][number]): TensorSpec => ({ name: t.name, datatype: t.datatype as TensorSpec['datatype'], shape: t.shape })
  return { inputs: signature.inputs.map(spec), outputs: signature.outputs.filter((t) => isDatatype(t.datatype)).map(spec) }
}
