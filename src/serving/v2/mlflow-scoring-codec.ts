import { elementCount, formatShape } from '../tensor-types.js'
import type { ModelSignature, Tensor, TensorSpec } from '../tensor-types.js'
import { coerceElements, invalid, nest, toJsonElements, typeName } from './tensor-data.js'
import type { Int64Encoding } from './tensor-data.js'
import { decodeV1PredictRequest } from './v1-codec.js'
import { DEFAULT_MAX_ELEMENTS } from './v2-codec.js'
import type { V2DecodeOptions } from './v2-codec.js'

/**
 * MLflow's scoring server (`POST /invocations`, MLflow 2.x) request formats → tensors:
 * `dataframe_split` ({columns, index?, data}), `dataframe_records` ([{column: value}]),
 * `instances` and `inputs` (TensorFlow Serving, as in v1-codec.ts), and `text/csv` with a header.
 *
 * A table fits a model in one of two ways:
 * - one input per column: every input's name is a column; each becomes `[rows]` or `[rows, 1]`;
 * - one input of shape `[-1, n]`: the columns, in order, are its n features. The order is the
 *   payload's unless `columns` gives the model's feature names (then the payload is reordered).
 */
export interface MlflowScoringOptions extends V2DecodeOptions {
  /** The model's feature names in input order, when known (from its registry signature). */
  columns?: string[]
}

interface Table {
  columns: string[]
  rows: unknown[][]
}

const FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs']

export function decodeMlflowScoringJson(body: unknown, signature: ModelSignature, options: MlflowScoringOptions = {}): Tensor[] {
  if (!isObject(body)) throw invalid(`the request body must be a JSON object with one of ${FORMATS.join(', ')}, got ${typeName(body)}`)
  const given = FORMATS.filter((f) => body[f] !== undefined)
  if (given.length !== 1) {
    throw invalid(`send exactly one of ${FORMATS.map((f) => `"${f}"`).join(', ')} (got ${given.length === 0 ? 'none' : given.join(' and ')})`)
  }
  const format = given[0]!
  // MLflow's `params` (inference parameters) have no meaning for an ONNX graph; they are ignored.
  if (format === 'instances' || format === 'inputs') return decodeV1PredictRequest({ [format]: body[format] }, signature, { ...options, stringifyBytes: true })
  const table = format === 'dataframe_split' ? splitTable(body.dataframe_split) : recordsTable(body.dataframe_records)
  return tableToTensors(table, signature, options)
}

export function decodeMlflowScoringCsv(text: string, signature: ModelSignature, options: MlflowScoringOptions = {}): Tensor[] {
  const records = parseCsv(text)
  const header = records.shift()
  if (!header) throw invalid('the CSV body is empty; send a header row with the column names, then one row per prediction')
  records.forEach((row, r) => {
    if (row.length !== header.length) throw invalid(`CSV row ${r + 2} has ${row.length} fields; the header has ${header.length}`)
  })
  return tableToTensors({ columns: header, rows: records }, signature, options)
}

function splitTable(split: unknown): Table {
  if (!isObject(split)) throw invalid(`"dataframe_split" must be an object {"columns": [...], "data": [[...], ...]}, got ${typeName(split)}`)
  if (!Array.isArray(split.data)) throw invalid(`"dataframe_split.data" must be a list of rows, got ${typeName(split.data)}`)
  const rows = split.data.map((row, r) => {
    if (!Array.isArray(row)) throw invalid(`dataframe_split.data[${r}] must be a list of values, got ${typeName(row)}`)
    return row as unknown[]
  })
  const width = rows[0]?.length ?? 0
  let columns: string[]
  if (split.columns === undefined) columns = Array.from({ length: width }, (_, i) => String(i))
  else if (Array.isArray(split.columns)) columns = split.columns.map(String)
  else throw invalid(`"dataframe_split.columns" must be a list of names, got ${typeName(split.columns)}`)
  rows.forEach((row, r) => {
    if (row.length !== columns.length) throw invalid(`dataframe_split.data[${r}] has ${row.length} values; there are ${columns.length} columns`)
  })
  return { columns, rows }
}

function recordsTable(records: unknown): Table {
  if (!Array.isArray(records)) throw invalid(`"dataframe_records" must be a list of objects, got ${typeName(records)}`)
  const columns: string[] = []
  records.forEach((record, r) => {
    if (!isObject(record)) throw invalid(`dataframe_records[${r}] must be an object {column: value}, got ${typeName(record)}`)
    for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key)
  })
  // A key missing from a record is a missing value, as pandas reads it.
  return { columns, rows: records.map((record) => columns.map((c) => (record as Record<string, unknown>)[c] ?? null)) }
}

