import { AppError } from '../../shared/errors.js'
import { normalizeArtifactPath } from '../artifact-path.js'

/** Bucket and key prefix of an `s3://bucket/prefix` artifact root. */
export interface S3Location {
  bucket: string
  /** Normalised key prefix without leading or trailing slash; '' for the bucket root. */
  prefix: string
}

/** Connection settings for {@link S3ArtifactStore}; each falls back to the environment. */
export interface S3ArtifactStoreOptions {
  /** S3-compatible endpoint, e.g. `http://127.0.0.1:9000`; default: env (see resolveS3Settings). */
  endpoint?: string
  /** Default: env AWS_REGION, then AWS_DEFAULT_REGION, then 'us-east-1'. */
  region?: string
  /** Default: the AWS SDK's credential chain (env AWS_ACCESS_KEY_ID, profiles, IMDS, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** Default: true when an endpoint is set (MinIO, s3rver, ... rarely do virtual hosts). */
  forcePathStyle?: boolean
  /** Attempts per request including retries; default the SDK's (3). */
  maxAttempts?: number
  /** Multipart upload part size in bytes (min 5 MiB); default 8 MiB. */
  partSize?: number
  /** Parts uploaded concurrently; memory use is about partSize × queueSize. Default 4. */
  queueSize?: number
  /** Milliseconds to wait for a TCP connection; default 10 000. */
  connectionTimeoutMs?: number
  /** Milliseconds a request may wait with no byte from the store; default env PLINTH_S3_REQUEST_TIMEOUT_MS, then 60 000. */
  requestTimeoutMs?: number
  /** Where endpoint and region variables are read from; default process.env. */
  env?: Record<string, string | undefined>
}

/** What the store hands to the S3 client after applying options and environment. */
export interface ResolvedS3Settings {
  endpoint: string | undefined
  region: string
  forcePathStyle: boolean
  /** True when env or the default AWS chain decides the checksum mode instead of us. */
  sdkDefaultChecksums: boolean
  requestTimeoutMs: number
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000

/** In precedence order; MLflow users already have MLFLOW_S3_ENDPOINT_URL set. */
export const S3_ENDPOINT_ENV_VARS = [
  'PLINTH_S3_ENDPOINT_URL',
  'MLFLOW_S3_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL',
] as const

const BUCKET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/

function invalidUri(uri: string, reason: string): AppError {
  return new AppError(
    'INVALID_PARAMETER_VALUE',
    `Invalid S3 artifact URI ${JSON.stringify(uri)}: ${reason}; expected s3://bucket or ` +
      's3://bucket/prefix with a bucket name of 3-255 letters, digits, dots, dashes or underscores',
  )
}

/**
 * Splits `s3://bucket/prefix` into bucket and normalised prefix. No I/O.
 *
 * @throws AppError INVALID_PARAMETER_VALUE for another scheme, a bad bucket name, a query or
 *   fragment, or an unsafe prefix.
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(uri)
  if (match === null) throw invalidUri(uri, 'not of the form s3://bucket/prefix')
  const bucket = match[1] ?? ''
  if (!BUCKET_PATTERN.test(bucket)) {
    throw invalidUri(uri, `bad bucket name ${JSON.stringify(bucket)}`)
  }
  let prefix: string
  try {
    // a leading slash is just the separator after the bucket, not an absolute path
    prefix = normalizeArtifactPath((match[2] ?? '').replace(/^\/+/, ''))
  } catch (error) {
    throw invalidUri(uri, error instanceof Error ? error.message : String(error))
  }
  return { bucket, prefix }
}

/** `s3://bucket` or `s3://bucket/prefix`. */
export function formatS3Uri(location: S3Location): string {
  return location.prefix === ''
    ? `s3://${location.bucket}`
    : `s3://${location.bucket}/${location.prefix}`
}

/**
 * Applies the documented fallbacks: endpoint from options, then the first set variable of
 * {@link S3_ENDPOINT_ENV_VARS}; region from options, AWS_REGION, AWS_DEFAULT_REGION, 'us-east-1'.
 *
 * @throws AppError INVALID_PARAMETER_VALUE when the endpoint is not an http(s) URL.
 */
export function resolveS3Settings(
  options: S3ArtifactStoreOptions = {},
  env: Record<string, string | undefined> = options.env ?? process.env,
): ResolvedS3Settings {
  let endpoint = nonEmpty(options.endpoint)
  let source = 'the endpoint option'
  for (const name of S3_ENDPOINT_ENV_VARS) {
    if (endpoint !== undefined) break
    endpoint = nonEmpty(env[name])
    source = name
  }
  if (endpoint !== undefined && !/^https?:\/\/[^/]/i.test(endpoint)) {
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Invalid S3 endpoint ${JSON.stringify(endpoint)} from ${source}; ` +
        'expected an http:// or https:// URL such as http://127.0.0.1:9000',
    )
  }
  const region =
    nonEmpty(options.region) ??
    nonEmpty(env['AWS_REGION']) ??
    nonEmpty(env['AWS_DEFAULT_REGION']) ??
    'us-east-1'
  return {
    endpoint,
    region,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    sdkDefaultChecksums:
      endpoint === undefined || nonEmpty(env['AWS_REQUEST_CHECKSUM_CALCULATION']) !== undefined,
    requestTimeoutMs: options.requestTimeoutMs ?? requestTimeoutFromEnv(env),
  }
}

// A store that accepts connections but stops answering (a hung process, a stuck proxy) would
// otherwise hold every artifact request, and the HTTP request behind it, for ever.
function requestTimeoutFromEnv(env: Record<string, string | undefined>): number {
  const text = nonEmpty(env['PLINTH_S3_REQUEST_TIMEOUT_MS'])
  if (text === undefined) return DEFAULT_REQUEST_TIMEOUT_MS
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) {
    throw new AppError('INVALID_PARAMETER_VALUE', `Invalid PLINTH_S3_REQUEST_TIMEOUT_MS ${JSON.stringify(text)}; expected a positive whole number of milliseconds, e.g. 60000`)
  }
  return value
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}
