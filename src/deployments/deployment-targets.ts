import type { ModelVersion, RegisteredModel } from '../registry/registry-entities.js'
import { notFound } from '../shared/errors.js'
import type { ModelTarget } from './deployment-entities.js'

/** What deployments read from the model registry. */
export interface VersionLookup {
  getRegisteredModel(name: string): Promise<RegisteredModel>
  getModelVersion(name: string, version: string | number | undefined): Promise<ModelVersion>
}

/** The model version a target names now. */
export interface ResolvedTarget {
  version: number
  /** The run the version was registered from, for lineage. */
  runId?: string
}

/**
 * Resolves a target to the version it names now.
 * @throws AppError RESOURCE_DOES_NOT_EXIST for an unknown model or version or an unset alias.
 */
export type TargetResolver = (target: ModelTarget) => Promise<ResolvedTarget>

/**
 * Resolves targets against the registry. The registry answers INVALID_PARAMETER_VALUE for an
 * unset alias (MLflow's code for `get-by-alias`); to a deployment it is a missing target, so the
 * model's alias list is read instead and a miss is RESOURCE_DOES_NOT_EXIST.
 */
export function registryTargetResolver(registry: VersionLookup): TargetResolver {
  return async (target) => {
    let version: string | number | undefined = target.version
    if (target.alias !== undefined) {
      const model = await registry.getRegisteredModel(target.model)
      version = model.aliases.find((a) => a.alias === target.alias)?.version
      if (version === undefined) {
        throw notFound(`Registered model '${model.name}' has no alias '${target.alias}'. Set it with: plinth models alias set ${model.name} ${target.alias} <version>`)
      }
    }
    const found = await registry.getModelVersion(target.model, version)
    return found.runId ? { version: found.version, runId: found.runId } : { version: found.version }
  }
}
