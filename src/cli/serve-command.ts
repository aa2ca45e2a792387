import type { Command } from 'commander'
import { resolveConfig } from '../config/index.js'
import { runModelServer } from '../http/start-model-server.js'
import { action } from './cli-context.js'
import { servingFlags, withServingFlags } from './serving-flags.js'

/** `plinth serve -m <model-uri>`: MLflow's `mlflow models serve`, for one ONNX model. */
export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('serve one model over MLflow scoring (/invocations), Open Inference Protocol V2 and KServe V1')
    .requiredOption('-m, --model-uri <uri>', 'models:/NAME/VERSION, models:/NAME@ALIAS, runs:/RUN_ID/PATH, or a local .onnx file')
    .option('--name <name>', 'the name on /v2/models/<name> and /v1/models/<name> (default: the registered name, or the file name)')
    .option('--host <host>', 'interface to bind (env PLINTH_HOST)')
    .option('-p, --port <port>', 'port (env PLINTH_PORT)')
    .option('-w, --workers <n>', 'processes sharing the port (env PLINTH_WORKERS)')
    .option('--backend-store-uri <uri>', 'registry database for models:/ and runs:/ URIs (env PLINTH_BACKEND_STORE_URI)')
    .option('--artifacts-destination <uri>', 'artifact store for models:/ and runs:/ URIs (env PLINTH_ARTIFACTS_DESTINATION)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug (env PLINTH_LOG_LEVEL)')
  withServingFlags(command).action(
    action(async (flags: Record<string, string | undefined>) => {
      const config = resolveConfig({
        host: flags.host,
        port: flags.port,
        workers: flags.workers,
        backendStoreUri: flags.backendStoreUri,
        artifactsDestination: flags.artifactsDestination,
        logLevel: flags.logLevel,
        ...servingFlags(flags),
      })
      await runModelServer(config, flags.modelUri!, flags.name, (line) => process.stdout.write(`${line}\n`))
    }),
  )
}
