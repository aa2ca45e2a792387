import type { DeploymentSpec } from '../deployments/deployment-entities.js'

/** One registered model version, as the model cache knows it. */
export interface ServedVersion {
  model: string
  version: number
  /** `model/version`: the model cache's key. */
  key: string
}

export interface ShadowTarget extends ServedVersion {
  /** Share of requests mirrored, from 0 to 1. */
  share: number
}

/** How a name was resolved, in the order they are tried. */
export type Resolution = 'deployment' | 'champion' | 'latest' | 'version'

/**
 * What one name on the inference routes serves right now: a deployment's routes, or a single
 * model version. Plans are cached and replaced whole when the registry or a deployment changes.
 */
export interface ServingPlan {
  /** The name the caller used (`/v2/models/<name>`). */
  name: string
  resolution: Resolution
  /** The deployment's routing, for `chooseRoute`; absent when `name` is a model. */
  spec?: DeploymentSpec
  /** What each of `spec.routes` resolves to now, in the same order; one entry for a model. */
  routes: ServedVersion[]
  shadow?: ShadowTarget
}

export function servedVersion(model: string, version: number): ServedVersion {
  return { model, version, key: `${model}/${version}` }
}

/** `churn/3` → churn, 3. A model name may itself hold '/', so the version is after the last one. */
export function parseVersionKey(key: string): { model: string; version: number } {
  const slash = key.lastIndexOf('/')
  return { model: key.slice(0, slash), version: Number(key.slice(slash + 1)) }
}

/** Every version a plan may send requests to, the shadow included. */
export function planVersions(plan: ServingPlan): ServedVersion[] {
  const all = plan.shadow ? [...plan.routes, plan.shadow] : plan.routes
  return all.filter((v, i) => all.findIndex((o) => o.key === v.key) === i)
}
