/**
 * The server answered with an error. `errorCode` and `message` are the server's own (MLflow's
 * `{error_code, message}` body), so callers can branch on codes like `RESOURCE_DOES_NOT_EXIST`.
 */
export class PlinthApiError extends Error {
  /** HTTP status of the answer. */
  readonly status: number
  /** MLflow error code, e.g. `INVALID_PARAMETER_VALUE`. */
  readonly errorCode: string
  /** `METHOD path` of the request, to tell which call failed. */
  readonly endpoint: string

  constructor(status: number, errorCode: string, message: string, endpoint: string) {
    super(message)
    this.name = 'PlinthApiError'
    this.status = status
    this.errorCode = errorCode
    this.endpoint = endpoint
  }
}

/** The server could not be reached (or kept timing out) after every retry. */
export class PlinthConnectionError extends Error {
  readonly endpoint: string
  readonly attempts: number

  constructor(endpoint: string, attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`${endpoint} failed after ${attempts} attempt(s): ${reason}`, { cause })
    this.name = 'PlinthConnectionError'
    this.endpoint = endpoint
    this.attempts = attempts
  }
}

/** A status the server sends without an MLflow body (proxies, crashes) still gets a code. */
export function errorCodeForStatus(status: number): string {
  if (status === 400) return 'BAD_REQUEST'
  if (status === 401) return 'UNAUTHENTICATED'
  if (status === 403) return 'PERMISSION_DENIED'
  if (status === 404) return 'ENDPOINT_NOT_FOUND'
  if (status === 413) return 'PAYLOAD_TOO_LARGE'
  if (status === 429) return 'REQUEST_LIMIT_EXCEEDED'
  if (status === 503) return 'TEMPORARILY_UNAVAILABLE'
  return status >= 500 ? 'INTERNAL_ERROR' : `HTTP_${status}`
}
