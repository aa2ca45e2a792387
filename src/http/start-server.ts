import cluster from 'node:cluster'
import type { FastifyInstance } from 'fastify'
import { createServices, type ServiceOptions, type Services } from '../app/services.js'
import type { PlinthConfig } from '../config/index.js'
import { PLINTH_VERSION } from '../version.js'
import { createApp } from './create-app.js'
import { serveClusterMetrics } from '../observability/cluster-metrics.js'

export interface RunningServer {
  app: FastifyInstance
  services: Services
  url: string
  close(): Promise<void>
}

/** Starts one HTTP server process on the configured host and port. */
export async function startServer(config: PlinthConfig, logger: boolean | Record<string, unknown> = { level: config.logLevel }, serviceOptions: ServiceOptions = {}): Promise<RunningServer> {
  const services = await createServices(config, serviceOptions)
  const app = await createApp(services, { logger })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await services.close()
    throw error
  }
  services.predictionLogs.startRetention()
  const url = listeningUrl(app, config)
  services.monitors.setPublicUrl(url)
  services.monitorScheduler.start()
  services.setPipelineTrackingUri(url)
  await services.pipelines.start()
  await services.triggers.start()
  let closing: Promise<void> | undefined
  return {
    app,
    services,
    url,
    // Fastify's close stops accepting, lets in-flight requests finish, then resolves.
    close: () => (closing ??= closeHttp(app).then(() => services.close())),
  }
}

/** The URL a listening app answers on; with `--port 0` the port the system chose. */
export function listeningUrl(app: FastifyInstance, config: PlinthConfig): string {
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
}

/**
 * Fastify closes only the keep-alive connections that are idle when close begins. One still
 * answering a request then stays open after its response until keepAliveTimeout (72 s), holding
 * up shutdown, so idle connections are closed again until the server is down.
 */
export async function closeHttp(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
  sweep.unref()
  try {
    await app.close()
  } finally {
    clearInterval(sweep)
  }
}

/**
 * `plinth server`: one process, or with --workers N a primary that migrates once and forks N
 * workers sharing the port (the cluster module balances connections between them).
 */
export async function runServer(config: PlinthConfig, announce: (line: string) => void): Promise<void> {
  if (config.workers > 1 && cluster.isPrimary) {
    const services = await createServices(config)
    await services.close()
    serveClusterMetrics()
    for (let i = 0; i < config.workers; i++) cluster.fork()
    const stop = () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    }
    // Handlers before the announcement: whoever reads the address may stop the server at once.
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
    announce(`Plinth ${PLINTH_VERSION}: ${config.workers} workers on http://${config.host}:${config.port}`)
    return
  }
  const server = await startServer(config)
  const shutdown = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  if (!cluster.isWorker) {
    announce(`Plinth ${PLINTH_VERSION} listening on ${server.url}`)
    announce(`  metadata: ${server.services.database.displayUri}`)
    announce(`  artifacts: ${server.services.artifacts.storeUri}`)
    announce(`  auth: ${config.auth ? 'on (API tokens required)' : 'off (pass --auth to require API tokens)'}`)
  }
}
