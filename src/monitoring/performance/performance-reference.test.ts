import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { seededRandom } from '../../testing/seeded-random.js'
import { classificationMetrics } from './classification-metrics.js'
import { IsotonicCalibrator } from './isotonic.js'
import { regressionMetrics } from './regression-metrics.js'

// The bar for drift scores, applied to performance metrics as well.
const RELATIVE_TOLERANCE = 1e-9

const python = process.env['PLINTH_PYTHON']

function skipReason(): string | undefined {
  if (!python) return 'PLINTH_PYTHON is not set (an interpreter with scikit-learn, e.g. /usr/bin/python3 with python3-sklearn)'
  const probe = spawnSync(python, ['-c', 'import sklearn, numpy'], { encoding: 'utf8' })
  if (probe.status !== 0) return `'${python}' cannot import sklearn and numpy; set PLINTH_PYTHON to an interpreter that can`
  return undefined
}

/** scikit-learn computes every case it is sent on stdin and answers in the same order. */
const REFERENCE = `
import json, sys
import numpy as np
from sklearn import metrics as m
from sklearn.isotonic import IsotonicRegression
out = []
for case in json.load(sys.stdin):
    kind = case['kind']
    if kind == 'binary':
        y, p, s = case['actual'], case['predicted'], np.array(case['score'])
        out.append({'accuracy': m.accuracy_score(y, p), 'precision': m.precision_score(y, p, pos_label=1, zero_division=0),
                    'recall': m.recall_score(y, p, pos_label=1, zero_division=0), 'f1': m.f1_score(y, p, pos_label=1, zero_division=0),
                    'roc_auc': m.roc_auc_score(y, s), 'log_loss': m.log_loss(y, s),
                    'confusion_matrix': m.confusion_matrix(y, p).tolist()})
    elif kind == 'multiclass':
        y, p, P = case['actual'], case['predicted'], np.array(case['probabilities']).T
        out.append({'accuracy': m.accuracy_score(y, p), 'precision': m.precision_score(y, p, average='macro', zero_division=0),
                    'recall': m.recall_score(y, p, average='macro', zero_division=0), 'f1': m.f1_score(y, p, average='macro', zero_division=0),
                    'roc_auc': m.roc_auc_score(y, P, multi_class='ovr', average='macro'), 'log_loss': m.log_loss(y, P),
                    'confusion_matrix': m.confusion_matrix(y, p).tolist()})
    elif kind == 'regression':
        y, p = np.array(case['actual']), np.array(case['predicted'])
        out.append({'mae': m.mean_absolute_error(y, p), 'rmse': float(np.sqrt(m.mean_squared_error(y, p))),
                    'mape': m.mean_absolute_percentage_error(y, p), 'r2': m.r2_score(y, p)})
    elif kind == 'isotonic':
        iso = IsotonicRegression(out_of_bounds='clip').fit(case['x'], case['y'])
        out.append({'predicted': iso.predict(case['at']).tolist()})
json.dump(out, sys.stdout)
`

function runReference(cases: unknown[]): Array<Record<string, any>> {
  const run = spawnSync(python!, ['-c', REFERENCE], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 })
  assert.equal(run.status, 0, run.stderr)
  return JSON.parse(run.stdout)
}

function close(name: string, actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined, `${name}: undefined, reference ${expected}`)
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE)
  assert.ok(actual === expected || error <= RELATIVE_TOLERANCE, `${name}: ${actual} vs scikit-learn ${expected} (${error} relative)`)
}

/** A binary classifier whose scores lean towards the truth, with some ties (rounded scores). */
function binaryCase(seed: number, n: number, decimals: number) {
  const random = seededRandom(seed)
  const actual = Array.from({ length: n }, () => (random() < 0.35 ? 1 : 0))
  const score = actual.map((y) => Number(Math.min(1, Math.max(0, 0.3 * y + 0.7 * random())).toFixed(decimals)))
  const predicted = score.map((s) => (s >= 0.5 ? 1 : 0))
  return { kind: 'binary', actual, predicted, score }
}

