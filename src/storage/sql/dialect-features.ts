import type { CreateTableBuilder, Expression, InsertQueryBuilder, InsertResult, Kysely, RawBuilder, SqlBool, Transaction } from 'kysely'
import type { Database } from './schema.js'

/** Tables split by day where the dialect partitions. */
export type PartitionedTable = 'prediction_log_segments' | 'prediction_log_ids'

/** Metric points as columns (row i is element i of each), so a batch allocates no object per point. */
export interface MetricPointColumns {
  seriesIds: number[]
  steps: number[]
  timestamps: number[]
  /** 0 where the value is NaN: SQLite cannot store NaN (it becomes NULL), so isNan says so. */
  values: number[]
  isNan: number[]
}

/**
 * A table split into one partition per UTC day of its `time` column (PostgreSQL's declarative
 * partitioning), so retention drops a day whole instead of deleting its rows one by one.
 */
export interface DayPartitions {
  /**
   * Creates the partition for the UTC day starting at `day` (ms) if it is missing. Idempotent and
   * safe when replicas race: creators of one partition queue on an advisory lock.
   */
  create(db: Kysely<Database>, table: PartitionedTable, day: number): Promise<void>
  /** The start (ms) of every day that has a partition. */
  list(db: Kysely<Database>, table: PartitionedTable): Promise<number[]>
  /** Drops the partition of `day`; returns how many rows it held. */
  drop(db: Kysely<Database>, table: PartitionedTable, day: number): Promise<number>
  /** Whether a write failed because a row's day had no partition (dropped by another replica). */
  isMissingPartition(error: unknown): boolean
}

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
   * Inserts metric points, ignoring exact duplicates, and runs `latest` (the latest_metrics
   * upsert built on `db`), all or nothing even outside a transaction. PostgreSQL sends one
   * statement, the points as five arrays in a data-modifying WITH, so a log-batch of metrics
   * costs one round trip instead of four with BEGIN and COMMIT; SQLite runs one cached prepared
   * statement per point (no round trips to save, and a long VALUES list compiles slower than it
   * runs) inside `db` if it is a transaction, else inside one of its own.
   */
  writeMetricPoints(
    db: Transaction<Database> | Kysely<Database>,
    points: MetricPointColumns,
    latest: InsertQueryBuilder<Database, 'latest_metrics', InsertResult>,
  ): Promise<void>
  /**
   * Whether a run search ordered by a metric first tries a bounded window of the latest_metrics
   * (key, value) index, walked in order, before the unbounded query. SQLite's planner does
   * not weigh LIMIT when it orders joins, so `metrics.a > 0.5` ordered by `metrics.b`, page 100,
   * would sort every run matching the filter; PostgreSQL's does weigh it, given statistics.
   */
  readonly probesOrderedWindow: boolean
  /** Finishes a CREATE TABLE for a table partitioned by a time column, where the dialect partitions. */
  partitionedByTime<TB extends string, C extends string>(
    builder: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C>
  /** Day partitioning of time-series tables; undefined where tables are one piece (SQLite). */
  readonly dayPartitions: DayPartitions | undefined
  /**
   * Indexes the prediction ids of log segment `segmentId` (which starts at `time`, the partition
   * column), id i at position i, skipping ids already indexed (by another segment, or earlier in
   * this one); returns how many went in. SQLite hands the ids to one statement as a JSON array
   * (json_each), PostgreSQL as one text array (unnest): one call per segment, not one per id.
   * `ids` gives both forms, the JSON being stored with the segment anyway.
   * Inside `db`'s transaction, which must be one.
   */
  insertPredictionIds(db: Transaction<Database>, segmentId: number, time: number, ids: { list: readonly string[]; json: string }): Promise<number>
  /** Largest number of bound parameters one statement may carry. */
  readonly maxBindParameters: number
  /** Type name for 64-bit integers in DDL. */
  readonly bigint: 'integer' | 'bigint'
  /** Type name for 64-bit floats in DDL. */
  readonly double: 'real' | 'double precision'
  /** Type name for byte strings in DDL. */
  readonly binary: 'blob' | 'bytea'
  /** Type name in DDL for a 64-bit key the database assigns on insert. */
  readonly serial: 'integer' | 'bigserial'
}
