import { AppError, isAppError, notFound } from '../shared/errors.js'
import type { Clock } from '../shared/clock.js'
import { SYSTEM_CLOCK } from '../shared/clock.js'
import { describeTarget, type Deployment, type DeploymentRevision, type DeploymentSpec, type ModelTarget, type ShadowRoute, type WeightedRoute } from './deployment-entities.js'
import type { DeploymentStore } from './deployment-store.js'
import { checkDeploymentName, checkDeploymentSpec } from './deployment-validation.js'

/** Confirms that a target names an existing model version or alias; throws RESOURCE_DOES_NOT_EXIST. */
export type TargetChecker = (target: ModelTarget) => Promise<void>

/** A partial change of a deployment's routing: what is given replaces, `null` removes. */
export interface DeploymentChanges {
  routes?: Array<Partial<WeightedRoute>>
  shadow?: Partial<ShadowRoute> | null
  stickyHeader?: string | null
}

export interface RollbackOptions {
  /** The revision whose routing to restore; the one before the current revision by default. */
  toRevision?: number
  /** Refuse with INVALID_STATE unless the deployment is still at this revision. */
  expectedRevision?: number
}

/**
 * Named endpoints and their routing. Every change is a new revision, so `rollback` is always
 * one step back to the routing that was there before.
 */
export class DeploymentService {
  readonly #store: DeploymentStore
  readonly #checkTarget: TargetChecker
  readonly #clock: Clock

  constructor(store: DeploymentStore, checkTarget: TargetChecker, clock: Clock = SYSTEM_CLOCK) {
    this.#store = store
    this.#checkTarget = checkTarget
    this.#clock = clock
  }

  /** @throws AppError INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST (a target), RESOURCE_ALREADY_EXISTS. */
  async create(name: unknown, spec: Partial<DeploymentSpec> | undefined, by = 'unknown'): Promise<Deployment> {
    const checkedName = checkDeploymentName(name)
    const checked = await this.#checked(spec)
    return this.#store.create(checkedName, checked, this.#clock.now(), by)
  }

  async get(name: string | undefined): Promise<Deployment> {
    const found = name ? await this.#store.get(name) : undefined
    if (!found) throw notFound(`No deployment named '${name ?? ''}'. List them with: plinth deployments list`)
    return found
  }

  list(): Promise<Deployment[]> {
    return this.#store.list()
  }

  /** Replaces the routing. With `expectedRevision`, refuses if someone changed it meanwhile. */
  async update(name: string | undefined, spec: Partial<DeploymentSpec> | undefined, by = 'unknown', expectedRevision?: number): Promise<Deployment> {
    const current = await this.#expect(name, expectedRevision)
    const checked = await this.#checked(spec)
    return this.#store.update(current.name, checked, current.revision, this.#clock.now(), by, 'update')
  }

  /** Changes part of the routing (routes, shadow, sticky header), keeping the rest. */
  async patch(name: string | undefined, changes: DeploymentChanges, by = 'unknown', expectedRevision?: number): Promise<Deployment> {
    const current = await this.#expect(name, expectedRevision)
    const checked = await this.#checked(mergeSpec(current.spec, changes))
    return this.#store.update(current.name, checked, current.revision, this.#clock.now(), by, 'update')
  }

  /**
   * Restores the routing of an earlier revision (the one before the current one by default) as
   * a new revision. Its targets are checked again: a version deleted since cannot be served.
   */
  async rollback(name: string | undefined, by = 'unknown', options: RollbackOptions = {}): Promise<Deployment> {
    const current = await this.#expect(name, options.expectedRevision)
    const to = options.toRevision ?? current.revision - 1
    if (current.revision === 1) {
      throw new AppError('INVALID_STATE', `Deployment '${current.name}' has no earlier revision to roll back to (it is at revision 1).`)
    }
    if (!Number.isInteger(to) || to < 1 || to >= current.revision) {
      throw new AppError('INVALID_PARAMETER_VALUE', `to_revision must be an earlier revision of '${current.name}', from 1 to ${current.revision - 1}; got ${JSON.stringify(to)}.`)
    }
    const target = (await this.#store.history(current.name)).find((r) => r.revision === to)
    if (!target) throw notFound(`Deployment '${current.name}' has no revision ${to}.`)
    const checked = await this.#checked(target.spec, `revision ${to}: `)
    return this.#store.update(current.name, checked, current.revision, this.#clock.now(), by, `rollback to ${to}`)
  }

  async history(name: string | undefined): Promise<DeploymentRevision[]> {
    const current = await this.get(name)
    return this.#store.history(current.name)
  }

  async delete(name: string | undefined): Promise<void> {
    const current = await this.get(name)
    await this.#store.delete(current.name)
  }

  changeMarker(): Promise<string> {
    return this.#store.changeMarker()
  }

  async #expect(name: string | undefined, expectedRevision: number | undefined): Promise<Deployment> {
    const current = await this.get(name)
    if (expectedRevision !== undefined && expectedRevision !== current.revision) {
      throw new AppError('INVALID_STATE', `Deployment '${current.name}' is at revision ${current.revision}, not ${expectedRevision}; re-read it and retry.`)
    }
    return current
  }

  /** Checks the shape, then that every target exists; errors name the field (`routes[1]`). */
  async #checked(spec: Partial<DeploymentSpec> | undefined, context = ''): Promise<DeploymentSpec> {
    const checked = checkDeploymentSpec(spec)
    const targets: Array<[string, ModelTarget]> = checked.routes.map((route, i) => [`routes[${i}]`, route])
    if (checked.shadow) targets.push(['shadow', checked.shadow])
    for (const [where, target] of targets) {
      try {
        await this.#checkTarget(target)
      } catch (error) {
        if (!isAppError(error)) throw error
        throw new AppError(error.code, `${context}${where} (${describeTarget(target)}): ${error.message}`, { cause: error })
      }
    }
    return checked
  }
}

function mergeSpec(current: DeploymentSpec, changes: DeploymentChanges): Partial<DeploymentSpec> {
  const merged: Partial<DeploymentSpec> = { routes: (changes.routes ?? current.routes) as WeightedRoute[] }
  const shadow = changes.shadow === undefined ? current.shadow : changes.shadow
  if (shadow) merged.shadow = shadow as ShadowRoute
  const sticky = changes.stickyHeader === undefined ? current.stickyHeader : changes.stickyHeader
  if (sticky) merged.stickyHeader = sticky
  return merged
}
