/**
 * Plinth's TypeScript client: MLflow REST 2.0 tracking with background batching, and artifact
 * uploads through the server's proxied artifact API. Depends on nothing but Node's `fetch`.
 */
export { PlinthClient } from './plinth-client.js'
export { ActiveRun } from './active-run.js'
export { PlinthApiError, PlinthConnectionError } from './client-errors.js'
export { BATCH_LIMITS } from './metric-buffer.js'
export { DEFAULT_TRACKING_URI } from './client-config.js'
export type {
  EndStatus,
  Experiment,
  LogErrorContext,
  LogMetricOptions,
  Metric,
  PlinthClientOptions,
  RetryOptions,
  Run,
  RunData,
  RunInfo,
  RunStatus,
  SearchRunsOptions,
  SearchRunsPage,
  StartRunOptions,
  ViewType,
} from './client-types.js'
