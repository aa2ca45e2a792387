/**
 * Mergeable column profiles in the spirit of whylogs: per column the counts (cells, missing, NaN,
 * infinite), exact moments (count, mean, M2 with Chan et al.'s parallel merge), min/max, a KLL
 * sketch of the finite numbers and frequent items of the values. Profiles of two windows merge
 * into the profile of their union, so drift over long windows needs no raw rows.
 */
import { invalidParameter } from '../../shared/errors.js'
import type { DriftFrame, RawColumn } from '../drift/detect-drift.js'
import { pythonNumberString } from '../drift/value-counts.js'
import { FrequentItems, type FrequentItemsState } from './frequent-items.js'
import { KllSketch, type KllState } from './kll-sketch.js'

export const PROFILE_VERSION = 1

export interface ProfileOptions {
  /** KLL accuracy parameter (default 200: worst rank error measured under 1.25% of n). */
  readonly k?: number
  /** Frequent-items counters per column (default 128). */
  readonly items?: number
}

export interface ColumnProfile {
  readonly kind: 'numerical' | 'categorical'
  /** Cells seen, including missing ones. */
  n: number
  /** Empty or NA cells. */
  missing: number
  nan: number
  infinite: number
  /** Finite numbers (numerical) or present values (categorical): what the drift tests use. */
  count: number
  mean: number
  m2: number
  min: number
  max: number
  /** Every value was an integer literal and nothing was missing (NumPy's integer binning). */
  integer: boolean
  readonly sketch: KllSketch | undefined
  readonly items: FrequentItems
}

export interface DataProfile {
  readonly version: typeof PROFILE_VERSION
  readonly k: number
  readonly columns: ReadonlyMap<string, ColumnProfile>
}

function emptyColumn(kind: ColumnProfile['kind'], k: number, items: number): ColumnProfile {
  return {
    kind, n: 0, missing: 0, nan: 0, infinite: 0, count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity,
    integer: true, sketch: kind === 'numerical' ? new KllSketch(k) : undefined, items: new FrequentItems(items),
  }
}

function profileColumn(column: RawColumn, k: number, itemCapacity: number): ColumnProfile {
  const p = emptyColumn(column.kind, k, itemCapacity)
  if (column.kind === 'categorical') {
    for (const v of column.values) {
      p.n++
      if (v === null) p.missing++
      else {
        p.count++
        p.items.update(v)
      }
    }
    p.integer = false
    return p
  }
  const integer = column.integer === true
  for (let i = 0; i < column.values.length; i++) {
    const v = column.values[i]!
    p.n++
    if (Number.isNaN(v)) {
      // The CSV reader turns empty cells and literal NaN alike into NaN; both are dropped.
      p.nan++
      continue
    }
    if (!Number.isFinite(v)) {
      p.infinite++
      continue
    }
    p.count++
    const delta = v - p.mean
    p.mean += delta / p.count
    p.m2 += delta * (v - p.mean)
    if (v < p.min) p.min = v
    if (v > p.max) p.max = v
    p.sketch!.update(v)
    p.items.update(pythonNumberString(v, integer))
  }
  p.integer = integer
  return p
}

/** Profiles every column of a frame. */
export function profileColumns(columns: DriftFrame, options: ProfileOptions = {}): DataProfile {
  const k = options.k ?? 200
  const items = options.items ?? 128
  const out = new Map<string, ColumnProfile>()
  for (const [name, column] of columns) out.set(name, profileColumn(column, k, items))
  return { version: PROFILE_VERSION, k, columns: out }
}

