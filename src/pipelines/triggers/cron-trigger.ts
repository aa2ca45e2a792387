import { Cron } from 'croner'
import type { TriggerSpec } from '../pipeline-spec.js'

type CronTrigger = Extract<TriggerSpec, { kind: 'cron' }>

/** What `${{ trigger.… }}` can read from a cron tick. */
export const CRON_FIELDS = ['time', 'schedule', 'timezone'] as const

/**
 * Croner's parser with five fields (minute first) or six (seconds first), in the trigger's time
 * zone; UTC when it names none, so a schedule means the same on every replica whatever its TZ.
 * Throws croner's error, which names the part that is wrong.
 */
export function cronOf(spec: Pick<CronTrigger, 'schedule' | 'timezone'>): Cron {
  const cron = new Cron(spec.schedule, { paused: true, timezone: spec.timezone ?? 'Etc/UTC', mode: '5-or-6-parts' })
  // A bad time zone only shows when a date is converted.
  if (cron.nextRun(new Date(0)) === null) throw new Error('it never fires')
  return cron
}

/** Why a cron trigger cannot run, or undefined. */
export function cronProblem(spec: CronTrigger): string | undefined {
  try {
    cronOf(spec)
    return undefined
  } catch (error) {
    return `schedule '${spec.schedule}'${spec.timezone ? ` in ${spec.timezone}` : ''} is not usable (${(error as Error).message}); write five fields such as '0 3 * * *' (minute hour day month weekday) or six with seconds first, and an IANA time zone such as Europe/Paris`
  }
}

/** The latest tick at or before `now`, in ms; undefined if the schedule has none. */
export function latestTick(cron: Cron, now: number): number | undefined {
  // previousRuns excludes a tick exactly at the reference.
  return cron.previousRuns(1, new Date(now + 1))[0]?.getTime()
}

/** The first tick after `now`, in ms. */
export function nextTick(cron: Cron, now: number): number | undefined {
  return cron.nextRun(new Date(now))?.getTime()
}

/** The same tick gets the same id on every replica, so it starts one run. */
export function cronEvent(spec: CronTrigger, tick: number): { eventId: string; payload: Record<string, string> } {
  const time = new Date(tick).toISOString()
  return { eventId: `cron:${time}`, payload: { time, schedule: spec.schedule, timezone: spec.timezone ?? 'UTC' } }
}
