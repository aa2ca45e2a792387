import { Cron } from 'croner'
import type { Node } from 'yaml'
import type { ConcurrencyPolicy, ParamMapping, TriggerSpec } from '../pipeline-spec.js'
import { triggerProblems } from '../triggers/trigger-checks.js'
import { checkKeys, describe, type Entry, type IssueList, mapEntries, scalarValue, seqItems, stringList, stringMap, stringValue } from './spec-issues.js'

const KINDS = ['cron', 'alert', 'data', 'webhook'] as const
const COMMON = ['params', 'concurrency', 'timezone', 'catchup'] as const
export const POLICIES: readonly ConcurrencyPolicy[] = ['allow', 'forbid', 'replace']

/** Trigger param mappings, kept with their nodes so param names can be checked against `params`. */
export interface TriggerParamSite {
  readonly node: Node
  readonly name: string
  readonly text: string
}

export function parseTriggers(node: Node | null, issues: IssueList, sites: TriggerParamSite[]): TriggerSpec[] {
  if (node === null) return []
  const out: TriggerSpec[] = []
  for (const item of seqItems(node, 'triggers', issues) ?? []) {
    const entries = mapEntries(item, 'A trigger', issues)
    if (!entries) continue
    checkKeys(entries, [...KINDS, ...COMMON], 'a trigger', issues)
    const kinds = entries.filter((e) => (KINDS as readonly string[]).includes(e.key))
    if (kinds.length !== 1) {
      issues.add(item, `A trigger needs exactly one of ${KINDS.join(', ')}${kinds.length > 1 ? `; this one has ${kinds.map((k) => k.key).join(' and ')}` : ''}.`)
      continue
    }
    const trigger = parseOne(kinds[0]!, entries, issues, sites)
    if (!trigger) continue
    // The trigger layer's own checks (payload fields a mapping may name, filters), at this trigger's line.
    for (const problem of triggerProblems(trigger)) issues.add(item, `Trigger: ${problem}.`)
    out.push(trigger)
  }
  return out
}

function parseOne(kind: Entry, entries: Entry[], issues: IssueList, sites: TriggerParamSite[]): TriggerSpec | undefined {
  const paramsNode = entries.find((e) => e.key === 'params')?.value ?? null
  const params: ParamMapping = paramsNode ? stringMap(paramsNode, 'trigger params', issues) : {}
  for (const e of paramsNode ? (mapEntries(paramsNode, 'trigger params', issues) ?? []) : []) sites.push({ node: e.keyNode, name: e.key, text: params[e.key] ?? '' })
  const concurrency = policyOf(entries.find((e) => e.key === 'concurrency'), issues)
  const common = { params, ...(concurrency ? { concurrency } : {}) }
  const timezone = entries.find((e) => e.key === 'timezone')
  const catchup = entries.find((e) => e.key === 'catchup')
  if (kind.key === 'cron') return cronTrigger(kind, timezone, catchupOf(catchup, issues), common, issues)
  if (timezone) issues.add(timezone.keyNode, "'timezone' applies to cron triggers only.")
  if (catchup) issues.add(catchup.keyNode, "'catchup' applies to cron triggers only.")
  if (kind.key === 'webhook') return { kind: 'webhook', ...common }
  const inner = kind.value === null ? [] : (mapEntries(kind.value, `The ${kind.key} trigger`, issues) ?? [])
  const text = (key: string) => {
    const entry = inner.find((e) => e.key === key)
    return entry ? stringValue(entry.value, `${kind.key}.${key}`, issues) : undefined
  }
  if (kind.key === 'alert') {
    checkKeys(inner, ['monitor', 'deployment', 'conditions', 'severity'], 'an alert trigger', issues)
    const conditions = inner.find((e) => e.key === 'conditions')
    return { kind: 'alert', ...defined({ monitor: text('monitor'), deployment: text('deployment'), severity: text('severity') }), ...(conditions ? { conditionTypes: stringList(conditions.value, 'alert.conditions', issues) } : {}), ...common }
  }
  checkKeys(inner, ['dataset', 'prefix'], 'a data trigger', issues)
  const data = defined({ dataset: text('dataset'), prefix: text('prefix') })
  if (!data.dataset && !data.prefix) issues.add(kind.value ?? kind.keyNode, 'A data trigger needs a dataset (name logged to runs) or a prefix (artifact location to watch).')
  return { kind: 'data', ...data, ...common }
}

function catchupOf(entry: Entry | undefined, issues: IssueList): boolean | undefined {
  if (!entry) return undefined
  const value = scalarValue(entry.value)
  if (typeof value !== 'boolean') issues.add(entry.value ?? entry.keyNode, `catchup must be true or false, not ${describe(entry.value)}.`)
  return value === true
}

function cronTrigger(kind: Entry, timezone: Entry | undefined, catchup: boolean | undefined, common: { params: ParamMapping; concurrency?: ConcurrencyPolicy }, issues: IssueList): TriggerSpec | undefined {
  const schedule = stringValue(kind.value, 'cron', issues)
  const tz = timezone ? stringValue(timezone.value, 'timezone', issues) : undefined
  if (schedule === undefined) return undefined
  try {
    new Cron(schedule, { paused: true, ...(tz ? { timezone: tz } : {}) }).stop()
  } catch (error) {
    issues.add(kind.value, `Cron schedule '${schedule}' is not valid (${(error as Error).message}); write 5 fields, e.g. '0 2 * * *' for 02:00 daily.`)
    return undefined
  }
  return { kind: 'cron', schedule, ...(tz ? { timezone: tz } : {}), ...(catchup ? { catchup } : {}), ...common }
}

export function policyOf(entry: Entry | undefined, issues: IssueList): ConcurrencyPolicy | undefined {
  if (!entry) return undefined
  const value = stringValue(entry.value, 'concurrency', issues)
  if (value !== undefined && !(POLICIES as readonly string[]).includes(value)) {
    issues.add(entry.value, `concurrency must be one of ${POLICIES.join(', ')}, not '${value}'.`)
    return undefined
  }
  return value as ConcurrencyPolicy | undefined
}

function defined<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string }
}
