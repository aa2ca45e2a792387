/**
 * The drift benchmark's data set: a reference and a current CSV of `rows` rows × `columns`
 * numeric columns, seeded so every run (and every machine) reads the same bytes. Half the
 * columns drift by growing amounts, so both verdicts and both KS regimes are exercised.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { seededRandom } from '../../src/testing/seeded-random.js'

export interface DataSet {
  readonly reference: string
  readonly current: string
}

function normal(random: () => number): number {
  const u = 1 - random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/** Column k's value; `drift` moves odd columns of the current table by k·drift. */
function cell(random: () => number, k: number, drift: number): string {
  const shift = k % 2 === 1 ? k * drift : 0
  switch (k % 4) {
    case 0: return (normal(random) + shift).toFixed(6)
    case 1: return (Math.exp(normal(random) * 0.5) * 10 + shift).toFixed(4)
    case 2: return String(Math.floor(random() * 1000 + shift * 100))
    default: return (random() * 100 + shift * 10).toFixed(3)
  }
}

async function writeTable(path: string, rows: number, columns: number, seed: number, drift: number): Promise<void> {
  const random = seededRandom(seed)
  const partial = `${path}.partial`
  const out = createWriteStream(partial)
  const header = Array.from({ length: columns }, (_, k) => `f${k}`).join(',')
  let chunk = `${header}\n`
  for (let i = 0; i < rows; i++) {
    const cells: string[] = []
    for (let k = 0; k < columns; k++) cells.push(cell(random, k, drift))
    chunk += `${cells.join(',')}\n`
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r))
      chunk = ''
    }
  }
  out.write(chunk)
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  renameSync(partial, path)
}

/** Writes the pair once per size into `dir` and returns the paths; later runs reuse the files. */
export async function ensureDataSet(dir: string, rows: number, columns: number): Promise<DataSet> {
  mkdirSync(dir, { recursive: true })
  const reference = join(dir, `reference-${rows}x${columns}.csv`)
  const current = join(dir, `current-${rows}x${columns}.csv`)
  if (!existsSync(reference)) await writeTable(reference, rows, columns, 1, 0)
  if (!existsSync(current)) await writeTable(current, rows, columns, 2, 0.02)
  return { reference, current }
}
