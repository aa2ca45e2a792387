import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { joinArtifactPath, type ArtifactStore } from '../../artifacts/index.js'
import { PROXIED_SCHEME, proxiedPath } from '../../artifacts/artifact-service.js'
import { AppError } from '../../shared/errors.js'

/**
 * Moving step inputs and outputs between a step's folder and the artifact store. Artifacts the
 * runner makes are `mlflow-artifacts:/…` URIs (files or folders); other inputs are local paths.
 */

export function isStoreUri(uri: string): boolean {
  return uri.startsWith(PROXIED_SCHEME)
}

/** A local path for a non-store input (`file://…`, absolute, or relative to `baseDir`). */
export function localPathOf(uri: string, baseDir: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri)
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//.test(uri)) {
    throw new AppError('INVALID_PARAMETER_VALUE', `Input '${uri}' is not in Plinth's artifact store or on this machine; copy it into the store (log it as a run artifact) or give a local path.`)
  }
  return isAbsolute(uri) ? uri : resolve(baseDir, uri)
}

/** Files under a store path: the file itself, or every file of the folder, relative to it. */
async function storeFiles(store: ArtifactStore, path: string): Promise<string[] | undefined> {
  if (await store.exists(path)) return ['']
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await store.list(dir)) {
      if (entry.isDir) await walk(entry.path)
      else out.push(entry.path.slice(path.length + 1))
    }
  }
  await walk(path)
  return out.length === 0 ? undefined : out
}

/** Copies a store artifact (file or folder) to `target`. */
export async function downloadArtifact(store: ArtifactStore, uri: string, target: string): Promise<void> {
  const path = proxiedPath(uri)
  const files = await storeFiles(store, path)
  if (!files) throw new AppError('RESOURCE_DOES_NOT_EXIST', `Input artifact ${uri} is not in the artifact store (deleted?); re-run the step that makes it.`)
  for (const file of files) {
    const dest = file === '' ? target : join(target, file)
    await mkdir(dirname(dest), { recursive: true })
    const { body } = await store.get(file === '' ? path : joinArtifactPath(path, file))
    await pipeline(body, createWriteStream(dest))
  }
}

/** Uploads a file or folder at `source` to the store path; returns its `mlflow-artifacts:` URI. */
export async function uploadArtifact(store: ArtifactStore, source: string, path: string): Promise<string> {
  const info = await stat(source)
  const files = info.isDirectory() ? (await readdir(source, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(source, join(e.parentPath, e.name))) : ['']
  for (const file of files) {
    const from = file === '' ? source : join(source, file)
    await store.put(file === '' ? path : joinArtifactPath(path, file.split('\\').join('/')), createReadStream(from))
  }
  return `${PROXIED_SCHEME}/${path}`
}

/** Whether every file of a store artifact is still there (a cache hit needs its outputs). */
export async function artifactExists(store: ArtifactStore, uri: string): Promise<boolean> {
  if (!isStoreUri(uri)) return false
  return (await storeFiles(store, proxiedPath(uri))) !== undefined
}

/** sha256 over the content of a file or folder (names and bytes), in the store or on disk. */
export async function hashArtifact(store: ArtifactStore, uri: string, baseDir: string): Promise<string> {
  const hash = createHash('sha256')
  if (isStoreUri(uri)) {
    const path = proxiedPath(uri)
    for (const file of (await storeFiles(store, path)) ?? []) {
      hash.update(`${file}\0`)
      for await (const chunk of (await store.get(file === '' ? path : joinArtifactPath(path, file))).body) hash.update(chunk as Buffer)
    }
    return hash.digest('hex')
  }
  const local = localPathOf(uri, baseDir)
  const info = await stat(local).catch(() => undefined)
  if (!info) throw new AppError('RESOURCE_DOES_NOT_EXIST', `Input '${uri}' does not exist (looked at ${local}).`)
  const files = info.isDirectory() ? (await readdir(local, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort() : [local]
  for (const file of files) {
    hash.update(`${relative(local, file)}\0`)
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  }
  return hash.digest('hex')
}
