import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AppError } from '../../shared/errors.js'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { testContext } from './builtin-fixtures.test-helper.js'
import { evaluateCondition, parseCondition } from './gate-expression.js'
import { createGateStep } from './gate-step.js'

const evaluation = { 'challenger.f1': '0.84', 'champion.f1': '0.80', 'challenger.latency_p99_ms': '12.5', 'champion.present': 'true' }

describe('gate conditions', () => {
  const run = (source: string, values: Record<string, number | boolean> = {}) => evaluateCondition(parseCondition(source), (n) => values[n]!)

  it('should follow arithmetic and logical precedence', () => {
    assert.equal(run('1 + 2 * 3 == 7'), true)
    assert.equal(run('(1 + 2) * 3 / 9 == 1 and not 2 < 1'), true)
    assert.equal(run('-x >= -2 or false', { x: 3 }), false)
    assert.equal(run('steps.deploy-canary.requests - 1 > 5', { 'steps.deploy-canary.requests': 9 }), true)
  })

  it('should refuse bad syntax naming the column, and never run code', () => {
    assert.throws(() => parseCondition('a >= '), /ends too early at column 6/)
    assert.throws(() => parseCondition('a < b < c'), /do not chain/)
    assert.throws(() => parseCondition('process.exit(1)'), /unexpected '\(' at column 13/)
    assert.throws(() => parseCondition("a == 'x'"), /unexpected '''/)
  })
})

describe('gate (built-in step)', () => {
  let t: TestApp
  const step = createGateStep()
  before(async () => (t = await createTestApp()))
  after(() => t.close())

  it('should pass and output each condition with its values', async () => {
    const context = testContext(t.services, { steps: { evaluate: evaluation, train: { epochs: '3' } } })
    const result = await step.run({ condition: ['challenger.f1 >= champion.f1 + 0.01', 'challenger.latency_p99_ms <= 50', 'steps.train.epochs == 3'] }, context)
    assert.equal(result.outputs.passed, 'true')
    assert.equal(result.outputs['condition.1.values'], 'challenger.f1=0.84, champion.f1=0.8')
    assert.equal(result.outputs['condition.3'], 'steps.train.epochs == 3')
  })

  it('should fail with GATE_FAILED listing every condition and its values', async () => {
    const error = (await step.run({ condition: ['challenger.f1 >= champion.f1 + 0.05', 'challenger.latency_p99_ms <= 50'] }, testContext(t.services, { steps: { evaluate: evaluation } })).catch((e: AppError) => e)) as AppError
    assert.equal(error.code, 'GATE_FAILED')
    assert.match(error.message, /1 of 2 conditions false/)
    assert.match(error.message, /FAIL challenger\.f1 >= champion\.f1 \+ 0\.05 \(challenger\.f1=0\.84, champion\.f1=0\.8\)/)
    assert.match(error.message, /PASS challenger\.latency_p99_ms <= 50 \(challenger\.latency_p99_ms=12\.5\)/)
  })

  it('should pass conditions on the champion when there was none, with a note', async () => {
    const context = testContext(t.services, { steps: { evaluate: { 'challenger.f1': '0.5', 'champion.present': 'false' } } })
    const result = await step.run({ condition: 'challenger.f1 >= champion.f1' }, context)
    assert.equal(result.outputs['condition.1.values'], 'no champion to compare with (first model): passes')
  })

  it('should name unknown names with the ones available', async () => {
    const error = (await step.run({ condition: 'challenger.f2 > 0' }, testContext(t.services, { steps: { evaluate: evaluation } })).catch((e: AppError) => e)) as AppError
    assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
    assert.match(error.message, /unknown name 'challenger\.f2' \(did you mean 'challenger\.f1'\?\); available names: challenger\.f1, champion\.f1/)
  })

  it('should refuse bad conditions and arguments in validate', () => {
    const problems = step.validate({ condition: ['challenger.f1 >', 'x > 1'], evalution: 'e' })
    assert.equal(problems.length, 2, problems.join('\n'))
    assert.match(problems[0]!, /unknown argument 'evalution' \(did you mean 'evaluation'\?\)/)
    assert.match(problems[1]!, /Condition 'challenger.f1 >': the condition ends too early/)
    assert.deepEqual(step.validate({}), ["gate: missing required argument 'condition'."])
  })
})
