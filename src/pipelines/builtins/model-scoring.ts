import { readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import type { Services } from '../../app/services.js'
import type { LoggedColumns } from '../../monitoring/prediction-log-store.js'
import { tensorsToColumns } from '../../monitoring/tensor-columns.js'
import type { InferenceEngine } from '../../serving/inference-engine.js'
import { decodeMlflowScoringJson, parseCsv } from '../../serving/v2/mlflow-scoring-codec.js'
import { AppError, invalidParameter } from '../../shared/errors.js'
import { didYouMean } from './builtin-args.js'

/** Rows per inference call; latency percentiles are over these batches. */
export const BATCH_ROWS = 256

/** A holdout set: feature cells by row, and the target column apart. */
export interface Holdout {
  readonly features: string[]
  readonly rows: string[][]
  readonly target: string[]
}

/** A model's predictions on the holdout: outputs as logged columns, and the time each batch took. */
export interface Scored {
  readonly outputs: LoggedColumns
  readonly batchLatenciesMs: number[]
}

export interface LoadedBytes {
  readonly bytes: Uint8Array
  /** `churn/3` for a registered version, else the URI as given. */
  readonly label: string
}

/**
 * Model bytes behind a URI: `models:/` through the registry (its pinned, checksummed bytes),
 * `runs:/`, `mlflow-artifacts:/` and local paths as a version's source would be read. Pipeline
 * files are written by whoever runs their commands, so reading local paths grants nothing new.
 */
export async function loadModelBytes(services: Services, uri: string): Promise<LoadedBytes> {
  if (uri.startsWith('models:')) {
    const resolved = await services.registry.resolveModelUri(uri)
    return { bytes: await services.registry.openModelBytes(resolved.name, resolved.version), label: `${resolved.name}/${resolved.version}` }
  }
  return { bytes: await services.registry.readModelSource(uri, { allowLocalFiles: true }), label: uri }
}

/** Reads a CSV holdout; features default to every column but the target, in file order. */
export async function readHoldout(path: string, target: string, features: readonly string[] | undefined): Promise<Holdout> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new AppError(error.code === 'ENOENT' ? 'RESOURCE_DOES_NOT_EXIST' : 'INVALID_PARAMETER_VALUE', `evaluate: cannot read data '${path}': ${error.message}`)
  })
  const [header, ...rows] = parseCsv(text)
  if (!header || rows.length === 0) throw invalidParameter(`evaluate: data '${path}' needs a header row and at least one data row.`)
  const column = (name: string) => {
    const i = header.indexOf(name)
    if (i < 0) throw invalidParameter(`evaluate: data '${path}' has no column '${name}'${didYouMean(name, header)}; its columns are ${header.join(', ')}.`)
    return i
  }
  const targetIndex = column(target)
  const featureNames = features ? [...features] : header.filter((h) => h !== target)
  const indices = featureNames.map(column)
  rows.forEach((row, r) => {
    if (row.length !== header.length) throw invalidParameter(`evaluate: data '${path}' row ${r + 2} has ${row.length} fields; the header has ${header.length}.`)
  })
  return { features: featureNames, rows: rows.map((row) => indices.map((i) => row[i]!)), target: rows.map((row) => row[targetIndex]!) }
}

/**
 * Scores a model on the holdout in batches through the serving engine, feeding it as the
 * MLflow-compatible scoring route would: one `[N, F]` input from the feature columns in order, or
 * one input per column by name.
 */
export async function scoreModel(engine: InferenceEngine, model: LoadedBytes, holdout: Holdout, signal: AbortSignal): Promise<Scored> {
  const loaded = await engine.load(model.bytes, { label: model.label })
  try {
    const outputs: LoggedColumns = {}
    const batchLatenciesMs: number[] = []
    for (let start = 0; start < holdout.rows.length; start += BATCH_ROWS) {
      if (signal.aborted) throw new AppError('INVALID_STATE', 'evaluate: cancelled while scoring.')
      const data = holdout.rows.slice(start, start + BATCH_ROWS)
      const inputs = decodeMlflowScoringJson({ dataframe_split: { columns: holdout.features, data } }, loaded.signature)
      const began = performance.now()
      const result = await loaded.infer(inputs)
      batchLatenciesMs.push(performance.now() - began)
      appendColumns(outputs, tensorsToColumns(result), start)
    }
    return { outputs, batchLatenciesMs }
  } catch (error) {
    if (error instanceof AppError && error.code === 'INVALID_PARAMETER_VALUE') {
      throw new AppError('INVALID_PARAMETER_VALUE', `evaluate: ${model.label} cannot score the data: ${error.message}`, { cause: error })
    }
    throw error
  } finally {
    await loaded.dispose()
  }
}

function appendColumns(into: LoggedColumns, batch: LoggedColumns, before: number): void {
  for (const [name, values] of Object.entries(batch)) {
    const column = (into[name] ??= new Array(before).fill(null))
    column.push(...values)
  }
}
