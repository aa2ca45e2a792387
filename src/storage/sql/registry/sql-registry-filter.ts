import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { FilterClause, OrderClause } from '../../../tracking/search-filter-types.js'
import type { DialectFeatures } from '../dialect-features.js'
import { compare } from '../tracking/sql-filter-compiler.js'

type Condition = RawBuilder<SqlBool>
export type OrderTerm = [column: string, direction: 'asc' | 'desc']

const MODEL_COLUMNS: Record<string, string> = {
  name: 'rm.name',
  timestamp: 'rm.last_updated_time',
  last_updated_timestamp: 'rm.last_updated_time',
}

const VERSION_COLUMNS: Record<string, string> = {
  name: 'mv.name',
  run_id: 'mv.run_id',
  source: 'mv.source',
  version_number: 'mv.version',
  creation_timestamp: 'mv.creation_time',
  last_updated_timestamp: 'mv.last_updated_time',
  timestamp: 'mv.last_updated_time',
}

/** Conditions over `registered_models rm` for a parsed search_registered_models filter. */
export function registeredModelConditions(filter: FilterClause[], features: DialectFeatures): Condition[] {
  return filter.map((clause) => {
    if (clause.entity === 'tag') {
      return sql<SqlBool>`exists (select 1 from registered_model_tags t where t.name = rm.name
        and t.key = ${clause.key} and ${compare(sql.ref('t.value'), clause.comparator, clause.value, features)})`
    }
    return compare(sql.ref(MODEL_COLUMNS[clause.key] ?? 'rm.name'), clause.comparator, clause.value, features)
  })
}

/** Conditions over `model_versions mv` for a parsed search_model_versions filter. */
export function modelVersionConditions(filter: FilterClause[], features: DialectFeatures): Condition[] {
  return filter.map((clause) => {
    if (clause.entity === 'tag') {
      return sql<SqlBool>`exists (select 1 from model_version_tags t where t.name = mv.name and t.version = mv.version
        and t.key = ${clause.key} and ${compare(sql.ref('t.value'), clause.comparator, clause.value, features)})`
    }
    return compare(sql.ref(VERSION_COLUMNS[clause.key] ?? 'mv.name'), clause.comparator, clause.value, features)
  })
}

function terms(orderBy: OrderClause[], columns: Record<string, string>): OrderTerm[] {
  const out: OrderTerm[] = []
  for (const o of orderBy) {
    const column = columns[o.key] ?? 'name'
    if (!out.some(([c]) => c === column)) out.push([column, o.ascending ? 'asc' : 'desc'])
  }
  return out
}

/** The requested order, then by name (MLflow's natural order of registered models). */
export function registeredModelOrder(orderBy: OrderClause[]): OrderTerm[] {
  const out = terms(orderBy, MODEL_COLUMNS)
  if (!out.some(([c]) => c === 'rm.name')) out.push(['rm.name', 'asc'])
  return out
}

/** The requested order, else newest update first; then name, then newest version. */
export function modelVersionOrder(orderBy: OrderClause[]): OrderTerm[] {
  const out = terms(orderBy, VERSION_COLUMNS)
  if (out.length === 0) out.push(['mv.last_updated_time', 'desc'])
  if (!out.some(([c]) => c === 'mv.name')) out.push(['mv.name', 'asc'])
  if (!out.some(([c]) => c === 'mv.version')) out.push(['mv.version', 'desc'])
  return out
}
