#!/usr/bin/env node
import { Command } from 'commander'
import { PLINTH_VERSION } from '../version.js'
import { reportAndExit } from './cli-context.js'
import { registerDbCommand } from './db-command.js'
import { registerDeploymentsCommand } from './deployments-command.js'
import { registerDriftCommand } from './drift-command.js'
import { registerProfileCommand } from './profile-command.js'
import { registerExperimentsCommand } from './experiments-command.js'
import { registerFeedbackCommand } from './feedback-command.js'
import { registerModelsCommand } from './models-command.js'
import { registerPredictionsCommand } from './predictions-command.js'
import { registerPerformanceCommand } from './performance-command.js'
import { registerMonitorsCommand } from './monitors-command.js'
import { registerRunsCommand } from './runs-command.js'
import { registerServeCommand } from './serve-command.js'
import { registerServerCommand } from './server-command.js'
import { registerTokensCommand } from './tokens-command.js'
import { registerWorkerCommand } from './worker-command.js'

const program = new Command()
  .name('plinth')
  .description('Plinth: track experiments, register and serve models, and keep them working')
  .version(PLINTH_VERSION)
  .showHelpAfterError('(run with --help for usage)')

registerServerCommand(program)
registerServeCommand(program)
registerDbCommand(program)
registerExperimentsCommand(program)
registerRunsCommand(program)
registerTokensCommand(program)
registerModelsCommand(program)
registerDeploymentsCommand(program)
registerDriftCommand(program)
registerPredictionsCommand(program)
registerFeedbackCommand(program)
registerPerformanceCommand(program)
registerProfileCommand(program)
registerMonitorsCommand(program)
registerWorkerCommand(program)

program.parseAsync(process.argv).catch(reportAndExit)
