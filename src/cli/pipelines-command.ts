import type { Command } from 'commander'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { attemptToWire, runToWire, stepsToWire } from '../http/pipeline-schemas.js'
import { formatIssue, parsePipeline, parsePipelineOrThrow } from '../pipelines/parse-pipeline.js'
import type { PipelineEvent } from '../pipelines/pipeline-events.js'
import { AppError } from '../shared/errors.js'
import { action, collect, withServices, withStore } from './cli-context.js'
import { printObject, printRows } from './output.js'
import { PipelineRemote } from './pipeline-remote.js'

type Flags = { backendStoreUri?: string; json?: boolean; trackingUri?: string }
const FULL = { migrateEmpty: true }

function parseParams(pairs: string[] | undefined): Record<string, string> {
  return Object.fromEntries((pairs ?? []).map((pair) => {
    const at = pair.indexOf('=')
    if (at <= 0) throw new AppError('INVALID_PARAMETER_VALUE', `Invalid --param '${pair}': write it as name=value.`)
    return [pair.slice(0, at), pair.slice(at + 1)]
  }))
}

function remoteOf(flags: Flags): PipelineRemote | undefined {
  const uri = flags.trackingUri ?? process.env.PLINTH_TRACKING_URI
  return uri ? new PipelineRemote(uri) : undefined
}

async function isFile(target: string): Promise<string | undefined> {
  return /\.ya?ml$/i.test(target) || target.includes('/') ? readFile(target, 'utf8') : undefined
}

function progressLine(e: PipelineEvent): string | undefined {
  const at = new Date(e.at).toISOString().slice(11, 23)
  if (e.type === 'run') return e.status === 'running' ? undefined : `${at} run ${e.status}${e.error ? `: ${e.error}` : ''}`
  return `${at} ${e.step} #${e.attempt} ${e.status}${e.error ? `: ${e.error}` : ''}`
}

