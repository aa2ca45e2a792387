import type { CiReport } from './ci-report-entities.js'
import { compareRuns } from './metric-comparison.js'
import { directionRules, type DirectionOverrides } from './metric-direction.js'
import { resolveSide, type CiRunSource } from './side-resolver.js'

export interface CiReportRequest {
  challenger: string
  champion: string
  metrics?: readonly string[]
  directions?: DirectionOverrides
}

/**
 * Resolves both sides to runs and compares them. Direction flags are checked before anything is
 * read, so a contradictory command fails without a round trip.
 */
export async function buildCiReport(source: CiRunSource, request: CiReportRequest): Promise<CiReport> {
  const direction = directionRules(request.directions)
  const champion = await resolveSide(source, request.champion)
  const challenger = await resolveSide(source, request.challenger)
  return compareRuns(champion, challenger, { metrics: request.metrics, direction })
}
