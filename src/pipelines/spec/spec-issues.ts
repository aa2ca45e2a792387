import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml'

/** One problem in a pipeline file, where it is and what to change. */
export interface SpecIssue {
  readonly file?: string
  readonly line: number
  readonly column: number
  readonly message: string
}

/** Collects every problem of one file, so a user fixes them in one pass instead of one per run. */
export class IssueList {
  readonly #file: string | undefined
  readonly #lines: LineCounter
  readonly issues: SpecIssue[] = []

  constructor(lines: LineCounter, file?: string) {
    this.#file = file
    this.#lines = lines
  }

  /** Records a problem at `node` (or at the start of the file when the node is missing). */
  add(node: Node | null | undefined, message: string): void {
    const { line, column } = this.locate(node)
    this.issues.push({ ...(this.#file === undefined ? {} : { file: this.#file }), line, column, message })
  }

  locate(node: Node | null | undefined): { line: number; column: number } {
    const offset = node?.range?.[0] ?? 0
    const pos = this.#lines.linePos(offset)
    return { line: pos.line, column: pos.col }
  }

  atOffset(offset: number, message: string): void {
    const pos = this.#lines.linePos(offset)
    this.issues.push({ ...(this.#file === undefined ? {} : { file: this.#file }), line: pos.line, column: pos.col, message })
  }
}

export function formatIssue(issue: SpecIssue): string {
  return `${issue.file ?? '<pipeline>'}:${issue.line}:${issue.column}: ${issue.message}`
}

export interface Entry {
  readonly key: string
  readonly keyNode: Node
  readonly value: Node | null
}

/** The entries of a mapping, or undefined (with an issue) when `node` is something else. */
export function mapEntries(node: Node | null, what: string, issues: IssueList): Entry[] | undefined {
  if (!isMap(node)) {
    issues.add(node, `${what} must be a mapping (key: value), not ${describe(node)}.`)
    return undefined
  }
  return (node as YAMLMap).items.map((pair) => {
    const p = pair as Pair<Node, Node | null>
    const key = isScalar(p.key) ? String((p.key as Scalar).value) : String(p.key)
    return { key, keyNode: p.key, value: p.value }
  })
}

export function seqItems(node: Node | null, what: string, issues: IssueList): Node[] | undefined {
  if (!isSeq(node)) {
    issues.add(node, `${what} must be a list, not ${describe(node)}.`)
    return undefined
  }
  return (node as YAMLSeq<Node>).items
}

/** Reports keys outside `allowed`, suggesting the nearest allowed key for a typo. */
export function checkKeys(entries: readonly Entry[], allowed: readonly string[], where: string, issues: IssueList): void {
  for (const entry of entries) {
    if (allowed.includes(entry.key)) continue
    const near = nearest(entry.key, allowed)
    const hint = near ? ` Did you mean '${near}'?` : ` Allowed: ${allowed.join(', ')}.`
    issues.add(entry.keyNode, `Unknown key '${entry.key}' in ${where}.${hint}`)
  }
}

export function scalarValue(node: Node | null): unknown {
  return isScalar(node) ? (node as Scalar).value : undefined
}

export function stringValue(node: Node | null, what: string, issues: IssueList): string | undefined {
  const value = scalarValue(node)
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  issues.add(node, `${what} must be a non-empty string, not ${describe(node)}.`)
  return undefined
}

export function stringList(node: Node | null, what: string, issues: IssueList): string[] {
  if (isScalar(node) && typeof (node as Scalar).value === 'string') return [String((node as Scalar).value)]
  const items = seqItems(node, what, issues)
  return (items ?? []).flatMap((item) => {
    const value = stringValue(item, `Each entry of ${what}`, issues)
    return value === undefined ? [] : [value]
  })
}

export function stringMap(node: Node | null, what: string, issues: IssueList): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of mapEntries(node, what, issues) ?? []) {
    const value = scalarValue(entry.value)
    if (value === null || value === undefined || typeof value === 'object') issues.add(entry.value ?? entry.keyNode, `${what}.${entry.key} must be a string, number or boolean.`)
    else out[entry.key] = String(value)
  }
  return out
}

export function describe(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing'
  if (isMap(node)) return 'a mapping'
  if (isSeq(node)) return 'a list'
  const value = scalarValue(node)
  if (value === null) return 'null'
  return `${typeof value} '${String(value)}'`
}

/** The allowed word closest to `word` by edit distance, when close enough to be a typo. */
export function nearest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of allowed) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