export function registerPipelinesCommand(program: Command): void {
  const pipelines = program.command('pipelines').description('define, run and inspect pipelines (see docs/pipelines.md)')

  pipelines.command('validate <file>').description('check a pipeline file; prints every problem with line and column (exit 2) or OK').option('--json', 'machine-readable output')
    .action(action(async (file: string, flags: Flags) => {
      const result = parsePipeline(await readFile(file, 'utf8'), { file })
      if (flags.json) printObject(result.ok ? { ok: true, name: result.spec.name, steps: result.spec.steps.map((s) => s.name) } : { ok: false, issues: result.issues }, true)
      else if (result.ok) process.stdout.write(`OK: ${result.spec.name} (${result.spec.steps.length} steps)\n`)
      // Problems go to stderr, like every other failure, so `validate f.yaml && apply` shows them and stdout stays clean.
      else process.stderr.write(`${result.issues.map(formatIssue).join('\n')}\n`)
      if (!result.ok) process.exitCode = 2
    }))

  withStore(pipelines.command('apply <file>')).description('register or update a pipeline from its file').option('--tracking-uri <url>', 'apply on this server (env PLINTH_TRACKING_URI)').option('--json', 'machine-readable output')
    .action(action(async (file: string, flags: Flags) => {
      const source = await readFile(file, 'utf8')
      const remote = remoteOf(flags)
      const applied = remote
        ? (await remote.call<{ pipeline: { name: string; version: number } }>('POST', '/pipelines', source, 'application/yaml')).pipeline
        : await withServices(flags, async (s) => (await s.pipelines.apply(source, { file, baseDir: dirname(resolve(file)) })).pipeline, FULL)
      if (flags.json) printObject({ name: applied.name, version: applied.version }, true)
      else process.stdout.write(`Applied pipeline ${applied.name} (version ${applied.version})\n`)
    }))

  withStore(pipelines.command('run <fileOrName>')).description('start a run; embedded (this process runs it and waits) unless a server is named')
    .option('--param <name=value>', 'a run param (repeatable)', collect, [])
    .option('--wait', 'wait for the end (always, when embedded); exit 1 if the run fails')
    .option('--tracking-uri <url>', 'run on this server (env PLINTH_TRACKING_URI)')
    .option('--json', 'machine-readable output')
    .action(action(async (target: string, flags: Flags & { param: string[]; wait?: boolean }) => {
      const source = await isFile(target)
      const params = parseParams(flags.param)
      const remote = remoteOf(flags)
      const status = remote ? await runRemote(remote, target, source, params, flags) : await runEmbedded(target, source, params, flags)
      if (status !== undefined && status !== 'succeeded') process.exitCode = 1
    }))

  withStore(pipelines.command('list')).description('list pipelines').option('--json', 'machine-readable output')
    .action(action(async (flags: Flags) => withServices(flags, async (s) => {
      printRows((await s.pipelines.list()).map((p) => ({ name: p.name, version: p.version, updated: new Date(p.updatedAt).toISOString() })), ['name', 'version', 'updated'], Boolean(flags.json))
    })))

  withStore(pipelines.command('runs <name>')).description('recent runs of a pipeline').option('--json', 'machine-readable output')
    .action(action(async (name: string, flags: Flags) => withServices(flags, async (s) => {
      const runs = await s.pipelines.listRuns(name)
      if (flags.json) return printObject(runs.map(runToWire), true)
      printRows(runs.map((r) => ({ id: r.id, status: r.status, trigger: r.trigger.kind, created: new Date(r.createdAt).toISOString(), error: r.error ?? '' })), ['id', 'status', 'trigger', 'created', 'error'], false)
    })))

  withStore(pipelines.command('show <runId>')).description('a run with its steps, attempts and outputs').option('--json', 'machine-readable output')
    .action(action(async (runId: string, flags: Flags) => withServices(flags, async (s) => {
      const { run, attempts } = await s.pipelines.getRun(runId)
      const steps = stepsToWire(parsePipelineOrThrow(run.source).steps.map((x) => x.name), attempts)
      if (flags.json) return printObject({ run: runToWire(run), steps }, true)
      process.stdout.write(`Run ${run.id} of ${run.pipeline} v${run.pipelineVersion}: ${run.status}${run.error ? ` (${run.error})` : ''}\n`)
      printRows(attempts.map(attemptToWire).map((a) => ({ step: a.step, attempt: a.attempt, status: a.status, exit: a.exit_code ?? '', ms: a.ended_at && a.started_at ? a.ended_at - a.started_at : '', outputs: JSON.stringify({ ...a.output_params, ...a.output_artifacts }), error: a.error ?? '' })), ['step', 'attempt', 'status', 'exit', 'ms', 'outputs', 'error'], false)
    })))

  withStore(pipelines.command('logs <runId> <step>')).description("print a step's log (latest attempt)").option('--attempt <n>', 'a given attempt', Number)
    .action(action(async (runId: string, step: string, flags: Flags & { attempt?: number }) => withServices(flags, async (s) => {
      const { body } = await s.pipelines.stepLog(runId, step, flags.attempt)
      for await (const chunk of body) process.stdout.write(chunk as Buffer)
    }, FULL)))

  withStore(pipelines.command('cancel <runId>')).description('cancel a queued or running run').option('--json', 'machine-readable output')
    .action(action(async (runId: string, flags: Flags) => withServices(flags, async (s) => {
      const run = await s.pipelines.cancel(runId)
      printObject(flags.json ? runToWire(run) : `Run ${run.id}: ${run.status}`, Boolean(flags.json))
    }, FULL)))

  withStore(pipelines.command('resume <runId>')).description('re-run a failed run from its failed step, re-using succeeded steps (embedded: waits)')
    .option('--from <step>', 're-run from this step: it and every step downstream run again (any ended run); the others are re-used')
    .option('--json', 'machine-readable output')
    .action(action(async (runId: string, flags: Flags & { from?: string }) => withServices(flags, async (s) => {
      const unsubscribe = follow(s.pipelines.runner, flags)
      const result = await s.pipelines.resume(runId, { kind: 'manual' }, flags.from === undefined ? {} : { fromStep: flags.from })
      if (!result.started) throw new AppError('INVALID_STATE', `Not resumed: ${result.reason} (active run ${result.activeRunId}).`)
      const status = await s.pipelines.waitFor(result.runId)
      unsubscribe()
      if (flags.json) printObject({ run_id: result.runId, status }, true)
      else process.stdout.write(`Run ${result.runId} (resumed from ${runId}): ${status}\n`)
      if (status !== 'succeeded') process.exitCode = 1
    }, FULL)))
}

