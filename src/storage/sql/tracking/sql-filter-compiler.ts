import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Comparator, FilterClause, OrderClause } from '../../../tracking/search-filter-types.js'
import type { DialectFeatures } from '../dialect-features.js'

type Condition = RawBuilder<SqlBool>

/** Compiles one comparison; values are always bound parameters, never spliced into SQL. */
export function compare(
  column: RawBuilder<unknown>,
  comparator: Comparator,
  value: FilterClause['value'],
  features: DialectFeatures,
): Condition {
  switch (comparator) {
    case 'LIKE':
      return sql<SqlBool>`${column} like ${value}`
    case 'ILIKE':
      return features.ilike(column, String(value))
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(value) ? value : [String(value)]
      if (list.length === 0) return comparator === 'IN' ? sql<SqlBool>`1 = 0` : sql<SqlBool>`1 = 1`
      return sql<SqlBool>`${column} ${sql.raw(comparator.toLowerCase())} (${sql.join(list)})`
    }
    default:
      return sql<SqlBool>`${column} ${sql.raw(comparator)} ${value}`
  }
}

const RUN_COLUMNS: Record<string, string> = {
  run_id: 'run_uuid',
  run_name: 'name',
  status: 'status',
  user_id: 'user_id',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
  lifecycle_stage: 'lifecycle_stage',
}

const DATASET_COLUMNS: Record<string, string> = { name: 'd.name', digest: 'd.digest', context: 'ri.context' }

export interface RunSearchSql {
  joins: RawBuilder<unknown>[]
  where: Condition[]
  orderBy: RawBuilder<unknown>[]
}

/** The metric a part is ordered by first, for a caller that walks the (key, value) index itself. */
export interface OrderedKey {
  key: string
  ascending: boolean
  /** The alias the part joins the table under. */
  alias: string
  /** The part's other joins, for a caller that brings its own rows of the key's table. */
  otherJoins: RawBuilder<unknown>[]
}

/**
 * A run search as parts whose results, concatenated in order, are the full ordered result. A
 * search ordered first by a metric, param or tag that some runs lack has two: runs with the key,
 * ordered by its value, then runs without it. In one query `case when key is null` would lead
 * the ORDER BY and force a sort of every matching run; split, the first part is a plain join
 * that can walk the (key, value) index and stop after one page.
 */
export interface RunSearchPlan {
  parts: RunSearchSql[]
  /** Set when the first part is ordered first by a metric, whose latest values are indexed in order. */
  firstOrderedBy?: OrderedKey
}

const ENTITY_TABLES = { metric: 'latest_metrics', param: 'params', tag: 'tags' } as const

/**
 * Turns parsed run filters and orderings into joins, conditions and ORDER BY terms over
 * `runs r`. Metric filters are inner joins on latest_metrics, so the planner can start from the
 * (key, value) index instead of scanning every run; an ordering on a metric that is also
 * filtered reuses that join.
 */
export function compileRunSearch(
  filter: FilterClause[],
  orderBy: OrderClause[],
  features: DialectFeatures,
): RunSearchPlan {
  const base: RunSearchSql = { joins: [], where: [], orderBy: [] }
  const innerMetricAlias = compileFilter(filter, base, features)
  const [first, ...rest] = orderBy
  const split = first !== undefined && first.entity !== 'attribute' && !(first.entity === 'metric' && innerMetricAlias.has(first.key))
  const terms = compileOrder(split ? rest : orderBy, innerMetricAlias, base.joins, split ? 1 : 0)
  if (!split) return { parts: [{ ...base, orderBy: terms }] }

  const table = ENTITY_TABLES[first.entity as keyof typeof ENTITY_TABLES]
  const alias = 'o0'
  const lacksKey = sql<SqlBool>`not exists (select 1 from ${sql.table(table)} ${sql.raw(alias)}
    where ${sql.ref(`${alias}.run_uuid`)} = r.run_uuid and ${sql.ref(`${alias}.key`)} = ${first.key})`
  const direction = sql.raw(first.ascending ? 'asc' : 'desc')
  return {
    parts: [
      {
        joins: [sql`join ${sql.table(table)} ${sql.raw(alias)} on ${sql.ref(`${alias}.run_uuid`)} = r.run_uuid and ${sql.ref(`${alias}.key`)} = ${first.key}`, ...base.joins],
        where: base.where,
        orderBy: [sql`${sql.ref(`${alias}.value`)} ${direction}`, ...terms],
      },
      // Runs without the key sort last in both directions, as in MLflow.
      { joins: base.joins, where: [...base.where, lacksKey], orderBy: terms },
    ],
    firstOrderedBy: first.entity === 'metric' ? { key: first.key, ascending: first.ascending, alias, otherJoins: base.joins } : undefined,
  }
}

