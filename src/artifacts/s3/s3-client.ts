import type { S3Client } from '@aws-sdk/client-s3'
import { AppError } from '../../shared/errors.js'
import type { ResolvedS3Settings, S3ArtifactStoreOptions } from './s3-location.js'

export type S3Sdk = typeof import('@aws-sdk/client-s3')
export type StorageSdk = typeof import('@aws-sdk/lib-storage')

/** The lazily loaded SDK modules plus a client configured for one store. */
export interface S3Connection {
  sdk: S3Sdk
  storage: StorageSdk
  client: S3Client
}

/**
 * Loads the AWS SDK on first use: it is large, and deployments on local disk never need it.
 *
 * @throws AppError INTERNAL_ERROR when the packages are not installed.
 */
export async function loadS3Sdk(rootUri: string): Promise<{ sdk: S3Sdk; storage: StorageSdk }> {
  try {
    const [sdk, storage] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('@aws-sdk/lib-storage'),
    ])
    return { sdk, storage }
  } catch (error) {
    throw new AppError(
      'INTERNAL_ERROR',
      `install @aws-sdk/client-s3 and @aws-sdk/lib-storage to use the ${rootUri} artifact ` +
        'store (npm install @aws-sdk/client-s3 @aws-sdk/lib-storage)',
      { cause: error },
    )
  }
}

/** Builds the client; credentials not given in options come from the default AWS chain. */
export function createS3Client(
  sdk: S3Sdk,
  settings: ResolvedS3Settings,
  options: S3ArtifactStoreOptions,
): S3Client {
  const { endpoint, region, forcePathStyle, sdkDefaultChecksums, requestTimeoutMs } = settings
  return new sdk.S3Client({
    region,
    forcePathStyle,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    // Many S3 clones reject the trailing checksums the SDK now adds to streamed uploads by
    // default; AWS itself, or an explicit AWS_REQUEST_CHECKSUM_CALCULATION, keeps the default.
    ...(sdkDefaultChecksums
      ? {}
      : {
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
    // Without a connect timeout a blackholed endpoint hangs a request until the OS gives up; the
    // SDK only logs a request timeout unless told to throw, and then a stalled store hangs it too.
    requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 10_000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  })
}
