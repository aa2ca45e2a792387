import type { LoggedValue } from '../prediction-log-store.js'

/** A class as logged or labeled: the number 1, the string "1" and the boolean true are one class. */
export type ClassLabel = string | number | boolean

/**
 * The key a class is compared by. Labels arrive as JSON from callers and from ONNX outputs, so
 * 1, "1" and true must meet: a model with int64 labels is often labeled from a CSV of strings.
 */
export function classKey(value: LoggedValue): string | undefined {
  if (value === null) return undefined
  if (typeof value === 'boolean') return value ? '1' : '0'
  return String(value)
}

/** Class keys in scikit-learn's order (np.unique): numeric when every key is a number, else by code point. */
export function sortClassKeys(keys: Iterable<string>): string[] {
  const list = [...new Set(keys)]
  if (list.every((k) => k.trim() !== '' && Number.isFinite(Number(k)))) return list.sort((a, b) => Number(a) - Number(b))
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * The positive class of a binary task when none is given: scikit-learn's `pos_label=1` where a
 * class 1 exists, else the second class in sorted order (what `probabilities[1]` is in an
 * sklearn-onnx export).
 */
export function defaultPositiveClass(classes: readonly string[]): string {
  return classes.includes('1') ? '1' : classes[classes.length - 1]!
}
