import type { WeightedRoute } from '../../deployments/deployment-entities.js'
import type { DeploymentService } from '../../deployments/deployment-service.js'
import { isAppError } from '../../shared/errors.js'

export interface Candidate {
  readonly model: string
  readonly version: number
}

export function isCandidate(route: WeightedRoute, candidate: Candidate): boolean {
  return route.model === candidate.model && route.version === String(candidate.version) && !route.alias
}

/**
 * Scales routes so they add up to `total`, keeping their proportions. Weights are rounded to four
 * decimals and the last route takes the remainder, so the sum is exact for the validator.
 */
export function scaleRoutes(routes: readonly WeightedRoute[], total: number): WeightedRoute[] {
  const sum = routes.reduce((s, r) => s + r.weight, 0)
  const even = sum === 0
  const scaled = routes.map((r) => ({ ...r, weight: Math.round((even ? total / routes.length : (r.weight / sum) * total) * 10_000) / 10_000 }))
  const rest = total - scaled.slice(0, -1).reduce((s, r) => s + r.weight, 0)
  if (scaled.length > 0) scaled[scaled.length - 1]!.weight = Math.round(rest * 10_000) / 10_000
  return scaled.filter((r) => r.weight > 0 || scaled.length === 1)
}

/** The champion routes at `100 − weight` and the candidate, pinned by version, at `weight`. */
export function canaryRoutes(champion: readonly WeightedRoute[], candidate: Candidate, weight: number): WeightedRoute[] {
  const pinned: WeightedRoute = { model: candidate.model, version: String(candidate.version), weight }
  return weight >= 100 ? [{ ...pinned, weight: 100 }] : [...scaleRoutes(champion, 100 - weight), pinned]
}

/**
 * Takes the candidate out of a deployment: back to the revision before the canary when nobody
 * changed the deployment since, else (someone did) the candidate's share goes back to the other
 * routes of what is there now, so their change is kept.
 */
export async function restoreRoutes(
  deployments: DeploymentService,
  name: string,
  candidate: Candidate,
  by: string,
  revisions: { baseline?: number; last?: number },
): Promise<number> {
  if (revisions.baseline !== undefined && revisions.last !== undefined) {
    try {
      return (await deployments.rollback(name, by, { toRevision: revisions.baseline, expectedRevision: revisions.last })).revision
    } catch (error) {
      if (!isAppError(error) || error.code !== 'INVALID_STATE') throw error
    }
  }
  const current = await deployments.get(name)
  const others = current.spec.routes.filter((r) => !isCandidate(r, candidate))
  if (others.length === 0 || others.length === current.spec.routes.length) return current.revision
  return (await deployments.patch(name, { routes: scaleRoutes(others, 100) }, by, current.revision)).revision
}
