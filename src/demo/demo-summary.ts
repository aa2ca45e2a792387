import type { DemoReport } from './demo-report.js'
import { DEMO_MODEL } from './retrain-pipeline.js'

const f3 = (value: number | null) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(3))

function headline(r: DemoReport): string {
  if (r.outcome === 'promoted') return `Plinth demo: the loop completed: ${DEMO_MODEL} v${r.champion.after} was promoted to champion on its own (${r.seconds} s).`
  if (r.outcome === 'rolled_back') return `Plinth demo: the loop completed: the canary rolled back on its own and v${r.champion.after} stays champion (${r.seconds} s).`
  return `Plinth demo: the loop did not complete (${r.seconds} s): ${r.reason ?? 'unknown reason'}`
}

function modelLines(r: DemoReport): string[] {
  const lines = ['Models (f1 on held-out rows)']
  for (const m of r.models) lines.push(`  v${m.version}  at training ${f3(m.f1_at_training)}  on the drifted holdout ${f3(m.f1_on_drifted_holdout)}  run ${m.source_run ?? '-'}`)
  lines.push(`  champion: v${r.champion.before} -> v${r.champion.after}`)
  return lines
}

function alertLines(r: DemoReport): string[] {
  const a = r.alert
  const features = a.drifted_features.map((f) => `${f.feature} (${f.column}, ${f.method} ${f3(f.score)})`).join(', ') || 'none'
  return ['Drift alert', `  ${a.monitor} fired at ${a.fired_at ?? '-'}: drift share ${f3(a.drift_share)} (before the drift: ${f3(a.baseline_drift_share)})`, `  drifted: ${features}`]
}

function runLines(r: DemoReport): string[] {
  const p = r.pipeline_run
  const lines = [`Pipeline run ${p.id}: ${p.status}, started by trigger '${p.trigger}' (event ${p.event_id ?? '-'}; reason: ${p.reason ?? '-'})`]
  for (const s of p.steps) lines.push(`  ${s.step.padEnd(14)} ${s.status.padEnd(9)} ${s.seconds === null ? '' : `${s.seconds.toFixed(1)} s`}`.trimEnd())
  return lines
}

function decisionLines(r: DemoReport): string[] {
  const lines = [`Gate: ${r.gate.passed ? 'passed' : 'did not pass'}`]
  for (const c of r.gate.conditions) lines.push(`  ${c.condition}  (${c.values})`)
  lines.push(`Canary: ${r.canary.decision}`)
  for (const s of r.canary.stages) lines.push(`  ${s.weight}%: ${s.requests} requests, error rate ${s.error_rate}, p99 ${s.p99_ms || '-'} ms`)
  if (r.outcome === 'rolled_back' && r.reason) lines.push(`  ${r.reason}`)
  return lines
}

function whereLines(r: DemoReport): string[] {
  const port = new URL(r.server).port
  const lines = [r.workspace ? 'Where to look (the demo stopped its server; the command under "workspace" serves these again)' : 'Where to look (the demo stopped its server; run with --keep to serve its workspace again afterwards)']
  for (const [name, url] of Object.entries(r.links)) lines.push(`  ${name.replaceAll('_', ' ').padEnd(22)} ${url}`)
  lines.push(`  ${'MLflow runs'.padEnd(22)} pipeline ${r.pipeline_run.mlflow_run ?? '-'}; steps ${r.pipeline_run.steps.map((s) => `${s.step} ${s.mlflow_run ?? '-'}`).join(', ')}`)
  if (r.workspace) {
    lines.push(`  ${'workspace (kept)'.padEnd(22)} ${r.workspace}`)
    lines.push(`  ${''.padEnd(22)} plinth server --backend-store-uri sqlite:///${r.workspace}/plinth.db --artifacts-destination ${r.workspace}/artifacts --port ${port}`)
  }
  return lines
}

/** The text summary; each block is one part of the loop. */
export function formatSummary(r: DemoReport): string {
  const traffic = `Traffic: ${r.traffic.requests} requests (${r.traffic.rows} rows) to /v2/models/churn-api/infer, ${r.traffic.failed} failed; ${r.traffic.labelled} of them labelled later through /api/plinth/v1/feedback`
  const blocks = [[headline(r)], modelLines(r), alertLines(r), runLines(r), decisionLines(r), [traffic], whereLines(r)]
  return `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`
}
