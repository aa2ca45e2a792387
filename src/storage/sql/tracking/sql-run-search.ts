import { sql, type Kysely, type SqlBool } from 'kysely'
import type { RunQuery } from '../../../tracking/tracking-store.js'
import type { DialectFeatures } from '../dialect-features.js'
import type { Database, RunTable } from '../schema.js'
import { compileRunSearch, type OrderedKey, type RunSearchSql } from './sql-filter-compiler.js'

/** How far probeOrderedWindow walks; tests shrink it to reach the window's edge with few runs. */
export interface ProbeWindow {
  /** Index entries to walk per row the page needs (offset + limit), and at least `min`. */
  perRow: number
  min: number
  /** Past this many rows (deep pages) the window would cost as much as the planner's own plan. */
  maxRows: number
}

const PROBE_WINDOW: ProbeWindow = { perRow: 10, min: 1_000, maxRows: 2_000 }

/**
 * The run rows of one search page plus one more (proof that another page exists), in order.
 * The plan's parts run one after the other, each picking up where the previous one ran out.
 */
export async function searchRunRows(
  db: Kysely<Database>,
  features: DialectFeatures,
  query: RunQuery,
  window: ProbeWindow = PROBE_WINDOW,
): Promise<RunTable[]> {
  const plan = compileRunSearch(query.filter, query.orderBy, features)
  const scope = [sql<SqlBool>`r.experiment_id in (${sql.join(query.experimentIds)})`]
  if (query.view !== 'ALL') {
    scope.push(sql<SqlBool>`r.lifecycle_stage = ${query.view === 'ACTIVE_ONLY' ? 'active' : 'deleted'}`)
  }
  const wanted = query.limit + 1
  let offset = query.offset
  const rows: RunTable[] = []
  for (const [i, part] of plan.parts.entries()) {
    const scoped = { ...part, where: [...scope, ...part.where] }
    const limit = wanted - rows.length
    const probed = i === 0 && plan.firstOrderedBy && features.probesOrderedWindow && offset + limit <= window.maxRows
      ? await probeOrderedWindow(db, scoped, plan.firstOrderedBy, limit, offset, window)
      : undefined
    const found = probed ?? (await selectRuns(db, scoped, limit, offset))
    rows.push(...found)
    if (rows.length === wanted || i === plan.parts.length - 1) break
    // The next part starts at offset 0 if this one reached its end within the page; otherwise
    // the whole page lies further on, past every row of this part.
    if (found.length > 0 || offset === 0) offset = 0
    else offset = Math.max(0, offset - (await countRuns(db, scoped)))
  }
  return rows
}

async function selectRuns(db: Kysely<Database>, part: RunSearchSql, limit: number, offset: number): Promise<RunTable[]> {
  const { rows } = await sql<RunTable>`select r.* from runs r ${sql.join(part.joins, sql` `)}
    where ${sql.join(part.where, sql` and `)}
    order by ${sql.join(part.orderBy)}
    limit ${limit} offset ${offset}`.execute(db)
  return rows
}

async function countRuns(db: Kysely<Database>, part: RunSearchSql): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from runs r ${sql.join(part.joins, sql` `)}
    where ${sql.join(part.where, sql` and `)}`.execute(db)
  return Number(rows[0]!.n)
}

/**
 * Tries the page against only the first `window` entries of the ordering metric in the
 * latest_metrics (key, value) index, walked in order and joined outward from there. When the
 * page fills up before the window's last value, no run outside the window can sort into it, so
 * the page is exact; otherwise (a filter matching few of those runs) it returns undefined and the
 * caller runs the query unbounded, leaving the join order to the planner. The derived table with
 * a LIMIT is not flattened, and CROSS JOIN keeps it the outer loop: SQLite documents CROSS JOIN
 * as a join-order hint; to any other database it is an inner join with its condition in WHERE.
 */
async function probeOrderedWindow(
  db: Kysely<Database>,
  part: RunSearchSql,
  ordered: OrderedKey,
  limit: number,
  offset: number,
  bounds: ProbeWindow,
): Promise<RunTable[] | undefined> {
  const window = Math.max(bounds.min, bounds.perRow * (offset + limit))
  const direction = sql.raw(ordered.ascending ? 'asc' : 'desc')
  const alias = sql.raw(ordered.alias)
  const edge = await sql<{ value: unknown }>`select value from latest_metrics where key = ${ordered.key}
    order by value ${direction} limit 1 offset ${window - 1}`.execute(db)
  const { rows } = await sql<RunTable & { probe_value: unknown }>`select r.*, ${alias}.value as probe_value
    from (select run_uuid, value from latest_metrics where key = ${ordered.key} order by value ${direction} limit ${window}) ${alias}
    cross join runs r ${sql.join(ordered.otherJoins, sql` `)}
    where ${sql.ref(`${ordered.alias}.run_uuid`)} = r.run_uuid and ${sql.join(part.where, sql` and `)}
    order by ${sql.join(part.orderBy)}
    limit ${limit} offset ${offset}`.execute(db)
  // No edge: the key has fewer entries than the window, which so held all of them.
  const complete = edge.rows.length === 0
  const exact = complete || (rows.length === limit && rows.at(-1)!.probe_value !== edge.rows[0]!.value)
  return exact ? rows.map(({ probe_value: _, ...row }) => row) : undefined
}
