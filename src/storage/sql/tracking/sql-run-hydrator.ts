import type { Kysely, Selectable } from 'kysely'
import type { DatasetInput, KeyValue, Run } from '../../../tracking/tracking-entities.js'
import type { Database, RunTable } from '../schema.js'
import { groupByRun, toMetric, toRunInfo } from './sql-row-mappers.js'

/**
 * Loads params, tags, latest metrics and inputs for a page of runs with one query per kind,
 * never one join of runs × params × tags × metrics (MLflow #1865 was OOM-killed by that).
 */
export async function hydrateRuns(db: Kysely<Database>, rows: Selectable<RunTable>[]): Promise<Run[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.run_uuid)
  const [params, tags, metrics, inputs] = await Promise.all([
    db.selectFrom('params').selectAll().where('run_uuid', 'in', ids).orderBy('key').execute(),
    db.selectFrom('tags').selectAll().where('run_uuid', 'in', ids).orderBy('key').execute(),
    db.selectFrom('latest_metrics').selectAll().where('run_uuid', 'in', ids).orderBy('key').execute(),
    db
      .selectFrom('run_inputs as ri')
      .innerJoin('datasets as d', 'd.dataset_uuid', 'ri.dataset_uuid')
      .select(['ri.run_uuid', 'ri.tags', 'd.name', 'd.digest', 'd.source_type', 'd.source', 'd.schema', 'd.profile'])
      .where('ri.run_uuid', 'in', ids)
      .orderBy('d.name')
      .execute(),
  ])
  const paramsByRun = groupByRun(params)
  const tagsByRun = groupByRun(tags)
  const metricsByRun = groupByRun(metrics)
  const inputsByRun = groupByRun(inputs)
  return rows.map((row) => ({
    info: toRunInfo(row),
    data: {
      metrics: (metricsByRun.get(row.run_uuid) ?? []).map(toMetric),
      params: keyValues(paramsByRun.get(row.run_uuid)),
      tags: keyValues(tagsByRun.get(row.run_uuid)),
    },
    inputs: { datasetInputs: (inputsByRun.get(row.run_uuid) ?? []).map(toDatasetInput) },
  }))
}

function keyValues(rows: Array<{ key: string; value: string }> | undefined): KeyValue[] {
  return (rows ?? []).map(({ key, value }) => ({ key, value }))
}

function toDatasetInput(row: {
  tags: string
  name: string
  digest: string
  source_type: string
  source: string
  schema: string | null
  profile: string | null
}): DatasetInput {
  const dataset: DatasetInput['dataset'] = {
    name: row.name,
    digest: row.digest,
    sourceType: row.source_type,
    source: row.source,
  }
  if (row.schema !== null) dataset.schema = row.schema
  if (row.profile !== null) dataset.profile = row.profile
  return { tags: JSON.parse(row.tags) as KeyValue[], dataset }
}
