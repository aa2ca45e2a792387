import { createHash } from 'node:crypto'
import { AppError } from '../../shared/errors.js'
import type { TriggerSpec } from '../pipeline-spec.js'
import { ALERT_FIELDS, alertProblem } from './alert-trigger.js'
import { CRON_FIELDS, cronProblem } from './cron-trigger.js'
import { DATA_FIELDS, dataProblem } from './data-trigger.js'
import { mappingProblems } from './trigger-expressions.js'

/** Fields a trigger kind's payload exposes to mappings; undefined: any (a webhook body). */
export function fieldsOf(kind: TriggerSpec['kind']): readonly string[] | undefined {
  switch (kind) {
    case 'cron':
      return CRON_FIELDS
    case 'alert':
      return ALERT_FIELDS
    case 'data':
      return DATA_FIELDS
    case 'webhook':
      return undefined
  }
}

function kindProblem(spec: TriggerSpec): string | undefined {
  switch (spec.kind) {
    case 'cron':
      return cronProblem(spec)
    case 'alert':
      return alertProblem(spec)
    case 'data':
      return dataProblem(spec)
    case 'webhook':
      return undefined
  }
}

/** Every problem of one trigger as `field: what to fix`, empty when it can run. */
export function triggerProblems(spec: TriggerSpec): string[] {
  const problems: string[] = []
  const own = kindProblem(spec)
  if (own !== undefined) problems.push(own)
  for (const p of mappingProblems(spec.params, fieldsOf(spec.kind))) problems.push(`params.${p.param}: ${p.message}`)
  return problems
}

/**
 * Checks a pipeline's triggers; the pipeline parser calls this so a bad trigger is refused when
 * the file is applied, not discovered when the event comes. `details.fields` names each one.
 */
export function checkTriggers(triggers: readonly TriggerSpec[], where: string): void {
  const problems = triggers.flatMap((t, i) => triggerProblems(t).map((text) => ({ field: `triggers[${i}]`, text })))
  if (problems.length === 0) return
  throw new AppError('INVALID_PARAMETER_VALUE', `${where}: ${problems.map((p) => `${p.field}: ${p.text}`).join('; ')}.`, {
    details: { fields: [...new Set(problems.map((p) => p.field))] },
  })
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** What identifies a trigger across versions of its pipeline: its kind and what it listens to. */
function identity(spec: TriggerSpec): unknown {
  switch (spec.kind) {
    case 'cron':
      return [spec.schedule, spec.timezone ?? 'UTC']
    case 'alert':
      return [spec.monitor ?? null, spec.deployment ?? null, [...(spec.conditionTypes ?? [])].sort(), spec.severity ?? null]
    case 'data':
      return [spec.dataset ?? null, spec.prefix ?? null]
    case 'webhook':
      return []
  }
}

/**
 * The key a trigger's cursor is stored under. Editing params or a pipeline's steps keeps it (the
 * trigger still resumes where it was); changing what it listens to starts it afresh.
 */
export function triggerKeys(pipeline: string, triggers: readonly TriggerSpec[]): string[] {
  const taken = new Map<string, number>()
  // Keys are stored in a varchar(300); a very long pipeline name is stored by its hash.
  const name = pipeline.length > 200 ? `#${sha256(pipeline).slice(0, 32)}` : pipeline
  return triggers.map((spec) => {
    const base = `${name}:${spec.kind}:${sha256(JSON.stringify(identity(spec))).slice(0, 16)}`
    const n = taken.get(base) ?? 0
    taken.set(base, n + 1)
    return n === 0 ? base : `${base}#${n}`
  })
}
