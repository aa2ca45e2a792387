import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/** Deployments and every revision of their routing (for rollback and audit). */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('deployments')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', f.bigint, (c) => c.notNull())
    .addColumn('updated_at', f.bigint, (c) => c.notNull())
    .addColumn('updated_by', 'varchar(200)', (c) => c.notNull())
    .execute()
  await f
    .clusteredTable(
      db.schema
        .createTable('deployment_revisions')
        .addColumn('name', 'varchar(128)', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('created_at', f.bigint, (c) => c.notNull())
        .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
        .addColumn('reason', 'varchar(200)', (c) => c.notNull())
        .addPrimaryKeyConstraint('deployment_revisions_pk', ['name', 'revision']),
    )
    .execute()
}
