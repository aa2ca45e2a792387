import { AppError } from '../shared/errors.js'
import type { ArtifactFileInfo } from './artifact-store.js'

/** The RESOURCE_DOES_NOT_EXIST every store throws for a missing file, worded the same. */
export function artifactNotFound(rel: string, rootUri: string): AppError {
  return new AppError(
    'RESOURCE_DOES_NOT_EXIST',
    `No artifact file at ${JSON.stringify(rel)} in ${rootUri}`,
    { details: { path: rel } },
  )
}

/**
 * Orders by UTF-16 code units rather than localeCompare, so every store (and every server locale)
 * returns the same order for the same names.
 */
export function sortByPath(infos: ArtifactFileInfo[]): ArtifactFileInfo[] {
  return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
