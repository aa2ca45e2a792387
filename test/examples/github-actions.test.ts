import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import type { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { buildProgram } from '../../src/cli/main.js'
import { call, createTestApp, type TestApp } from '../../src/testing/test-services.js'
import { seedChurn } from '../../src/ci/ci-fixtures.test-helper.js'
import { commandsOf } from './shell-commands.test-helper.js'

/**
 * The example workflows: well-formed for GitHub Actions, free of secrets, and every `plinth …`
 * line in them accepted by the real CLI, so the examples cannot drift from the commands.
 */
const FOLDER = fileURLToPath(new URL('../../examples/github-actions/', import.meta.url))

interface Step { id?: string; name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> }
interface Job { needs?: string | string[]; steps: Step[]; outputs?: Record<string, string>; environment?: string; env?: Record<string, string> }
interface Workflow { name: string; on: Record<string, any>; env?: Record<string, string>; permissions?: Record<string, string>; jobs: Record<string, Job> }

function load(file: string): Workflow {
  return parseYaml(readFileSync(`${FOLDER}${file}`, 'utf8')) as Workflow
}

const needsOf = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs])

function strings(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]]
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k))
  return []
}

/** Jobs in an order where each comes after the jobs it needs; throws on a cycle or unknown need. */
function jobOrder(workflow: Workflow): string[] {
  const order: string[] = []
  const visit = (id: string, trail: string[]) => {
    if (order.includes(id)) return
    assert.ok(workflow.jobs[id], `unknown job '${id}' in needs`)
    assert.ok(!trail.includes(id), `needs cycle: ${[...trail, id].join(' -> ')}`)
    for (const need of needsOf(workflow.jobs[id]!)) visit(need, [...trail, id])
    order.push(id)
  }
  for (const id of Object.keys(workflow.jobs)) visit(id, [])
  return order
}

function checkNoSecrets(workflow: Workflow): void {
  for (const [path, text] of strings(workflow)) {
    assert.doesNotMatch(text, /Bearer\s+(?!\$)/, `${path}: a literal bearer token`)
    assert.doesNotMatch(text, /plinth_[0-9a-f]{16}_|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_/, `${path}: a token`)
    assert.doesNotMatch(text, /https?:\/\//, `${path}: a hard-coded server address; use secrets.PLINTH_TRACKING_URI`)
  }
  const envs = [workflow.env ?? {}, ...Object.values(workflow.jobs).flatMap((j) => [j.env ?? {}, ...j.steps.map((s) => s.env ?? {})])]
  for (const env of envs) {
    for (const [key, value] of Object.entries(env)) {
      if (/TOKEN|PASSWORD|SECRET|TRACKING_URI/.test(key)) assert.match(value, /^\$\{\{ secrets\.[A-Z_]+ \}\}$/, `${key} must come from secrets`)
    }
  }
}

/** `needs.X.outputs.Y` only works for a direct need X with output Y; `steps.S.outputs` for a step of the job. */
function checkReferences(workflow: Workflow): void {
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const text = strings(job).map(([, s]) => s).join('\n')
    for (const [, need, output] of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      assert.ok(needsOf(job).includes(need!), `job ${id} reads needs.${need} without needing it`)
      assert.ok(workflow.jobs[need!]!.outputs?.[output!], `job ${need} has no output ${output}`)
    }
    const stepIds = new Set(job.steps.map((s) => s.id).filter(Boolean))
    for (const [, step] of text.matchAll(/steps\.([\w-]+)\.outputs/g)) assert.ok(stepIds.has(step), `job ${id} reads steps.${step}, which it lacks`)
    for (const step of job.steps) {
      assert.ok(step.run !== undefined || step.uses !== undefined, `job ${id}: a step without run or uses`)
      if (step.uses) assert.match(step.uses, /^[\w-]+\/[\w-]+@v\d+$/, `${step.uses}: pin actions to a major version`)
    }
  }
}

function silence(command: Command): void {
  command.exitOverride()
  command.configureOutput({ writeOut: () => {}, writeErr: () => {} })
  // Parsing only: the commands must not run.
  if (command.commands.length === 0) command.action(() => {})
  command.commands.forEach(silence)
}

const program = buildProgram()
silence(program)

function plinthCommands(workflow: Workflow): Array<{ job: string; args: string[] }> {
  return Object.entries(workflow.jobs).flatMap(([job, j]) => j.steps.flatMap((s) => (s.run ? commandsOf(s.run, 'plinth').map((args) => ({ job, args })) : [])))
}

