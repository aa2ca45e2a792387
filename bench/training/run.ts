// plinth train against scikit-learn in one run: the same generated CSV, the same split, the same
// hyper-parameters. Times are fit only (Plinth's trainSeconds, scikit-learn's est.fit), so CSV
// parsing on either side is left out; the holdout accuracy (R² for regression) is printed beside.
// Usage: npx tsx bench/training/run.ts [--rows 100000] [--features 20] [--cases logistic,gbt,linear,gbt-regression]
//        (PLINTH_PYTHON, default python3, with scikit-learn)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runSklearnPeer } from '../../src/training/sklearn-peer.test-helper.js'
import { writeSyntheticCsv, type SyntheticKind } from '../../src/training/synthetic-data.test-helper.js'
import { train } from '../../src/training/train-model.js'
import type { ModelKind } from '../../src/training/training-types.js'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    features: { type: 'string', default: '20' },
    cases: { type: 'string', default: 'logistic,gbt,linear,gbt-regression' },
  },
})
const rows = Number(values.rows)
const features = Number(values.features)
const python = process.env['PLINTH_PYTHON'] ?? 'python3'

interface Case {
  kind: SyntheticKind
  model: ModelKind
  /** scikit-learn estimators to time against: the matching one, and HistGradientBoosting for trees. */
  peers: string[]
}

const CASES: Record<string, Case> = {
  logistic: { kind: 'binary', model: 'logistic', peers: ['logistic'] },
  gbt: { kind: 'binary', model: 'gbt', peers: ['gbt', 'hist'] },
  'gbt-multiclass': { kind: 'multiclass', model: 'gbt', peers: ['gbt', 'hist'] },
  linear: { kind: 'regression', model: 'linear', peers: ['linear'] },
  'gbt-regression': { kind: 'regression', model: 'gbt', peers: ['gbt', 'hist'] },
}

const PEER_NAMES: Record<string, string> = {
  logistic: 'LogisticRegression (+StandardScaler)',
  linear: 'LinearRegression',
  gbt: 'GradientBoosting',
  hist: 'HistGradientBoosting',
}

const dir = mkdtempSync(join(tmpdir(), 'plinth-bench-train-'))
try {
  console.log(`rows ${rows}, features ${features}, 20% held out; node ${process.version}`)
  console.log('case             | plinth s | plinth score | peer                                | peer s  | peer score | peer s / plinth s')
  for (const name of values.cases.split(',')) {
    const c = CASES[name]
    if (!c) throw new Error(`unknown case '${name}'; use ${Object.keys(CASES).join(', ')}`)
    const csv = join(dir, `${c.kind}.csv`)
    writeSyntheticCsv(csv, c.kind, rows, features, 2026)
    const result = train(csv, { target: 'y', model: c.model })
    const ours = c.kind === 'regression' ? result.metrics['r2']! : result.metrics['accuracy']!
    for (const peer of c.peers) {
      const theirs = runSklearnPeer(python, csv, result, peer)
      console.log(
        [name.padEnd(16), result.trainSeconds.toFixed(2).padStart(8), ours.toFixed(4).padStart(12), PEER_NAMES[peer]!.padEnd(35), theirs.seconds.toFixed(2).padStart(7), theirs.score.toFixed(4).padStart(10), (theirs.seconds / result.trainSeconds).toFixed(1).padStart(17)].join(' | '),
      )
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
