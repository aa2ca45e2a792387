export type { ArtifactFileInfo, ArtifactPutOptions, ArtifactStore } from './artifact-store.js'
export { joinArtifactPath, normalizeArtifactPath } from './artifact-path.js'
export {
  ARTIFACT_STORE_SCHEMES,
  type CreateArtifactStoreOptions,
  createArtifactStore,
} from './create-artifact-store.js'
export { LocalArtifactStore } from './local/local-artifact-store.js'
export { S3ArtifactStore } from './s3/s3-artifact-store.js'
export {
  S3_ENDPOINT_ENV_VARS,
  type S3ArtifactStoreOptions,
  type S3Location,
  parseS3Uri,
} from './s3/s3-location.js'
export { ArtifactService, PROXIED_SCHEME, proxiedPath } from './artifact-service.js'
