/**
 * Registry of Evidently's column tests: default threshold and drift comparison per test. The
 * comparisons are mixed on purpose (research/monitoring.md §1.2): `ks` flags p ≤ threshold, the
 * other p-value tests p < threshold, the distances score ≥ threshold.
 */
import { unsortedCur, unsortedRef, type DriftColumn } from './drift-column.js'
import { hellinger, jensenShannon, klDivergence, psi, wassersteinNormed } from './distance-tests.js'
import { chiSquarePValue, ksPValue, zTestPValue } from './p-value-tests.js'

export const STAT_TEST_NAMES = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'kl_div', 'hellinger'] as const
export type StatTestName = (typeof STAT_TEST_NAMES)[number]

export interface StatTest {
  readonly score: (column: DriftColumn) => number
  readonly defaultThreshold: number
  readonly drifted: (score: number, threshold: number) => boolean
}

const pAtMost = (s: number, t: number): boolean => s <= t
const pBelow = (s: number, t: number): boolean => s < t
const atLeast = (s: number, t: number): boolean => s >= t

export const STAT_TESTS: Readonly<Record<StatTestName, StatTest>> = {
  ks: { score: ksPValue, defaultThreshold: 0.05, drifted: pAtMost },
  chisquare: { score: chiSquarePValue, defaultThreshold: 0.05, drifted: pBelow },
  z: { score: zTestPValue, defaultThreshold: 0.05, drifted: pBelow },
  wasserstein: { score: wassersteinNormed, defaultThreshold: 0.1, drifted: atLeast },
  jensenshannon: { score: jensenShannon, defaultThreshold: 0.1, drifted: atLeast },
  psi: { score: psi, defaultThreshold: 0.1, drifted: atLeast },
  kl_div: { score: klDivergence, defaultThreshold: 0.1, drifted: atLeast },
  hellinger: { score: hellinger, defaultThreshold: 0.1, drifted: atLeast },
}

export function isStatTestName(name: string): name is StatTestName {
  return (STAT_TEST_NAMES as readonly string[]).includes(name)
}

/** Evidently switches from p-value tests to distances above this many reference rows (issue #50). */
const SMALL_REFERENCE_ROWS = 1000

/**
 * Distinct values of reference ∪ current (pandas `nunique`), counted only up to `cap`: the
 * default test needs to know whether there are more than 5, never how many, so no sort is needed.
 */
export function distinctCountUpTo(column: DriftColumn, cap: number): number {
  const seen = new Set<number | string>()
  const sides = column.type === 'categorical' ? [column.ref, column.cur] : [unsortedRef(column), unsortedCur(column)]
  for (const side of sides) {
    for (let i = 0; i < side.length; i++) {
      // A Set compares with SameValueZero, so −0 and +0 count once, as in pandas.
      seen.add(side[i]!)
      if (seen.size >= cap) return cap
    }
  }
  return seen.size
}

/** Evidently's `_get_default_stattest` for numerical and categorical columns. */
export function defaultStatTest(column: DriftColumn): StatTestName {
  const distinct = distinctCountUpTo(column, 6)
  const numerical = column.type === 'numerical'
  const referenceRows = column.type === 'numerical' ? unsortedRef(column).length : column.ref.length
  if (referenceRows <= SMALL_REFERENCE_ROWS) {
    if (numerical && distinct > 5) return 'ks'
    return distinct > 2 ? 'chisquare' : 'z'
  }
  return numerical && distinct > 5 ? 'wasserstein' : 'jensenshannon'
}