function multiclassCase(seed: number, n: number, k: number) {
  const random = seededRandom(seed)
  const actual = Array.from({ length: n }, () => Math.floor(random() * k))
  const probabilities = Array.from({ length: k }, () => new Array<number>(n).fill(0))
  const predicted = actual.map((y, i) => {
    const raw = Array.from({ length: k }, (_, c) => random() + (c === y ? 0.8 : 0))
    const sum = raw.reduce((a, b) => a + b, 0)
    raw.forEach((v, c) => (probabilities[c]![i] = v / sum))
    return raw.indexOf(Math.max(...raw))
  })
  return { kind: 'multiclass', actual, predicted, probabilities }
}

function regressionCase(seed: number, n: number) {
  const random = seededRandom(seed)
  const actual = Array.from({ length: n }, () => 50 + 200 * (random() - 0.3))
  const predicted = actual.map((y) => y + 20 * (random() - 0.5))
  return { kind: 'regression', actual, predicted }
}

function isotonicCase(seed: number, n: number) {
  const random = seededRandom(seed)
  const x = Array.from({ length: n }, () => Number(random().toFixed(2)))
  const y = x.map((s) => (random() < s ? 1 : 0))
  const at = Array.from({ length: 200 }, (_, i) => -0.1 + (1.2 * i) / 199)
  return { kind: 'isotonic', x, y, at }
}

const keys = (values: readonly number[]) => values.map(String)

describe('performance metrics against scikit-learn', { skip: skipReason() }, () => {
  const binary = [binaryCase(1, 500, 2), binaryCase(2, 2000, 6), binaryCase(3, 37, 1)]
  const multiclass = [multiclassCase(4, 600, 3), multiclassCase(5, 1500, 5)]
  const regression = [regressionCase(6, 1000), regressionCase(7, 13)]
  const isotonic = [isotonicCase(8, 400), isotonicCase(9, 50)]
  const reference = runReference([...binary, ...multiclass, ...regression, ...isotonic])

  it('should match accuracy, precision, recall, F1, ROC AUC, log loss and the confusion matrix of a binary classifier', () => {
    binary.forEach((c, k) => {
      const expected = reference[k]!
      const probabilities = new Map([['0', c.score.map((s) => 1 - s)], ['1', c.score]])
      const ours = classificationMetrics({ actual: keys(c.actual), predicted: keys(c.predicted), probabilities }, { positiveClass: '1' })
      for (const name of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] as const) close(`binary ${k} ${name}`, ours[name], expected[name])
      assert.deepEqual(ours.confusion_matrix.matrix, expected['confusion_matrix'])
    })
  })

  it('should match macro-averaged and one-vs-rest metrics of a multiclass classifier', () => {
    multiclass.forEach((c, k) => {
      const expected = reference[binary.length + k]!
      const probabilities = new Map(c.probabilities.map((column, label) => [String(label), column]))
      const ours = classificationMetrics({ actual: keys(c.actual), predicted: keys(c.predicted), probabilities })
      for (const name of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] as const) close(`multiclass ${k} ${name}`, ours[name], expected[name])
      assert.deepEqual(ours.confusion_matrix.matrix, expected['confusion_matrix'])
    })
  })

  it('should match MAE, RMSE, MAPE and R² of a regressor', () => {
    regression.forEach((c, k) => {
      const expected = reference[binary.length + multiclass.length + k]!
      const ours = regressionMetrics(c.actual, c.predicted)
      for (const name of ['mae', 'rmse', 'mape', 'r2'] as const) close(`regression ${k} ${name}`, ours[name], expected[name])
    })
  })

  it('should calibrate exactly as IsotonicRegression(out_of_bounds="clip")', () => {
    isotonic.forEach((c, k) => {
      const expected = reference[binary.length + multiclass.length + regression.length + k]!['predicted'] as number[]
      const ours = IsotonicCalibrator.fit(c.x, c.y).predictAll(c.at)
      ours.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 1e-12, `isotonic ${k} at ${c.at[i]}: ${v} vs ${expected[i]}`))
    })
  })
})
