import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../../testing/seeded-random.js'
import { binIndexEdges, expectedCalibrationError, needsCalibration } from './calibration.js'
import { CbpeCalibration, estimateBinary, estimatePerformance, estimateRocAuc } from './cbpe.js'
import { classificationMetrics } from './classification-metrics.js'
import { IsotonicCalibrator } from './isotonic.js'

describe('isotonic calibration (pool adjacent violators)', () => {
  it('should pool violating neighbours into their mean', () => {
    const iso = IsotonicCalibrator.fit([1, 2, 3, 4], [0, 1, 0, 1])
    assert.deepEqual(iso.predictAll([1, 2, 3, 4]), [0, 0.5, 0.5, 1])
  })

  it('should average equal scores first, interpolate between points and clip outside', () => {
    const iso = IsotonicCalibrator.fit([0.2, 0.2, 0.8], [0, 1, 1])
    assert.deepEqual(iso.predictAll([0, 0.2, 0.5, 0.8, 1]), [0.5, 0.5, 0.75, 1, 1])
  })

  it('should give a non-decreasing map', () => {
    const random = seededRandom(3)
    const x = Array.from({ length: 300 }, () => random())
    const iso = IsotonicCalibrator.fit(x, x.map((s) => (random() < s * s ? 1 : 0)))
    const grid = Array.from({ length: 101 }, (_, i) => i / 100).map((s) => iso.predict(s))
    grid.slice(1).forEach((v, i) => assert.ok(v >= grid[i]!))
  })
})

