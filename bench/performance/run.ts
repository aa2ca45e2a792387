// Performance metrics on a large window: Plinth's pure functions against scikit-learn, in one run.
// Both sides get the same generated rows (written as raw float64 files) and time only computation.
// Usage: npx tsx bench/performance/run.ts [--rows 1000000] [--repeats 3]   (PLINTH_PYTHON, default python3)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { classificationMetrics } from '../../src/monitoring/performance/classification-metrics.js'
import { IsotonicCalibrator } from '../../src/monitoring/performance/isotonic.js'
import { regressionMetrics } from '../../src/monitoring/performance/regression-metrics.js'
import { seededRandom } from '../../src/testing/seeded-random.js'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, repeats: { type: 'string', default: '3' } } })
const n = Number(values.rows)
const repeats = Number(values.repeats)
const python = process.env['PLINTH_PYTHON'] ?? 'python3'

const random = seededRandom(2026)
const score = new Float64Array(n)
const actual = new Float64Array(n)
const predicted = new Float64Array(n)
const y = new Float64Array(n)
const yHat = new Float64Array(n)
for (let i = 0; i < n; i++) {
  const p = random()
  score[i] = Math.round(p * 1e4) / 1e4
  actual[i] = random() < p ? 1 : 0
  predicted[i] = p >= 0.5 ? 1 : 0
  y[i] = 10 + 100 * random()
  yHat[i] = y[i]! + 5 * (random() - 0.5)
}

const PEER = `
import sys, time, json
import numpy as np
from sklearn import metrics as m
from sklearn.isotonic import IsotonicRegression
d, repeats = sys.argv[1], int(sys.argv[2])
s, a, p, y, yh = (np.fromfile(f'{d}/{k}.f64') for k in ('score', 'actual', 'predicted', 'y', 'yhat'))
def best(f):
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return min(times)
def classification():
    m.accuracy_score(a, p); m.precision_score(a, p); m.recall_score(a, p); m.f1_score(a, p)
    m.roc_auc_score(a, s); m.log_loss(a, s); m.confusion_matrix(a, p)
def regression():
    m.mean_absolute_error(y, yh); np.sqrt(m.mean_squared_error(y, yh)); m.mean_absolute_percentage_error(y, yh); m.r2_score(y, yh)
def isotonic():
    IsotonicRegression(out_of_bounds='clip').fit(s, a).predict(s)
print(json.dumps({'classification': best(classification), 'regression': best(regression), 'isotonic': best(isotonic)}))
`

function best(run: () => void): number {
  let min = Infinity
  for (let k = 0; k < repeats; k++) {
    const t = performance.now()
    run()
    min = Math.min(min, (performance.now() - t) / 1000)
  }
  return min
}

const dir = mkdtempSync(join(tmpdir(), 'plinth-bench-perf-'))
try {
  for (const [name, data] of Object.entries({ score, actual, predicted, y, yhat: yHat })) writeFileSync(join(dir, `${name}.f64`), Buffer.from(data.buffer))
  const peerRun = spawnSync(python, ['-c', PEER, dir, String(repeats)], { encoding: 'utf8' })
  if (peerRun.status !== 0) throw new Error(`scikit-learn peer failed: ${peerRun.stderr}`)
  const peer = JSON.parse(peerRun.stdout) as Record<string, number>

  // Plinth takes class keys as strings (labels arrive as JSON of any type); converting is part of its cost.
  const scores = Array.from(score)
  const yList = Array.from(y)
  const yHatList = Array.from(yHat)
  const ours = {
    classification: best(() => {
      const rows = { actual: Array.from(actual, String), predicted: Array.from(predicted, String), probabilities: new Map([['0', scores.map((v) => 1 - v)], ['1', scores]]) }
      classificationMetrics(rows, { positiveClass: '1' })
    }),
    regression: best(() => regressionMetrics(yList, yHatList)),
    isotonic: best(() => IsotonicCalibrator.fit(scores, Array.from(actual)).predictAll(scores)),
  }
  console.log(`| ${n.toLocaleString('en')} rows, best of ${repeats} | Plinth (s) | scikit-learn (s) | speed-up |`)
  console.log('|---|---|---|---|')
  for (const key of ['classification', 'regression', 'isotonic'] as const) {
    console.log(`| ${key} | ${ours[key].toFixed(3)} | ${peer[key]!.toFixed(3)} | ${(peer[key]! / ours[key]).toFixed(2)}× |`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
