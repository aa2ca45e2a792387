import { invalidParameter } from '../../shared/errors.js'

export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000
/** Shorter windows than this hold too few labels to mean anything, and make too many windows. */
export const MIN_WINDOW_MS = 60_000
export const MAX_WINDOWS = 10_000

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: HOUR_MS, d: DAY_MS }

/** `hour`, `day`, milliseconds (`900000`) or a count with a unit (`15m`, `6h`, `7d`). */
export function parseWindow(text: string | number | undefined): number {
  if (text === undefined || text === '') return DAY_MS
  if (typeof text === 'number') return checkWindow(text, String(text))
  if (text === 'hour') return HOUR_MS
  if (text === 'day') return DAY_MS
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!m) throw invalidParameter(`Invalid window '${text}': use hour, day, a length in milliseconds, or a count with a unit (15m, 6h, 7d).`)
  return checkWindow(Number(m[1]) * UNITS[m[2] ?? 'ms']!, text)
}

function checkWindow(ms: number, text: string): number {
  if (!Number.isSafeInteger(ms) || ms < MIN_WINDOW_MS) throw invalidParameter(`Window '${text}' is shorter than a minute; use at least 60000 ms.`)
  return ms
}

/**
 * The start of the window holding `time`. Windows are multiples of their length since the Unix
 * epoch, which began at UTC midnight, so hours and days align to UTC hours and days.
 */
export function windowStart(time: number, size: number, origin = 0): number {
  return origin + Math.floor((time - origin) / size) * size
}

/** The windows covering [start, end), aligned; refuses more than MAX_WINDOWS. */
export function windowStarts(start: number, end: number, size: number, origin = 0): number[] {
  const first = windowStart(start, size, origin)
  const count = Math.ceil((end - first) / size)
  if (count > MAX_WINDOWS) {
    throw invalidParameter(`The time range holds ${count} windows of ${size} ms; ask for at most ${MAX_WINDOWS} (a longer window or a shorter range).`)
  }
  return Array.from({ length: Math.max(0, count) }, (_, k) => first + k * size)
}

/** A time as milliseconds since the epoch or an ISO 8601 date (`2026-05-01`, `2026-05-01T12:00:00Z`). */
export function parseTime(text: string | number | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined
  const value = typeof text === 'number' || /^-?\d+$/.test(text) ? Number(text) : Date.parse(text)
  if (!Number.isSafeInteger(value)) {
    throw invalidParameter(`Invalid ${name} '${text}': give milliseconds since the epoch or an ISO 8601 time such as 2026-05-01T00:00:00Z.`)
  }
  return value
}
