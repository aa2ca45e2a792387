import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { classificationMetrics, logLoss } from './classification-metrics.js'
import { regressionMetrics } from './regression-metrics.js'
import { rocAucBinary } from './roc-auc.js'
import { sortClassKeys } from './class-labels.js'

describe('classification metrics by hand', () => {
  // actual: 1 1 1 0 0 ; predicted: 1 0 1 1 0 → TP 2, FN 1, FP 1, TN 1
  const actual = ['1', '1', '1', '0', '0']
  const predicted = ['1', '0', '1', '1', '0']

  it('should count a binary confusion matrix and its ratios', () => {
    const m = classificationMetrics({ actual, predicted }, { positiveClass: '1' })
    assert.deepEqual(m.confusion_matrix, { labels: ['0', '1'], matrix: [[1, 1], [1, 2]] })
    assert.equal(m.accuracy, 3 / 5)
    assert.equal(m.precision, 2 / 3)
    assert.equal(m.recall, 2 / 3)
    assert.equal(m.f1, 2 / 3)
    assert.equal(m.roc_auc, undefined)
  })

  it('should macro-average precision, recall and F1 over the classes present', () => {
    const m = classificationMetrics({ actual: ['a', 'b', 'c', 'c'], predicted: ['a', 'c', 'c', 'b'] })
    // a: P 1 R 1; b: P 0 R 0; c: P 1/2 R 1/2
    assert.equal(m.precision, (1 + 0 + 0.5) / 3)
    assert.equal(m.recall, (1 + 0 + 0.5) / 3)
    assert.equal(m.f1, (1 + 0 + 0.5) / 3)
  })

  it('should answer 0, not NaN, when no row is predicted positive', () => {
    const m = classificationMetrics({ actual: ['1', '0'], predicted: ['0', '0'] }, { positiveClass: '1' })
    assert.deepEqual([m.precision, m.recall, m.f1], [0, 0, 0])
  })

  it('should take ROC AUC as the share of positive-negative pairs ordered right, ties half', () => {
    assert.equal(rocAucBinary([true, false], [0.9, 0.1]), 1)
    assert.equal(rocAucBinary([true, false], [0.1, 0.9]), 0)
    assert.equal(rocAucBinary([true, false, true, false], [0.5, 0.5, 0.8, 0.2]), 0.875)
    assert.equal(rocAucBinary([true, true], [0.2, 0.3]), undefined)
  })

  it('should compute log loss from the probability of the actual class', () => {
    const probabilities = new Map([['0', [0.2, 0.6]], ['1', [0.8, 0.4]]])
    assert.equal(logLoss(['1', '0'], probabilities), -(Math.log(0.8) + Math.log(0.6)) / 2)
    assert.equal(logLoss(['2', '0'], probabilities), undefined)
  })

  it('should keep log loss finite for a confident wrong prediction by clipping', () => {
    const loss = logLoss(['1'], new Map([['0', [1]], ['1', [0]]]))!
    assert.ok(Number.isFinite(loss) && loss > 30)
  })

  it('should order classes numerically when they are numbers, else by code point', () => {
    assert.deepEqual(sortClassKeys(['10', '2', '1']), ['1', '2', '10'])
    assert.deepEqual(sortClassKeys(['b', 'B', 'a']), ['B', 'a', 'b'])
  })
})

describe('regression metrics by hand', () => {
  it('should compute MAE, RMSE, MAPE and R²', () => {
    const m = regressionMetrics([1, 2, 4], [2, 2, 2])
    assert.equal(m.mae, 1)
    assert.equal(m.rmse, Math.sqrt(5 / 3))
    assert.equal(m.mape, (1 + 0 + 0.5) / 3)
    assert.ok(Math.abs(m.r2 - (1 - 5 / (14 / 3))) < 1e-15)
  })

  it('should leave zero targets out of MAPE and count them', () => {
    const m = regressionMetrics([0, 2, -4], [1, 1, -2])
    assert.equal(m.mape_zero_targets, 1)
    assert.equal(m.mape, (0.5 + 0.5) / 2)
    assert.equal(regressionMetrics([0, 0], [1, 1]).mape, undefined)
  })

  it('should give R² of a constant target as 1 when exact and 0 otherwise', () => {
    assert.equal(regressionMetrics([3, 3], [3, 3]).r2, 1)
    assert.equal(regressionMetrics([3, 3], [3, 4]).r2, 0)
  })

  it('should keep R² exact on targets far from zero', () => {
    const y = [1e9 + 1, 1e9 + 2, 1e9 + 3]
    assert.equal(regressionMetrics(y, [1e9 + 1, 1e9 + 2, 1e9 + 4]).r2, 0.5)
  })
})
