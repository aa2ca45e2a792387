import { seededRandom } from '../shared/seeded-random.js'

/**
 * Generated customer-churn data for `plinth demo`: five numeric features and a 0/1 label drawn
 * from a logistic model of them. `shift` (0..1) moves the world the way production data drifts:
 * usage and support calls rise (data drift) and the weight of support calls on churn grows
 * (concept drift), so a model trained before the shift loses accuracy after it and a model
 * retrained on shifted data wins the champion/challenger gate.
 */
export const CHURN_FEATURES = ['tenure_months', 'monthly_charges', 'support_calls', 'usage_gb', 'contract_months'] as const
export const CHURN_TARGET = 'churned'

export interface ChurnDataOptions {
  readonly rows: number
  readonly seed: number
  /** 0 = the training world; 1 = fully drifted. */
  readonly shift?: number
}

export interface ChurnData {
  readonly columns: readonly string[]
  /** Row-major: the five features, then the label. */
  readonly rows: readonly (readonly number[])[]
}

export function generateChurnData(options: ChurnDataOptions): ChurnData {
  const random = seededRandom(options.seed)
  const normal = gaussian(random)
  const shift = Math.min(1, Math.max(0, options.shift ?? 0))
  const rows: number[][] = []
  for (let i = 0; i < options.rows; i++) {
    const tenure = Math.max(0, Math.round(24 + 18 * normal()))
    const charges = round2(Math.max(10, 60 + 25 * normal()))
    const calls = poisson(random, 1.5 + 3 * shift)
    const usage = round2(Math.max(0, 40 + 30 * shift + 15 * normal()))
    const contract = [1, 12, 24][Math.floor(random() * 3)]!
    const z =
      -0.4 - 0.06 * (tenure - 24) + 0.03 * (charges - 60) + (0.55 + 0.9 * shift) * (calls - 1.5 - 3 * shift) - 0.04 * (contract - 12) - (0.02 - 0.06 * shift) * (usage - 40 - 30 * shift)
    const label = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0
    rows.push([tenure, charges, calls, usage, contract, label])
  }
  return { columns: [...CHURN_FEATURES, CHURN_TARGET], rows }
}

/** CSV text with a header row; numbers as JavaScript prints them (shortest round-trip). */
export function churnCsv(data: ChurnData): string {
  return [data.columns.join(','), ...data.rows.map((r) => r.join(','))].join('\n') + '\n'
}

function gaussian(random: () => number): () => number {
  return () => {
    // Box-Muller; 1 - u keeps the logarithm's argument above zero.
    const u = 1 - random()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
  }
}

function poisson(random: () => number, mean: number): number {
  // Knuth's method: fine for the small means used here.
  const limit = Math.exp(-mean)
  let k = 0
  for (let p = random(); p > limit; p *= random()) k++
  return k
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
