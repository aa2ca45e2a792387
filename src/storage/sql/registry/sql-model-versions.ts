import { sql, type Kysely, type Transaction } from 'kysely'
import type { Actor, NewModelVersion, RegistryQuery } from '../../../registry/registry-store.js'
import type { ModelStage, ModelVersion } from '../../../registry/registry-entities.js'
import { newRunId } from '../../../shared/ids.js'
import { notFound } from '../../../shared/errors.js'
import { pageFromRows, type Page } from '../../../shared/page.js'
import type { KeyValue } from '../../../tracking/tracking-entities.js'
import type { DialectFeatures } from '../dialect-features.js'
import type { Database } from '../schema.js'
import { translateError, translated } from '../translate-error.js'
import { modelVersionConditions, modelVersionOrder } from './sql-registry-filter.js'
import { byStage, hydrateVersions, latestVersionRows, toModelVersion } from './sql-registry-rows.js'

const UNIQUE_VIOLATIONS = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505'])
const CREATE_ATTEMPTS = 3

/**
 * Takes the model's row lock (a no-op update) and returns its counters, or undefined when the
 * model does not exist. Every write that numbers something (versions, alias changes) goes
 * through here first, so concurrent writers to one model queue instead of racing.
 */
export async function lockModel(trx: Transaction<Database>, name: string) {
  return trx.updateTable('registered_models').set((eb) => ({ name: eb.ref('name') })).where('name', '=', name).returning(['last_version', 'alias_changes']).executeTakeFirst()
}

/** Records one alias change, numbered by the model's alias_changes counter. */
export async function recordAliasChange(trx: Transaction<Database>, change: { name: string; alias: string; from: number | null; to: number | null }, actor: Actor): Promise<void> {
  const bumped = await trx
    .updateTable('registered_models')
    .set((eb) => ({ alias_changes: eb('alias_changes', '+', 1), last_updated_time: actor.now }))
    .where('name', '=', change.name)
    .returning('alias_changes')
    .executeTakeFirstOrThrow()
  await trx
    .insertInto('alias_history')
    .values({ history_id: newRunId(), name: change.name, alias: change.alias, from_version: change.from, to_version: change.to, user_id: actor.userId, changed_at: actor.now, seq: Number(bumped.alias_changes) })
    .execute()
}

/** Model version persistence; the registry store delegates here. */
export class SqlModelVersions {
  readonly #db: Kysely<Database>
  readonly #features: DialectFeatures

  constructor(db: Kysely<Database>, features: DialectFeatures) {
    this.#db = db
    this.#features = features
  }

