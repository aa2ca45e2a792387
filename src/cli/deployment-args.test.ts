import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../shared/errors.js'
import { describeSpec, parseRevision, parseRoutes, parseShadow } from './deployment-args.js'

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof AppError)
    assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
    return error.message
  }
  assert.fail('expected INVALID_PARAMETER_VALUE')
}

describe('deployment CLI arguments', () => {
  it('should parse aliases, versions and weights', () => {
    assert.deepEqual(parseRoutes(['churn@champion=90', 'churn/4=10%']), [
      { model: 'churn', alias: 'champion', weight: 90 },
      { model: 'churn', version: '4', weight: 10 },
    ])
  })

  it('should give unweighted routes an equal share of what is left', () => {
    assert.deepEqual(parseRoutes(['churn@champion']).map((r) => r.weight), [100])
    assert.deepEqual(parseRoutes(['m/1', 'm/2']).map((r) => r.weight), [50, 50])
    assert.deepEqual(parseRoutes(['m/1=80', 'm/2', 'm/3']).map((r) => r.weight), [80, 10, 10])
  })

  it('should split the model name from the right, so names may hold @, / and =', () => {
    assert.deepEqual(parseRoutes(['team/churn@v2-candidate=5', 'a=b/3=95']), [
      { model: 'team/churn', alias: 'v2-candidate', weight: 5 },
      { model: 'a=b', version: '3', weight: 95 },
    ])
  })

  it('should parse a shadow share as a fraction or a percentage', () => {
    assert.deepEqual(parseShadow('churn/5:0.1'), { model: 'churn', version: '5', share: 0.1 })
    assert.deepEqual(parseShadow('churn@challenger:25%'), { model: 'churn', alias: 'challenger', share: 0.25 })
  })

  it('should refuse targets it cannot read, saying how to write them', () => {
    assert.match(refusal(() => parseRoutes(['churn=100'])), /--route 'churn=100' names no version or alias; write MODEL\/VERSION/)
    assert.match(refusal(() => parseRoutes(['churn/latest'])), /version 'latest' is not a version number/)
    assert.match(refusal(() => parseRoutes(['churn@'])), /names no version or alias/)
    assert.match(refusal(() => parseRoutes(['churn/1=ninety'])), /weight 'ninety' is not a number/)
    assert.match(refusal(() => parseRoutes(['churn/1='])), /weight '' is not a number/)
    assert.match(refusal(() => parseShadow('churn/5')), /--shadow 'churn\/5' needs a share/)
    assert.match(refusal(() => parseShadow('churn/5:lots')), /share 'lots' is not a number/)
    assert.match(refusal(() => parseRevision('0', '--to')), /--to must be a revision number/)
    assert.equal(parseRevision(undefined, '--to'), undefined)
    assert.equal(parseRevision('12', '--to'), 12)
  })

  it('should describe a spec on one line', () => {
    const spec = { routes: parseRoutes(['churn@champion=90', 'churn/4=10']), shadow: parseShadow('churn/5:0.07'), stickyHeader: 'x-user-id' }
    assert.equal(describeSpec(spec), 'churn@champion 90%, churn/4 10%; shadow churn/5 7%; sticky on x-user-id')
  })
})
