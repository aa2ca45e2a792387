import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PlinthConfig } from '../config/index.js'
import type { SingleModel } from '../inference/index.js'
import { readOnnxSignature } from '../registry/onnx-signature.js'
import { AppError, notFound } from '../shared/errors.js'
import { createServices } from './services.js'

/** What `plinth serve -m` serves, and where it came from, for the start-up banner. */
export interface ServedModel extends SingleModel {
  source: string
}

/**
 * Resolves `plinth serve -m <uri>` once, at start, as `mlflow models serve` does: `models:/name/3`
 * and `models:/name@alias` through the registry (its pinned bytes), `runs:/…` and
 * `mlflow-artifacts:/…` through the run's artifacts, and a local `.onnx` file (or a folder with
 * one) straight from disk, without any database. The model then lives in memory; a later alias
 * move does not change what this server serves.
 */
export async function loadServedModel(uri: string, config: PlinthConfig, name?: string): Promise<ServedModel> {
  if (uri.startsWith('models:')) {
    return withRegistry(config, async (services) => {
      const resolved = await services.registry.resolveModelUri(uri)
      const bytes = await services.registry.openModelBytes(resolved.name, resolved.version)
      return { name: name ?? resolved.name, version: resolved.version, bytes, source: `${uri} (version ${resolved.version})` }
    })
  }
  if (uri.startsWith('runs:') || uri.startsWith('mlflow-artifacts:')) {
    return withRegistry(config, async (services) => {
      const bytes = await services.registry.readModelSource(uri, { allowLocalFiles: true })
      return { name: name ?? nameFromPath(uri.replace(/^[a-z-]+:\/*/, '')), version: 1, bytes, source: uri }
    })
  }
  if (/^[a-zA-Z][\w+.-]+:/.test(uri) && !uri.startsWith('file:')) {
    throw new AppError('INVALID_PARAMETER_VALUE', `Cannot serve '${uri}': give models:/<name>/<version>, models:/<name>@<alias>, runs:/<run_id>/<path> or a local .onnx file.`)
  }
  const path = uri.startsWith('file:') ? fileURLToPath(uri) : uri
  const file = await onnxFileAt(path)
  const bytes = await readFile(file)
  readOnnxSignature(bytes, `Model file '${file}'`)
  return { name: name ?? nameFromPath(path), version: 1, bytes, source: file }
}

async function withRegistry<T>(config: PlinthConfig, run: (services: Awaited<ReturnType<typeof createServices>>) => Promise<T>): Promise<T> {
  const services = await createServices(config, { migrateEmpty: false })
  try {
    return await run(services)
  } finally {
    await services.close()
  }
}

/** The file itself, or the one .onnx file in a folder (an MLflow model folder holds one). */
async function onnxFileAt(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw notFound(`No model file or folder at '${path}'.`)
  if (info.isFile()) return path
  const entries = await readdir(path, { recursive: true })
  const found = entries.filter((e) => e.toLowerCase().endsWith('.onnx')).sort()
  if (found.length !== 1) {
    throw new AppError('INVALID_PARAMETER_VALUE', `Folder '${path}' holds ${found.length === 0 ? 'no .onnx file' : `${found.length} .onnx files (${found.slice(0, 5).join(', ')})`}; name the model file to serve.`)
  }
  return join(path, found[0]!)
}

/** `…/churn.onnx` → churn; `runs:/abc/model` → model. */
function nameFromPath(path: string): string {
  const base = basename(path.replace(/[\\/]+$/, ''))
  return base.replace(/\.onnx$/i, '') || 'model'
}
