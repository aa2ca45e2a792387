import { sql, type Kysely } from 'kysely'
import type { Page } from '../../../shared/page.js'
import { pageFromRows } from '../../../shared/page.js'
import type { ExperimentQuery } from '../../../tracking/tracking-store.js'
import type { Experiment, KeyValue, LifecycleStage } from '../../../tracking/tracking-entities.js'
import type { DialectFeatures } from '../dialect-features.js'
import type { Database } from '../schema.js'
import { translated } from '../translate-error.js'
import { toExperiment } from './sql-row-mappers.js'
import { experimentConditions, experimentOrder } from './sql-filter-compiler.js'

/** Experiment persistence; the tracking store delegates here. */
export class SqlExperiments {
  readonly #db: Kysely<Database>
  readonly #features: DialectFeatures

  constructor(db: Kysely<Database>, features: DialectFeatures) {
    this.#db = db
    this.#features = features
  }

  create(experiment: Experiment): Promise<void> {
    return translated(
      () =>
        this.#db.transaction().execute(async (trx) => {
          await trx
            .insertInto('experiments')
            .values({
              experiment_id: experiment.experimentId,
              name: experiment.name,
              artifact_location: experiment.artifactLocation,
              lifecycle_stage: experiment.lifecycleStage,
              creation_time: experiment.creationTime,
              last_update_time: experiment.lastUpdateTime,
            })
            .execute()
          if (experiment.tags.length > 0) {
            await trx
              .insertInto('experiment_tags')
              .values(tagRows(experiment.experimentId, experiment.tags))
              .onConflict((oc) =>
                oc.columns(['experiment_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
              )
              .execute()
          }
        }),
      () => `Experiment(name=${experiment.name}) already exists.`,
    )
  }

  async get(experimentId: string): Promise<Experiment | undefined> {
    return this.#getWhere('experiment_id', experimentId)
  }

  async getByName(name: string): Promise<Experiment | undefined> {
    return this.#getWhere('name', name)
  }

  async #getWhere(column: 'experiment_id' | 'name', value: string) {
    return translated(async () => {
      const row = await this.#db.selectFrom('experiments').selectAll().where(column, '=', value).executeTakeFirst()
      if (!row) return undefined
      const tags = await this.#db
        .selectFrom('experiment_tags')
        .select(['key', 'value'])
        .where('experiment_id', '=', row.experiment_id)
        .orderBy('key')
        .execute()
      return toExperiment(row, tags)
    })
  }

  search(query: ExperimentQuery): Promise<Page<Experiment>> {
    return translated(async () => {
      let q = this.#db.selectFrom('experiments as e').selectAll('e')
      if (query.view === 'ACTIVE_ONLY') q = q.where('e.lifecycle_stage', '=', 'active')
      if (query.view === 'DELETED_ONLY') q = q.where('e.lifecycle_stage', '=', 'deleted')
      for (const condition of experimentConditions(query.filter, this.#features)) q = q.where(condition)
      for (const [expression, direction] of experimentOrder(query.orderBy)) {
        q = q.orderBy(sql.ref(expression), direction)
      }
      const rows = await q.limit(query.limit + 1).offset(query.offset).execute()
      const page = pageFromRows(rows, query.limit, query.offset)
      const ids = page.items.map((r) => r.experiment_id)
      const tags = ids.length
        ? await this.#db
            .selectFrom('experiment_tags')
            .selectAll()
            .where('experiment_id', 'in', ids)
            .orderBy('key')
            .execute()
        : []
      return {
        items: page.items.map((row) =>
          toExperiment(
            row,
            tags.filter((t) => t.experiment_id === row.experiment_id).map(({ key, value }) => ({ key, value })),
          ),
        ),
        nextPageToken: page.nextPageToken,
      }
    })
  }

  rename(experimentId: string, name: string, now: number): Promise<void> {
    return translated(
      async () => {
        await this.#db
          .updateTable('experiments')
          .set({ name, last_update_time: now })
          .where('experiment_id', '=', experimentId)
          .execute()
      },
      () => `Experiment(name=${name}) already exists.`,
    )
  }

  setLifecycle(experimentId: string, stage: LifecycleStage, now: number): Promise<void> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        await trx
          .updateTable('experiments')
          .set({ lifecycle_stage: stage, last_update_time: now })
          .where('experiment_id', '=', experimentId)
          .execute()
        await trx
          .updateTable('runs')
          .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now : null })
          .where('experiment_id', '=', experimentId)
          .execute()
      }),
    )
  }

  setTag(experimentId: string, tag: KeyValue): Promise<void> {
    return translated(async () => {
      await this.#db
        .insertInto('experiment_tags')
        .values(tagRows(experimentId, [tag]))
        .onConflict((oc) =>
          oc.columns(['experiment_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute()
    })
  }

  deleteTag(experimentId: string, key: string): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db
        .deleteFrom('experiment_tags')
        .where('experiment_id', '=', experimentId)
        .where('key', '=', key)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    })
  }
}

function tagRows(experimentId: string, tags: KeyValue[]) {
  // The last value of a key repeated in one request wins, as MLflow's set semantics do.
  const unique = new Map(tags.map((t) => [t.key, t.value]))
  return [...unique].map(([key, value]) => ({ experiment_id: experimentId, key, value }))
}
