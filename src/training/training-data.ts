import type { DriftFrame, RawColumn } from '../monitoring/drift/detect-drift.js'
import { sortClassKeys } from '../monitoring/performance/class-labels.js'
import { invalidParameter } from '../shared/errors.js'
import type { ClassLabels, FeatureMatrix, TaskKind } from './training-types.js'

/** An integer target with at most this many distinct values is read as classes when no task is given. */
const MAX_INFERRED_CLASSES = 20
/** More classes than this is almost always a regression target or an id column. */
export const MAX_CLASSES = 100

export interface TrainingData {
  readonly task: TaskKind
  readonly features: FeatureMatrix
  /** The regression target, or each row's class index into `classes`. */
  readonly target: Float64Array
  readonly classes?: ClassLabels
  /** Rows left out because the target or a feature was empty or not finite. */
  readonly droppedRows: number
}

export interface DataSelection {
  readonly target: string
  /** Feature columns; default every column but the target. */
  readonly features?: readonly string[]
  readonly task?: TaskKind
}

function column(frame: DriftFrame, name: string, role: string): RawColumn {
  const found = frame.get(name)
  if (!found) throw invalidParameter(`The data has no ${role} column '${name}'; its columns are ${[...frame.keys()].join(', ')}.`)
  return found
}

/**
 * Only numeric features: the model takes one float tensor, so a text column would need an encoding
 * the caller of the served model must repeat. Refusing names the column and the two ways out.
 */
function numericFeature(frame: DriftFrame, name: string): Float64Array {
  const raw = column(frame, name, 'feature')
  if (raw.kind === 'numerical') return raw.values
  const sample = raw.values.find((v) => v !== null)
  throw invalidParameter(
    `Feature column '${name}' holds text (e.g. '${sample}'); plinth train takes numeric features only. Encode it as numbers (one 0/1 column per category) or leave it out with --features.`,
  )
}

function inferTask(raw: RawColumn): TaskKind {
  if (raw.kind === 'categorical') return 'classification'
  if (!raw.integer) return 'regression'
  const distinct = new Set<number>()
  for (const v of raw.values) if (distinct.add(v).size > MAX_INFERRED_CLASSES) return 'regression'
  return 'classification'
}

function targetKeys(raw: RawColumn): (string | null)[] {
  if (raw.kind === 'categorical') return [...raw.values]
  return Array.from(raw.values, (v) => (Number.isFinite(v) ? String(v) : null))
}

function classLabels(keys: readonly (string | null)[], name: string, numeric: boolean): ClassLabels {
  const names = sortClassKeys(keys.filter((k): k is string => k !== null))
  if (names.length < 2) throw invalidParameter(`Target column '${name}' has ${names.length} class; classification needs at least two.`)
  if (names.length > MAX_CLASSES) {
    throw invalidParameter(`Target column '${name}' has ${names.length} distinct values, more than ${MAX_CLASSES} classes; pass --task regression if it is a quantity.`)
  }
  const integers = numeric && names.every((n) => Number.isSafeInteger(Number(n)))
  return { names, values: names.map((n, i) => BigInt(integers ? Number(n) : i)) }
}

/**
 * Chooses the features and target from a parsed CSV, infers the task when none is given (text or a
 * few integers: classification; otherwise regression), and leaves out rows with a missing value.
 */
export function selectTrainingData(frame: DriftFrame, selection: DataSelection): TrainingData {
  const rawTarget = column(frame, selection.target, 'target')
  const task = selection.task ?? inferTask(rawTarget)
  const names = selection.features ?? [...frame.keys()].filter((n) => n !== selection.target)
  if (names.length === 0) throw invalidParameter('There are no feature columns: the data needs at least one column besides the target.')
  if (names.includes(selection.target)) throw invalidParameter(`Column '${selection.target}' is the target; leave it out of --features.`)
  const values = names.map((n) => numericFeature(frame, n))
  let target: Float64Array
  let classes: ClassLabels | undefined
  if (task === 'classification') {
    const keys = targetKeys(rawTarget)
    classes = classLabels(keys, selection.target, rawTarget.kind === 'numerical')
    const index = new Map(classes.names.map((n, i) => [n, i]))
    target = Float64Array.from(keys, (k) => (k === null ? NaN : index.get(k)!))
  } else {
    if (rawTarget.kind !== 'numerical') throw invalidParameter(`Target column '${selection.target}' holds text; regression needs a numeric target (or pass --task classification).`)
    target = rawTarget.values
  }
  return keepCompleteRows(task, names, values, target, classes)
}

function keepCompleteRows(task: TaskKind, names: readonly string[], values: Float64Array[], target: Float64Array, classes: ClassLabels | undefined): TrainingData {
  const n = target.length
  const keep = new Uint8Array(n)
  let kept = 0
  for (let i = 0; i < n; i++) {
    let ok = Number.isFinite(target[i]!)
    for (let f = 0; ok && f < values.length; f++) ok = Number.isFinite(values[f]![i]!)
    keep[i] = ok ? 1 : 0
    if (ok) kept++
  }
  if (kept < 2) throw invalidParameter(`Only ${kept} of ${n} rows have a value in the target and every feature; training needs at least two.`)
  const pick = <T extends Float32Array | Float64Array>(source: Float64Array, out: T): T => {
    for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = source[i]!
    return out
  }
  const columns = values.map((v) => pick(v, new Float32Array(kept)))
  return {
    task,
    features: { names, columns, rows: kept },
    target: pick(target, new Float64Array(kept)),
    ...(classes ? { classes } : {}),
    droppedRows: n - kept,
  }
}
