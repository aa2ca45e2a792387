import { sql, type Kysely } from 'kysely'
import type { AliasChange, ModelStage, ModelVersion, RegisteredModel } from '../../../registry/registry-entities.js'
import type { Actor, NewModelVersion, NewRegisteredModel, RegistryQuery, RegistryStore } from '../../../registry/registry-store.js'
import { notFound } from '../../../shared/errors.js'
import { pageFromRows, type Page } from '../../../shared/page.js'
import type { KeyValue } from '../../../tracking/tracking-entities.js'
import type { DialectFeatures } from '../dialect-features.js'
import type { Database } from '../schema.js'
import type { SqlDatabase } from '../sql-database.js'
import { translated } from '../translate-error.js'
import { SqlModelVersions, lockModel, recordAliasChange } from './sql-model-versions.js'
import { registeredModelConditions, registeredModelOrder } from './sql-registry-filter.js'
import { hydrateModels } from './sql-registry-rows.js'

const taken = (name: string) => () => `Registered Model (name=${name}) already exists.`

/** Tables whose rows belong to a model by name: renamed and deleted with it. */
const CHILD_TABLES = ['registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases'] as const

/** The model registry on SQLite or PostgreSQL (Kysely); versions live in SqlModelVersions. */
export class SqlRegistryStore implements RegistryStore {
  readonly #db: Kysely<Database>
  readonly #features: DialectFeatures
  readonly #versions: SqlModelVersions

  constructor(database: SqlDatabase) {
    this.#db = database.db
    this.#features = database.features
    this.#versions = new SqlModelVersions(database.db, database.features)
  }

