import type { ErrorCode } from '../shared/errors.js'

/**
 * One exit code per error code, so scripts can branch on the kind of failure without parsing
 * messages. 1 is left for failures that are not AppErrors. Listed in docs/errors.md.
 */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = Object.freeze({
  BAD_REQUEST: 2,
  INVALID_PARAMETER_VALUE: 3,
  RESOURCE_ALREADY_EXISTS: 4,
  RESOURCE_DOES_NOT_EXIST: 5,
  ENDPOINT_NOT_FOUND: 6,
  UNAUTHENTICATED: 7,
  PERMISSION_DENIED: 8,
  INVALID_STATE: 9,
  REQUEST_LIMIT_EXCEEDED: 10,
  PAYLOAD_TOO_LARGE: 11,
  UNSUPPORTED_MEDIA_TYPE: 12,
  SCHEMA_MIGRATION_REQUIRED: 13,
  TEMPORARILY_UNAVAILABLE: 14,
  INTERNAL_ERROR: 15,
  GATE_FAILED: 16,
  RATE_LIMITED: 17,
})
