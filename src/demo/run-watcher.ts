import type { PipelineService, RunView } from '../pipelines/pipeline-service.js'
import type { PipelineRun, StepAttempt } from '../pipelines/pipeline-store.js'
import { isFinalRunStatus } from '../pipelines/pipeline-events.js'
import { AppError } from '../shared/errors.js'

const POLL_MS = 250

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The run a trigger started: the demo never starts the pipeline itself, it waits for the alert's
 * run to appear. Throws with what to check when none appears in time.
 */
export async function waitForTriggeredRun(pipelines: PipelineService, pipeline: string, timeoutMs: number): Promise<PipelineRun> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const [run] = await pipelines.listRuns(pipeline, 1)
    if (run) return run
    await sleep(POLL_MS)
  }
  throw new AppError('INVALID_STATE', `The drift alert fired but no run of '${pipeline}' started within ${timeoutMs / 1000} s; check the pipeline's alert trigger (its 'triggers:' in the workspace's YAML) and the warnings printed above.`)
}

/** One line per attempt as it ends: `  ✓ train  succeeded  2.1 s`. */
export function attemptLine(attempt: StepAttempt): string {
  const mark = attempt.status === 'succeeded' || attempt.status === 'cached' ? '✓' : attempt.status === 'skipped' ? '-' : '✗'
  const seconds = attempt.startedAt !== null && attempt.endedAt !== null ? `${((attempt.endedAt - attempt.startedAt) / 1000).toFixed(1)} s` : ''
  const why = attempt.error && attempt.status !== 'skipped' ? `: ${firstSentence(attempt.error)}` : ''
  return `  ${mark} ${attempt.step.padEnd(14)} ${attempt.status.padEnd(9)} ${seconds}${why}`.trimEnd()
}

function firstSentence(text: string): string {
  const end = text.indexOf('. ')
  return end > 0 && end < 200 ? text.slice(0, end + 1) : text.slice(0, 200)
}

/** Polls the run, printing each step once it ends, until the run ends or the time is up. */
export async function watchRun(pipelines: PipelineService, runId: string, timeoutMs: number, log: (line: string) => void): Promise<RunView> {
  const deadline = Date.now() + timeoutMs
  const printed = new Set<string>()
  for (;;) {
    const view = await pipelines.getRun(runId)
    const ended = view.attempts.filter((a) => a.status !== 'running').sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0))
    for (const attempt of ended) {
      const key = `${attempt.step}#${attempt.attempt}`
      if (!printed.has(key)) {
        printed.add(key)
        log(attemptLine(attempt))
      }
    }
    if (isFinalRunStatus(view.run.status)) return view
    if (Date.now() > deadline) throw new AppError('INVALID_STATE', `Pipeline run ${runId} is still ${view.run.status} after ${timeoutMs / 1000} s; follow it with: plinth pipelines show ${runId}`)
    await sleep(POLL_MS)
  }
}