describe('example GitHub Actions workflows', () => {
  const retrain = load('retrain.yml')
  const pr = load('pr-report.yml')

  it('should trigger the retrain on a schedule, by hand with inputs, and on drift-alert and new-data dispatches', () => {
    assert.match(retrain.on.schedule[0].cron, /^(\S+\s+){4}\S+$/)
    assert.deepEqual(Object.keys(retrain.on.workflow_dispatch.inputs).sort(), ['canary_percent', 'data', 'reason'])
    assert.deepEqual(retrain.on.repository_dispatch.types, ['drift-alert', 'new-data'])
    assert.deepEqual(Object.keys(pr.on), ['pull_request'])
  })

  it('should train, gate, canary and promote in that order, promotion behind an environment', () => {
    const order = jobOrder(retrain)
    const at = (id: string) => order.indexOf(id)
    assert.ok(at('train') < at('gate') && at('gate') < at('canary') && at('canary') < at('promote'), order.join(' -> '))
    assert.equal(retrain.jobs.promote!.environment, 'production')
    const gate = retrain.jobs.gate!.steps.map((s) => s.run ?? '').join('\n')
    assert.match(gate, /plinth ci report[^\n]*\\\n[^\n]*--fail-if-worse/)
    assert.ok(gate.indexOf('plinth ci report') < gate.indexOf('alias\\": \\"challenger'), 'the challenger alias moves only after the gate')
    const promote = retrain.jobs.promote!.steps.map((s) => s.run ?? '').join('\n')
    assert.match(promote, /registered-models\/alias[\s\S]*\\"alias\\": \\"champion\\"/)
    assert.match(retrain.jobs.canary!.steps[0]!.run!, /-X PUT "\$url\/\$DEPLOYMENT"[\s\S]*-X POST "\$url"/)
  })

  it('should post the PR report as one comment found again by its marker', () => {
    assert.deepEqual(jobOrder(pr), ['report'])
    assert.equal(pr.permissions?.['pull-requests'], 'write')
    const script = String(pr.jobs.report!.steps.find((s) => s.uses?.startsWith('actions/github-script'))!.with!.script)
    assert.match(script, /<!-- plinth-ci-report -->/)
    assert.match(script, /updateComment[\s\S]*createComment/)
  })

  for (const [file, workflow] of [['retrain.yml', load('retrain.yml')], ['pr-report.yml', load('pr-report.yml')]] as const) {
    it(`should keep secrets out of ${file} and reference only jobs, outputs and steps that exist`, () => {
      checkNoSecrets(workflow)
      checkReferences(workflow)
    })

    for (const { job, args } of plinthCommands(workflow)) {
      it(`should accept \`plinth ${args.join(' ')}\` (${file}, job ${job}) with the real CLI`, async (t) => {
        if (!program.commands.some((c) => c.name() === args[0])) {
          t.skip(`plinth ${args[0]} is not registered on this branch yet; its line is checked once it is`)
          return
        }
        await program.parseAsync(args, { from: 'user' })
      })
    }
  }

  it('should refuse command lines the CLI would refuse, so the check above can fail', async () => {
    const refused = (line: string) => assert.rejects(program.parseAsync(commandsOf(line, 'plinth')[0]!, { from: 'user' }), (e: { code?: string }) => /^commander\./.test(e.code ?? ''), line)
    await refused('plinth ci report --challenger runs:/abc')
    await refused('plinth ci report --challenger runs:/abc --champion models:/m@champion --fail-if-wrose')
    await refused('plinth ci reprot --challenger a --champion b')
    await refused('plinth ci report --challenger a --champion b extra-argument')
  })

  it('should find plinth at command position only, through quotes, continuations and substitutions', () => {
    const script = 'echo "plinth ci report" # plinth x\nv=$(plinth a --b "c d" | jq .x)\nif ! X=1 plinth e \\\n  --f ${{ inputs.g }} > out; then plinth h; fi\nnot-plinth i'
    assert.deepEqual(commandsOf(script, 'plinth'), [['a', '--b', 'c d'], ['e', '--f', 'GHA_EXPRESSION'], ['h']])
  })

  it('should find the plinth commands the workflows rely on', () => {
    const lines = [...plinthCommands(retrain), ...plinthCommands(pr)].map(({ args }) => args.slice(0, 2).join(' '))
    assert.deepEqual(lines, ['train --data', 'ci report', 'train --data', 'ci report'])
  })
})

describe('the Plinth API answers as the retrain workflow expects', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
    await seedChurn(t.services)
  })
  after(() => t.close())

  it('should tell an unset champion (400) and an unknown model (404) apart from a set one (200)', async () => {
    const alias = (name: string, a: string) => call(t.app, 'GET', `/api/2.0/mlflow/registered-models/alias?name=${name}&alias=${a}`)
    assert.equal((await alias('churn', 'champion')).status, 200)
    assert.equal((await alias('churn', 'gold')).status, 400)
    assert.equal((await alias('nobody', 'champion')).status, 404)
  })

  it('should answer 404 to a PUT of a new deployment, then take the canary routing by POST and PUT', async () => {
    const routes = [{ model: 'churn', alias: 'champion', weight: 90 }, { model: 'churn', alias: 'challenger', weight: 10 }]
    assert.equal((await call(t.app, 'PUT', '/api/plinth/v1/deployments/churn-api', { routes })).status, 404)
    assert.equal((await call(t.app, 'POST', '/api/plinth/v1/deployments', { name: 'churn-api', routes })).status, 200)
    const all = [{ model: 'churn', alias: 'champion', weight: 100 }]
    const put = await call(t.app, 'PUT', '/api/plinth/v1/deployments/churn-api', { routes: all })
    assert.equal(put.status, 200)
    assert.equal(put.body.deployment.revision, 2)
    const alerts = await call(t.app, 'GET', '/api/plinth/v1/alerts?state=firing&deployment=churn-api')
    assert.deepEqual(alerts.body, { alerts: [] })
    const promote = await call(t.app, 'POST', '/api/2.0/mlflow/registered-models/alias', { name: 'churn', alias: 'champion', version: '2' })
    assert.equal(promote.status, 200)
  })
})
