import { appendFileSync, statSync, writeFileSync } from 'node:fs'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { invalidParameter, notFound } from '../shared/errors.js'
import { DEFAULT_SEED, DEFAULT_TEST_SIZE, train, type TrainOptions, type TrainResult } from '../training/train-model.js'
import { trackTraining, type TrackedTraining } from '../training/training-tracking.js'
import { referenceCsv } from '../training/reference-data.js'
import type { ModelKind, TaskKind } from '../training/training-types.js'
import { action, localUser, withServices, withStore } from './cli-context.js'
import { printObject } from './output.js'

interface TrainFlags {
  backendStoreUri?: string
  data: string
  target: string
  task?: string
  model?: string
  features?: string
  testSize: string
  seed: string
  out?: string
  experiment?: string
  register?: string
  json?: boolean
  trees?: string
  depth?: string
  learningRate?: string
  minSamplesLeaf?: string
  l2?: string
  maxIter?: string
  referenceOut?: string
  metricsFile?: string
}

/** Tracking and registering copy files into the artifact store, so it is opened too. */
const WITH_ARTIFACTS = { withoutArtifacts: false, migrateEmpty: false }

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw invalidParameter(`${flag} '${value}' is not a number.`)
  return n
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly string[]).includes(value)) throw invalidParameter(`${flag} '${value}' is not one of ${allowed.join(', ')}.`)
  return value as T
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export function trainOptions(flags: TrainFlags): TrainOptions {
  const model = oneOf<ModelKind>('--model', flags.model, ['logistic', 'linear', 'gbt'])
  const task = oneOf<TaskKind>('--task', flags.task, ['classification', 'regression'])
  const seed = number('--seed', flags.seed)!
  if (!Number.isSafeInteger(seed)) throw invalidParameter(`--seed '${flags.seed}' must be a whole number.`)
  const l2 = number('--l2', flags.l2)
  return definedOnly({
    target: flags.target,
    task,
    model,
    features: flags.features?.split(',').map((f) => f.trim()).filter((f) => f !== ''),
    testSize: number('--test-size', flags.testSize),
    seed,
    gbt: definedOnly({ trees: number('--trees', flags.trees), maxDepth: number('--depth', flags.depth), learningRate: number('--learning-rate', flags.learningRate), minSamplesLeaf: number('--min-samples-leaf', flags.minSamplesLeaf) }),
    logistic: definedOnly({ l2, maxIterations: number('--max-iter', flags.maxIter) }),
    linear: definedOnly({ l2 }),
  })
}

function checkReadable(path: string): void {
  try {
    if (!statSync(path).isFile()) throw new Error('not a file')
  } catch {
    throw notFound(`Cannot read the training data '${path}': check the path.`)
  }
}

function writeModel(path: string, bytes: Uint8Array): void {
  writeFileOrExplain(path, bytes, 'model')
}

function writeFileOrExplain(path: string, content: Uint8Array | string, what: string, append = false): void {
  try {
    if (append) appendFileSync(path, content)
    else writeFileSync(path, content)
  } catch (error) {
    throw invalidParameter(`Cannot write the ${what} to '${path}': ${(error as Error).message}. Choose a writable path.`)
  }
}

/** A bar on stderr over optimizer iterations or boosting rounds, when someone is watching. */
function progressBar(model: ModelKind | undefined): { listener?: (done: number, total: number) => void; stop(): void } {
  if (!process.stderr.isTTY || model === 'linear') return { stop() {} }
  const unit = model === 'logistic' ? 'iterations' : 'trees'
  const bar = new SingleBar({ format: `training [{bar}] {value}/{total} ${unit}`, stream: process.stderr, hideCursor: true, clearOnComplete: true })
  let started = false
  return {
    listener: (done, total) => {
      if (!started) bar.start(total, 0)
      started = true
      bar.update(done)
    },
    stop: () => started && bar.stop(),
  }
}

/** The `--json` shape other tools rely on; documented in docs/training.md. */
export function trainOutput(result: TrainResult, out: string | undefined, tracked: TrackedTraining | undefined) {
  return {
    task: result.task,
    model: result.modelKind,
    target: result.target,
    features: result.featureNames,
    ...(result.classes ? { classes: result.classes.names } : {}),
    trainRows: result.split.train.length,
    testRows: result.split.test.length,
    droppedRows: result.droppedRows,
    params: result.params,
    metrics: result.metrics,
    trainSeconds: result.trainSeconds,
    out: out ?? null,
    experimentId: tracked?.experimentId ?? null,
    runId: tracked?.runId ?? null,
    modelUri: tracked?.modelUri ?? null,
    registeredModel: tracked?.version?.name ?? null,
    version: tracked?.version?.version ?? null,
  }
}

