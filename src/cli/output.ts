/** Prints rows as an aligned table for people, or JSON for scripts (`--json`). */
export function printRows(rows: Array<Record<string, unknown>>, columns: string[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n')
    return
  }
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`)
  for (const row of cells) process.stdout.write(`${line(row)}\n`)
}

export function printObject(value: unknown, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    return
  }
  process.stdout.write(`${formatTree(value, '')}\n`)
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '-'
  if (typeof value === 'number' && value > 1_000_000_000_000 && value < 10_000_000_000_000) {
    return new Date(value).toISOString().replace('T', ' ').slice(0, 19)
  }
  return String(value)
}

function formatTree(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return value.map((v) => `\n${indent}- ${formatTree(v, `${indent}  `).trimStart()}`).join('')
  }
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `\n${indent}${k}: ${formatTree(v, `${indent}  `)}`)
      .join('')
  }
  return formatCell(value)
}
