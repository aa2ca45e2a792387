import type { CreateTableBuilder, Expression, Kysely, RawBuilder, SqlBool, Transaction } from 'kysely'
import type { Database, MetricTable } from './schema.js'

/**
 * The few places SQLite and PostgreSQL differ, in one object per dialect (house rule 2).
 * Nothing outside `storage/sqlite|postgres/` asks which database it is talking to.
 */
export interface DialectFeatures {
  readonly name: 'sqlite' | 'postgres'
  /** Case-insensitive LIKE: PostgreSQL has ILIKE; SQLite compares lower-cased operands. */
  ilike(left: Expression<unknown>, pattern: string): RawBuilder<SqlBool>
  /** Finishes a CREATE TABLE for a table keyed only by its primary key (SQLite: WITHOUT ROWID). */
  clusteredTable<TB extends string, C extends string>(
    builder: CreateTableBuilder<TB, C>,
  ): CreateTableBuilder<TB, C>
  /**
   * Inserts metric points, ignoring exact duplicates, in the fastest way the database offers:
   * SQLite runs one cached prepared statement per point, PostgreSQL one statement over arrays.
   * Call it only inside a transaction on `trx`: on SQLite it writes through the one connection.
   */
  insertMetricPoints(trx: Transaction<Database> | Kysely<Database>, rows: MetricTable[]): Promise<void>
  /** Largest number of bound parameters one statement may carry. */
  readonly maxBindParameters: number
  /** Type name for 64-bit integers in DDL. */
  readonly bigint: 'integer' | 'bigint'
  /** Type name for 64-bit floats in DDL. */
  readonly double: 'real' | 'double precision'
}
