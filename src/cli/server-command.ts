import type { Command } from 'commander'
import { resolveConfig } from '../config/index.js'
import { runServer } from '../http/start-server.js'
import { action } from './cli-context.js'
import { servingFlags, withServingFlags } from './serving-flags.js'

export function registerServerCommand(program: Command): void {
  const command = program
    .command('server')
    .description('run the Plinth server (tracking, registry, deployments, inference) on one port')
    .option('--host <host>', 'interface to bind (env PLINTH_HOST)', undefined)
    .option('--port <port>', 'port (env PLINTH_PORT)', undefined)
    .option('--backend-store-uri <uri>', 'metadata database: sqlite:///path.db or postgresql://… (env PLINTH_BACKEND_STORE_URI)')
    .option('--artifacts-destination <uri>', 'artifact store: a folder, file:///…, or s3://bucket/prefix (env PLINTH_ARTIFACTS_DESTINATION)')
    .option('--workers <n>', 'server processes sharing the port (env PLINTH_WORKERS)')
    .option('--auth', 'require API tokens on every request (env PLINTH_AUTH)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug (env PLINTH_LOG_LEVEL)')
    .option('--executor <kind>', 'where pipeline command steps run: local (child processes) or queue (plinth worker via Redis) (env PLINTH_EXECUTOR)')
    .option('--redis-url <url>', 'Redis for --executor queue (env PLINTH_REDIS_URL)')
    .option('--cors-origins <origins>', 'browser origins allowed to call the API, comma-separated (env PLINTH_CORS_ORIGINS, default none: CORS off)')
    .option('--hsts', 'send Strict-Transport-Security; only when clients reach the server over TLS (env PLINTH_HSTS)')
    .option('--rate-limit <rps>', 'management API requests/s per token (per address without --auth), 0 = off (env PLINTH_RATE_LIMIT, default 200 with --auth, else 0)')
    .option('--artifact-upload-limit <bytes>', 'largest artifact upload, 0 = none (env PLINTH_ARTIFACT_UPLOAD_LIMIT, default 16 GiB)')
    .option('--rate-limit-burst <n>', 'requests a caller may send at once above --rate-limit (env PLINTH_RATE_LIMIT_BURST, default twice the rate)')
  withServingFlags(command).action(
    action(async (flags: Record<string, string | boolean | undefined>) => {
      const config = resolveConfig({
        host: flags.host as string | undefined,
        port: flags.port as string | undefined,
        backendStoreUri: flags.backendStoreUri as string | undefined,
        artifactsDestination: flags.artifactsDestination as string | undefined,
        workers: flags.workers as string | undefined,
        auth: flags.auth as boolean | undefined,
        logLevel: flags.logLevel as string | undefined,
        executor: flags.executor as string | undefined,
        redisUrl: flags.redisUrl as string | undefined,
        corsOrigins: flags.corsOrigins as string | undefined,
        hsts: flags.hsts as boolean | undefined,
        rateLimit: flags.rateLimit as string | undefined,
        rateLimitBurst: flags.rateLimitBurst as string | undefined,
        artifactUploadLimit: flags.artifactUploadLimit as string | undefined,
        ...servingFlags(flags),
      })
      await runServer(config, (line) => process.stdout.write(`${line}\n`))
    }),
  )
}
