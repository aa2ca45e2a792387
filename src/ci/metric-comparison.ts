import { invalidParameter } from '../shared/errors.js'
import type { CiReport, MetricComparison, ParamDifference, ResolvedSide, Verdict } from './ci-report-entities.js'
import type { DirectionOf } from './metric-direction.js'

export interface CompareOptions {
  /** Metrics to compare; every metric both sides logged when absent. */
  metrics?: readonly string[]
  direction: DirectionOf
}

function verdict(delta: number, higherIsBetter: boolean): Verdict {
  if (!Number.isFinite(delta)) return 'unknown'
  if (delta === 0) return 'same'
  return delta > 0 === higherIsBetter ? 'better' : 'worse'
}

function listOf(names: string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ')
}

/** One row of the table. */
export function compareMetric(name: string, champion: number, challenger: number, direction: DirectionOf): MetricComparison {
  const delta = challenger - champion
  const base = Math.abs(champion)
  const deltaPct = base > 0 && Number.isFinite(base) && Number.isFinite(delta) ? (delta / base) * 100 : null
  const dir = direction(name)
  return { name, direction: dir, champion, challenger, delta, deltaPct, verdict: verdict(delta, dir === 'higher') }
}

function chosenMetrics(champion: ResolvedSide, challenger: ResolvedSide, wanted: readonly string[] | undefined): string[] {
  const a = Object.keys(champion.run.metrics).sort()
  const b = Object.keys(challenger.run.metrics).sort()
  const has = (side: ResolvedSide, m: string) => Object.hasOwn(side.run.metrics, m)
  const available = `The champion (${champion.spec}) has: ${listOf(a)}. The challenger (${challenger.spec}) has: ${listOf(b)}.`
  if (wanted && wanted.length > 0) {
    const missing = wanted.filter((m) => !has(champion, m) || !has(challenger, m))
    if (missing.length > 0) throw invalidParameter(`Metric ${listOf(missing)} is not logged by both sides. ${available}`)
    return [...new Set(wanted)]
  }
  const common = a.filter((m) => has(challenger, m))
  if (common.length === 0) throw invalidParameter(`The two runs have no metric in common to compare. ${available}`)
  return common
}

function paramDifferences(champion: Record<string, string>, challenger: Record<string, string>): ParamDifference[] {
  const names = [...new Set([...Object.keys(champion), ...Object.keys(challenger)])].sort()
  return names
    .map((name) => ({ name, champion: champion[name] ?? null, challenger: challenger[name] ?? null }))
    .filter((d) => d.champion !== d.challenger)
}

/**
 * Compares the challenger's latest metric values with the champion's.
 * @throws AppError INVALID_PARAMETER_VALUE when a chosen metric is missing on a side, or the
 *   sides have no metric in common; the message lists what each side has.
 */
export function compareRuns(champion: ResolvedSide, challenger: ResolvedSide, options: CompareOptions): CiReport {
  const names = chosenMetrics(champion, challenger, options.metrics)
  const metrics = names.map((n) => compareMetric(n, champion.run.metrics[n]!, challenger.run.metrics[n]!, options.direction))
  const only = (side: ResolvedSide, other: ResolvedSide) => Object.keys(side.run.metrics).filter((m) => !Object.hasOwn(other.run.metrics, m)).sort()
  return {
    champion,
    challenger,
    metrics,
    params: paramDifferences(champion.run.params, challenger.run.params),
    onlyChampion: only(champion, challenger),
    onlyChallenger: only(challenger, champion),
    better: metrics.filter((m) => m.verdict === 'better').map((m) => m.name),
    worse: metrics.filter((m) => m.verdict === 'worse').map((m) => m.name),
  }
}
