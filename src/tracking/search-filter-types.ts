/**
 * The parsed form of MLflow's search grammar (`metrics.rmse < 1 and params.lr = '0.1'`).
 * A filter is parsed once into these clauses; the SQL store compiles them, never the text.
 */
export type FilterEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset'

export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'

export interface FilterClause {
  entity: FilterEntity
  /**
   * For metrics, params and tags: the key as logged. For attributes: the canonical column name
   * (`run_id`, `run_name`, `status`, `user_id`, `artifact_uri`, `start_time`, `end_time`,
   * `lifecycle_stage`; for experiments `name`, `creation_time`, `last_update_time`).
   * For datasets: `name`, `digest` or `context`.
   */
  key: string
  comparator: Comparator
  /** A number for numeric comparisons, a string for string ones, a list for IN / NOT IN. */
  value: number | string | string[]
}

export interface OrderClause {
  entity: 'metric' | 'param' | 'tag' | 'attribute'
  /** As in FilterClause.key. */
  key: string
  ascending: boolean
}
