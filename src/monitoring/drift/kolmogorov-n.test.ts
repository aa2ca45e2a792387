import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { kolmogorovNSf } from './kolmogorov-n.js'

const python = process.env['PLINTH_PYTHON'] ?? 'python3'
const probe = spawnSync(python, ['-c', 'import scipy'], { encoding: 'utf8' })
const skip = probe.status === 0 ? undefined : `'${python}' cannot import scipy; set PLINTH_PYTHON`

// Sizes straddle every regime switch SciPy makes (n ≤ 140, n ≤ 100,000, n·x² at 0.75, 2.2, 4, 370);
// SciPy itself needs about a second per large-n Smirnov tail, so those cases are few.
const SMALL_SIZES = [5, 50, 140, 141, 5000, 60_000, 100_000, 100_001]
const STATISTICS = [0.0005, 0.002, 0.005, 0.01, 0.05, 0.2, 0.45, 0.6, 0.9]
const CASES: [number, number][] = [
  ...SMALL_SIZES.flatMap((n) => STATISTICS.map((x): [number, number] => [n, x])),
  [500_000, 0.0005], [500_000, 0.001], [500_000, 0.003], [500_000, 0.9], [750_000, 0.002],
]

function scipyKstwoSf(): number[] {
  const script = [
    'import json, sys',
    'from scipy.stats import kstwo',
    `cases = ${JSON.stringify(CASES)}`,
    'print(json.dumps([float(kstwo.sf(x, n)) for n, x in cases]))',
  ].join('\n')
  const run = spawnSync(python, ['-c', script], { encoding: 'utf8' })
  assert.equal(run.status, 0, run.stderr)
  return JSON.parse(run.stdout) as number[]
}

describe('kolmogorovNSf', () => {
  it('should equal SciPy kstwo.sf to 1e-12 relative across all of its regimes', { skip }, () => {
    const expected = scipyKstwoSf()
    CASES.forEach(([n, x], k) => {
      const want = expected[k]!
      const got = kolmogorovNSf(n, x)
      const error = want === 0 ? Math.abs(got) : Math.abs(got - want) / want
      assert.ok(error <= 1e-12, `n=${n} x=${x}: ${got} vs SciPy ${want}`)
    })
  })

  it('should be 1 at x ≤ 0, 0 at x ≥ 1 and NaN for a non-integer n', () => {
    assert.equal(kolmogorovNSf(100, 0), 1)
    assert.equal(kolmogorovNSf(100, 1), 0)
    assert.ok(Number.isNaN(kolmogorovNSf(10.5, 0.1)))
  })

  it('should fall monotonically in x across the regime switches', () => {
    for (const n of [120, 1000, 200_000]) {
      let previous = 1
      for (let x = 0.2 / n; x < 0.99; x *= 1.03) {
        const p = kolmogorovNSf(n, x)
        assert.ok(p <= previous + 1e-12, `n=${n}: sf rose to ${p} at x=${x}`)
        previous = p
      }
    }
  })
})