function mergeColumn(name: string, a: ColumnProfile, b: ColumnProfile): ColumnProfile {
  if (a.kind !== b.kind) throw invalidParameter(`Column '${name}' is ${a.kind} in one profile and ${b.kind} in the other; profiles merge only column by column of one type.`)
  const count = a.count + b.count
  const delta = b.mean - a.mean
  const mean = count === 0 ? 0 : a.mean + (delta * b.count) / count
  const m2 = count === 0 ? 0 : a.m2 + b.m2 + (delta * delta * a.count * b.count) / count
  const sketch = a.sketch && b.sketch ? KllSketch.fromState(a.sketch.toState()).merge(b.sketch) : undefined
  return {
    kind: a.kind, n: a.n + b.n, missing: a.missing + b.missing, nan: a.nan + b.nan, infinite: a.infinite + b.infinite,
    count, mean, m2, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), integer: a.integer && b.integer,
    sketch, items: FrequentItems.fromState(a.items.toState()).merge(b.items),
  }
}

/** The profile of the union of the data behind `a` and `b`; columns present in only one are kept as they are. */
export function mergeProfiles(a: DataProfile, b: DataProfile): DataProfile {
  if (a.k !== b.k) throw invalidParameter(`Profiles with different KLL k (${a.k} and ${b.k}) cannot be merged; profile both with the same --k.`)
  const out = new Map<string, ColumnProfile>()
  for (const [name, col] of a.columns) {
    const other = b.columns.get(name)
    out.set(name, other ? mergeColumn(name, col, other) : col)
  }
  for (const [name, col] of b.columns) if (!out.has(name)) out.set(name, col)
  return { version: PROFILE_VERSION, k: a.k, columns: out }
}

// ---- JSON (de)serialization

interface ColumnJson extends Omit<ColumnProfile, 'sketch' | 'items' | 'min' | 'max'> {
  min: number | null
  max: number | null
  sketch?: KllState
  items: FrequentItemsState
}

export interface ProfileJson {
  readonly format: 'plinth-profile'
  readonly version: number
  readonly k: number
  readonly columns: Record<string, ColumnJson>
}

export function profileToJson(profile: DataProfile): ProfileJson {
  const columns: Record<string, ColumnJson> = {}
  for (const [name, c] of profile.columns) {
    const { sketch, items, min, max, ...rest } = c
    columns[name] = {
      ...rest,
      min: Number.isFinite(min) ? min : null,
      max: Number.isFinite(max) ? max : null,
      ...(sketch ? { sketch: sketch.toState() } : {}),
      items: items.toState(),
    }
  }
  return { format: 'plinth-profile', version: profile.version, k: profile.k, columns }
}

/** Parses a profile JSON, checking the format and version so a wrong file fails with a clear message. */
export function profileFromJson(json: unknown, source = 'profile'): DataProfile {
  const doc = json as Partial<ProfileJson> | null
  if (!doc || typeof doc !== 'object' || doc.format !== 'plinth-profile') {
    throw invalidParameter(`The ${source} is not a Plinth profile (no "format": "plinth-profile"); make one with \`plinth profile DATA.csv -o profile.json\`.`)
  }
  if (doc.version !== PROFILE_VERSION) {
    throw invalidParameter(`The ${source} has profile version ${String(doc.version)}; this Plinth reads version ${PROFILE_VERSION}. Re-create it with this version.`)
  }
  if (typeof doc.k !== 'number' || !doc.columns || typeof doc.columns !== 'object') {
    throw invalidParameter(`The ${source} is missing "k" or "columns"; re-create it with \`plinth profile\`.`)
  }
  const columns = new Map<string, ColumnProfile>()
  for (const [name, c] of Object.entries(doc.columns)) {
    if (c.kind !== 'numerical' && c.kind !== 'categorical') throw invalidParameter(`Column '${name}' of the ${source} has unknown kind '${String(c.kind)}'.`)
    const { sketch, items, min, max, ...rest } = c
    columns.set(name, {
      ...rest,
      min: min ?? Infinity,
      max: max ?? -Infinity,
      sketch: sketch ? KllSketch.fromState(sketch) : c.kind === 'numerical' ? new KllSketch(doc.k) : undefined,
      items: FrequentItems.fromState(items),
    })
  }
  return { version: PROFILE_VERSION, k: doc.k, columns }
}
