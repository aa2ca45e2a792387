import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { registerModels, unaryModel } from '../inference/serving-fixtures.test-helper.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'

/**
 * The loop's hinge, on the composed services: a monitor's alert fires, the alert trigger of a
 * pipeline applied through the service starts a run with the alert mapped to its params, and
 * the run completes. Also the webhook route on the same wiring.
 */
const RETRAIN = `
name: retrain-on-alert
params:
  reason: {default: none}
  who: {default: nobody}
triggers:
  - alert: {monitor: api-silence}
    params: {reason: "\${{ trigger.monitorName }}"}
    concurrency: forbid
  - webhook: {}
    params: {who: "\${{ trigger.who }}"}
steps:
  - name: retrain
    run: echo "retraining because $REASON by $WHO" && echo "reason=$REASON" >> "$PLINTH_OUTPUT"
    env: {REASON: "\${{ params.reason }}", WHO: "\${{ params.who }}"}
    outputs: {params: [reason]}
`

describe('pipeline triggers on the composed services', () => {
  let t: TestApp

  before(async () => {
    t = await createTestApp()
    await registerModels(t.services, 'churn', [unaryModel('Identity')], { champion: 1 })
    await t.services.deployments.create('api', { routes: [{ model: 'churn', alias: 'champion', weight: 100 }] })
    await t.services.monitors.create({ name: 'api-silence', deployment: 'api', schedule: { every: '1h' }, window: '1h', conditions: [{ type: 'no_traffic', min_requests: 10 }] })
    await t.services.pipelines.apply(RETRAIN)
    await t.services.triggers.start()
    // Applying re-arms in the background; arm now so the alert below is not older than the trigger.
    await t.services.triggers.refresh()
  })
  after(async () => {
    await t.services.triggers.stop()
    await t.close()
  })

  async function finishedRuns(pipeline: string, count: number) {
    for (let i = 0; i < 200; i++) {
      const runs = await t.services.pipelines.listRuns(pipeline)
      if (runs.length >= count && runs.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status))) return runs
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.fail(`no ${count} finished runs of ${pipeline}`)
  }

  it('should start the retraining pipeline when the monitor fires, with the alert in its params', async () => {
    const run = await t.services.monitors.runNow('api-silence')
    assert.ok(run.results?.conditions.some((c) => c.holds), 'the no-traffic condition holds')
    await t.services.triggers.pollAlerts()
    const [pipelineRun] = await finishedRuns('retrain-on-alert', 1)
    assert.equal(pipelineRun!.status, 'succeeded')
    assert.equal(pipelineRun!.trigger.kind, 'alert')
    assert.equal(pipelineRun!.params.reason, 'api-silence')
    const view = await t.services.pipelines.getRun(pipelineRun!.id)
    assert.equal(view.attempts.find((a) => a.step === 'retrain')?.outputParams.reason, 'api-silence')
  })

  it('should not start a second run for the same alert event', async () => {
    await t.services.triggers.poll()
    assert.equal((await t.services.pipelines.listRuns('retrain-on-alert')).length, 1)
  })

  it('should start a run from its webhook and refuse a pipeline without one', async () => {
    const answer = await call(t.app, 'POST', '/api/plinth/v1/pipelines/retrain-on-alert/webhook', { who: 'ci' })
    assert.equal(answer.status, 202, JSON.stringify(answer.body))
    assert.equal(answer.body.started, true)
    const runs = await finishedRuns('retrain-on-alert', 2)
    assert.equal(runs.find((r) => r.id === answer.body.run_id)?.params.who, 'ci')
    const unknown = await call(t.app, 'POST', '/api/plinth/v1/pipelines/nope/webhook', {})
    assert.equal(unknown.status, 404)
  })
})
