import { AppError, notFound } from '../shared/errors.js'
import type { Clock } from '../shared/clock.js'
import { SYSTEM_CLOCK } from '../shared/clock.js'
import type { Deployment, DeploymentRevision, DeploymentSpec, ModelTarget } from './deployment-entities.js'
import type { DeploymentStore } from './deployment-store.js'
import { checkDeploymentName, checkDeploymentSpec } from './deployment-validation.js'

/** Confirms that a target names an existing model version or alias; throws RESOURCE_DOES_NOT_EXIST. */
export type TargetChecker = (target: ModelTarget) => Promise<void>

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

  async create(name: unknown, spec: Partial<DeploymentSpec> | undefined, by = 'unknown'): Promise<Deployment> {
    const checked = await this.#checked(spec)
    return this.#store.create(checkDeploymentName(name), checked, this.#clock.now(), by)
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
    const current = await this.get(name)
    if (expectedRevision !== undefined && expectedRevision !== current.revision) {
      throw new AppError('INVALID_STATE', `Deployment '${current.name}' is at revision ${current.revision}, not ${expectedRevision}; re-read it and retry.`)
    }
    const checked = await this.#checked(spec)
    return this.#store.update(current.name, checked, current.revision, this.#clock.now(), by, 'update')
  }

  /** Returns to the routing of the revision before the current one. */
  async rollback(name: string | undefined, by = 'unknown'): Promise<Deployment> {
    const current = await this.get(name)
    const previous = (await this.#store.history(current.name)).find((r) => r.revision === current.revision - 1)
    if (!previous) {
      throw new AppError('INVALID_STATE', `Deployment '${current.name}' has no earlier revision to roll back to (it is at revision ${current.revision}).`)
    }
    return this.#store.update(current.name, previous.spec, current.revision, this.#clock.now(), by, `rollback to ${previous.revision}`)
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

  async #checked(spec: Partial<DeploymentSpec> | undefined): Promise<DeploymentSpec> {
    const checked = checkDeploymentSpec(spec)
    for (const target of [...checked.routes, ...(checked.shadow ? [checked.shadow] : [])]) await this.#checkTarget(target)
    return checked
  }
}
