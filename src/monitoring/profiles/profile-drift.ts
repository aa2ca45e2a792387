/**
 * Drift between two profiles with the same tests and report shape as raw-row drift. Each column
 * is rebuilt as data and handed to `detectDrift`:
 * - exactly, when its frequent items are complete (few distinct values: every count is known);
 * - else numerics as the KLL sketch's piecewise-linear approximation (each item's weight spread
 *   up to it from the previous item, the exact min and max at the ends), categoricals from their kept counts plus one
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

/**
 * The sketch as data with a piecewise-linear CDF: item i's weight is spread evenly over
 * (item i−1, item i], starting from the exact minimum. Repeating each item at its own value
 * instead would put lumps of 2^h equal values into single histogram bins; spreading them keeps
 * binned scores (PSI, KL, JS, Hellinger) and the KS statistic far closer to the raw-row values.
 */
function rebuildFromSketch(profile: ColumnProfile): RawColumn {
  const { values, weights } = profile.sketch!.weightedItems()
  const scale = profile.count > MAX_REBUILT_POINTS ? MAX_REBUILT_POINTS / profile.count : 1
  const total = Math.round(profile.count * scale)
  const out = new Float64Array(total)
  let k = 0
  let carried = 0
  let previous = profile.min
  for (let i = 0; i < values.length && k < total; i++) {
    const value = values[i]!
    carried += weights[i]! * scale
    const take = Math.min(Math.round(carried), total - k)
    for (let j = 1; j <= take; j++) out[k + j - 1] = previous + ((value - previous) * j) / take
    k += take
    carried -= take
    previous = value
  }
  if (k < total) out.fill(previous, k)
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