function printSummary(output: ReturnType<typeof trainOutput>): void {
  const lines = [`Trained ${output.model} (${output.task}, target ${output.target}) on ${output.trainRows} rows in ${output.trainSeconds.toFixed(2)} s; held out ${output.testRows}:`]
  for (const [key, value] of Object.entries(output.metrics)) lines.push(`  ${key.padEnd(9)} ${value.toFixed(4)}`)
  if (output.droppedRows > 0) lines.push(`note: ${output.droppedRows} rows with an empty or non-finite value were left out`)
  if (output.out) lines.push(`Model written to ${output.out}`)
  if (output.runId) lines.push(`Run ${output.runId} (experiment ${output.experimentId}), model ${output.modelUri}`)
  if (output.registeredModel) lines.push(`Registered ${output.registeredModel} version ${output.version}; serve it at /v2/models/${output.registeredModel}/infer with input 'input' [N, ${output.features.length}]`)
  if (!output.out && !output.runId) lines.push('The model was not kept: pass --out FILE, --experiment NAME or --register NAME.')
  process.stdout.write(`${lines.join('\n')}\n`)
}

async function run(flags: TrainFlags): Promise<void> {
  const options = trainOptions(flags)
  checkReadable(flags.data)
  const bar = progressBar(options.model ?? 'gbt')
  let result: TrainResult
  try {
    result = train(flags.data, bar.listener ? { ...options, onProgress: bar.listener } : options)
  } finally {
    bar.stop()
  }
  if (flags.out) writeModel(flags.out, result.onnx)
  if (flags.referenceOut) writeFileOrExplain(flags.referenceOut, referenceCsv(result), 'reference data')
  // The `name=value` lines a pipeline step's $PLINTH_METRICS file takes, so a step logs the holdout metrics.
  if (flags.metricsFile) writeFileOrExplain(flags.metricsFile, Object.entries(result.metrics).map(([k, v]) => `${k}=${v}\n`).join(''), 'metrics', true)
  let tracked: TrackedTraining | undefined
  if (flags.experiment !== undefined || flags.register !== undefined) {
    const request = definedOnly({ experiment: flags.experiment, register: flags.register, dataPath: flags.data, userId: localUser() })
    tracked = await withServices(flags, (services) => trackTraining(services, result, request), WITH_ARTIFACTS)
  }
  const output = trainOutput(result, flags.out, tracked)
  if (flags.json) printObject(output, true)
  else printSummary(output)
}

export function registerTrainCommand(program: Command): void {
  withStore(program.command('train'))
    .description('train a baseline model (logistic, linear or gradient-boosted trees) on a CSV, export it to ONNX, track and register it')
    .requiredOption('--data <file>', 'training CSV with a header row; numeric features')
    .requiredOption('--target <column>', 'the column to predict')
    .option('--task <task>', 'classification or regression (default: inferred from the target)')
    .option('--model <model>', 'logistic, linear or gbt', 'gbt')
    .option('--features <a,b,c>', 'feature columns (default: every column but the target)')
    .option('--test-size <share>', 'share of rows held out for the metrics', String(DEFAULT_TEST_SIZE))
    .option('--seed <n>', 'seed of the train/test shuffle', String(DEFAULT_SEED))
    .option('--out <file>', 'write the ONNX model here')
    .option('--experiment <name>', 'log a run to this experiment (created if needed)')
    .option('--register <name>', 'register the model as a new version of this model (logs a run too)')
    .option('--trees <n>', 'gbt: boosting rounds (default 100)')
    .option('--depth <n>', 'gbt: maximum tree depth (default 3)')
    .option('--learning-rate <x>', 'gbt: shrinkage (default 0.1)')
    .option('--min-samples-leaf <n>', 'gbt: fewest rows in a leaf (default 1)')
    .option('--l2 <x>', "logistic: L2 strength 1/C (default 1, scikit-learn's C=1); linear: ridge on standardized weights (default 0)")
    .option('--max-iter <n>', 'logistic: L-BFGS iterations (default 100)')
    .option('--reference-out <file>', 'write the training rows as reference data for drift monitors (columns named as prediction logs name them: input[0], …)')
    .option('--metrics-file <file>', "append the holdout metrics as name=value lines (a pipeline step passes \"$PLINTH_METRICS\")")
    .option('--json', 'machine-readable output')
    .action(action(run))
}
