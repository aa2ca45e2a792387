/** A sample of the Prometheus text exposition: metric name, labels, value. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g

/** Parses the samples of the given metric names (others are skipped without parsing labels). */
export function parseSamples(text: string, names: Set<string>): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (!match || !names.has(match[1]!)) continue
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, '$1')
    samples.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return samples
}

export function sumOf(samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean): number {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((sum, s) => sum + s.value, 0)
}

/** Cumulative histogram buckets (le → count), summed over the matching series. */
export function bucketsOf(samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean): Map<number, number> {
  const buckets = new Map<number, number>()
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !where(s.labels)) continue
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)
    buckets.set(le, (buckets.get(le) ?? 0) + s.value)
  }
  return buckets
}

/** The q-quantile of the observations between two bucket snapshots, by linear interpolation within a bucket. */
export function quantileBetween(before: Map<number, number>, after: Map<number, number>, q: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b)
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0))
  const total = counts.at(-1) ?? 0
  if (total <= 0) return null
  const rank = q * total
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!
      const upper = bounds[i]!
      if (!Number.isFinite(upper)) return lower
      const below = i === 0 ? 0 : counts[i - 1]!
      const inBucket = counts[i]! - below
      return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper
    }
  }
  return bounds.at(-2) ?? null
}
