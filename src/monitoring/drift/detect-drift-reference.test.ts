import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { csvToDriftFrame } from './csv-frame.js'
import { detectDrift, type DriftReport } from './detect-drift.js'
import { syntheticCsv, type TableSpec } from './drift-test-data.test-helper.js'
import type { StatTestName } from './stat-tests.js'

// The acceptance bar of the monitoring issue: "Scores equal the SciPy reference to 1e-9 relative".
const RELATIVE_TOLERANCE = 1e-9

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..')
const peerScript = resolve(repoRoot, '../shared/peers/drift_reference.py')
// The shared peers' script when it is beside the checkout, else our own, so a clean clone runs this too.
const script = process.env['PLINTH_DRIFT_REFERENCE'] ?? (existsSync(peerScript) ? peerScript : resolve(repoRoot, 'test/fixtures/drift-scipy-reference.py'))
const python = process.env['PLINTH_PYTHON'] ?? 'python3'

/** Why the SciPy comparison cannot run here, or undefined when it can. */
function skipReason(): string | undefined {
  if (!existsSync(script)) return `reference script not found at ${script}; set PLINTH_DRIFT_REFERENCE`
  const probe = spawnSync(python, ['-c', 'import numpy, scipy, pandas'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    return `'${python}' cannot import numpy, scipy and pandas; set PLINTH_PYTHON to an interpreter that can`
  }
  return undefined
}

const reason = skipReason()
const dir = mkdtempSync(join(tmpdir(), 'plinth-drift-'))
after(() => rmSync(dir, { recursive: true, force: true }))

interface ReferenceReport extends Omit<DriftReport, 'columns'> {
  readonly columns: readonly { column: string; type: string; test: string; score: number; threshold: number; drift: boolean }[]
}

function runReference(refPath: string, curPath: string, method?: string): ReferenceReport {
  const args = [script, refPath, curPath, ...(method === undefined ? [] : [method])]
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 26 })
  assert.equal(run.status, 0, run.stderr)
  // Python's json writes bare NaN/Infinity, which JSON.parse rejects.
  const text = run.stdout.replace(/-?Infinity|NaN/g, (m) => `"${m}"`)
  return JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' && /^(-?Infinity|NaN)$/.test(value) ? Number(value) : value))
}

function assertSameScore(column: string, actual: number, expected: number): void {
  if (Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected))) return
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE)
  assert.ok(error <= RELATIVE_TOLERANCE, `${column}: ${actual} vs reference ${expected} (${error} relative)`)
}

/** Writes both tables, runs Plinth and the reference, and compares column by column. */
function compare(name: string, ref: TableSpec, cur: TableSpec, method?: StatTestName, keep?: readonly string[]): DriftReport {
  const trim = (csv: string): string => (keep === undefined ? csv : selectColumns(csv, keep))
  const refCsv = trim(syntheticCsv(ref))
  const curCsv = trim(syntheticCsv(cur))
  const refPath = join(dir, `${name}-reference.csv`)
  const curPath = join(dir, `${name}-current.csv`)
  writeFileSync(refPath, refCsv)
  writeFileSync(curPath, curCsv)
  const ours = detectDrift(csvToDriftFrame(refCsv), csvToDriftFrame(curCsv), method === undefined ? {} : { method })
  const theirs = runReference(refPath, curPath, method)
  assert.equal(ours.columns.length, theirs.columns.length)
  ours.columns.forEach((c, k) => {
    const t = theirs.columns[k]!
    assert.deepEqual([c.column, c.type, c.test, c.threshold], [t.column, t.type, t.test, t.threshold])
    assertSameScore(`${name}/${c.column}/${c.test}`, c.score, t.score)
    assert.equal(c.drift, t.drift, `${name}/${c.column}: drift decision differs`)
  })
  assert.deepEqual([ours.drifted, ours.share, ours.dataset_drift], [theirs.drifted, theirs.share, theirs.dataset_drift])
  return ours
}

function selectColumns(csv: string, keep: readonly string[]): string {
  const lines = csv.trimEnd().split('\n').map((l) => l.split(','))
  const idx = keep.map((k) => lines[0]!.indexOf(k))
  return `${lines.map((cells) => idx.map((i) => cells[i]).join(',')).join('\n')}\n`
}

const small = { rows: 800, seed: 1, shift: 0, junk: 0.05 }
const smallShifted = { rows: 1300, seed: 2, shift: 0.5, junk: 0.03 }
const large = { rows: 3000, seed: 3, shift: 0, junk: 0.02 }
const largeShifted = { rows: 2500, seed: 4, shift: 0.6, junk: 0.02 }
const numericColumns = ['normal', 'noisy', 'int_wide', 'int_few', 'binary_num']
const lowCardinality = ['int_few', 'binary_num', 'color', 'flag']

describe('detectDrift against the SciPy reference', { skip: reason }, () => {
  it('should pick ks, chisquare and z on a small reference and match every score', () => {
    const report = compare('small', small, smallShifted)
    assert.deepEqual(new Set(report.columns.map((c) => c.test)), new Set(['ks', 'chisquare', 'z']))
  })

  it('should pick wasserstein and jensenshannon on a large reference and match every score', () => {
    const report = compare('large', large, largeShifted)
    assert.deepEqual(new Set(report.columns.map((c) => c.test)), new Set(['wasserstein', 'jensenshannon']))
  })

  it('should match exact KS p-values for equal sample sizes and for undrifted data', () => {
    compare('equal', { ...small, rows: 600 }, { ...smallShifted, rows: 600 })
    compare('same', small, { ...small, seed: 9 })
  })

  for (const method of ['psi', 'jensenshannon'] as const) {
    it(`should match forced ${method} on binned numerics and categories`, () => {
      compare(`${method}-small`, small, smallShifted, method)
      compare(`${method}-large`, large, largeShifted, method)
    })
  }

  for (const method of ['ks', 'wasserstein'] as const) {
    it(`should match forced ${method} on every numerical column`, () => {
      compare(`${method}-forced`, large, smallShifted, method, numericColumns)
    })
  }

  it('should match SciPy\'s asymptotic KS p-values above 10,000 rows, drifted and not', () => {
    // en = 12,000·10,500/22,500 = 5,600: below and above n·D² = 2.2 the formula differs.
    const big = { rows: 12_000, seed: 5, shift: 0, junk: 0.01 }
    compare('ks-large-same', big, { ...big, rows: 10_500, seed: 6 }, 'ks', numericColumns)
    compare('ks-large-shifted', big, { ...big, rows: 10_500, seed: 7, shift: 0.05 }, 'ks', numericColumns)
  })

  for (const method of ['chisquare', 'z'] as const) {
    it(`should match forced ${method} on low-cardinality columns`, () => {
      compare(`${method}-forced`, large, largeShifted, method, lowCardinality)
    })
  }
})
