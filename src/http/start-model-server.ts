import cluster from 'node:cluster'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { openPredictionLogging } from '../app/prediction-logging.js'
import { loadServedModel, type ServedModel } from '../app/served-model.js'
import type { PlinthConfig } from '../config/index.js'
import type { SingleModel } from '../inference/index.js'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import { PLINTH_VERSION } from '../version.js'
import { createModelServerApp } from './model-server-app.js'
import { serveClusterMetrics } from '../observability/cluster-metrics.js'
import { closeHttp, listeningUrl } from './start-server.js'

export interface RunningModelServer {
  app: FastifyInstance
  url: string
  close(): Promise<void>
}

/**
 * Starts the one-model server. The model is loaded and warmed up before the port opens, so a
 * model onnxruntime cannot run stops the start with its reason, and the first request is fast.
 */
export async function startModelServer(config: PlinthConfig, model: SingleModel, logger: boolean | Record<string, unknown> = { level: config.logLevel }): Promise<RunningModelServer> {
  const metrics = new PlinthMetrics()
  // Predictions are logged to the backend store (the embedded SQLite file by default).
  const logging = config.predictionLogging ? await openPredictionLogging(config, metrics) : undefined
  const sink = logging?.service.sink
  const { app, inference } = await createModelServerApp(model, config, logger, { metrics, ...(sink ? { predictions: sink } : {}) })
  logging?.onWarning((message) => app.log.warn(message))
  try {
    await app.ready()
    await inference.ready(model.name)
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await app.close()
    await logging?.close()
    throw error
  }
  logging?.service.startRetention()
  let closing: Promise<void> | undefined
  return {
    app,
    url: listeningUrl(app, config),
    // The app's close ends serving first, so the buffer holds every answered request.
    close: () => (closing ??= closeHttp(app).then(() => logging?.close())),
  }
}

/** Where a `--workers` primary leaves the resolved model for its workers. */
const WORKER_MODEL = 'PLINTH_SERVE_WORKER_MODEL'

/**
 * `plinth serve -m <uri>`: resolves the model once, then serves it in one process, or with
 * `--workers N` in N processes sharing the port. The primary resolves and hands the bytes to its
 * workers through a temporary file, so every worker serves the same version even if an alias
 * moves while they start, and none of them needs the database.
 */
export async function runModelServer(config: PlinthConfig, uri: string, name: string | undefined, announce: (line: string) => void): Promise<void> {
  if (cluster.isWorker) {
    const handoff = JSON.parse(process.env[WORKER_MODEL] ?? '{}') as { file: string; name: string; version: number }
    const server = await startModelServer(config, { name: handoff.name, version: handoff.version, bytes: readFileSync(handoff.file) })
    onShutdown(() => server.close())
    return
  }
  const model = await loadServedModel(uri, config, name)
  if (config.workers > 1) {
    // Workers would race to migrate an empty database; the primary does it once.
    if (config.predictionLogging) await (await openPredictionLogging(config, new PlinthMetrics())).close()
    return runPrimary(config, model, announce)
  }
  const server = await startModelServer(config, model)
  // Before announcing: whoever reads the address may stop the server at once.
  onShutdown(() => server.close())
  announce(`Plinth ${PLINTH_VERSION} serving model '${model.name}' version ${model.version} from ${model.source}`)
  announce(`  listening on ${server.url}: POST /invocations, /v2/models/${model.name}/infer, /v1/models/${model.name}:predict`)
}

function runPrimary(config: PlinthConfig, model: ServedModel, announce: (line: string) => void): void {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-serve-'))
  const file = join(folder, 'model.onnx')
  writeFileSync(file, model.bytes)
  const cleanup = () => rmSync(folder, { recursive: true, force: true })
  const handoff = JSON.stringify({ file, name: model.name, version: model.version })
  serveClusterMetrics()
  for (let i = 0; i < config.workers; i++) cluster.fork({ [WORKER_MODEL]: handoff })
  let failed = false
  let stopping = false
  cluster.on('exit', (_worker, code, signal) => {
    // A worker still starting when asked to stop has no handler yet and dies of the signal itself.
    failed ||= !(code === 0 || (stopping && signal === 'SIGTERM'))
    if (Object.keys(cluster.workers ?? {}).length > 0) return
    cleanup()
    process.exit(failed ? 1 : 0)
  })
  const stop = () => {
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
  }
  // Before announcing: whoever reads the address may stop the server at once, and a SIGTERM
  // with no handler yet would kill the primary by the signal instead of stopping it cleanly.
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  announce(`Plinth ${PLINTH_VERSION} serving model '${model.name}' version ${model.version} from ${model.source}`)
  announce(`  ${config.workers} workers on http://${config.host}:${config.port}`)
}

function onShutdown(close: () => Promise<void>): void {
  const shutdown = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
