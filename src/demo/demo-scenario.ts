import { realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Services } from '../app/services.js'
import { train } from '../training/train-model.js'
import { trackTraining } from '../training/training-tracking.js'
import { CHURN_FEATURES, CHURN_TARGET, generateChurnData } from './churn-data.js'
import type { DemoWorkspace } from './demo-workspace.js'
import { DEMO_DEPLOYMENT, DEMO_MODEL, DRIFT_MONITOR, EXAMPLE_PARAMS, HEALTH_MONITOR, RETRAIN_PIPELINE, retrainPipelineYaml } from './retrain-pipeline.js'
import { waitForTriggeredRun, watchRun } from './run-watcher.js'
import { backgroundTraffic, TrafficSender, type SendOptions } from './traffic-sender.js'
import type { RunView } from '../pipelines/pipeline-service.js'

export interface DemoOptions {
  /** Training rows; the drifted traffic has as many. */
  readonly rows: number
  /** Canary bake per stage. */
  readonly bake: string
  readonly log: (line: string) => void
}

/** What the scenario did, for the summary (which reads the rest from the services). */
export interface ScenarioResult {
  readonly v1: { version: number; runId: string; f1: number }
  readonly baselineDriftShare: number | null
  readonly alertRun: MonitorRunWire
  readonly pipelineYaml: string
  readonly view: RunView
  readonly sender: TrafficSender
}

export interface MonitorRunWire {
  time: number
  results?: { drift: { share: number; features: { feature: string; method: string; score: number | null; drift: boolean }[] } | null; conditions: { type: string; value: number | null; holds: boolean }[] }
}

const USER = 'plinth-demo'
const TRAFFIC: SendOptions = { batch: 8, concurrency: 4, idPrefix: 'p' }
const RUN_START_TIMEOUT_MS = 30_000
const RUN_TIMEOUT_MS = 300_000

/** A named stage, so a failure says where the loop broke. */
export class StageError extends Error {
  constructor(readonly stage: string, readonly cause: unknown) {
    super(`${stage}: ${(cause as Error).message}`)
  }
}

async function stage<T>(name: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  log(`▸ ${name}`)
  try {
    return await work()
  } catch (error) {
    throw new StageError(name, error)
  }
}

/** The whole loop: train v1, serve it, send traffic, drift, alert, triggered retraining, canary. */
export async function runScenario(ws: DemoWorkspace, options: DemoOptions): Promise<ScenarioResult> {
  const { services, url } = ws.server
  const log = options.log
  const sender = new TrafficSender(url, DEMO_DEPLOYMENT, CHURN_FEATURES.length)
  const v1 = await stage(`train ${DEMO_MODEL} v1 on ${options.rows} rows, register it as champion, deploy ${DEMO_DEPLOYMENT}`, log, () => trainFirstModel(ws, services, options.rows))
  log(`  ${DEMO_MODEL} v${v1.version}: holdout f1 ${v1.f1.toFixed(3)} (run ${v1.runId})`)
  const baselineDriftShare = await stage('send normal traffic with delayed labels; create monitors; run the drift monitor', log, async () => {
    await createMonitors(services)
    await sendLabelled(services, sender, generateChurnData({ rows: Math.ceil(options.rows / 2), seed: 21, shift: 0 }).rows, 'normal')
    const run = await runMonitor(url, DRIFT_MONITOR)
    return run.results?.drift?.share ?? null
  })
  log(`  ${sender.totals.requests} requests, ${sender.totals.labelled} labelled; drift share ${baselineDriftShare?.toFixed(2) ?? 'n/a'}: no alert`)
  const pipelineYaml = await stage(`apply pipeline ${RETRAIN_PIPELINE} with an alert trigger on ${DRIFT_MONITOR}`, log, () => applyPipeline(ws, services, options.bake))
  const alertRun = await stage('send drifted traffic with labels; run the drift monitor', log, async () => {
    const drifted = generateChurnData({ rows: options.rows, seed: 31, shift: 1 }).rows
    const cut = Math.floor(drifted.length * 0.75)
    ws.writeData('recent.csv', { columns: [...CHURN_FEATURES, CHURN_TARGET], rows: drifted.slice(0, cut) })
    ws.writeData('holdout.csv', { columns: [...CHURN_FEATURES, CHURN_TARGET], rows: drifted.slice(cut) })
    await sendLabelled(services, sender, drifted, 'drifted')
    return runMonitor(url, DRIFT_MONITOR)
  })
  const fired = alertRun.results?.conditions.find((c) => c.type === 'drift_share')
  log(`  drift share ${fired?.value?.toFixed(2) ?? 'n/a'}: alert ${fired?.holds ? 'fired' : 'did not fire'}`)
  const view = await stage(`wait for the alert to start ${RETRAIN_PIPELINE} and follow it`, log, () => followRun(services, sender, options.rows, log))
  return { v1, baselineDriftShare, alertRun, pipelineYaml, view, sender }
}

