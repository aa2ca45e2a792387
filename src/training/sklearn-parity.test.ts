import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { runSklearnPeer, sklearnSkipReason } from './sklearn-peer.test-helper.js'
import { writeSyntheticCsv, type SyntheticKind } from './synthetic-data.test-helper.js'
import { train } from './train-model.js'
import type { ModelKind } from './training-types.js'

const python = process.env['PLINTH_PYTHON']
const skip = sklearnSkipReason(python)
if (skip) console.log(`# skipping the scikit-learn parity tests: ${skip}`)

const ROWS = 6000
const FEATURES = 8

const CASES: Array<{ kind: SyntheticKind; model: ModelKind }> = [
  { kind: 'binary', model: 'logistic' },
  { kind: 'binary', model: 'gbt' },
  { kind: 'multiclass', model: 'logistic' },
  { kind: 'multiclass', model: 'gbt' },
  { kind: 'regression', model: 'linear' },
  { kind: 'regression', model: 'gbt' },
]

describe('training against scikit-learn on the same split', { skip }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-train-parity-'))
  after(() => rmSync(folder, { recursive: true, force: true }))

  for (const { kind, model } of CASES) {
    const bar = kind === 'regression' ? 'R² within 0.01' : 'accuracy within one point'
    it(`should match scikit-learn's ${model} on ${kind} data (${bar})`, () => {
      const csv = join(folder, `${kind}.csv`)
      writeSyntheticCsv(csv, kind, ROWS, FEATURES, 7)
      const result = train(csv, { target: 'y', model, testSize: 0.25, seed: 3 })
      assert.equal(result.task, kind === 'regression' ? 'regression' : 'classification')
      const peer = runSklearnPeer(python!, csv, result)
      const ours = kind === 'regression' ? result.metrics['r2']! : result.metrics['accuracy']!
      console.log(`${kind} ${model}: plinth ${ours.toFixed(4)} (${result.trainSeconds.toFixed(2)} s), scikit-learn ${peer.score.toFixed(4)} (${peer.seconds.toFixed(2)} s)`)
      assert.ok(Math.abs(ours - peer.score) <= 0.01, `plinth ${ours} vs scikit-learn ${peer.score}`)
    })
  }
})
