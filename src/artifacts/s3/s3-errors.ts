import { AppError } from '../../shared/errors.js'

/** What a failed S3 call was doing, for messages an operator can act on. */
export interface S3ErrorContext {
  rootUri: string
  endpoint: string | undefined
  action: string
  path?: string
}

interface SdkErrorShape {
  name?: unknown
  code?: unknown
  Code?: unknown
  message?: unknown
  cause?: unknown
  errors?: unknown
  $metadata?: { httpStatusCode?: number }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'EPROTO',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'ThrottlingException',
  'TooManyRequestsException',
])
const ACCESS_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
])
const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound'])

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {}
}

function errorName(error: unknown): string {
  const { name, Code, code } = shape(error)
  for (const candidate of [Code, name, code]) {
    if (typeof candidate === 'string' && candidate !== 'Error') return candidate
  }
  return 'Error'
}

function httpStatus(error: unknown): number | undefined {
  return shape(error).$metadata?.httpStatusCode
}

// Node wraps dual-stack connect failures in AggregateError and fetch-style errors in `cause`,
// so the socket error code can sit a level or two down.
function hasNetworkCode(error: unknown, depth = 0): boolean {
  if (depth > 4) return false
  const { code, cause, errors } = shape(error)
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true
  if (cause !== undefined && hasNetworkCode(cause, depth + 1)) return true
  return Array.isArray(errors) && errors.some((inner) => hasNetworkCode(inner, depth + 1))
}

function describe(error: unknown, status: number | undefined): string {
  const message = shape(error).message
  let text = typeof message === 'string' && message !== '' ? message : String(error)
  // body-less responses (HEAD, some proxies) leave the SDK with nothing but the status
  if (text === 'UnknownError' && status !== undefined) text = `HTTP ${status}`
  const name = errorName(error)
  const uninformative = name === 'UnknownError' || name === 'Unknown'
  return text.includes(name) || uninformative ? text : `${name}: ${text}`
}

/** True for "no such object" (but not "no such bucket", which is a configuration problem). */
export function isS3NotFound(error: unknown): boolean {
  const name = errorName(error)
  if (name === 'NoSuchBucket') return false
  return NOT_FOUND_NAMES.has(name) || httpStatus(error) === 404
}

/** True when the server does not implement the call (e.g. DeleteObjects on some S3 clones). */
export function isS3NotImplemented(error: unknown): boolean {
  const status = httpStatus(error)
  return errorName(error) === 'NotImplemented' || status === 501 || status === 405
}

/**
 * Translates an AWS SDK failure into the AppError the HTTP layer understands. Callers handle
 * not-found themselves (the message needs the artifact path); here it is only a fallback.
 */
export function mapS3Error(error: unknown, context: S3ErrorContext): AppError {
  if (error instanceof AppError) return error
  const { rootUri, endpoint, action, path } = context
  const doing = path === undefined || path === '' ? action : `${action} ${JSON.stringify(path)}`
  const where = endpoint === undefined ? 'AWS S3' : `the S3 endpoint ${endpoint}`
  const name = errorName(error)
  const status = httpStatus(error)
  const reason = describe(error, status)
  const details = { s3Error: name, ...(status === undefined ? {} : { httpStatus: status }) }

  const transient = status !== undefined && (status >= 500 || status === 429)
  if (hasNetworkCode(error) || TRANSIENT_NAMES.has(name) || transient) {
    return new AppError(
      'TEMPORARILY_UNAVAILABLE',
      `Artifact store ${rootUri} unreachable (while trying to ${doing}): ${reason}; check ` +
        `that ${where} is up and reachable from this host (the endpoint is set by ` +
        'PLINTH_S3_ENDPOINT_URL, MLFLOW_S3_ENDPOINT_URL or AWS_ENDPOINT_URL_S3), then retry',
      { cause: error, details },
    )
  }
  if (name === 'NoSuchBucket') {
    return new AppError(
      'INTERNAL_ERROR',
      `Artifact store ${rootUri}: the bucket does not exist at ${where}; create it or point ` +
        'the artifact root at an existing bucket',
      { cause: error, details },
    )
  }
  if (ACCESS_NAMES.has(name) || status === 403 || status === 401) {
    return new AppError(
      'INTERNAL_ERROR',
      `Artifact store ${rootUri} denied access (while trying to ${doing}): ${reason}; check ` +
        'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the bucket policy',
      { cause: error, details },
    )
  }
  if (isS3NotFound(error)) {
    return new AppError('RESOURCE_DOES_NOT_EXIST', `No artifact at ${doing} in ${rootUri}`, {
      cause: error,
      details: path === undefined ? details : { ...details, path },
    })
  }
  return new AppError(
    'INTERNAL_ERROR',
    `Artifact store ${rootUri} failed to ${doing}: ${reason}`,
    { cause: error, details },
  )
}
