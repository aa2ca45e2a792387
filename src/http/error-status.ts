import type { ErrorCode } from '../shared/errors.js'

/** The one table from error code to HTTP status; MLflow's mapping where MLflow has the code. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  BAD_REQUEST: 400,
  INVALID_PARAMETER_VALUE: 400,
  // MLflow answers 400, not 409, for a name that is taken; its clients expect that.
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  INVALID_STATE: 400,
  REQUEST_LIMIT_EXCEEDED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SCHEMA_MIGRATION_REQUIRED: 503,
  TEMPORARILY_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  // The request was fine; what it checked (a pipeline gate, a canary's analysis) did not pass.
  GATE_FAILED: 422,
  // A caller past its --rate-limit; REQUEST_LIMIT_EXCEEDED stays MLflow's own meaning.
  RATE_LIMITED: 429,
})
