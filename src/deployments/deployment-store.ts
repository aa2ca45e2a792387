import type { Deployment, DeploymentRevision, DeploymentSpec } from './deployment-entities.js'

/** Persistence of deployments and of every revision of their routing. */
export interface DeploymentStore {
  /** Inserts revision 1. Throws RESOURCE_ALREADY_EXISTS for a taken name. Atomic. */
  create(name: string, spec: DeploymentSpec, at: number, by: string): Promise<Deployment>
  /** The deployment, or undefined. */
  get(name: string): Promise<Deployment | undefined>
  /** Every deployment, by name. */
  list(): Promise<Deployment[]>
  /**
   * Writes a new revision if the current one is still `expectedRevision` (two operators changing
   * a deployment at once cannot silently overwrite each other): INVALID_STATE otherwise. Atomic.
   */
  update(name: string, spec: DeploymentSpec, expectedRevision: number, at: number, by: string, reason: string): Promise<Deployment>
  /** Revisions, newest first. */
  history(name: string): Promise<DeploymentRevision[]>
  /** Deletes a deployment and its history; false if it did not exist. */
  delete(name: string): Promise<boolean>
  /**
   * A value that changes whenever any deployment changes; replicas poll it to notice changes
   * made through another replica.
   */
  changeMarker(): Promise<string>
}
