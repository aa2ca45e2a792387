/** The shapes a CI report is built from and printed as (`plinth ci report --format json`). */

/** A run as the report needs it: the latest value of each metric, and its params. */
export interface RunRecord {
  runId: string
  runName: string
  experimentId: string
  metrics: Record<string, number>
  params: Record<string, string>
}

/** A registered model version, reduced to what links it to its run. */
export interface VersionRecord {
  name: string
  version: number
  runId?: string
}

/** One side of the comparison: what the user named, what it resolved to, and its run. */
export interface ResolvedSide {
  /** As given on the command line (`models:/churn@champion`, `runs:/…`, a run id). */
  spec: string
  model?: { name: string; version: number; alias?: string }
  run: RunRecord
}

export type MetricDirection = 'higher' | 'lower'
export type Verdict = 'better' | 'worse' | 'same' | 'unknown'

export interface MetricComparison {
  name: string
  direction: MetricDirection
  champion: number
  challenger: number
  /** challenger − champion. */
  delta: number
  /** delta relative to |champion|, in percent; null when the champion's value is 0 or not finite. */
  deltaPct: number | null
  verdict: Verdict
}

export interface ParamDifference {
  name: string
  /** null: the side did not log this param. */
  champion: string | null
  challenger: string | null
}

export interface CiReport {
  champion: ResolvedSide
  challenger: ResolvedSide
  metrics: MetricComparison[]
  params: ParamDifference[]
  /** Metrics only one side logged; not compared. */
  onlyChampion: string[]
  onlyChallenger: string[]
  better: string[]
  worse: string[]
}
