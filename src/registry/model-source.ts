import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { joinArtifactPath, normalizeArtifactPath } from '../artifacts/artifact-path.js'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import { AppError, notFound } from '../shared/errors.js'

/** One model file found behind a source URI. */
export interface ModelFile {
  /** Where the source resolved to (the folder or file named), in a URI a client can read. */
  location: string
  open(): Promise<{ body: Readable; size?: number }>
}

export interface SourceContext {
  store: ArtifactStore
  /** A run's artifact root URI; throws RESOURCE_DOES_NOT_EXIST for an unknown run. */
  runArtifactUri(runId: string): Promise<string>
  /** The pinned copy of a registered version named by a `models:/` URI. */
  registeredModel(uri: string): Promise<{ storageUri: string; downloadUri: string }>
  /** Whether paths on the server's disk may be read (off for servers with --auth). */
  allowLocalFiles: boolean
}

const PROXIED = 'mlflow-artifacts:'
// A folder is searched this deep and this wide for its one .onnx file: MLflow logs a model as
// a folder (MLmodel, model.onnx, conda.yaml…), never as a deep tree.
const MAX_DEPTH = 4
const MAX_ENTRIES = 2000

function invalid(message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', message)
}

/** The one .onnx file among a folder's files, or why there is not exactly one. */
function pickOnnx(source: string, files: string[], truncated: boolean): string {
  const onnx = files.filter((f) => f.toLowerCase().endsWith('.onnx'))
  if (onnx.length === 1) return onnx[0]!
  if (onnx.length === 0) {
    const why = truncated ? ` in its first ${MAX_ENTRIES} entries` : ''
    throw invalid(`Model source '${source}' is a folder without an .onnx file${why}; register an ONNX file, or a folder holding exactly one.`)
  }
  const names = onnx.slice(0, 5).join(', ')
  throw invalid(`Model source '${source}' is a folder with ${onnx.length} .onnx files (${names}); name the one to register in the source.`)
}

/** The store path behind `mlflow-artifacts:/p` and `mlflow-artifacts://host/p`. */
function proxiedStorePath(uri: string): string {
  let rest = uri.slice(PROXIED.length)
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '')
  return normalizeArtifactPath(rest.replace(/^\/+/, ''))
}

async function inStore(source: string, path: string, store: ArtifactStore): Promise<ModelFile> {
  const location = `${PROXIED}/${path}`
  const file = async (p: string): Promise<ModelFile> => ({ location, open: () => store.get(p) })
  if (path !== '' && (await store.exists(path))) return file(path)
  const files: string[] = []
  let queue = [path]
  let seen = 0
  for (let depth = 0; depth < MAX_DEPTH && queue.length > 0 && seen < MAX_ENTRIES; depth++) {
    const next: string[] = []
    for (const folder of queue) {
      for (const entry of await store.list(folder)) {
        seen += 1
        if (entry.isDir) next.push(entry.path)
        else files.push(entry.path)
      }
    }
    queue = next
  }
  if (seen === 0) throw notFound(`Model source '${source}' does not exist (nothing at ${location}).`)
  return file(pickOnnx(source, files, seen >= MAX_ENTRIES))
}

async function onDisk(source: string, path: string, context: SourceContext): Promise<ModelFile> {
  if (!context.allowLocalFiles) {
    throw invalid(`Model source '${source}' is a path on the server's disk, which this server does not read (it runs with --auth). Log the model as a run artifact and register runs:/<run_id>/<path>.`)
  }
  const info = await stat(path).catch(() => undefined)
  if (!info) throw notFound(`Model source '${source}' does not exist (no file or folder at ${path}).`)
  const location = pathToFileURL(path).href
  if (info.isFile()) return { location, open: async () => ({ body: createReadStream(path), size: info.size }) }
  const files: string[] = []
  let truncated = false
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (files.length >= MAX_ENTRIES) return void (truncated = true)
      const child = join(folder, entry.name)
      if (entry.isDirectory() && depth + 1 < MAX_DEPTH) await walk(child, depth + 1)
      else if (entry.isFile()) files.push(relative(path, child))
    }
  }
  await walk(path, 0)
  const chosen = join(path, pickOnnx(source, files, truncated))
  return { location, open: async () => ({ body: createReadStream(chosen), size: (await stat(chosen)).size }) }
}

/** Reads a location URI (not `runs:/` or `models:/`): the artifact store or the local disk. */
async function atLocation(source: string, uri: string, context: SourceContext): Promise<ModelFile> {
  if (uri.startsWith(PROXIED)) return inStore(source, proxiedStorePath(uri), context.store)
  if (uri.startsWith('file:')) {
    let path: string
    try {
      path = fileURLToPath(uri)
    } catch {
      throw invalid(`Model source '${source}' is not a valid file URI; write file:///absolute/path.`)
    }
    return onDisk(source, path, context)
  }
  if (/^[a-zA-Z][\w+.-]*:/.test(uri)) {
    const via = uri === source ? '' : ` (it resolves to ${uri})`
    throw invalid(`Model source '${source}'${via} uses a scheme this server cannot read; upload the model as a run artifact and register runs:/<run_id>/<path>, or give a mlflow-artifacts:/, models:/ or file path.`)
  }
  return onDisk(source, resolve(uri), context)
}

/**
 * Finds the ONNX file behind a model version source:
 * - `runs:/<run_id>/<path>`: under the run's artifact root;
 * - `mlflow-artifacts:/<path>`: in the artifact store;
 * - `models:/<name>/<version|stage|latest>`, `models:/<name>@<alias>`: that version's pinned copy;
 * - `file:///path` or a plain path: on the server's disk (unless `allowLocalFiles` is off).
 * A folder must hold exactly one `*.onnx` file (searched a few levels deep).
 * @throws AppError RESOURCE_DOES_NOT_EXIST when nothing is there (or the run/model is unknown),
 *   INVALID_PARAMETER_VALUE for unreadable schemes and folders without exactly one .onnx file.
 */
export async function locateModelFile(source: string, context: SourceContext): Promise<ModelFile> {
  if (source.startsWith('runs:')) {
    const match = /^runs:\/([^/]+)\/?(.*)$/.exec(source)
    if (!match) throw invalid(`Model source '${source}' is not a valid runs URI; write runs:/<run_id>/<path>.`)
    const root = await context.runArtifactUri(match[1]!)
    const path = normalizeArtifactPath(match[2] ?? '')
    const uri = root.startsWith(PROXIED)
      ? `${PROXIED}/${joinArtifactPath(proxiedStorePath(root), path)}`
      : path === '' ? root : `${root.replace(/\/+$/, '')}/${path}`
    return atLocation(source, uri, context)
  }
  if (source.startsWith('models:')) {
    const pinned = await context.registeredModel(source)
    const file = await inStore(source, proxiedStorePath(pinned.storageUri), context.store)
    return { ...file, location: pinned.downloadUri }
  }
  return atLocation(source, source, context)
}
