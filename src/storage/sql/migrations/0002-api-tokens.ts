import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/** API tokens for `--auth`: only a hash of each secret is kept. */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('token_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', f.bigint, (c) => c.notNull())
    .addColumn('revoked_at', f.bigint)
    .execute()
}
