import { INPUT_NAME } from './onnx/onnx-heads.js'
import type { TrainResult } from './train-model.js'

/** Monitors read reference data whole; a sample this size keeps drift tests sharp and the file small. */
export const MAX_REFERENCE_ROWS = 200_000

/**
 * The training rows as reference data for monitors, with feature columns named as prediction logs
 * name the served model's input (`input[0]`, `input[1]`…, see tensor-columns.ts), so drift
 * monitors compare like with like; the target keeps its own name (logs never carry it, and
 * monitors skip columns the window lacks). Above MAX_REFERENCE_ROWS rows, an even sample.
 */
export function referenceCsv(result: TrainResult): string {
  const { data, split } = result
  const columns = data.features.columns
  const header = [...columns.map((_, f) => `${INPUT_NAME}[${f}]`), csvCell(result.target)].join(',')
  const stride = Math.max(1, split.train.length / MAX_REFERENCE_ROWS)
  const lines = [header]
  for (let j = 0; j < split.train.length; j += stride) {
    const row = split.train[Math.floor(j)]!
    const cells = columns.map((c) => float32Text(c[row]!))
    const y = data.target[row]!
    cells.push(data.classes ? csvCell(data.classes.names[y]!) : String(y))
    lines.push(cells.join(','))
  }
  return `${lines.join('\n')}\n`
}

/** Nine significant digits bring a float32 back exactly, without float64's noise digits. */
function float32Text(v: number): string {
  return String(Number(v.toPrecision(9)))
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