  createRegisteredModel(model: NewRegisteredModel): Promise<void> {
    return translated(
      () =>
        this.#db.transaction().execute(async (trx) => {
          await trx
            .insertInto('registered_models')
            .values({ name: model.name, creation_time: model.now, last_updated_time: model.now, description: model.description ?? null, last_version: 0, alias_changes: 0 })
            .execute()
          if (model.tags.length > 0) {
            await trx.insertInto('registered_model_tags').values(model.tags.map((t) => ({ name: model.name, key: t.key, value: t.value }))).execute()
          }
        }),
      taken(model.name),
    )
  }

  getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('registered_models').selectAll().where('name', '=', name).executeTakeFirst()
      return row && (await hydrateModels(this.#db, [row]))[0]
    })
  }

  renameRegisteredModel(name: string, newName: string, now: number): Promise<boolean> {
    return translated(
      () =>
        this.#db.transaction().execute(async (trx) => {
          const renamed = await trx.updateTable('registered_models').set({ name: newName, last_updated_time: now }).where('name', '=', name).executeTakeFirst()
          if (Number(renamed.numUpdatedRows) === 0) return false
          for (const table of CHILD_TABLES) {
            await sql`update ${sql.table(table)} set name = ${newName} where name = ${name}`.execute(trx)
          }
          await trx.updateTable('model_versions').set({ last_updated_time: now }).where('name', '=', newName).execute()
          // The audit trail follows the model it describes.
          await trx.updateTable('alias_history').set({ name: newName }).where('name', '=', name).execute()
          return true
        }),
      taken(newName),
    )
  }

  updateRegisteredModel(name: string, description: string | null, now: number): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db.updateTable('registered_models').set({ description, last_updated_time: now }).where('name', '=', name).executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    })
  }

  deleteRegisteredModel(name: string, actor: Actor): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        if (!(await lockModel(trx, name))) return false
        const aliases = await trx.selectFrom('registered_model_aliases').selectAll().where('name', '=', name).orderBy('alias').execute()
        for (const a of aliases) await recordAliasChange(trx, { name, alias: a.alias, from: Number(a.version), to: null }, actor)
        for (const table of CHILD_TABLES) await sql`delete from ${sql.table(table)} where name = ${name}`.execute(trx)
        await trx.deleteFrom('registered_models').where('name', '=', name).execute()
        return true
      }),
    )
  }

  searchRegisteredModels(query: RegistryQuery): Promise<Page<RegisteredModel>> {
    return translated(async () => {
      let q = this.#db.selectFrom('registered_models as rm').selectAll('rm')
      for (const condition of registeredModelConditions(query.filter, this.#features)) q = q.where(condition)
      for (const [column, direction] of registeredModelOrder(query.orderBy)) q = q.orderBy(sql.ref(column), direction)
      const rows = await q.limit(query.limit + 1).offset(query.offset).execute()
      const page = pageFromRows(rows, query.limit, query.offset)
      return { items: await hydrateModels(this.#db, page.items), nextPageToken: page.nextPageToken }
    })
  }

  setRegisteredModelTag(name: string, tag: KeyValue): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        if (!(await lockModel(trx, name))) return false
        await trx
          .insertInto('registered_model_tags')
          .values({ name, key: tag.key, value: tag.value })
          .onConflict((oc) => oc.columns(['name', 'key']).doUpdateSet({ value: tag.value }))
          .execute()
        return true
      }),
    )
  }

  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return translated(async () => {
      await this.#db.deleteFrom('registered_model_tags').where('name', '=', name).where('key', '=', key).execute()
    })
  }

  createModelVersion(version: NewModelVersion): Promise<ModelVersion> {
    return this.#versions.create(version)
  }

  getModelVersion(name: string, version: number): Promise<ModelVersion | undefined> {
    return this.#versions.get(name, version)
  }

  updateModelVersion(name: string, version: number, description: string | null, now: number): Promise<boolean> {
    return this.#versions.update(name, version, description, now)
  }

  transitionModelVersionStage(name: string, version: number, stage: ModelStage, archiveExisting: boolean, now: number): Promise<boolean> {
    return this.#versions.transition(name, version, stage, archiveExisting, now)
  }

  deleteModelVersion(name: string, version: number, actor: Actor): Promise<boolean> {
    return this.#versions.delete(name, version, actor)
  }

  searchModelVersions(query: RegistryQuery): Promise<Page<ModelVersion>> {
    return this.#versions.search(query)
  }

  latestVersions(name: string, stages: readonly ModelStage[]): Promise<ModelVersion[]> {
    return this.#versions.latest(name, stages)
  }

  setModelVersionTag(name: string, version: number, tag: KeyValue): Promise<boolean> {
    return this.#versions.setTag(name, version, tag)
  }

  deleteModelVersionTag(name: string, version: number, key: string): Promise<void> {
    return this.#versions.deleteTag(name, version, key)
  }

  setAlias(name: string, alias: string, version: number, actor: Actor): Promise<void> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        if (!(await lockModel(trx, name))) throw notFound(`Registered Model with name=${name} not found`)
        const target = await trx.selectFrom('model_versions').select('version').where('name', '=', name).where('version', '=', version).executeTakeFirst()
        if (!target) throw notFound(`Model Version (name=${name}, version=${version}) not found`)
        const current = await trx.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst()
        const from = current ? Number(current.version) : null
        if (from === version) return
        await trx
          .insertInto('registered_model_aliases')
          .values({ name, alias, version })
          .onConflict((oc) => oc.columns(['name', 'alias']).doUpdateSet({ version }))
          .execute()
        await recordAliasChange(trx, { name, alias, from, to: version }, actor)
      }),
    )
  }

  deleteAlias(name: string, alias: string, actor: Actor): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        if (!(await lockModel(trx, name))) return false
        const current = await trx.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst()
        if (!current) return false
        await trx.deleteFrom('registered_model_aliases').where('name', '=', name).where('alias', '=', alias).execute()
        await recordAliasChange(trx, { name, alias, from: Number(current.version), to: null }, actor)
        return true
      }),
    )
  }

  aliasVersion(name: string, alias: string): Promise<number | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst()
      return row ? Number(row.version) : undefined
    })
  }

  changeMarker(): Promise<string> {
    return translated(async () => {
      // Every alias change bumps its model's alias_changes and every registration its
      // last_version; the version count catches a deletion, the latest update time a rename.
      const row = await this.#db
        .selectFrom('registered_models')
        .select((eb) => [
          eb.fn.countAll<number>().as('models'),
          eb.fn.sum<number>('alias_changes').as('aliases'),
          eb.fn.sum<number>('last_version').as('numbered'),
          eb.fn.max('last_updated_time').as('latest'),
          eb.selectFrom('model_versions').select((sub) => sub.fn.countAll<number>().as('n')).as('versions'),
        ])
        .executeTakeFirst()
      return `${row?.models ?? 0}:${row?.aliases ?? 0}:${row?.numbered ?? 0}:${row?.latest ?? 0}:${row?.versions ?? 0}`
    })
  }

  aliasHistory(name: string, alias?: string): Promise<AliasChange[]> {
    return translated(async () => {
      let q = this.#db.selectFrom('alias_history').selectAll().where('name', '=', name)
      if (alias !== undefined) q = q.where('alias', '=', alias)
      const rows = await q.orderBy('changed_at').orderBy('seq').execute()
      return rows.map((r) => {
        const change: AliasChange = { name: r.name, alias: r.alias, userId: r.user_id, timestamp: Number(r.changed_at) }
        if (r.from_version !== null) change.fromVersion = Number(r.from_version)
        if (r.to_version !== null) change.toVersion = Number(r.to_version)
        return change
      })
    })
  }
}