async function trainFirstModel(ws: DemoWorkspace, services: Services, rows: number) {
  const path = ws.writeData('train.csv', generateChurnData({ rows, seed: 11, shift: 0 }))
  const result = train(path, { target: CHURN_TARGET, model: 'logistic' })
  const tracked = await trackTraining(services, result, { experiment: DEMO_MODEL, register: DEMO_MODEL, dataPath: path, userId: USER })
  const version = tracked.version!.version
  await services.registry.setAlias(DEMO_MODEL, 'champion', version, USER)
  await services.deployments.create(DEMO_DEPLOYMENT, { routes: [{ model: DEMO_MODEL, alias: 'champion', weight: 100 }] }, USER)
  return { version, runId: tracked.runId, f1: result.metrics.f1 ?? Number.NaN }
}

/** Scheduled hourly so that only the demo (and the canary) runs them while it lasts. */
async function createMonitors(services: Services): Promise<void> {
  await services.monitors.create({ name: DRIFT_MONITOR, deployment: DEMO_DEPLOYMENT, schedule: { every: '1h' }, window: '15m', reference: 'version', conditions: [{ type: 'drift_share', threshold: 0.3 }] })
  await services.monitors.create({ name: HEALTH_MONITOR, deployment: DEMO_DEPLOYMENT, schedule: { every: '1h' }, window: '1m', conditions: [{ type: 'error_rate', max: 0.01 }, { type: 'latency_p99', max_ms: 1000 }] })
}

/** Labels arrive after the predictions are logged: they are joined by prediction id. */
async function sendLabelled(services: Services, sender: TrafficSender, rows: readonly (readonly number[])[], phase: string): Promise<void> {
  const sent = await sender.send(rows, { ...TRAFFIC, idPrefix: phase })
  await services.predictionLogs.flush()
  await sender.sendFeedback(sent)
}

/** Runs a monitor through the API, as `plinth monitors run` does. */
async function runMonitor(url: string, monitor: string): Promise<MonitorRunWire> {
  const response = await fetch(`${url}/api/plinth/v1/monitors/${monitor}/run`, { method: 'POST' })
  const body = (await response.json()) as { run?: MonitorRunWire; message?: string }
  if (!response.ok || !body.run) throw new Error(`running monitor ${monitor} answered ${response.status}: ${body.message ?? JSON.stringify(body)}`)
  return body.run
}

async function applyPipeline(ws: DemoWorkspace, services: Services, bake: string): Promise<string> {
  const yaml = retrainPipelineYaml({ ...EXAMPLE_PARAMS, plinth: plinthCommand(), bake })
  const file = join(ws.dir, `${RETRAIN_PIPELINE}.yaml`)
  writeFileSync(file, yaml)
  await services.pipelines.apply(yaml, { file, baseDir: ws.dir })
  // Applying re-arms triggers in the background; arm now so the coming alert is not older than the trigger.
  await services.triggers.refresh()
  return file
}

/** This Node binary and this package's CLI entry, so the train step runs the same Plinth. */
export function plinthCommand(): string {
  const entry = realpathSync(process.argv[1]!)
  return [process.execPath, ...process.execArgv, entry].map(shellQuote).join(' ')
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

async function followRun(services: Services, sender: TrafficSender, rows: number, log: (line: string) => void): Promise<RunView> {
  const run = await waitForTriggeredRun(services.pipelines, RETRAIN_PIPELINE, RUN_START_TIMEOUT_MS)
  log(`  run ${run.id} started by trigger '${run.trigger.kind}' (reason: ${run.params.reason ?? '-'})`)
  // The canary judges the candidate by its own requests, so traffic keeps flowing during the bake.
  let seed = 100
  const traffic = backgroundTraffic(sender, () => generateChurnData({ rows: 16, seed: seed++, shift: 1 }).rows, { batch: 4, concurrency: 2, idPrefix: 'live', pauseMs: 50 })
  try {
    return await watchRun(services.pipelines, run.id, RUN_TIMEOUT_MS + rows * 10, log)
  } finally {
    await traffic.stop()
  }
}
