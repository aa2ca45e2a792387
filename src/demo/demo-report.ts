import type { Services } from '../app/services.js'
import type { StepAttempt } from '../pipelines/pipeline-store.js'
import { CHURN_FEATURES } from './churn-data.js'
import type { ScenarioResult } from './demo-scenario.js'
import { DEMO_DEPLOYMENT, DEMO_MODEL, DRIFT_MONITOR, RETRAIN_PIPELINE } from './retrain-pipeline.js'

export type DemoOutcome = 'promoted' | 'rolled_back' | 'failed'

/** Everything the summary shows; `--json` prints it as is. */
export interface DemoReport {
  readonly outcome: DemoOutcome
  /** Why the loop did not complete, or why the canary rolled back. */
  readonly reason: string | null
  readonly seconds: number
  readonly workspace: string | null
  readonly server: string
  readonly traffic: { requests: number; rows: number; failed: number; labelled: number }
  readonly models: { version: number; f1_at_training: number | null; f1_on_drifted_holdout: number | null; source_run: string | null }[]
  readonly champion: { before: number; after: number }
  readonly alert: { id: string | null; monitor: string; fired_at: string | null; drift_share: number | null; baseline_drift_share: number | null; drifted_features: { feature: string; column: string; method: string; score: number | null }[] }
  readonly pipeline_run: { id: string; status: string; trigger: string; event_id: string | null; reason: string | null; mlflow_run: string | null; steps: { step: string; status: string; seconds: number | null; error: string | null; mlflow_run: string | null }[] }
  readonly gate: { passed: boolean; conditions: { condition: string; values: string }[] }
  readonly canary: { decision: string; stages: { weight: string; requests: string; error_rate: string; p99_ms: string }[] }
  readonly links: Record<string, string>
}

const numberOr = (text: string | undefined): number | null => (text === undefined || text === '' || Number.isNaN(Number(text)) ? null : Number(text))

const rounded = (text: string | undefined) => (numberOr(text) === null ? '' : String(Math.round(Number(text) * 10) / 10))

/** `input[3]` is the fourth feature the model was trained on. */
export function featureName(column: string): string {
  const m = /^input\[(\d+)\]$/.exec(column)
  return (m && CHURN_FEATURES[Number(m[1])]) || column
}

export function outcomeOf(attempts: readonly StepAttempt[], runStatus: string): { outcome: DemoOutcome; reason: string | null } {
  const last = (step: string) => attempts.filter((a) => a.step === step).at(-1)
  const canary = last('deploy-canary')
  if (runStatus === 'succeeded' && last('promote')?.status === 'succeeded') return { outcome: 'promoted', reason: null }
  if (canary?.status === 'failed' && /rolled back/.test(canary.error ?? '')) return { outcome: 'rolled_back', reason: canary.error }
  const failed = attempts.find((a) => a.status === 'failed' || a.status === 'timed_out' || a.status === 'lost')
  return { outcome: 'failed', reason: failed ? `step '${failed.step}' ${failed.status}: ${failed.error ?? 'no message'}` : `the pipeline run ended ${runStatus}` }
}

function stepOutputs(attempts: readonly StepAttempt[], step: string): Readonly<Record<string, string>> {
  return attempts.filter((a) => a.step === step && a.status === 'succeeded').at(-1)?.outputParams ?? {}
}

function gateOf(outputs: Readonly<Record<string, string>>, attempt: StepAttempt | undefined): DemoReport['gate'] {
  const conditions: { condition: string; values: string }[] = []
  for (let i = 1; outputs[`condition.${i}`] !== undefined; i++) conditions.push({ condition: outputs[`condition.${i}`]!, values: outputs[`condition.${i}.values`] ?? '' })
  if (conditions.length === 0 && attempt?.error) conditions.push({ condition: 'failed', values: attempt.error })
  return { passed: outputs.passed === 'true', conditions }
}

function canaryOf(outputs: Readonly<Record<string, string>>, attempt: StepAttempt | undefined): DemoReport['canary'] {
  const stages: DemoReport['canary']['stages'] = []
  for (let i = 1; outputs[`stage.${i}.weight`] !== undefined; i++) {
    stages.push({ weight: outputs[`stage.${i}.weight`]!, requests: outputs[`stage.${i}.requests`] ?? '', error_rate: outputs[`stage.${i}.error_rate`] ?? '', p99_ms: rounded(outputs[`stage.${i}.p99_ms`]) })
  }
  const decision = outputs.decision ?? (attempt?.status === 'failed' && /rolled back/.test(attempt.error ?? '') ? 'rolled_back' : attempt ? attempt.status : 'not reached')
  return { decision, stages }
}

