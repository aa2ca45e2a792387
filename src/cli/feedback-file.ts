import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseCsv } from '../monitoring/drift/csv-frame.js'
import type { FeedbackInput } from '../monitoring/feedback-service.js'
import { invalidParameter, notFound } from '../shared/errors.js'

/** One label read from a file, with its line number for messages. */
export interface FeedbackLine extends FeedbackInput {
  line: number
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * A CSV cell as a label: a JSON array (`[1,0,null]`) for a multi-row prediction, a number when
 * it reads as one, true/false as booleans, anything else as a string class.
 */
export function csvLabel(cell: string, line: number): FeedbackInput['label'] {
  const text = cell.trim()
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw invalidParameter(`Line ${line}: the label '${text}' starts like a JSON array but is not one.`)
    }
  }
  if (NUMBER.test(text)) return Number(text)
  if (text === 'true' || text === 'false') return text === 'true'
  return text
}

function csvColumns(header: string[]): { id: number; label: number } {
  const names = header.map((h) => h.trim().toLowerCase())
  const id = names.indexOf('prediction_id')
  const label = names.indexOf('label')
  if (id < 0 || label < 0) {
    throw invalidParameter(`The CSV header must name the columns prediction_id and label; it has: ${header.join(', ')}.`)
  }
  return { id, label }
}

/** The format from the extension: `.jsonl`/`.ndjson` are JSON lines, anything else CSV. */
export function fileFormat(path: string): 'csv' | 'jsonl' {
  return /\.(jsonl|ndjson)$/i.test(path) ? 'jsonl' : 'csv'
}

/**
 * Reads labels from a CSV (header with prediction_id and label) or JSON lines
 * (`{"prediction_id": …, "label": …}`) a line at a time, so a file of millions of labels is never
 * held whole. `onBytes` reports progress in bytes read.
 */
export async function* readFeedbackFile(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<FeedbackLine> {
  try {
    statSync(path)
  } catch {
    throw notFound(`Cannot read the labels file '${path}': check the path.`)
  }
  const format = fileFormat(path)
  const stream = createReadStream(path, { encoding: 'utf8' })
  let bytes = 0
  stream.on('data', (chunk) => onBytes?.((bytes += Buffer.byteLength(chunk as string))))
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  let columns: { id: number; label: number } | undefined
  let number = 0
  for await (const raw of lines) {
    number++
    // Spreadsheet exports often start with a byte-order mark, which would hide the first column's name.
    const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw
    if (text.trim() === '') continue
    if (format === 'jsonl') {
      yield jsonLine(text, number)
      continue
    }
    const cells = parseCsv(`${text}\n`)[0] ?? []
    if (!columns) {
      columns = csvColumns(cells)
      continue
    }
    yield { line: number, predictionId: cells[columns.id]?.trim(), label: cells[columns.label] === undefined ? undefined : csvLabel(cells[columns.label]!, number) }
  }
}

function jsonLine(text: string, line: number): FeedbackLine {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw invalidParameter(`Line ${line}: not JSON (${(error as Error).message}); each line must be {"prediction_id": "…", "label": …}.`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameter(`Line ${line}: each line must be an object {"prediction_id": "…", "label": …}.`)
  }
  const record = value as Record<string, unknown>
  return { line, predictionId: record['prediction_id'], label: record['label'] }
}
