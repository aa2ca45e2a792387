import { sql, type Kysely } from 'kysely'
import type { DayPartitions, DialectFeatures } from '../sql/dialect-features.js'
import type { Database } from '../sql/schema.js'

const DAY_MS = 86_400_000

/** `prediction_logs` + day 2026-11-29 → `prediction_logs_p20261129`. */
function partitionName(table: string, day: number): string {
  return `${table}_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`
}

function dayOfName(table: string, name: string): number | undefined {
  const match = new RegExp(`^(?:.*\\.)?"?${table}_p(\\d{4})(\\d{2})(\\d{2})"?$`).exec(name)
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined
}

export const POSTGRES_DAY_PARTITIONS: DayPartitions = Object.freeze<DayPartitions>({
  async create(db, table, day) {
    const name = partitionName(table, day)
    // CREATE TABLE IF NOT EXISTS alone still fails when two sessions create the same partition at
    // once (a duplicate pg_type row); the advisory lock makes the second wait and then find it.
    await db.transaction().execute(async (trx) => {
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
    return db.transaction().execute(async (trx) => {
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
 * One statement whatever the batch size: the columns go as ten arrays through unnest. The key is
 * (prediction_id, time), so an id stored on another day is excluded by NOT EXISTS, and ON
 * CONFLICT covers a concurrent insert of the same record.
 */
export const insertPredictionLogs: DialectFeatures['insertPredictionLogs'] = async (db, rows) => {
  const col = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((r) => r[key])
  const result = await sql`insert into prediction_logs (prediction_id, model, version, deployment, "time", "rows", inputs, outputs, latency_ms, error)
    select * from unnest(${col('prediction_id')}::text[], ${col('model')}::text[], ${col('version')}::text[], ${col('deployment')}::text[],
      ${col('time')}::bigint[], ${col('rows')}::int[], ${col('inputs')}::text[], ${col('outputs')}::text[], ${col('latency_ms')}::float8[], ${col('error')}::text[])
      as v(prediction_id, model, version, deployment, "time", "rows", inputs, outputs, latency_ms, error)
    where not exists (select 1 from prediction_logs p where p.prediction_id = v.prediction_id)
    on conflict do nothing`.execute(db as Kysely<Database>)
  return Number(result.numAffectedRows ?? 0n)
}
