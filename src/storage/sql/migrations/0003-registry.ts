import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/**
 * The model registry (MLflow's registered models, versions, tags and aliases), each version's
 * pinned bytes and signature, and the history of alias moves MLflow lacks (mlflow#2169).
 * Child rows refer to a model by name; a rename updates them in the same transaction.
 */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('registered_models')
    .addColumn('name', 'varchar(256)', (c) => c.primaryKey())
    .addColumn('creation_time', f.bigint, (c) => c.notNull())
    .addColumn('last_updated_time', f.bigint, (c) => c.notNull())
    .addColumn('description', 'text')
    // The highest version number ever given out: incremented under the row's lock, so
    // concurrent registrations get distinct numbers and deleted numbers are never reused.
    .addColumn('last_version', 'integer', (c) => c.notNull())
    // Orders alias changes made within the same millisecond.
    .addColumn('alias_changes', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('registered_models_updated').on('registered_models').columns(['last_updated_time', 'name']).execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('registered_model_tags')
        .addColumn('name', 'varchar(256)', (c) => c.notNull())
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('registered_model_tags_pk', ['name', 'key']),
    )
    .execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('model_versions')
        .addColumn('name', 'varchar(256)', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('creation_time', f.bigint, (c) => c.notNull())
        .addColumn('last_updated_time', f.bigint, (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('user_id', 'varchar(256)')
        .addColumn('current_stage', 'varchar(20)', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('run_id', 'varchar(32)')
        .addColumn('run_link', 'text')
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('status_message', 'text')
        .addColumn('download_uri', 'text', (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
        .addColumn('size_bytes', f.bigint, (c) => c.notNull())
        .addColumn('storage_uri', 'text', (c) => c.notNull())
        // JSON of OnnxSignature.
        .addColumn('signature', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_versions_pk', ['name', 'version']),
    )
    .execute()
  // Lineage (versions of a run) and `run_id = …` searches.
  await db.schema.createIndex('model_versions_run').on('model_versions').columns(['run_id']).execute()
  // The default search order, newest update first.
  await db.schema.createIndex('model_versions_updated').on('model_versions').columns(['last_updated_time']).execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('model_version_tags')
        .addColumn('name', 'varchar(256)', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_version_tags_pk', ['name', 'version', 'key']),
    )
    .execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('registered_model_aliases')
        .addColumn('name', 'varchar(256)', (c) => c.notNull())
        .addColumn('alias', 'varchar(255)', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('registered_model_aliases_pk', ['name', 'alias']),
    )
    .execute()

  // Kept when a model is deleted: it is an audit trail. `seq` comes from the model's
  // alias_changes counter; `history_id` is unique even across a deleted and a recreated model.
  await db.schema
    .createTable('alias_history')
    .addColumn('history_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('alias', 'varchar(255)', (c) => c.notNull())
    .addColumn('from_version', 'integer')
    .addColumn('to_version', 'integer')
    .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('changed_at', f.bigint, (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('alias_history_name').on('alias_history').columns(['name', 'alias', 'changed_at']).execute()
}
