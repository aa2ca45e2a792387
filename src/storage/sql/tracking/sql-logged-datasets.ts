import type { Kysely } from 'kysely'
import type { DatasetFeed, LoggedDataset } from '../../../pipelines/triggers/trigger-ports.js'
import type { Database } from '../schema.js'
import type { SqlDatabase } from '../sql-database.js'
import { translated } from '../translate-error.js'

/**
 * Datasets logged as run inputs, by name, for data triggers. A dataset (experiment, name, digest)
 * is stored once however many runs log it, so each row here is one version of the data.
 */
export class SqlLoggedDatasets implements DatasetFeed {
  readonly #db: Kysely<Database>

  constructor(database: SqlDatabase) {
    this.#db = database.db
  }

  datasetsNamed(name: string): Promise<LoggedDataset[]> {
    return translated(async () => {
      const rows = await this.#db
        .selectFrom('datasets as d')
        .innerJoin('run_inputs as ri', 'ri.dataset_uuid', 'd.dataset_uuid')
        .select(['d.dataset_uuid', 'd.name', 'd.digest', 'd.source', 'd.source_type', 'd.experiment_id'])
        .select((eb) => eb.fn.min('ri.run_uuid').as('run_uuid'))
        .where('d.name', '=', name)
        .groupBy(['d.dataset_uuid', 'd.name', 'd.digest', 'd.source', 'd.source_type', 'd.experiment_id'])
        .orderBy('d.dataset_uuid')
        .execute()
      return rows.map((r) => ({ datasetId: r.dataset_uuid, name: r.name, digest: r.digest, source: r.source, sourceType: r.source_type, experimentId: r.experiment_id, runId: r.run_uuid }))
    })
  }
}
