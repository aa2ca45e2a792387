import type { DeploymentSpec, ShadowRoute, WeightedRoute } from './deployment-entities.js'

const BUCKETS = 10_000

export interface RoutingDecision {
  route: WeightedRoute
  /** Set when this request is also mirrored to the shadow. */
  shadow?: ShadowRoute
}

/**
 * FNV-1a: fast, stable across processes and releases, and spreads similar keys (user-1,
 * user-2…) evenly, which is all sticky routing needs from a hash.
 */
export function stickyBucket(key: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash % BUCKETS
}

/**
 * Picks the route for one request: by the sticky key's bucket when the caller sent one (A/B
 * tests), else at random (canary). Weights are percentages in 0.01 steps.
 */
export function chooseRoute(spec: DeploymentSpec, stickyKey: string | undefined, random: () => number = Math.random): RoutingDecision {
  const bucket = stickyKey === undefined ? Math.floor(random() * BUCKETS) : stickyBucket(stickyKey)
  let cumulative = 0
  let route = spec.routes[spec.routes.length - 1]!
  for (const candidate of spec.routes) {
    cumulative += Math.round(candidate.weight * (BUCKETS / 100))
    if (bucket < cumulative) {
      route = candidate
      break
    }
  }
  const shadow = spec.shadow && random() < spec.shadow.share ? spec.shadow : undefined
  return shadow ? { route, shadow } : { route }
}
