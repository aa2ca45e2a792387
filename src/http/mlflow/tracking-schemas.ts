import { Type as T, type TSchema } from '@sinclair/typebox'

/**
 * Request and response schemas of MLflow's tracking API (service.proto). Int64 fields accept
 * numeric strings as protobuf's JSON parser does (ajv coerces); responses are serialized by
 * these schemas, so nothing beyond MLflow's fields leaves the server.
 */
const Int64 = T.Integer()
const Double = T.Union([T.Number(), T.String()])
// Not coerced by ajv (which turns true, null and [1] into numbers): readDouble checks it.
const DoubleIn = T.Unknown()
const Str = T.String()
const Opt = <S extends TSchema>(s: S) => T.Optional(s)
const StrList = T.Array(Str)

export const KeyValueSchema = T.Object({ key: Str, value: Str })
const KeyValueIn = T.Object({ key: Opt(Str), value: Opt(T.Union([Str, T.Null()])) })

export const ExperimentSchema = T.Object({
  experiment_id: Str,
  name: Str,
  artifact_location: Str,
  lifecycle_stage: Str,
  last_update_time: Int64,
  creation_time: Int64,
  tags: Opt(T.Array(KeyValueSchema)),
})

export const RunInfoSchema = T.Object({
  run_uuid: Str,
  experiment_id: Str,
  run_name: Str,
  user_id: Str,
  status: Str,
  start_time: Int64,
  end_time: Opt(Int64),
  artifact_uri: Str,
  lifecycle_stage: Str,
  run_id: Str,
})

export const MetricSchema = T.Object({ key: Str, value: Double, timestamp: Int64, step: Int64 })
export const MetricWithRunIdSchema = T.Object({ key: Str, value: Double, timestamp: Int64, step: Int64, run_id: Str })

const DatasetSchema = T.Object({
  name: Str,
  digest: Str,
  source_type: Str,
  source: Str,
  schema: Opt(Str),
  profile: Opt(Str),
})
const DatasetInputSchema = T.Object({ tags: Opt(T.Array(KeyValueSchema)), dataset: DatasetSchema })

export const RunSchema = T.Object({
  info: RunInfoSchema,
  data: T.Object({
    metrics: Opt(T.Array(MetricSchema)),
    params: Opt(T.Array(KeyValueSchema)),
    tags: Opt(T.Array(KeyValueSchema)),
  }),
  inputs: T.Object({ dataset_inputs: Opt(T.Array(DatasetInputSchema)) }),
})

export const Empty = T.Object({})
const RunRef = { run_id: Opt(Str), run_uuid: Opt(Str) }
const ViewTypeIn = Opt(T.Union([Str, T.Integer()]))

export const Schemas = {
  createExperiment: {
    body: T.Object({ name: Str, artifact_location: Opt(Str), tags: Opt(T.Array(KeyValueIn)) }),
    response: T.Object({ experiment_id: Str }),
  },
  searchExperiments: {
    input: T.Object({
      max_results: Opt(Int64),
      page_token: Opt(Str),
      filter: Opt(Str),
      order_by: Opt(StrList),
      view_type: ViewTypeIn,
    }),
    response: T.Object({ experiments: Opt(T.Array(ExperimentSchema)), next_page_token: Opt(Str) }),
  },
  listExperiments: {
    querystring: T.Object({ view_type: ViewTypeIn, max_results: Opt(Int64), page_token: Opt(Str) }),
  },
  getExperiment: {
    querystring: T.Object({ experiment_id: Str }),
    response: T.Object({ experiment: ExperimentSchema }),
  },
  getExperimentByName: {
    querystring: T.Object({ experiment_name: Str }),
    response: T.Object({ experiment: ExperimentSchema }),
  },
  experimentId: { body: T.Object({ experiment_id: Str }) },
  updateExperiment: { body: T.Object({ experiment_id: Str, new_name: Opt(Str) }) },
  setExperimentTag: { body: T.Object({ experiment_id: Str, key: Str, value: Str }) },
  deleteExperimentTag: { body: T.Object({ experiment_id: Str, key: Str }) },
  createRun: {
    body: T.Object({
      experiment_id: Opt(Str),
      user_id: Opt(Str),
      run_name: Opt(Str),
      start_time: Opt(Int64),
      tags: Opt(T.Array(KeyValueIn)),
    }),
    response: T.Object({ run: RunSchema }),
  },
  updateRun: {
    body: T.Object({ ...RunRef, status: Opt(T.Union([Str, T.Integer()])), end_time: Opt(Int64), run_name: Opt(Str) }),
    response: T.Object({ run_info: RunInfoSchema }),
  },
  runRef: { body: T.Object(RunRef) },
  getRun: { querystring: T.Object(RunRef), response: T.Object({ run: RunSchema }) },
  logMetric: {
    body: T.Object({ ...RunRef, key: Str, value: DoubleIn, timestamp: Int64, step: Opt(Int64) }),
  },
  logParam: { body: T.Object({ ...RunRef, key: Str, value: Str }) },
  setTag: { body: T.Object({ ...RunRef, key: Str, value: Str }) },
  deleteTag: { body: T.Object({ ...RunRef, key: Str }) },
  logBatch: {
    body: T.Object({
      ...RunRef,
      metrics: Opt(T.Array(T.Object({ key: Str, value: DoubleIn, timestamp: Int64, step: Opt(Int64) }))),
      params: Opt(T.Array(T.Object({ key: Str, value: Str }))),
      tags: Opt(T.Array(T.Object({ key: Str, value: Str }))),
    }),
  },
  logInputs: {
    body: T.Object({
      ...RunRef,
      datasets: Opt(
        T.Array(
          T.Object({
            tags: Opt(T.Array(T.Object({ key: Str, value: Str }))),
            dataset: T.Object({
              name: Str,
              digest: Str,
              source_type: Str,
              source: Str,
              schema: Opt(Str),
              profile: Opt(Str),
            }),
          }),
        ),
      ),
    }),
  },
  searchRuns: {
    body: T.Object({
      experiment_ids: Opt(StrList),
      filter: Opt(Str),
      run_view_type: ViewTypeIn,
      max_results: Opt(Int64),
      order_by: Opt(StrList),
      page_token: Opt(Str),
    }),
    response: T.Object({ runs: Opt(T.Array(RunSchema)), next_page_token: Opt(Str) }),
  },
  getMetricHistory: {
    querystring: T.Object({ ...RunRef, metric_key: Str, max_results: Opt(Int64), page_token: Opt(Str) }),
    response: T.Object({ metrics: Opt(T.Array(MetricSchema)), next_page_token: Opt(Str) }),
  },
  getHistoryBulkInterval: {
    querystring: T.Object({
      run_ids: StrList,
      metric_key: Str,
      start_step: Opt(Int64),
      end_step: Opt(Int64),
      max_results: Opt(Int64),
    }),
    response: T.Object({ metrics: Opt(T.Array(MetricWithRunIdSchema)) }),
  },
  listArtifacts: {
    querystring: T.Object({ ...RunRef, path: Opt(Str), page_token: Opt(Str) }),
    response: T.Object({
      root_uri: Opt(Str),
      files: Opt(T.Array(T.Object({ path: Str, is_dir: T.Boolean(), file_size: Opt(Int64) }))),
      next_page_token: Opt(Str),
    }),
  },
} as const
