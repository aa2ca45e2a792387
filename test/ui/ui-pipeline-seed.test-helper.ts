import type { FastifyInstance } from 'fastify'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { callJson } from './ui-seed.test-helper.js'

const API = '/api/plinth/v1'
export const PIPELINE = 'churn-retrain'

/**
 * Four command steps (shell and Node): `train` fails until the file `ready` exists in `dir`, so a
 * first run shows succeeded, failed and skipped steps and a re-run shows cached ones.
 */
function pipelineYaml(ready: string): string {
  return `name: ${PIPELINE}
description: weekly retrain of the churn model
params: {rows: 1000}
steps:
  - name: prepare
    run: |
      echo "preparing \${{ params.rows }} rows"
      echo "rows=\${{ params.rows }}" >> "$PLINTH_OUTPUT"
    outputs: {params: [rows]}
  - name: train
    run: |
      test -f '${ready}' || { echo "labels are not there yet: ${ready} is missing" >&2; exit 3; }
      echo "training on \${{ steps.prepare.outputs.rows }} rows"
      echo "f1=0.91" >> "$PLINTH_METRICS"
  - name: evaluate
    run: |
      node -e "console.log('evaluated: f1 0.91 >= 0.90')"
    depends: [train]
  - name: report
    run: |
      node -e "console.log('data report written')"
`
}

export async function waitForPipelineRun(app: FastifyInstance, runId: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const { run } = await callJson(app, 'GET', `${API}/pipeline-runs/${runId}`)
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run.status as string
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`pipeline run ${runId} did not end in 30 s`)
}

export interface SeededPipeline {
  failedRunId: string
  /** Set when the seed also made the `ready` file and resumed the failed run. */
  resumedRunId?: string
  /** Creating this file makes `train` succeed. */
  readyFile: string
}

/** Applies the pipeline and runs it through the HTTP API once (it fails at `train`); optionally fixes it and resumes. */
export async function seedPipeline(app: FastifyInstance, dir: string, options: { resume?: boolean } = {}): Promise<SeededPipeline> {
  const readyFile = join(dir, 'ready')
  await callJson(app, 'POST', `${API}/pipelines`, { source: pipelineYaml(readyFile) })
  const { run_id: failedRunId } = await callJson(app, 'POST', `${API}/pipelines/${PIPELINE}/runs`, {})
  if ((await waitForPipelineRun(app, failedRunId)) !== 'failed') throw new Error('the seeded pipeline run was meant to fail at train')
  if (!options.resume) return { failedRunId, readyFile }
  await writeFile(readyFile, 'ok\n')
  const { run_id: resumedRunId } = await callJson(app, 'POST', `${API}/pipeline-runs/${failedRunId}/resume`, {})
  await waitForPipelineRun(app, resumedRunId)
  return { failedRunId, resumedRunId, readyFile }
}