function tableToTensors(table: Table, signature: ModelSignature, options: MlflowScoringOptions): Tensor[] {
  const maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS
  if (table.rows.length * table.columns.length > maxElements) {
    throw invalid(`the table has ${table.rows.length * table.columns.length} values, more than the ${maxElements} allowed; split the request`)
  }
  const perColumn = signature.inputs.every((s) => table.columns.includes(s.name))
  if (perColumn && (signature.inputs.length > 1 || table.columns.length === 1)) {
    return signature.inputs.map((spec) => columnTensor(spec, table, table.columns.indexOf(spec.name)))
  }
  if (signature.inputs.length === 1) return [matrixTensor(signature.inputs[0]!, table, options.columns)]
  const missing = signature.inputs.filter((s) => !table.columns.includes(s.name)).map((s) => `'${s.name}'`)
  throw invalid(`this model has ${signature.inputs.length} inputs, one per column; the table has no column ${missing.join(', ')}`)
}

function columnTensor(spec: TensorSpec, table: Table, index: number): Tensor {
  const rows = table.rows.length
  const rank = spec.shape?.length ?? 1
  const shape = rank === 1 ? [rows] : rank === 2 && (spec.shape![1] === 1 || spec.shape![1] === -1) ? [rows, 1] : undefined
  if (!shape || (spec.shape && spec.shape[0] !== -1 && spec.shape[0] !== rows)) {
    throw invalid(`input '${spec.name}' has shape ${formatShape(spec.shape)}; a table column can only feed an input of shape [-1] or [-1, 1]`)
  }
  const what = `column '${spec.name}'`
  return { name: spec.name, datatype: spec.datatype, shape, data: coerceElements(spec.datatype, table.rows.map((row) => cell(spec, row[index])), what, { stringifyBytes: true }) }
}

function matrixTensor(spec: TensorSpec, table: Table, featureNames: string[] | undefined): Tensor {
  let order = table.columns.map((_, i) => i)
  if (featureNames) {
    const unknown = table.columns.filter((c) => !featureNames.includes(c))
    if (unknown.length > 0) throw invalid(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `'${c}'`).join(', ')}; the model's columns are ${featureNames.join(', ')}`)
    order = featureNames.map((name) => {
      const i = table.columns.indexOf(name)
      if (i < 0) throw invalid(`missing column '${name}'; the model's columns are ${featureNames.join(', ')}`)
      return i
    })
  }
  const rows = table.rows.length
  const width = order.length
  const rank = spec.shape?.length ?? 2
  const shape = rank === 2 ? [rows, width] : rank === 1 && width === 1 ? [rows] : undefined
  const fits = shape !== undefined && (spec.shape === undefined || spec.shape.every((d, i) => d === -1 || d === shape[i]))
  if (!fits) {
    throw invalid(`input '${spec.name}' has shape ${formatShape(spec.shape)}; the table gives ${rows} rows of ${width} columns (${table.columns.join(', ')})`)
  }
  const flat = new Array<unknown>(elementCount(shape))
  let k = 0
  for (const row of table.rows) for (const i of order) flat[k++] = cell(spec, row[i])
  return { name: spec.name, datatype: spec.datatype, shape, data: coerceElements(spec.datatype, flat, `input '${spec.name}' (columns ${table.columns.join(', ')})`, { stringifyBytes: true }) }
}

/** CSV cells are strings; pandas would read "" as a missing value and "True" as a boolean. */
function cell(spec: TensorSpec, value: unknown): unknown {
  if (typeof value !== 'string' || spec.datatype === 'BYTES') return value
  if (value === '') return null
  if (spec.datatype === 'BOOL') {
    const lower = value.trim().toLowerCase()
    if (lower === 'true' || lower === '1') return true
    if (lower === 'false' || lower === '0') return false
  }
  return value
}

/** RFC 4180: commas, "quoted" fields with "" for a quote, CRLF or LF rows; blank lines skipped. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  let wasQuoted = false
  const endRecord = () => {
    if (record.length > 0 || field !== '' || wasQuoted) {
      record.push(field)
      records.push(record)
    }
    record = []
    field = ''
    wasQuoted = false
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c !== '"') field += c
      else if (text[i + 1] === '"') (field += '"'), i++
      else quoted = false
    } else if (c === '"' && field === '') (quoted = true), (wasQuoted = true)
    else if (c === ',') (record.push(field), (field = ''), (wasQuoted = false))
    else if (c === '\n') endRecord()
    else if (c !== '\r' || text[i + 1] !== '\n') field += c
  }
  if (quoted) throw invalid('the CSV body ends inside a quoted field; close every opening quote')
  endRecord()
  return records
}

/**
 * `{"predictions": …}` as MLflow's scoring server answers: one output's values per row, or for
 * several outputs an object of them by name.
 */
export function encodeMlflowPredictions(outputs: readonly Tensor[], options: { int64?: Int64Encoding } = {}): { predictions: unknown } {
  const value = (t: Tensor) => nest(toJsonElements(t, options.int64), t.shape)
  if (outputs.length === 1) return { predictions: value(outputs[0]!) }
  return { predictions: Object.fromEntries(outputs.map((t) => [t.name, value(t)])) }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
