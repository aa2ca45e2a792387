/**
 * Seeded synthetic tables for the drift tests, written as CSV text so the same bytes feed both
 * Plinth and the SciPy reference. Values are rounded to 6 decimals so every CSV parser reads the
 * identical double.
 */

import { seededRandom } from '../../testing/seeded-random.js'
export { seededRandom }

/** Box–Muller normal sample. */
export function normal(random: () => number, mean = 0, sd = 1): number {
  const u = 1 - random()
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

function pick<T>(random: () => number, values: readonly T[], weights: readonly number[]): T {
  let r = random() * weights.reduce((a, b) => a + b, 0)
  for (let k = 0; k < values.length; k++) {
    r -= weights[k]!
    if (r < 0) return values[k]!
  }
  return values[values.length - 1]!
}

const round6 = (x: number): string => String(Number(x.toFixed(6)))

/** Cells that pandas and Plinth both drop: empty, NaN and ±Infinity. */
const JUNK = ['', 'inf', '-inf', 'nan']

export interface TableSpec {
  readonly rows: number
  readonly seed: number
  /** 0 for the reference; larger values shift every column further. */
  readonly shift: number
  /** Share of cells in the `noisy` column replaced by junk. */
  readonly junk?: number
}

/** A table mixing continuous, integer, low-cardinality and categorical columns. */
export function syntheticCsv(spec: TableSpec): string {
  const random = seededRandom(spec.seed)
  const s = spec.shift
  const lines = ['normal,noisy,int_wide,int_few,binary_num,color,flag']
  for (let i = 0; i < spec.rows; i++) {
    const noisy = random() < (spec.junk ?? 0) ? JUNK[Math.floor(random() * JUNK.length)]! : round6(normal(random, s, 1 + s / 2))
    lines.push([
      round6(normal(random)),
      noisy,
      String(Math.floor(random() * (100 + 40 * s))),
      String(pick(random, [0, 1, 2, 3], [4, 3, 2 + 2 * s, 1])),
      String(random() < 0.3 + 0.1 * s ? 1 : 0),
      pick(random, ['red', 'green', 'blue', 'violet'], [5, 3, 2 - s, 1 + s]),
      random() < 0.5 + 0.05 * s ? 'yes' : 'no',
    ].join(','))
  }
  return `${lines.join('\n')}\n`
}
