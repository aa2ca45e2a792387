import type { Run } from '../lib/wire-types.js'

/** A sortable column of the runs table and the order_by term that sorts by it. */
export interface Column {
  id: string
  label: string
  orderKey: string
  numeric: boolean
  value: (run: Run) => string | number | undefined
}

const quote = (key: string) => (/^[A-Za-z_][\w.]*$/.test(key) ? key : `\`${key.replace(/`/g, '')}\``)

export const FIXED_COLUMNS: Column[] = [
  { id: 'start', label: 'Started', orderKey: 'attributes.start_time', numeric: false, value: (r) => r.info.start_time },
  { id: 'status', label: 'Status', orderKey: 'attributes.status', numeric: false, value: (r) => r.info.status },
  { id: 'duration', label: 'Duration', orderKey: 'attributes.end_time', numeric: true, value: (r) => (r.info.end_time && r.info.start_time ? r.info.end_time - r.info.start_time : undefined) },
]

export function paramColumn(key: string): Column {
  return { id: `p:${key}`, label: key, orderKey: `params.${quote(key)}`, numeric: false, value: (r) => r.data.params?.find((p) => p.key === key)?.value }
}

export function metricColumn(key: string): Column {
  return { id: `m:${key}`, label: key, orderKey: `metrics.${quote(key)}`, numeric: true, value: (r) => r.data.metrics?.find((m) => m.key === key)?.value }
}

/** Every param and metric key on the page, sorted, for the column picker. */
export function keysOf(runs: Run[]): { params: string[]; metrics: string[] } {
  const params = new Set<string>()
  const metrics = new Set<string>()
  for (const run of runs) {
    for (const p of run.data.params ?? []) params.add(p.key)
    for (const m of run.data.metrics ?? []) metrics.add(m.key)
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() }
}

export function parseList(value: string | null): string[] | undefined {
  if (value === null) return undefined
  return value.split(',').filter(Boolean)
}

/** `metrics.acc DESC` → the column id and direction, for the header arrow. */
export function parseOrder(order: string | undefined): { key: string; desc: boolean } | undefined {
  if (!order) return undefined
  const match = /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(order.trim())
  return match ? { key: match[1]!, desc: (match[2] ?? 'ASC').toUpperCase() === 'DESC' } : undefined
}
