import { Cron } from 'croner'
import { AppError } from '../../shared/errors.js'
import type { MonitorSchedule } from './monitor-entities.js'

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/**
 * `500ms`, `30s`, `5m`, `1h`, `1d`, `2w` (or `1.5h`) in milliseconds; undefined if malformed.
 * Go and Prometheus spell durations this way, so operators already know it.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text)
  if (!match) return undefined
  const ms = Number(match[1]) * UNITS[match[2]!]!
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined
}

/** The shortest exact spelling of a duration (`90m` stays `90m`, `3600000` ms is `1h`). */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`
  }
  return `${ms}ms`
}

/** Croner's parser, in UTC so a schedule means the same on every replica whatever its TZ. */
function cronOf(expression: string): Cron {
  return new Cron(expression, { paused: true, timezone: 'Etc/UTC' })
}

/** Checks a cron expression; the croner message names the part that is wrong. */
export function checkCron(expression: string, field: string): void {
  try {
    if (cronOf(expression).nextRun(new Date()) === null) throw new Error('it never fires')
  } catch (error) {
    throw new AppError('INVALID_PARAMETER_VALUE', `${field}: '${expression}' is not a cron schedule (${(error as Error).message}); use five fields such as '*/5 * * * *', or { every: 5m }.`, {
      details: { field },
    })
  }
}

/**
 * When a monitor is next due after `after`: the cron's next fire time, or `after + every`. A run
 * that overran several slots runs once, not once per missed slot, because the time is computed
 * from when the run ended.
 */
export function nextRunAfter(schedule: MonitorSchedule, after: number): number {
  if ('everyMs' in schedule) return after + schedule.everyMs
  const next = cronOf(schedule.cron).nextRun(new Date(after))
  // checkCron refused expressions that never fire; a far date keeps a monitor valid if one did.
  return next ? next.getTime() : after + 365 * UNITS.d!
}
