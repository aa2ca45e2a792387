import { fileURLToPath } from 'node:url'
import { AppError } from '../shared/errors.js'
import type { ArtifactStore } from './artifact-store.js'
import { LocalArtifactStore } from './local/local-artifact-store.js'
import { S3ArtifactStore } from './s3/s3-artifact-store.js'
import type { S3ArtifactStoreOptions } from './s3/s3-location.js'

/** Per-backend settings for {@link createArtifactStore}; each applies only to its scheme. */
export interface CreateArtifactStoreOptions {
  s3?: S3ArtifactStoreOptions
}

type ArtifactStoreFactory = (uri: string, options: CreateArtifactStoreOptions) => ArtifactStore

// One entry per URI scheme, so adding a backend (gs://, azure://) is one line and the error for
// an unknown scheme can list exactly what is supported.
const FACTORIES: Record<string, ArtifactStoreFactory> = {
  file: (uri) => new LocalArtifactStore(fileUriToPath(uri)),
  s3: (uri, options) => new S3ArtifactStore(uri, options.s3),
}

/** URI schemes {@link createArtifactStore} accepts, besides plain folder paths. */
export const ARTIFACT_STORE_SCHEMES: readonly string[] = Object.keys(FACTORIES)

/**
 * Builds the store for an artifact root: a plain folder path or `file://` URI gives a
 * LocalArtifactStore, `s3://bucket/prefix` an S3ArtifactStore. No I/O: call init() on the result.
 *
 * @throws AppError INVALID_PARAMETER_VALUE for an unsupported scheme or a malformed URI.
 */
export function createArtifactStore(
  uri: string,
  options: CreateArtifactStoreOptions = {},
): ArtifactStore {
  const trimmed = uri.trim()
  // A one-letter "scheme" is a Windows drive (C:\artifacts), i.e. a plain path.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(trimmed)?.[1]?.toLowerCase()
  if (scheme === undefined) return new LocalArtifactStore(trimmed)
  const factory = Object.hasOwn(FACTORIES, scheme) ? FACTORIES[scheme] : undefined
  if (factory === undefined) {
    const supported = ARTIFACT_STORE_SCHEMES.map((name) => `${name}://`).join(', ')
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Unsupported artifact store URI ${JSON.stringify(uri)}: scheme '${scheme}://' is not ` +
        `supported; use a folder path or one of ${supported}`,
    )
  }
  return factory(trimmed, options)
}

function fileUriToPath(uri: string): string {
  try {
    return fileURLToPath(uri)
  } catch (error) {
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Invalid file artifact URI ${JSON.stringify(uri)}: ${(error as Error).message}; ` +
        'use an absolute file:///path or a plain folder path',
      { cause: error },
    )
  }
}
