#!/usr/bin/env node
import { Command } from 'commander'
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PLINTH_VERSION } from '../version.js'
import { reportAndExit } from './cli-context.js'
import { registerCiCommand } from './ci-command.js'
import { registerDbCommand } from './db-command.js'
import { registerDemoCommand } from './demo-command.js'
import { registerDeploymentsCommand } from './deployments-command.js'
import { registerDriftCommand } from './drift-command.js'
import { registerProfileCommand } from './profile-command.js'
import { registerExperimentsCommand } from './experiments-command.js'
import { registerFeedbackCommand } from './feedback-command.js'
import { registerModelsCommand } from './models-command.js'
import { registerPredictionsCommand } from './predictions-command.js'
import { registerPerformanceCommand } from './performance-command.js'
import { registerMonitorsCommand } from './monitors-command.js'
import { registerPipelinesCommand } from './pipelines-command.js'
import { registerRunsCommand } from './runs-command.js'
import { registerServeCommand } from './serve-command.js'
import { registerServerCommand } from './server-command.js'
import { registerTokensCommand } from './tokens-command.js'
import { registerAuditCommand } from './audit-command.js'
import { registerTrainCommand } from './train-command.js'
import { registerWorkerCommand } from './worker-command.js'

const program = new Command()
  .name('plinth')
  .description('Plinth: track experiments, register and serve models, and keep them working')
  .version(PLINTH_VERSION)
  .showHelpAfterError('(run with --help for usage)')

registerServerCommand(program)
registerServeCommand(program)
registerDbCommand(program)
registerPipelinesCommand(program)
registerExperimentsCommand(program)
registerRunsCommand(program)
registerTokensCommand(program)
registerAuditCommand(program)
registerModelsCommand(program)
registerDeploymentsCommand(program)
registerDriftCommand(program)
registerPredictionsCommand(program)
registerFeedbackCommand(program)
registerPerformanceCommand(program)
registerProfileCommand(program)
registerMonitorsCommand(program)
registerCiCommand(program)
registerTrainCommand(program)
registerWorkerCommand(program)
registerDemoCommand(program)

/** The CLI with every command registered, for tests that check command lines without running them. */
export function buildProgram(): Command {
  return program
}

// Only as the entry point: importing this module (tests) must not parse the test runner's argv.
function isEntryPoint(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryPoint()) program.parseAsync(process.argv).catch(reportAndExit)
