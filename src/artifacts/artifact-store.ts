import type { Readable } from 'node:stream'

/** One entry of {@link ArtifactStore.list}. */
export interface ArtifactFileInfo {
  /** Path relative to the store root, '/'-separated, never with a trailing slash. */
  path: string
  /**
   * True for a folder. Folders are implicit (prefixes of file paths); a local store may also
   * list an empty folder left behind by a delete or a failed upload.
   */
  isDir: boolean
  /** Size in bytes; present for files only. */
  fileSize?: number
}

/** Options for {@link ArtifactStore.put}. */
export interface ArtifactPutOptions {
  /**
   * The number of bytes the caller expects `body` to yield, e.g. from a Content-Length header.
   * When given, a body of any other length fails the put with BAD_REQUEST and stores nothing.
   */
  contentLength?: number
}

/**
 * Where artifact bytes live: a folder on disk, an S3 bucket prefix, ... Paths are relative to the
 * store root and are always passed through normalizeArtifactPath, so every method may throw
 * INVALID_PARAMETER_VALUE for an unsafe path. Folders are implicit: they come from the paths of
 * files. Constructors do no I/O; call {@link init} once before use and {@link close} at shutdown.
 *
 * Every method may also throw TEMPORARILY_UNAVAILABLE when the backend cannot be reached or is
 * out of capacity (the HTTP layer answers 503), and INTERNAL_ERROR for anything unexpected such
 * as rejected credentials or permissions.
 */
export interface ArtifactStore {
  /**
   * Streams `body` to the file at `path`, replacing any existing file. Readers never observe a
   * partially written file: on failure the previous content (or absence) is kept.
   *
   * @returns the number of bytes written.
   * @throws AppError INVALID_PARAMETER_VALUE for an unsafe path, the root path, or (local store)
   *   a path that collides with an existing folder/file on the way.
   * @throws AppError BAD_REQUEST when `options.contentLength` differs from the body's length.
   * @throws AppError TEMPORARILY_UNAVAILABLE / INTERNAL_ERROR for backend failures.
   * Errors emitted by `body` itself are rethrown unchanged. The caller owns `body`: on failure
   * it is left as is (not destroyed), so an HTTP layer can still answer before draining it.
   */
  put(path: string, body: Readable, options?: ArtifactPutOptions): Promise<{ size: number }>

  /**
   * Opens the file at `path` for streaming. The returned stream may still fail mid-way (network
   * errors are emitted on it, not thrown here).
   *
   * @returns the content and its size in bytes when the backend reports it.
   * @throws AppError RESOURCE_DOES_NOT_EXIST when no file is at `path` (including folders).
   * @throws AppError INVALID_PARAMETER_VALUE / TEMPORARILY_UNAVAILABLE / INTERNAL_ERROR.
   */
  get(path: string): Promise<{ body: Readable; size?: number }>

  /**
   * Lists the direct children of the folder `path` (`''` is the root), files with their sizes,
   * sorted by path. A missing folder, or a path naming a file, yields `[]`.
   *
   * @returns entries whose `path` is relative to the store root (not to `path`).
   * @throws AppError INVALID_PARAMETER_VALUE / TEMPORARILY_UNAVAILABLE / INTERNAL_ERROR.
   */
  list(path: string): Promise<ArtifactFileInfo[]>

  /**
   * Deletes the file at `path` and everything under the folder `path`; `''` empties the whole
   * store. Idempotent: deleting something absent succeeds.
   *
   * @throws AppError INVALID_PARAMETER_VALUE / TEMPORARILY_UNAVAILABLE / INTERNAL_ERROR.
   */
  delete(path: string): Promise<void>

  /**
   * Whether a file (not a folder) exists at `path`.
   *
   * @throws AppError INVALID_PARAMETER_VALUE / TEMPORARILY_UNAVAILABLE / INTERNAL_ERROR.
   */
  exists(path: string): Promise<boolean>

  /** Human-readable URI of the store root, e.g. `file:///abs/path` or `s3://bucket/prefix`. */
  readonly rootUri: string

  /**
   * Prepares the store (creates the root folder, loads the SDK and checks the bucket is
   * reachable, ...). Idempotent. Call before any other method.
   *
   * @throws AppError INVALID_PARAMETER_VALUE when the root is unusable (e.g. a file, not a folder).
   * @throws AppError TEMPORARILY_UNAVAILABLE when the backend cannot be reached.
   * @throws AppError INTERNAL_ERROR when a required SDK is not installed or access is refused.
   */
  init(): Promise<void>

  /** Releases connections and handles. Idempotent; never throws. */
  close(): Promise<void>
}