describe('expected calibration error', () => {
  it('should split sorted rows into equal-count bins as NannyML does', () => {
    assert.deepEqual(binIndexEdges(100, 10)[0], [0, 10])
    assert.equal(binIndexEdges(100, 10).length, 10)
    assert.deepEqual(binIndexEdges(8, 10), [[0, 2], [2, 4], [4, 6], [6, 8]])
    assert.deepEqual(binIndexEdges(3, 10), [[0, 3]])
  })

  it('should weigh each bin gap between mean outcome and mean probability by its share of rows', () => {
    // Two bins of two rows: (0.1, 0.2 | y 0, 1) gap |0.5−0.15|; (0.8, 0.9 | y 1, 1) gap |1−0.85|.
    const ece = expectedCalibrationError([0, 1, 1, 1], [0.1, 0.2, 0.8, 0.9], 2)
    assert.ok(Math.abs(ece - (0.5 * 0.35 + 0.5 * 0.15)) < 1e-15)
  })

  it('should not calibrate a perfect ranker or a single class, and should calibrate squashed scores', () => {
    assert.equal(needsCalibration([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), false)
    assert.equal(needsCalibration([1, 1, 1], [0.1, 0.5, 0.9]), false)
    const random = seededRandom(11)
    const truth = Array.from({ length: 2000 }, () => random())
    const y = truth.map((p) => (random() < p ? 1 : 0))
    // Scores pulled to 0.5: they rank well but say 0.6 where the truth is 0.9.
    assert.equal(needsCalibration(y, truth.map((p) => 0.5 + (p - 0.5) / 3)), true)
  })
})

describe('CBPE estimates', () => {
  it('should estimate a confusion matrix from calibrated probabilities by hand', () => {
    // Predicted positive at 0.9 and 0.6; predicted negative at 0.2 and 0.1.
    const p = [0.9, 0.6, 0.2, 0.1]
    const e = estimateBinary([true, true, false, false], p, p)
    const tp = 1.5
    const fp = 0.5
    const fn = 0.3
    const tn = 1.7
    assert.ok(Math.abs(e.accuracy - (tp + tn) / 4) < 1e-15)
    assert.ok(Math.abs(e.precision - tp / (tp + fp)) < 1e-15)
    assert.ok(Math.abs(e.recall - tp / (tp + fn)) < 1e-15)
    assert.ok(Math.abs(e.f1 - tp / (tp + 0.5 * (fp + fn))) < 1e-15)
  })

  it('should estimate ROC AUC of certain probabilities as the realized one', () => {
    assert.equal(estimateRocAuc([1, 1, 0, 0], [0.9, 0.8, 0.3, 0.1]), 1)
    assert.equal(estimateRocAuc([1, 1], [0.9, 0.8]), undefined)
  })

  it('should estimate realized binary performance on well-calibrated synthetic data', () => {
    const random = seededRandom(21)
    const n = 20_000
    const p = Array.from({ length: n }, () => random() ** 1.5)
    const actual = p.map((q) => (random() < q ? '1' : '0'))
    const predicted = p.map((q) => (q >= 0.5 ? '1' : '0'))
    const probabilities = new Map([['0', p.map((q) => 1 - q)], ['1', p]])
    const realized = classificationMetrics({ actual, predicted, probabilities }, { positiveClass: '1' })
    const estimated = estimatePerformance({ predicted, probabilities }, CbpeCalibration.none(), '1')!
    for (const name of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'] as const) {
      assert.ok(Math.abs(estimated[name]! - realized[name]!) < 0.02, `${name}: estimated ${estimated[name]} vs realized ${realized[name]}`)
    }
  })

  it('should recover realized performance of miscalibrated scores once calibrated on a labeled reference', () => {
    const random = seededRandom(5)
    const draw = (n: number) => {
      const truth = Array.from({ length: n }, () => random())
      const actual = truth.map((q) => (random() < q ? '1' : '0'))
      const score = truth.map((q) => q ** 3)
      return { actual, predicted: score.map((s) => (s >= 0.5 ? '1' : '0')), probabilities: new Map([['0', score.map((s) => 1 - s)], ['1', score]]) }
    }
    const reference = draw(10_000)
    const analysis = draw(10_000)
    const calibration = CbpeCalibration.fit(reference.actual, reference.probabilities)
    assert.equal(calibration.calibrated, true)
    const realized = classificationMetrics(analysis, { positiveClass: '1' })
    const raw = estimatePerformance(analysis, CbpeCalibration.none(), '1')!
    const calibrated = estimatePerformance(analysis, calibration, '1')!
    assert.ok(Math.abs(calibrated.accuracy - realized.accuracy) < 0.02, `calibrated ${calibrated.accuracy} vs ${realized.accuracy}`)
    assert.ok(Math.abs(raw.accuracy - realized.accuracy) > 0.1, `raw ${raw.accuracy} vs ${realized.accuracy}: the raw scores should be visibly off, or the test proves nothing`)
  })

  it('should estimate multiclass accuracy and macro F1 one-vs-rest on calibrated data', () => {
    const random = seededRandom(8)
    const n = 15_000
    const classes = ['a', 'b', 'c']
    const columns = classes.map(() => new Array<number>(n))
    const actual: string[] = []
    const predicted: string[] = []
    for (let i = 0; i < n; i++) {
      const raw = classes.map(() => random() ** 2)
      const sum = raw.reduce((s, v) => s + v, 0)
      const probs = raw.map((v) => v / sum)
      probs.forEach((p, k) => (columns[k]![i] = p))
      let u = random()
      let k = 0
      while (k < 2 && u >= probs[k]!) u -= probs[k++]!
      actual.push(classes[k]!)
      predicted.push(classes[probs.indexOf(Math.max(...probs))]!)
    }
    const probabilities = new Map(classes.map((c, k) => [c, columns[k]!]))
    const realized = classificationMetrics({ actual, predicted, probabilities })
    const estimated = estimatePerformance({ predicted, probabilities }, CbpeCalibration.none())!
    for (const name of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'] as const) {
      assert.ok(Math.abs(estimated[name]! - realized[name]!) < 0.02, `${name}: estimated ${estimated[name]} vs realized ${realized[name]}`)
    }
  })
})