function follow(runner: { on(e: 'event', l: (e: PipelineEvent) => void): unknown; off(e: 'event', l: (e: PipelineEvent) => void): unknown }, flags: Flags): () => void {
  const listener = (e: PipelineEvent) => {
    const line = progressLine(e)
    if (line && !flags.json) process.stderr.write(`${line}\n`)
  }
  runner.on('event', listener)
  return () => runner.off('event', listener)
}

async function runEmbedded(target: string, source: string | undefined, params: Record<string, string>, flags: Flags): Promise<string> {
  return withServices(flags, async (s) => {
    const name = source ? (await s.pipelines.apply(source, { file: target, baseDir: dirname(resolve(target)) })).spec.name : target
    // A run left by an earlier CLI process that was killed is picked up, not left hanging.
    await s.pipelines.recover()
    const unsubscribe = follow(s.pipelines.runner, flags)
    const result = await s.pipelines.launch({ pipeline: name, params, trigger: { kind: 'manual' } })
    if (!result.started) throw new AppError('INVALID_STATE', `Not started: ${result.reason === 'forbidden' ? `run ${result.activeRunId} is active and the pipeline forbids another` : 'duplicate event'}.`)
    const status = await s.pipelines.waitFor(result.runId)
    unsubscribe()
    await printRun(s.pipelines, result.runId, flags)
    return status
  }, FULL)
}

async function printRun(service: { getRun(id: string): Promise<{ run: import('../pipelines/pipeline-store.js').PipelineRun; attempts: import('../pipelines/pipeline-store.js').StepAttempt[] }> }, runId: string, flags: Flags): Promise<void> {
  const { run, attempts } = await service.getRun(runId)
  if (flags.json) return printObject({ run: runToWire(run), steps: stepsToWire(parsePipelineOrThrow(run.source).steps.map((x) => x.name), attempts) }, true)
  process.stdout.write(`Run ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ''}\n`)
}

type RemoteRun = { run: { id: string; status: string; error: string | null }; steps: Array<{ name: string; status: string }> }

async function runRemote(remote: PipelineRemote, target: string, source: string | undefined, params: Record<string, string>, flags: Flags & { wait?: boolean }): Promise<string | undefined> {
  const name = source ? (await remote.call<{ pipeline: { name: string } }>('POST', '/pipelines', source, 'application/yaml')).pipeline.name : target
  const launched = await remote.call<{ started: boolean; run_id?: string; reason?: string; active_run_id?: string }>('POST', `/pipelines/${encodeURIComponent(name)}/runs`, { params })
  if (!launched.started) throw new AppError('INVALID_STATE', `Not started: ${launched.reason} (active run ${launched.active_run_id}).`)
  if (!flags.wait) {
    printObject(flags.json ? launched : `Started run ${launched.run_id}`, Boolean(flags.json))
    return undefined
  }
  const seen = new Map<string, string>()
  for (;;) {
    const view = await remote.call<RemoteRun>('GET', `/pipeline-runs/${launched.run_id}`)
    for (const step of view.steps) {
      if (seen.get(step.name) !== step.status && step.status !== 'pending' && !flags.json) process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${step.name} ${step.status}\n`)
      seen.set(step.name, step.status)
    }
    if (!['queued', 'running'].includes(view.run.status)) {
      printObject(flags.json ? view : `Run ${view.run.id}: ${view.run.status}${view.run.error ? ` (${view.run.error})` : ''}`, Boolean(flags.json))
      return view.run.status
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}
