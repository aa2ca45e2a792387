/**
 * A deployment is a named endpoint (`/v2/models/<deployment>/infer`) that routes requests to
 * model versions by weight (canary, A/B), optionally mirroring a share of them to a shadow.
 */

/** A model version to route to: an exact version or an alias that may move. */
export interface ModelTarget {
  model: string
  version?: string
  alias?: string
}

export interface WeightedRoute extends ModelTarget {
  /** Share of traffic in percent; the routes of a deployment add up to 100. */
  weight: number
}

export interface ShadowRoute extends ModelTarget {
  /** Share of requests mirrored to the shadow, from 0 to 1; its responses are discarded. */
  share: number
}

export interface DeploymentSpec {
  routes: WeightedRoute[]
  shadow?: ShadowRoute
  /**
   * For A/B tests: a request header whose value pins a caller to one route (the same key always
   * lands on the same route while weights stay the same). Without it routing is random.
   */
  stickyHeader?: string
}

export interface Deployment {
  name: string
  spec: DeploymentSpec
  /** Increases by one on every change; a rollback is a change too. */
  revision: number
  createdAt: number
  updatedAt: number
  updatedBy: string
}

export interface DeploymentRevision {
  name: string
  revision: number
  spec: DeploymentSpec
  createdAt: number
  createdBy: string
  /** Why the revision was made: `create`, `update`, `rollback to N`. */
  reason: string
}

/** Renders a target the way people write it: `churn@champion`, `churn/3`. */
export function describeTarget(target: ModelTarget): string {
  if (target.alias) return `${target.model}@${target.alias}`
  if (target.version) return `${target.model}/${target.version}`
  return target.model
}
