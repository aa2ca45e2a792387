import { AppError } from '../shared/errors.js'

// S3 keys stop at 1024 bytes and most file systems at 255 bytes a name; refusing longer paths
// here keeps them a client error on every store instead of an ENAMETOOLONG deep in one of them.
const MAX_PATH_BYTES = 1024
const MAX_NAME_BYTES = 255

const ALLOWED =
  "artifact paths must be relative and '/'-separated, without '..' segments, backslashes, " +
  `drive letters or NUL bytes, at most ${MAX_PATH_BYTES} bytes long with names of at most ${MAX_NAME_BYTES} bytes`

function reject(path: string, reason: string): never {
  throw new AppError(
    'INVALID_PARAMETER_VALUE',
    `Invalid artifact path ${JSON.stringify(path)}: ${reason}; ${ALLOWED}`,
    { details: { path } },
  )
}

// Some HTTP layers and proxies decode percent-escapes and some do not, so '%2e%2e' must be
// treated as '..' or a request could slip a traversal past whichever layer did not decode it.
function decodeOnce(path: string): string | undefined {
  try {
    return decodeURIComponent(path)
  } catch {
    // A literal '%' (e.g. "100%.txt") is a legitimate file name, not an attack.
    return undefined
  }
}

function check(original: string, form: string): void {
  if (form.includes('\0')) reject(original, 'contains a NUL byte')
  // Backslash is a separator on Windows, so 'a\..\b' would traverse there; refusing it
  // everywhere keeps artifact trees portable between local and S3 stores.
  if (form.includes('\\')) reject(original, 'contains a backslash')
  if (form.startsWith('/')) reject(original, 'is absolute')
  if (/^[a-zA-Z]:/.test(form)) reject(original, 'starts with a drive letter')
  if (form.split('/').includes('..')) reject(original, "contains a '..' segment")
  if (Buffer.byteLength(form) > MAX_PATH_BYTES) reject(original.slice(0, 64) + '…', `is longer than ${MAX_PATH_BYTES} bytes`)
  if (form.split('/').some((name) => Buffer.byteLength(name) > MAX_NAME_BYTES)) reject(original.slice(0, 64) + '…', `has a name longer than ${MAX_NAME_BYTES} bytes`)
}

/**
 * Validates and canonicalises a store-relative artifact path. This is the one place path safety
 * is decided; every {@link ArtifactStore} method also passes its input through here.
 *
 * Collapses `.` segments and repeated slashes and strips a trailing slash, so `'a//./b/'` becomes
 * `'a/b'`; `''` (or `'.'`, `'./'`) is the store root and yields `''`.
 *
 * @throws AppError INVALID_PARAMETER_VALUE for absolute paths, `..` segments (also when written
 *   percent-encoded), backslashes, Windows drive letters, NUL bytes or a non-string input.
 */
export function normalizeArtifactPath(path: string): string {
  if (typeof path !== 'string') reject(String(path), 'is not a string')
  check(path, path)
  const decoded = decodeOnce(path)
  if (decoded !== undefined && decoded !== path) check(path, decoded)
  return path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/')
}

/**
 * Joins artifact path parts with '/' and normalises the result. Each part is checked on its own,
 * so an absolute or traversing part is rejected rather than silently re-rooted.
 *
 * @throws AppError INVALID_PARAMETER_VALUE when any part is unsafe (see normalizeArtifactPath).
 */
export function joinArtifactPath(...parts: string[]): string {
  return parts
    .map(normalizeArtifactPath)
    .filter((part) => part !== '')
    .join('/')
}

/**
 * normalizeArtifactPath for operations that need a file name, where the root ('') is meaningless.
 *
 * @throws AppError INVALID_PARAMETER_VALUE for an unsafe path or one that normalises to the root.
 */
export function normalizeArtifactFilePath(path: string): string {
  const normalized = normalizeArtifactPath(path)
  if (normalized === '') {
    reject(path, 'names the artifact root, not a file')
  }
  return normalized
}
