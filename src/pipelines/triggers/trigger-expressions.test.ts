import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mappingProblems, resolveParams } from './trigger-expressions.js'

describe('trigger param expressions', () => {
  it('should substitute fields anywhere in a value, numbers and nested paths included', () => {
    const params = resolveParams(
      { reason: 'drift on ${{ trigger.monitor.name }}', value: '${{trigger.value}}', plain: 'x', both: '${{ trigger.a }}-${{ trigger.b }}' },
      { monitor: { name: 'churn-drift' }, value: 0.42, a: 1, b: true },
      { strict: true, where: 'webhook' },
    )
    assert.deepEqual(params, { reason: 'drift on churn-drift', value: '0.42', plain: 'x', both: '1-true' })
  })

  it('should name the params whose fields a strict payload lacks', () => {
    assert.throws(
      () => resolveParams({ a: '${{ trigger.missing }}', b: '${{ trigger.x.y }}', c: 'ok' }, { x: 1 }, { strict: true, where: 'webhook' }),
      (error: { code: string; details: { fields: string[] }; message: string }) => {
        assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
        assert.deepEqual(error.details.fields, ['params.a', 'params.b'])
        assert.match(error.message, /trigger\.missing/)
        return true
      },
    )
  })

  it('should map a known field the event lacks to an empty string when not strict', () => {
    assert.deepEqual(resolveParams({ d: '${{ trigger.deployment }}' }, { model: 'm' }, { strict: false, where: 'alert' }), { d: '' })
  })

  it('should refuse unknown fields and non-trigger expressions at validation', () => {
    const problems = mappingProblems({ a: '${{ trigger.monitorName }}', b: '${{ trigger.nope }}', c: '${{ params.lr }}' }, ['monitorName'])
    assert.deepEqual(problems.map((p) => p.param), ['b', 'c'])
    assert.deepEqual(mappingProblems({ any: '${{ trigger.deep.path }}' }, undefined), [])
  })
})
