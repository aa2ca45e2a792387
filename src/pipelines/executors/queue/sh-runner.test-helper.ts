import { spawn } from 'node:child_process'
import type { StepResult, StepTask } from '../../step-executor.js'

/**
 * A small real attempt runner for the queue tests: `sh -c` in its own process group, the whole
 * group killed on abort, the exit reported. The queue's tests are about delivery, leases and
 * cancelling, so they run this instead of the full step runner (artifacts, logs, outputs).
 */
export function runShell(task: StepTask, signal: AbortSignal): Promise<StepResult> {
  const startedAt = Date.now()
  const shell = 'shell' in task.command ? task.command.shell : task.command.argv.join(' ')
  const child = spawn('sh', ['-c', shell], { detached: true, stdio: 'ignore', env: { ...process.env, ...task.env } })
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  signal.addEventListener('abort', kill, { once: true })
  return new Promise((resolve) => {
    child.once('error', (error) => resolve(result('failed', startedAt, undefined, error.message)))
    child.once('exit', (code) => {
      signal.removeEventListener('abort', kill)
      if (signal.aborted) return resolve(result('cancelled', startedAt, undefined, 'cancelled'))
      resolve(code === 0 ? result('succeeded', startedAt, 0) : result('failed', startedAt, code ?? undefined, `exit ${code}`))
    })
  })
}

function result(outcome: StepResult['outcome'], startedAt: number, exitCode?: number, error?: string): StepResult {
  return { outcome, exitCode, error, outputParams: {}, outputArtifacts: {}, metrics: {}, startedAt, endedAt: Date.now() }
}

export function shellTask(attemptId: string, shell: string, env: Record<string, string> = {}): StepTask {
  return {
    pipelineRunId: 'run-1',
    pipeline: 'queue-test',
    step: 'step',
    attempt: 1,
    attemptId,
    trackingRunId: 'tracking-1',
    command: { shell },
    env,
    secretEnv: [],
    inputs: {},
    outputs: { artifacts: [], params: [] },
  }
}
