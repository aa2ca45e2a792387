/**
 * Every failure Plinth reports carries one of these codes. MLflow's names are used where MLflow
 * has one, so MLflow clients recognise them; HTTP statuses and CLI exit codes are mapped only at
 * the edges (`http/error-status.ts`, `cli/exit-codes.ts`). Each code has a section in docs/errors.md.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'INVALID_PARAMETER_VALUE',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_DOES_NOT_EXIST',
  'ENDPOINT_NOT_FOUND',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'INVALID_STATE',
  'REQUEST_LIMIT_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'SCHEMA_MIGRATION_REQUIRED',
  'TEMPORARILY_UNAVAILABLE',
  'INTERNAL_ERROR',
  'GATE_FAILED',
  'RATE_LIMITED',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface AppErrorOptions {
  cause?: unknown
  /** Machine-readable extras sent with the error (never secrets or internals). */
  details?: Record<string, unknown>
}

/** The one error type of the domain layer; see docs/errors.md for every code. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.details = options.details
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError
}

export function invalidParameter(message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', message)
}

export function notFound(message: string): AppError {
  return new AppError('RESOURCE_DOES_NOT_EXIST', message)
}
