import { readFile } from 'node:fs/promises'

/** The step's view of `name=value` files ($PLINTH_OUTPUT, $PLINTH_METRICS). */
export async function readPairs(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8').catch(() => '')
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    if (at <= 0) continue
    out[line.slice(0, at).trim()] = line.slice(at + 1).replace(/\r$/, '')
  }
  return out
}

export function numericPairs(pairs: Readonly<Record<string, string>>): { metrics: Record<string, number>; bad: string[] } {
  const metrics: Record<string, number> = {}
  const bad: string[] = []
  for (const [key, value] of Object.entries(pairs)) {
    const n = Number(value.trim())
    if (value.trim() !== '' && Number.isFinite(n)) metrics[key] = n
    else bad.push(key)
  }
  return { metrics, bad }
}

/**
 * The environment a step starts from: this process's, minus Plinth's own settings and secrets
 * (`PLINTH_*`), which a step's code has no business reading.
 */
export function inheritedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) if (value !== undefined && !key.startsWith('PLINTH_')) out[key] = value
  return out
}

/** Replaces every secret value in `text` (values shorter than 4 characters would mask too much). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***')
  return out
}

export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
