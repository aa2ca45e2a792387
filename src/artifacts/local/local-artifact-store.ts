import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import { AppError } from '../../shared/errors.js'
import { normalizeArtifactFilePath, normalizeArtifactPath } from '../artifact-path.js'
import type { ArtifactFileInfo, ArtifactPutOptions, ArtifactStore } from '../artifact-store.js'
import { countBytes } from '../byte-count.js'
import { artifactNotFound, sortByPath } from '../store-support.js'

// Uploads land in a sibling temp file first; list() hides these so a concurrent reader never
// sees a half-written artifact under any name.
const TEMP_PREFIX = '.plinth-upload-'
const TEMP_PATTERN = /^\.plinth-upload-[0-9a-f]{16}\.tmp$/

const UNAVAILABLE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'EIO', 'EBUSY'])
const CONFLICT_CODES = new Set(['ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY'])

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** An {@link ArtifactStore} on a local (or mounted) folder. */
export class LocalArtifactStore implements ArtifactStore {
  readonly #root: string
  readonly rootUri: string

  /** `rootDir` may be relative (resolved against the working directory now); no I/O happens. */
  constructor(rootDir: string) {
    if (rootDir === '' || rootDir.includes('\0')) {
      throw new AppError(
        'INVALID_PARAMETER_VALUE',
        `Invalid local artifact root ${JSON.stringify(rootDir)}; pass a folder path or file:// URI`,
      )
    }
    this.#root = resolve(rootDir)
    this.rootUri = pathToFileURL(this.#root).href
  }

  async init(): Promise<void> {
    let isDir: boolean
    try {
      await mkdir(this.#root, { recursive: true })
      isDir = (await stat(this.#root)).isDirectory()
    } catch (error) {
      if (!CONFLICT_CODES.has(errnoCode(error) ?? '')) throw this.#fsError(error, '', 'prepare')
      isDir = false
    }
    if (!isDir) {
      throw new AppError(
        'INVALID_PARAMETER_VALUE',
        `Artifact root ${this.rootUri} is not a folder; point the artifact root at a directory`,
      )
    }
  }

  async close(): Promise<void> {}

  async put(
    path: string,
    body: Readable,
    options: ArtifactPutOptions = {},
  ): Promise<{ size: number }> {
    const rel = normalizeArtifactFilePath(path)
    const target = this.#abs(rel)
    const counted = countBytes(body, options.contentLength, rel)
    let temp: string | undefined
    try {
      await mkdir(dirname(target), { recursive: true })
      temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}.tmp`)
      // flush: fsync before close, else a crash right after rename could surface a torn file
      await pipeline(counted.stream, createWriteStream(temp, { flags: 'wx', flush: true }))
      await rename(temp, target)
      temp = undefined
      return { size: counted.size }
    } catch (error) {
      if (error === counted.bodyError || error instanceof AppError) throw error
      throw this.#fsError(error, rel, 'write')
    } finally {
      if (temp !== undefined) await unlink(temp).catch(() => {})
    }
  }

  async get(path: string): Promise<{ body: Readable; size?: number }> {
    const rel = normalizeArtifactPath(path)
    if (rel === '') throw artifactNotFound(rel, this.rootUri)
    let handle
    try {
      // Open first, then fstat the handle, so the size and the bytes come from the same file even
      // if a concurrent put renames a new version into place.
      handle = await open(this.#abs(rel), 'r')
      const info = await handle.stat()
      if (info.isFile()) return { body: handle.createReadStream(), size: info.size }
    } catch (error) {
      await handle?.close().catch(() => {})
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
        throw artifactNotFound(rel, this.rootUri)
      }
      throw this.#fsError(error, rel, 'read')
    }
    await handle.close().catch(() => {})
    throw artifactNotFound(rel, this.rootUri)
  }

  async list(path: string): Promise<ArtifactFileInfo[]> {
    const rel = normalizeArtifactPath(path)
    let entries
    try {
      entries = await readdir(this.#abs(rel), { withFileTypes: true })
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return []
      throw this.#fsError(error, rel, 'list')
    }
    const infos = await Promise.all(
      entries
        .filter((entry) => !TEMP_PATTERN.test(entry.name))
        .map(async (entry): Promise<ArtifactFileInfo | undefined> => {
          const child = rel === '' ? entry.name : `${rel}/${entry.name}`
          if (entry.isDirectory()) return { path: child, isDir: true }
          try {
            // stat (not the dirent) so symlinks placed by an operator report their target
            const info = await stat(this.#abs(child))
            if (info.isDirectory()) return { path: child, isDir: true }
            return { path: child, isDir: false, fileSize: info.size }
          } catch (error) {
            // deleted between readdir and stat, or a dangling symlink: not a listable file
            if (errnoCode(error) === 'ENOENT') return undefined
            throw this.#fsError(error, child, 'list')
          }
        }),
    )
    return sortByPath(infos.filter((info) => info !== undefined))
  }

  async delete(path: string): Promise<void> {
    const rel = normalizeArtifactPath(path)
    try {
      if (rel !== '') {
        await rm(this.#abs(rel), { recursive: true, force: true })
        return
      }
      // Keep the root folder itself: it may be a mount point or have operator-set permissions.
      const names = await readdir(this.#root).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return []
        throw error
      })
      await Promise.all(
        names.map((name) => rm(join(this.#root, name), { recursive: true, force: true })),
      )
    } catch (error) {
      throw this.#fsError(error, rel, 'delete')
    }
  }

  async exists(path: string): Promise<boolean> {
    const rel = normalizeArtifactPath(path)
    if (rel === '') return false
    try {
      return (await stat(this.#abs(rel))).isFile()
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return false
      throw this.#fsError(error, rel, 'stat')
    }
  }

  #abs(rel: string): string {
    return rel === '' ? this.#root : join(this.#root, ...rel.split('/'))
  }

  #fsError(error: unknown, rel: string, action: string): AppError {
    if (error instanceof AppError) return error
    const code = errnoCode(error) ?? 'unknown'
    const where = rel === '' ? this.rootUri : `${JSON.stringify(rel)} in ${this.rootUri}`
    const reason = error instanceof Error ? error.message : String(error)
    if (CONFLICT_CODES.has(code)) {
      return new AppError(
        'INVALID_PARAMETER_VALUE',
        `Cannot ${action} artifact ${where}: a file and a folder would share a path (${code})`,
        { cause: error, details: { path: rel } },
      )
    }
    if (UNAVAILABLE_CODES.has(code)) {
      return new AppError(
        'TEMPORARILY_UNAVAILABLE',
        `Artifact store ${this.rootUri} cannot ${action} ${where} right now: ${reason}; ` +
          'check free disk space and open file limits',
        { cause: error },
      )
    }
    return new AppError(
      'INTERNAL_ERROR',
      `Artifact store failed to ${action} ${where}: ${reason}; ` +
        'check the folder exists and is readable and writable by this process',
      { cause: error },
    )
  }
}