function compileFilter(filter: FilterClause[], out: RunSearchSql, features: DialectFeatures): Map<string, string> {
  const innerMetricAlias = new Map<string, string>()
  filter.forEach((clause, i) => {
    if (clause.entity === 'attribute') {
      out.where.push(compare(sql.ref(`r.${RUN_COLUMNS[clause.key] ?? clause.key}`), clause.comparator, clause.value, features))
      return
    }
    if (clause.entity === 'dataset') {
      const column = sql.ref(DATASET_COLUMNS[clause.key] ?? 'd.name')
      out.where.push(sql<SqlBool>`exists (select 1 from run_inputs ri join datasets d on d.dataset_uuid = ri.dataset_uuid
        where ri.run_uuid = r.run_uuid and ${compare(column, clause.comparator, clause.value, features)})`)
      return
    }
    const alias = `f${i}`
    const table = ENTITY_TABLES[clause.entity]
    out.joins.push(sql`join ${sql.table(table)} ${sql.raw(alias)} on ${sql.ref(`${alias}.run_uuid`)} = r.run_uuid and ${sql.ref(`${alias}.key`)} = ${clause.key}`)
    if (clause.entity === 'metric') {
      out.where.push(sql<SqlBool>`${sql.ref(`${alias}.is_nan`)} = 0`)
      if (!innerMetricAlias.has(clause.key)) innerMetricAlias.set(clause.key, alias)
    }
    out.where.push(compare(sql.ref(`${alias}.value`), clause.comparator, clause.value, features))
  })
  return innerMetricAlias
}

/** ORDER BY terms (adding the left joins they need), then start time and run id as tie-breaks. */
function compileOrder(
  orderBy: OrderClause[],
  innerMetricAlias: Map<string, string>,
  joins: RawBuilder<unknown>[],
  firstIndex: number,
): RawBuilder<unknown>[] {
  const terms: RawBuilder<unknown>[] = []
  let ordersByStartTime = false
  let ordersByRunId = false
  orderBy.forEach((order, i) => {
    const direction = sql.raw(order.ascending ? 'asc' : 'desc')
    if (order.entity === 'attribute') {
      const column = RUN_COLUMNS[order.key] ?? order.key
      ordersByStartTime ||= column === 'start_time'
      ordersByRunId ||= column === 'run_uuid'
      terms.push(sql`r.${sql.ref(column)} ${direction}`)
      return
    }
    const reused = order.entity === 'metric' ? innerMetricAlias.get(order.key) : undefined
    if (reused) {
      terms.push(sql`${sql.ref(`${reused}.value`)} ${direction}`)
      return
    }
    const alias = `o${i + firstIndex}`
    joins.push(sql`left join ${sql.table(ENTITY_TABLES[order.entity])} ${sql.raw(alias)} on ${sql.ref(`${alias}.run_uuid`)} = r.run_uuid and ${sql.ref(`${alias}.key`)} = ${order.key}`)
    // Runs without the key sort last in both directions, as in MLflow.
    terms.push(sql`case when ${sql.ref(`${alias}.run_uuid`)} is null then 1 else 0 end`)
    terms.push(sql`${sql.ref(`${alias}.value`)} ${direction}`)
  })
  if (!ordersByStartTime) terms.push(sql`r.start_time desc`)
  if (!ordersByRunId) terms.push(sql`r.run_uuid asc`)
  return terms
}

const EXPERIMENT_COLUMNS: Record<string, string> = {
  name: 'e.name',
  experiment_id: 'e.experiment_id',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
}

/** Conditions over `experiments e` for a parsed experiment filter. */
export function experimentConditions(filter: FilterClause[], features: DialectFeatures): Condition[] {
  return filter.map((clause) => {
    if (clause.entity === 'tag') {
      return sql<SqlBool>`exists (select 1 from experiment_tags t where t.experiment_id = e.experiment_id
        and t.key = ${clause.key} and ${compare(sql.ref('t.value'), clause.comparator, clause.value, features)})`
    }
    const column = sql.ref(EXPERIMENT_COLUMNS[clause.key] ?? 'e.name')
    return compare(column, clause.comparator, clause.value, features)
  })
}

/** ORDER BY terms for experiments: the requested ones, then newest first, then by id. */
export function experimentOrder(orderBy: OrderClause[]): Array<[string, 'asc' | 'desc']> {
  const terms: Array<[string, 'asc' | 'desc']> = orderBy.map((o) => [
    EXPERIMENT_COLUMNS[o.key] ?? 'e.name',
    o.ascending ? 'asc' : 'desc',
  ])
  if (!terms.some(([c]) => c === 'e.creation_time') && orderBy.length === 0) terms.push(['e.creation_time', 'desc'])
  if (!terms.some(([c]) => c === 'e.experiment_id')) terms.push(['e.experiment_id', 'desc'])
  return terms
}
