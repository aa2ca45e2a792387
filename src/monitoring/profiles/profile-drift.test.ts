import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { csvToDriftFrame } from '../drift/csv-frame.js'
import { detectDrift, type DriftFrame, type RawColumn } from '../drift/detect-drift.js'
import { syntheticCsv } from '../drift/drift-test-data.test-helper.js'
import type { StatTestName } from '../drift/stat-tests.js'
import { mergeProfiles, profileColumns, profileFromJson, profileToJson } from './column-profile.js'
import { driftFromProfiles } from './profile-drift.js'

const table = (seed: number, shift: number, rows = 20_000): DriftFrame => csvToDriftFrame(syntheticCsv({ rows, seed, shift, junk: 0.02 }))
const cases = [0, 0.1, 0.3].map((shift) => [table(1, 0), table(2, shift)] as const)

/** Columns whose distinct values all fit in the frequent items: rebuilt exactly. */
const EXACT_COLUMNS = ['int_wide', 'int_few', 'binary_num', 'color', 'flag']
/** Continuous columns go through the KLL sketch (k = 200). */
const SKETCHED_COLUMNS = ['normal', 'noisy']

// Largest |profile score − raw-row score| measured on these tables at k = 200, rounded up:
// wasserstein 0.0072, psi 0.031, jensenshannon 0.027, kl_div 0.026, hellinger 0.028.
// The same tables at k = 1000 give 0.0006, 0.038 (a sparse tail bin), 0.010, 0.012, 0.011.
const SKETCH_BOUNDS: Partial<Record<StatTestName, number>> = {
  wasserstein: 0.01,
  psi: 0.04,
  jensenshannon: 0.03,
  kl_div: 0.03,
  hellinger: 0.03,
}

describe('driftFromProfiles', () => {
  for (const method of [undefined, 'psi', 'jensenshannon', 'chisquare', 'ks'] as const) {
    it(`should equal raw-row drift (to 1e-12) on low-cardinality columns (${method ?? 'default tests'})`, () => {
      for (const [ref, cur] of cases) {
        const options = method ? { method } : {}
        const raw = detectDrift(ref, cur, options)
        const fromProfiles = driftFromProfiles(profileColumns(ref), profileColumns(cur), options)
        for (const name of EXACT_COLUMNS) {
          const a = raw.columns.find((c) => c.column === name)!
          const b = fromProfiles.columns.find((c) => c.column === name)!
          // Rebuilt rows come in another order, so sums may differ in the last bits.
          assert.deepEqual({ ...b, score: 0 }, { ...a, score: 0 }, name)
          assert.ok(Object.is(a.score, b.score) || Math.abs(a.score - b.score) <= 1e-12 * Math.abs(a.score), `${name}: ${b.score} vs ${a.score}`)
        }
      }
    })
  }

  for (const [method, bound] of Object.entries(SKETCH_BOUNDS) as [StatTestName, number][]) {
    it(`should stay within ${bound} of the raw-row ${method} on sketched columns`, () => {
      for (const [ref, cur] of cases) {
        const raw = detectDrift(ref, cur, { method })
        const approx = driftFromProfiles(profileColumns(ref), profileColumns(cur), { method })
        for (const name of SKETCHED_COLUMNS) {
          const a = raw.columns.find((c) => c.column === name)!
          const b = approx.columns.find((c) => c.column === name)!
          assert.ok(Math.abs(a.score - b.score) <= bound, `${name}: ${b.score} vs raw ${a.score}`)
          assert.deepEqual([b.dropped_reference, b.dropped_current], [a.dropped_reference, a.dropped_current])
        }
      }
    })
  }

  it('should give the same drift from merged window profiles and survive JSON', () => {
    const [ref, cur] = cases[2]!
    const halves = (frame: DriftFrame, lo: number, hi: number): DriftFrame =>
      new Map(
        [...frame].map(([name, col]): [string, RawColumn] =>
          col.kind === 'numerical' ? [name, { ...col, values: col.values.slice(lo, hi) }] : [name, { kind: 'categorical', values: col.values.slice(lo, hi) }],
        ),
      )
    const merged = mergeProfiles(profileColumns(halves(cur, 0, 10_000)), profileColumns(halves(cur, 10_000, 20_000)))
    const whole = profileColumns(cur)
    for (const [name, col] of whole.columns) {
      const m = merged.columns.get(name)!
      assert.deepEqual([m.n, m.count, m.nan, m.infinite, m.missing, m.min, m.max], [col.n, col.count, col.nan, col.infinite, col.missing, col.min, col.max], name)
      if (col.kind === 'numerical') {
        assert.ok(Math.abs(m.mean - col.mean) <= 1e-12 * Math.max(1, Math.abs(col.mean)), `${name} mean`)
        assert.ok(Math.abs(m.m2 - col.m2) <= 1e-9 * col.m2, `${name} m2`)
      }
    }
    const reference = profileFromJson(JSON.parse(JSON.stringify(profileToJson(profileColumns(ref)))))
    const report = driftFromProfiles(reference, merged)
    const raw = detectDrift(ref, cur)
    assert.deepEqual(report.columns.map((c) => c.drift), raw.columns.map((c) => c.drift))
  })

  it('should reject a file that is not a profile, or of another version, with a message that says what to do', () => {
    assert.throws(() => profileFromJson({ columns: {} }), /not a Plinth profile .*plinth profile/)
    assert.throws(() => profileFromJson({ format: 'plinth-profile', version: 99, k: 200, columns: {} }), /version 99/)
  })
})
