import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createBuiltinSteps } from '../pipelines/builtins/index.js'
import { parsePipelineOrThrow } from '../pipelines/parse-pipeline.js'
import { shellQuote } from './demo-scenario.js'
import { retrainPipelineYaml } from './retrain-pipeline.js'

const EXAMPLE = fileURLToPath(new URL('../../examples/pipelines/churn-retrain.yaml', import.meta.url))

describe('the retraining pipeline', () => {
  it('should be shipped as examples/pipelines/churn-retrain.yaml exactly as the demo writes it with its defaults', () => {
    assert.equal(readFileSync(EXAMPLE, 'utf8'), retrainPipelineYaml())
  })

  it('should parse with the built-in steps, started by an alert of churn-drift, one run at a time', () => {
    const spec = parsePipelineOrThrow(retrainPipelineYaml(), { builtins: createBuiltinSteps() })
    assert.deepEqual(spec.steps.map((s) => s.name), ['train', 'evaluate', 'gate', 'register', 'deploy-canary', 'promote'])
    assert.equal(spec.concurrency, 'forbid')
    const [trigger] = spec.triggers
    assert.equal(trigger?.kind, 'alert')
    assert.equal(trigger?.kind === 'alert' ? trigger.monitor : undefined, 'churn-drift')
    assert.equal(trigger?.concurrency, 'forbid')
  })

  it('should keep paths and commands with spaces and quotes intact in the params', () => {
    const command = `${shellQuote('/opt/my node/bin/node')} ${shellQuote("/srv/it's/main.js")}`
    const spec = parsePipelineOrThrow(retrainPipelineYaml({ plinth: command, data: 'a "b".csv', holdout: 'h.csv', bake: '2s' }), { builtins: createBuiltinSteps() })
    assert.equal(spec.params.plinth?.default, `'/opt/my node/bin/node' '/srv/it'\\''s/main.js'`)
    assert.equal(spec.params.data?.default, 'a "b".csv')
  })
})
