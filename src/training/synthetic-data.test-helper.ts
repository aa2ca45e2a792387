import { writeFileSync } from 'node:fs'
import { seededRandom } from '../shared/seeded-random.js'

export type SyntheticKind = 'binary' | 'multiclass' | 'regression'

/**
 * Tabular data with a linear part, a curve and an interaction, plus noise, so neither a linear
 * model nor trees fit it perfectly and a trainer that is off shows in its holdout score.
 */
export function syntheticRows(kind: SyntheticKind, rows: number, features: number, seed: number): number[][] {
  const random = seededRandom(seed)
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const weights = Array.from({ length: features }, (_, j) => (j % 2 === 0 ? 1 : -1) * (1 / (1 + j * 0.5)))
  const out: number[][] = []
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: features }, (_, j) => (j === 2 ? 50 + 10 * gauss() : gauss()))
    let linear = 0
    for (let j = 0; j < features; j++) linear += weights[j]! * (j === 2 ? (x[j]! - 50) / 10 : x[j]!)
    const shape = Math.sin(2 * x[0]!) + 0.7 * x[1]! * (x[3] ?? 0)
    let y: number
    if (kind === 'regression') y = 3 * linear + 2 * shape + gauss()
    else if (kind === 'binary') y = linear + shape + 0.8 * gauss() > 0.3 ? 1 : 0
    else {
      const s = [0, linear + 0.5 * gauss(), shape - 0.5 * linear + 0.5 * gauss()]
      y = s.indexOf(Math.max(...s))
    }
    out.push([...x.map((v) => Number(v.toFixed(6))), y])
  }
  return out
}

/** Writes columns x0…x{F−1} and y. */
export function writeSyntheticCsv(path: string, kind: SyntheticKind, rows: number, features: number, seed: number): void {
  const header = [...Array.from({ length: features }, (_, j) => `x${j}`), 'y'].join(',')
  const lines = syntheticRows(kind, rows, features, seed).map((r) => r.join(','))
  writeFileSync(path, `${header}\n${lines.join('\n')}\n`)
}
