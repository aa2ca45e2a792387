const TICKS = '▁▂▃▄▅▆▇█'

/** A one-line chart of a series; gaps (undefined) are spaces; a flat series sits in the middle. */
export function sparkline(values: ReadonlyArray<number | undefined>): string {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  if (present.length === 0) return ''
  const min = Math.min(...present)
  const max = Math.max(...present)
  return values
    .map((v) => {
      if (v === undefined || !Number.isFinite(v)) return ' '
      if (max === min) return TICKS[3]
      return TICKS[Math.min(TICKS.length - 1, Math.floor(((v - min) / (max - min)) * TICKS.length))]
    })
    .join('')
}

/** An aligned text table with upper-case headers, `-` for missing cells (printRows' look, as a string). */
export function textTable(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  const cells = rows.map((row) => columns.map((c) => (row[c] === undefined || row[c] === null ? '-' : String(row[c]))))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n')
}
