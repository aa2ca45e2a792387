import { parse } from 'node:querystring'

/**
 * MLflow clients send list parameters as `run_ids=a&run_ids=b`, `run_ids[]=a` or
 * `experiment_ids[0]=1` (MLflow rewrites the bracket forms); all become `run_ids: [...]`.
 */
export function parseQueryString(text: string): Record<string, unknown> {
  const raw = parse(text)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    const match = /^(.+?)\[\d*\]$/.exec(key)
    if (!match) {
      out[key] = value
      continue
    }
    const base = match[1]!
    const existing = out[base]
    const items = Array.isArray(value) ? value : [value]
    out[base] = existing === undefined ? items : [...(Array.isArray(existing) ? existing : [existing]), ...items]
  }
  return out
}
