import { sql, type Kysely, type Transaction } from 'kysely'
import type { DayPartitions, DialectFeatures } from '../sql/dialect-features.js'
import type { Database } from '../sql/schema.js'

const DAY_MS = 86_400_000

/** `prediction_log_ids` + day 2026-11-29 → `prediction_log_ids_p20261129`. */
function partitionName(table: string, day: number): string {
  return `${table}_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`
}

function dayOfName(table: string, name: string): number | undefined {
  const match = new RegExp(`^(?:.*\\.)?"?${table}_p(\\d{4})(\\d{2})(\\d{2})"?$`).exec(name)
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined
}

/** In `db` if it is a transaction already (a migration), else in one of its own. */
function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work)
}

export const POSTGRES_DAY_PARTITIONS: DayPartitions = Object.freeze<DayPartitions>({
  async create(db, table, day) {
    const name = partitionName(table, day)
    // CREATE TABLE IF NOT EXISTS alone still fails when two sessions create the same partition at
    // once (a duplicate pg_type row); the advisory lock makes the second wait and then find it.
    await inTransaction(db, async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.' || ${name}))`.execute(trx)
      await sql`create table if not exists ${sql.id(name)} partition of ${sql.table(table)} for values from (${sql.lit(day)}) to (${sql.lit(day + DAY_MS)})`.execute(trx)
    })
  },
  async list(db, table) {
    // pg_partition_tree resolves the table through search_path, as every other query here does.
    const result = await sql<{ name: string }>`select relid::text as name from pg_partition_tree(${table}::regclass) where isleaf`.execute(db)
    return result.rows.map((r) => dayOfName(table, r.name)).filter((d): d is number => d !== undefined)
  },
  async drop(db, table, day) {
    const name = partitionName(table, day)
    return inTransaction(db, async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.' || ${name}))`.execute(trx)
      const exists = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(trx)
      if (!exists.rows[0]?.found) return 0
      const counted = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(name)}`.execute(trx)
      await sql`drop table ${sql.id(name)}`.execute(trx)
      return counted.rows[0]?.n ?? 0
    })
  },
  isMissingPartition(error) {
    // 23514 check_violation is what PostgreSQL raises for "no partition of relation found for row".
    return (error as { code?: unknown } | null)?.code === '23514'
  },
})

/**
 * One statement whatever the segment size, the ids as one text array. The key is
 * (prediction_id, time), so an id indexed on another day is excluded by NOT EXISTS, and ON
 * CONFLICT covers an id twice in the array and a concurrent insert of the same id.
 */
export const insertPredictionIds: DialectFeatures['insertPredictionIds'] = async (db, segmentId, time, ids) => {
  const result = await sql`insert into prediction_log_ids (prediction_id, "time", segment_id, position)
    select v.id, ${time}::bigint, ${segmentId}::bigint, (v.n - 1)::int from unnest(${ids.list as string[]}::text[]) with ordinality as v(id, n)
    where not exists (select 1 from prediction_log_ids p where p.prediction_id = v.id)
    on conflict do nothing`.execute(db)
  return Number(result.numAffectedRows ?? 0n)
}