/** Reads what happened back from the services, so the summary shows what is stored, not what was meant. */
export async function buildReport(services: Services, result: ScenarioResult, meta: { url: string; startedAt: number; workspace: string | null }): Promise<DemoReport> {
  const run = result.view.run
  // Skipped steps never started; they sort last, in the order they were recorded.
  const attempts = [...result.view.attempts].sort((a, b) => (a.startedAt ?? Number.MAX_SAFE_INTEGER) - (b.startedAt ?? Number.MAX_SAFE_INTEGER))
  const evaluate = stepOutputs(attempts, 'evaluate')
  const register = stepOutputs(attempts, 'register')
  const newVersion = numberOr(register.version)
  const champion = (await services.registry.getModelVersionByAlias(DEMO_MODEL, 'champion')).version
  const [alert] = await services.monitors.alerts({ monitor: DRIFT_MONITOR })
  const drift = result.alertRun.results?.drift
  const models: DemoReport['models'] = [{ version: result.v1.version, f1_at_training: result.v1.f1, f1_on_drifted_holdout: numberOr(evaluate['champion.f1']), source_run: result.v1.runId }]
  if (newVersion !== null) models.push({ version: newVersion, f1_at_training: numberOr(stepOutputs(attempts, 'train').f1), f1_on_drifted_holdout: numberOr(evaluate['challenger.f1']), source_run: stepOutputs(attempts, 'train').run_id ?? null })
  const { outcome, reason } = outcomeOf(attempts, run.status)
  const trainMetrics = attempts.find((a) => a.step === 'train' && a.status === 'succeeded')?.metrics
  if (models[1] && trainMetrics?.f1 !== undefined) models[1].f1_at_training = trainMetrics.f1
  return {
    outcome,
    reason,
    seconds: Math.round((Date.now() - meta.startedAt) / 100) / 10,
    workspace: meta.workspace,
    server: meta.url,
    traffic: { ...result.sender.totals },
    models,
    champion: { before: result.v1.version, after: champion },
    alert: {
      id: alert?.id ?? null,
      monitor: DRIFT_MONITOR,
      fired_at: alert?.startedAt ? new Date(alert.startedAt).toISOString() : null,
      drift_share: drift?.share ?? null,
      baseline_drift_share: result.baselineDriftShare,
      drifted_features: (drift?.features ?? []).filter((f) => f.drift).map((f) => ({ feature: featureName(f.feature), column: f.feature, method: f.method, score: f.score })),
    },
    pipeline_run: {
      id: run.id,
      status: run.status,
      trigger: run.trigger.kind,
      event_id: run.trigger.eventId ?? null,
      reason: run.params.reason ?? null,
      mlflow_run: run.trackingRunId,
      steps: attempts.map((a) => ({ step: a.step, status: a.status, seconds: a.startedAt !== null && a.endedAt !== null ? (a.endedAt - a.startedAt) / 1000 : null, error: a.error, mlflow_run: a.trackingRunId })),
    },
    gate: gateOf(stepOutputs(attempts, 'gate'), attempts.filter((a) => a.step === 'gate').at(-1)),
    canary: canaryOf(stepOutputs(attempts, 'deploy-canary'), attempts.filter((a) => a.step === 'deploy-canary').at(-1)),
    links: links(meta.url, run.id, alert?.id),
  }
}

function links(url: string, runId: string, alertId: string | undefined): Record<string, string> {
  const api = `${url}/api/plinth/v1`
  return {
    deployment_monitoring: `${api}/deployments/${DEMO_DEPLOYMENT}/monitoring`,
    deployment_history: `${api}/deployments/${DEMO_DEPLOYMENT}/history`,
    pipeline_run: `${api}/pipeline-runs/${runId}`,
    pipeline_runs: `${api}/pipelines/${RETRAIN_PIPELINE}/runs`,
    ...(alertId ? { alert: `${api}/alerts/${alertId}` } : {}),
    alert_events: `${api}/alerts/events?after=0`,
    model_versions: `${url}/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name='${DEMO_MODEL}'`)}`,
  }
}
