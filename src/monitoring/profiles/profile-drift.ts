/**
 * Drift between two profiles with the same tests and report shape as raw-row drift. Each column
 * is rebuilt as data and handed to `detectDrift`:
 * - exactly, when its frequent items are complete (few distinct values: every count is known);
 * - else numerics as the KLL sketch's step approximation (each item repeated by its weight, the
 *   exact min and max put back at the ends), categoricals from their kept counts plus one
 *   "other values" bucket for the rest.
 * The error this costs against raw rows is measured in profile-drift.test.ts and documented in
 * docs/monitoring-drift.md.
 */
import { detectDrift, type DetectDriftOptions, type DriftFrame, type DriftReport, type RawColumn } from '../drift/detect-drift.js'
import { profileColumns, type ColumnProfile, type DataProfile, type ProfileOptions } from './column-profile.js'

/** Largest number of points one side is rebuilt with; beyond it weights are scaled down. */
const MAX_REBUILT_POINTS = 1 << 22
export const OTHER_VALUES = '(other values)'

function rebuildFromItems(profile: ColumnProfile): RawColumn {
  const entries = [...profile.items.counts]
  if (profile.kind === 'numerical') {
    const values = new Float64Array(profile.count)
    let k = 0
    for (const [key, count] of entries) values.fill(Number(key), k, (k += count))
    return { kind: 'numerical', values, integer: profile.integer }
  }
  const values: string[] = []
  for (const [key, count] of entries) for (let i = 0; i < count; i++) values.push(key)
  const rest = profile.count - values.length
  for (let i = 0; i < rest; i++) values.push(OTHER_VALUES)
  return { kind: 'categorical', values }
}

function rebuildFromSketch(profile: ColumnProfile): RawColumn {
  const { values, weights } = profile.sketch!.weightedItems()
  const scale = profile.count > MAX_REBUILT_POINTS ? MAX_REBUILT_POINTS / profile.count : 1
  const total = Math.round(profile.count * scale)
  const out = new Float64Array(total)
  let k = 0
  let carried = 0
  for (let i = 0; i < values.length && k < total; i++) {
    carried += weights[i]! * scale
    const take = Math.min(Math.round(carried), total - k)
    out.fill(values[i]!, k, k + take)
    k += take
    carried -= take
  }
  if (k < total) out.fill(values[values.length - 1] ?? 0, k)
  if (total > 0) {
    out[0] = profile.min
    out[total - 1] = profile.max
  }
  return { kind: 'numerical', values: out, integer: profile.integer }
}

function rebuild(profile: ColumnProfile, partnerExact: boolean): RawColumn {
  const exact = profile.items.exact && (profile.kind === 'categorical' || partnerExact)
  if (exact || profile.kind === 'categorical') return rebuildFromItems(profile)
  return rebuildFromSketch(profile)
}

const dropped = (p: ColumnProfile): number => p.missing + p.nan + p.infinite

/** Same report as `detectDrift` on the raw rows, computed from profiles (approximate when sketches are used). */
export function driftFromProfiles(reference: DataProfile, current: DataProfile, options: DetectDriftOptions = {}): DriftReport {
  const refFrame = new Map<string, RawColumn>()
  const curFrame = new Map<string, RawColumn>()
  for (const [name, ref] of reference.columns) {
    const cur = current.columns.get(name)
    if (!cur) continue // detectDrift reports the missing column
    // A numeric column is rebuilt exactly only when both sides know every value.
    const bothExact = ref.items.exact && cur.items.exact
    refFrame.set(name, rebuild(ref, bothExact))
    curFrame.set(name, rebuild(cur, bothExact))
  }
  for (const name of reference.columns.keys()) if (!refFrame.has(name)) refFrame.set(name, { kind: 'categorical', values: [] })
  const report = detectDrift(refFrame, curFrame, options)
  const columns = report.columns.map((c) => ({
    ...c,
    dropped_reference: dropped(reference.columns.get(c.column)!),
    dropped_current: dropped(current.columns.get(c.column)!),
  }))
  return { ...report, columns }
}

/** Profiles a frame (the current side of `plinth drift --reference profile.json`). */
export function profileFrame(frame: DriftFrame, options: ProfileOptions = {}): DataProfile {
  return profileColumns(frame, options)
}
