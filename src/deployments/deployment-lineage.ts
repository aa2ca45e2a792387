import { isAppError } from '../shared/errors.js'
import type { Deployment, ModelTarget } from './deployment-entities.js'
import type { ResolvedTarget, TargetResolver } from './deployment-targets.js'

/** One route or shadow of a deployment, with the model version it reaches now. */
export interface TargetUse {
  deployment: string
  /** The deployment's revision this was read from. */
  revision: number
  role: 'route' | 'shadow'
  model: string
  alias?: string
  /** The version named, or the one the alias points at now (absent when the alias is unset). */
  version?: number
  /** False when the model, version or alias is gone since the routing was set. */
  resolved: boolean
  runId?: string
  /** Percent of traffic, for a route. */
  weight?: number
  /** Fraction of requests mirrored, for the shadow. */
  share?: number
}

export interface VersionKey {
  model: string
  version: number
}

interface DeploymentReader {
  get(name: string | undefined): Promise<Deployment>
  list(): Promise<Deployment[]>
}

/**
 * Lineage from model versions to the deployments that serve them. Aliases are resolved when
 * asked, so a deployment routing to `churn@champion` serves whichever version champion is now.
 */
export class DeploymentLineage {
  readonly #deployments: DeploymentReader
  readonly #resolve: TargetResolver

  constructor(deployments: DeploymentReader, resolve: TargetResolver) {
    this.#deployments = deployments
    this.#resolve = resolve
  }

  /** A deployment's routes and shadow with their versions now. @throws RESOURCE_DOES_NOT_EXIST */
  async targetsOf(name: string | undefined): Promise<{ deployment: Deployment; targets: TargetUse[] }> {
    const deployment = await this.#deployments.get(name)
    return { deployment, targets: await this.#uses([deployment]) }
  }

  /** Every route and shadow, across deployments, that reaches one of these versions now. */
  async usesOf(versions: VersionKey[]): Promise<TargetUse[]> {
    if (versions.length === 0) return []
    const wanted = new Set(versions.map((v) => `${v.model}\u0000${v.version}`))
    const uses = await this.#uses(await this.#deployments.list())
    return uses.filter((u) => u.resolved && wanted.has(`${u.model}\u0000${u.version}`))
  }

  async #uses(deployments: Deployment[]): Promise<TargetUse[]> {
    const cache = new Map<string, Promise<ResolvedTarget | undefined>>()
    const resolve = (target: ModelTarget) => {
      const key = `${target.model}\u0000${target.alias ?? ''}\u0000${target.version ?? ''}`
      let found = cache.get(key)
      if (!found) cache.set(key, (found = this.#resolveOrUndefined(target)))
      return found
    }
    const uses: TargetUse[] = []
    for (const d of deployments) {
      const base = { deployment: d.name, revision: d.revision }
      for (const route of d.spec.routes) uses.push(withResolved({ ...base, role: 'route', ...targetOf(route), weight: route.weight }, await resolve(route)))
      const shadow = d.spec.shadow
      if (shadow) uses.push(withResolved({ ...base, role: 'shadow', ...targetOf(shadow), share: shadow.share }, await resolve(shadow)))
    }
    return uses
  }

  /** A target whose model, version or alias is gone since the routing was set reaches nothing. */
  async #resolveOrUndefined(target: ModelTarget): Promise<ResolvedTarget | undefined> {
    try {
      return await this.#resolve(target)
    } catch (error) {
      if (isAppError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return undefined
      throw error
    }
  }
}

function targetOf(target: ModelTarget): { model: string; alias?: string; version?: number } {
  if (target.alias !== undefined) return { model: target.model, alias: target.alias }
  return { model: target.model, version: Number(target.version) }
}

function withResolved(use: Omit<TargetUse, 'resolved'>, resolved: ResolvedTarget | undefined): TargetUse {
  if (!resolved) return { ...use, resolved: false }
  const found: TargetUse = { ...use, version: resolved.version, resolved: true }
  if (resolved.runId) found.runId = resolved.runId
  return found
}