  async create(input: NewModelVersion): Promise<ModelVersion> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute((trx) => this.#insert(trx, input))
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code
        if (typeof code !== 'string' || !UNIQUE_VIOLATIONS.has(code) || attempt >= CREATE_ATTEMPTS) throw translateError(error)
        // A version row above the counter (restored by hand, say): move the counter past it.
        await translated(() =>
          sql`update registered_models set last_version = (select coalesce(max(version), 0) from model_versions where name = ${input.name})
            where name = ${input.name}`.execute(this.#db),
        )
      }
    }
  }

  async #insert(trx: Transaction<Database>, input: NewModelVersion): Promise<ModelVersion> {
    const bumped = await trx
      .updateTable('registered_models')
      .set((eb) => ({ last_version: eb('last_version', '+', 1), last_updated_time: input.now }))
      .where('name', '=', input.name)
      .returning('last_version')
      .executeTakeFirst()
    if (!bumped) throw notFound(`Registered Model with name=${input.name} not found`)
    const version = Number(bumped.last_version)
    const row = {
      name: input.name,
      version,
      creation_time: input.now,
      last_updated_time: input.now,
      description: input.description ?? null,
      user_id: input.userId ?? null,
      current_stage: 'None',
      source: input.source,
      run_id: input.runId ?? null,
      run_link: input.runLink ?? null,
      status: 'READY',
      status_message: null,
      download_uri: input.downloadUri,
      sha256: input.pinned.sha256,
      size_bytes: input.pinned.sizeBytes,
      storage_uri: input.pinned.storageUri,
      signature: JSON.stringify(input.pinned.signature),
    }
    await trx.insertInto('model_versions').values(row).execute()
    if (input.tags.length > 0) {
      await trx.insertInto('model_version_tags').values(input.tags.map((t) => ({ name: input.name, version, key: t.key, value: t.value }))).execute()
    }
    return toModelVersion(row, input.tags, [])
  }

  get(name: string, version: number): Promise<ModelVersion | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('model_versions').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst()
      return row && (await hydrateVersions(this.#db, [row]))[0]
    })
  }

  update(name: string, version: number, description: string | null, now: number): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db.updateTable('model_versions').set({ description, last_updated_time: now }).where('name', '=', name).where('version', '=', version).executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    })
  }

  transition(name: string, version: number, stage: ModelStage, archiveExisting: boolean, now: number): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        if (!(await lockModel(trx, name))) return false
        const moved = await trx.updateTable('model_versions').set({ current_stage: stage, last_updated_time: now }).where('name', '=', name).where('version', '=', version).executeTakeFirst()
        if (Number(moved.numUpdatedRows) === 0) return false
        if (archiveExisting) {
          await trx
            .updateTable('model_versions')
            .set({ current_stage: 'Archived', last_updated_time: now })
            .where('name', '=', name)
            .where('version', '!=', version)
            .where('current_stage', '=', stage)
            .execute()
        }
        await trx.updateTable('registered_models').set({ last_updated_time: now }).where('name', '=', name).execute()
        return true
      }),
    )
  }

  delete(name: string, version: number, actor: Actor): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        if (!(await lockModel(trx, name))) return false
        const aliases = await trx.selectFrom('registered_model_aliases').select('alias').where('name', '=', name).where('version', '=', version).orderBy('alias').execute()
        for (const { alias } of aliases) await recordAliasChange(trx, { name, alias, from: version, to: null }, actor)
        await trx.deleteFrom('registered_model_aliases').where('name', '=', name).where('version', '=', version).execute()
        await trx.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', version).execute()
        const deleted = await trx.deleteFrom('model_versions').where('name', '=', name).where('version', '=', version).executeTakeFirst()
        await trx.updateTable('registered_models').set({ last_updated_time: actor.now }).where('name', '=', name).execute()
        return Number(deleted.numDeletedRows) > 0
      }),
    )
  }

  search(query: RegistryQuery): Promise<Page<ModelVersion>> {
    return translated(async () => {
      let q = this.#db.selectFrom('model_versions as mv').selectAll('mv')
      for (const condition of modelVersionConditions(query.filter, this.#features)) q = q.where(condition)
      for (const [column, direction] of modelVersionOrder(query.orderBy)) q = q.orderBy(sql.ref(column), direction)
      const rows = await q.limit(query.limit + 1).offset(query.offset).execute()
      const page = pageFromRows(rows, query.limit, query.offset)
      return { items: await hydrateVersions(this.#db, page.items), nextPageToken: page.nextPageToken }
    })
  }

  latest(name: string, stages: readonly ModelStage[]): Promise<ModelVersion[]> {
    return translated(async () => (await hydrateVersions(this.#db, await latestVersionRows(this.#db, [name], stages))).sort(byStage))
  }

  setTag(name: string, version: number, tag: KeyValue): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        const exists = await trx.selectFrom('model_versions').select('version').where('name', '=', name).where('version', '=', version).executeTakeFirst()
        if (!exists) return false
        await trx
          .insertInto('model_version_tags')
          .values({ name, version, key: tag.key, value: tag.value })
          .onConflict((oc) => oc.columns(['name', 'version', 'key']).doUpdateSet({ value: tag.value }))
          .execute()
        return true
      }),
    )
  }

  deleteTag(name: string, version: number, key: string): Promise<void> {
    return translated(async () => {
      await this.#db.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', version).where('key', '=', key).execute()
    })
  }
}
