/**
 * Seeded generators of malformed inference requests for the serving bad-input suite. Every
 * probe is built from a random source, so a failure replays exactly from the seed it reports.
 */

export interface Probe {
  method: 'GET' | 'POST'
  url: string
  payload?: string
  headers: Record<string, string>
  /** Which mutation made it, so a failure says what was sent. */
  label: string
  /** False where the mutation may still be a request the server rightly accepts (NaN in FP32, zero rows). */
  mustRefuse: boolean
  /** The error body's message field: `error` on /v1 and /v2, MLflow's `message` on /invocations. */
  errorField: 'error' | 'message'
}

/** A V2 infer target: the tensor its model takes and how to make one valid row of it. */
export interface V2Target {
  url: string
  input: string
  datatype: 'FP32' | 'BYTES'
  /** The row's own dimensions: [4] for x of [-1, 4], [] for text of [-1]. */
  rowShape: number[]
}

import { seededRandom as prng } from '../../testing/seeded-random.js'
export { prng }

const WRONG_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', '', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1']
const TOP_LEVEL = ['[]', '42', '"inputs"', 'null', 'true', '[{"inputs": []}]', '{}']
const ODD_NAMES = ['%2F', 'churn%2F1', 'churn%2Fversions%2F1', '%00', '%zz', '%E0%A4%A', '..', '.', 'churn%20', '%20churn', 'CHURN', 'churn:predict', encodeURIComponent('模型'), encodeURIComponent('🤖'), '%F0%9F', 'nobody']
const ODD_VERSIONS = ['-1', '1e9', 'abc', '0', '1.5', '01', '99999999999999999999', '%20', '0x1', '1%00', '9'.repeat(400), 'latest', '%2F1']
const NAME_CHARS = [...'aZ09-_.~ é模🤖/%?#:;@+']

export class MalformedRequests {
  private readonly random: () => number

  constructor(seed: number) {
    this.random = prng(seed)
  }

  int(n: number): number {
    return Math.floor(this.random() * n)
  }

  chance(p: number): boolean {
    return this.random() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }

  /** 1–3 valid rows of four floats, for the [-1, 4] FP32 models. */
  rows(count = 1 + this.int(3)): number[][] {
    return Array.from({ length: count }, () => Array.from({ length: 4 }, () => Math.round((this.random() * 20 - 10) * 4) / 4))
  }

  validV2(target: V2Target, rows = 1 + this.int(3)): Record<string, unknown> {
    const data = target.datatype === 'BYTES'
      ? Array.from({ length: rows }, (_, i) => `w${i}`)
      : this.rows(rows).flat()
    return { inputs: [{ name: target.input, datatype: target.datatype, shape: [rows, ...target.rowShape], data }] }
  }

  /** POST …/infer with one mutation of a valid body, sometimes also under a wrong content type. */
  v2Infer(target: V2Target, bodyLimit: number): Probe {
    const valid = this.validV2(target)
    const tensor = (valid.inputs as Array<Record<string, unknown>>)[0]!
    const data = tensor.data as unknown[]
    const numeric = target.datatype !== 'BYTES'
    const mutations: Array<() => [string, string | unknown, boolean?]> = [
      () => ['truncated', JSON.stringify(valid).slice(0, this.int(JSON.stringify(valid).length))],
      // Structural characters only: a letter swapped into a BYTES string would still be valid.
      () => ['broken', this.breakJson(JSON.stringify(valid)), !numeric],
      () => ['top-level', this.pick(TOP_LEVEL)],
      () => ['inputs-type', { inputs: this.pick([null, {}, 'x', 1, tensor, [[1, 2, 3, 4]], [null]]) }],
      () => ['missing-field', this.without(tensor, this.pick(['name', 'shape', 'datatype', 'data']))],
      () => ['no-inputs', { outputs: [{ name: 'y' }] }],
      () => ['datatype', { inputs: [{ ...tensor, datatype: this.pick(['FP33', 'fp32', 'BF16', 'FLOAT', 42, null, '', numeric ? 'INT64' : 'FP32', numeric ? 'FP64' : 'INT8'] as unknown[]) }] }],
      () => ['bytes-for-numbers', { inputs: [{ ...tensor, datatype: numeric ? 'BYTES' : 'FP32', data: numeric ? data.map(String) : data.map((_, i) => i) }] }],
      () => ['length-mismatch', { inputs: [{ ...tensor, data: this.chance(0.5) ? data.slice(1) : [...data, data[0]] }] }],
      () => ['shape-mismatch', { inputs: [{ ...tensor, shape: this.badShape(target, data.length) }] }],
      () => this.badElement(tensor, numeric),
      () => ['duplicate', { inputs: [tensor, tensor] }],
      () => ['outputs', { ...valid, outputs: this.pick([[{ name: 'nope' }], 'y', [{}], [null], { name: 'y' }, [{ name: 42 }], [{ name: '' }]] as unknown[]) }],
      () => ['parameters', { ...valid, parameters: this.pick(['x', 1, [], null, true]) }],
      () => ['id', { ...valid, id: this.pick([1, {}, [], true, null]) }],
      () => ['binary-data', { inputs: [{ ...tensor, parameters: { binary_data_size: 16 } }] }],
      () => ['deep', this.deepBody(target, bodyLimit)],
      () => ['over-limit', this.validV2(target, Math.ceil(bodyLimit / 4))],
      () => ['empty', ''],
      () => ['multipart', '--x\r\nContent-Disposition: form-data; name="inputs"\r\n\r\n[]\r\n--x--\r\n'],
    ]
    const [label, body, either] = this.pick(mutations)()
    const probe: Probe = { method: 'POST', url: target.url, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' }, label: `v2 ${label}`, mustRefuse: !either, errorField: 'error' }
    return this.chance(0.2) ? this.wrongContentType(probe) : probe
  }

  /** POST /v1/models/{m}:predict. */
  v1Predict(url: string, bodyLimit: number): Probe {
    const rows = this.rows()
    const [label, body, either] = this.pick<() => [string, unknown, boolean?]>([
      () => ['truncated', JSON.stringify({ instances: rows }).slice(0, this.int(12 + rows.length * 8))],
      () => ['top-level', this.pick(TOP_LEVEL)],
      () => ['both-keys', { instances: rows, inputs: rows }],
      () => ['no-key', this.pick([{}, { rows }, { signature_name: 'serving_default' }])],
      () => ['instances-type', { instances: this.pick([null, 'x', 1, {}, [[]], [1, 2, 3, 4], [true]]) }],
      () => ['ragged', { instances: [...rows, rows[0]!.slice(0, 2)] }],
      () => ['width', { [this.pick(['instances', 'inputs'])]: rows.map((r) => r.slice(0, 3)) }],
      () => ['named', { instances: rows.map((r) => this.pick([{ z: r }, {}, { x: r, z: 1 }])) }],
      () => ['inputs-by-name', { inputs: this.pick([{ z: rows }, { x: rows, z: rows }, { x: 'abc' }]) }],
      () => {
        const [, element, accepted] = this.element(true)
        rows[0]![this.int(4)] = element as number
        return ['element', { instances: rows }, accepted]
      },
      () => ['deep', `{"instances": ${this.deepArray(bodyLimit - 40)}}`],
      () => ['over-limit', { instances: this.rows(Math.ceil(bodyLimit / 10)) }],
      () => ['empty', ''],
    ])()
    const probe: Probe = { method: 'POST', url, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' }, label: `v1 ${label}`, mustRefuse: !either, errorField: 'error' }
    return this.chance(0.2) ? this.wrongContentType(probe) : probe
  }

  /** POST /invocations: MLflow's four JSON formats and CSV, each broken one way. */
  invocations(bodyLimit: number): Probe {
    const rows = this.rows()
    const columns = ['a', 'b', 'c', 'd']
    const records = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])))
    const [label, body, type = 'application/json', either] = this.pick<() => [string, unknown, string?, boolean?]>([
      () => ['truncated', JSON.stringify({ dataframe_split: { columns, data: rows } }).slice(0, this.int(30))],
      () => ['top-level', this.pick(TOP_LEVEL)],
      () => ['two-formats', { instances: rows, dataframe_records: records }],
      () => ['unknown-format', this.pick([{ data: rows }, { dataframe: rows }, { columns, rows }])],
      () => ['split-columns', { dataframe_split: { columns: this.pick(['a', null, columns.slice(0, 3), 5]), data: rows } }],
      () => ['split-data', { dataframe_split: { columns, data: this.pick(['x', null, [1, 2, 3, 4], [rows[0]!.slice(1)], [{}]]) } }],
      () => ['split-type', { dataframe_split: this.pick([rows, 'x', null, []]) }],
      () => ['records', { dataframe_records: this.pick([rows, 'x', {}, [null], [records[0], 1], records.map(({ a: _a, ...rest }) => rest), records.map((r) => ({ ...r, e: 1 }))]) }],
      () => ['records-cell', { dataframe_records: records.map((r) => ({ ...r, b: this.pick(['abc', {}, [1, 2], true]) })) }],
      () => ['instances', { instances: this.pick([null, 'x', [[1, 2]], [rows[0], [1]], [['a', 'b', 'c', 'd']]]) }],
      () => ['inputs', { inputs: this.pick([{ z: rows }, 'abc', [[[1, 2, 3, 4]], [1, 2, 3, 4]], [[{}, 1, 2, 3]]]) }],
      () => ['deep', `{"instances": ${this.deepArray(bodyLimit - 40)}}`],
      () => ['over-limit', { dataframe_split: { columns, data: this.rows(Math.ceil(bodyLimit / 10)) } }],
      () => ['empty', ''],
      () => ['csv-ragged', 'a,b,c,d\n1,2,3,4\n1,2,3\n', 'text/csv'],
      () => ['csv-word', `a,b,c,d\n1,${this.pick(['abc', 'true', '0x1F', '"1,2"'])},3,4\n`, 'text/csv'],
      () => ['csv-quote', 'a,b,c,d\n"1,2,3,4\n', 'text/csv'],
      () => ['csv-width', this.pick(['a,b,c\n1,2,3\n', 'a,b,c,d,e\n1,2,3,4,5\n', 'a;b;c;d\n1;2;3;4\n']), 'text/csv'],
      () => ['csv-empty', this.pick(['', '\n\n', '\r\n']), 'text/csv'],
      () => ['csv-non-finite', `a,b,c,d\n${this.pick(['NaN', '', 'inf', '-Infinity'])},2,3,4\n`, 'text/csv', true],
      () => ['csv-header-only', 'a,b,c,d\n', 'text/csv', true],
      () => ['csv-over-limit', `a,b,c,d\n${this.rows(Math.ceil(bodyLimit / 8)).map((r) => r.join(',')).join('\n')}\n`, 'text/csv'],
      () => ['content-type', JSON.stringify({ instances: rows }), this.pick(WRONG_CONTENT_TYPES.filter((t) => !t.startsWith('application/json')))],
    ])()
    const headers: Record<string, string> = type === '' ? {} : { 'content-type': type }
    return { method: 'POST', url: '/invocations', payload: typeof body === 'string' ? body : JSON.stringify(body), headers, label: `invocations ${label}`, mustRefuse: !either, errorField: 'message' }
  }

  /** GET model metadata or readiness under an odd name or version; a real model may answer 200. */
  metadataGet(model: string): Probe {
    const name = this.pick([
      () => this.pick(ODD_NAMES),
      () => 'a'.repeat(this.int(3000)),
      () => encodeURIComponent(Array.from({ length: 1 + this.int(12) }, () => this.pick(NAME_CHARS)).join('')),
      () => model,
    ])()
    const version = this.pick(ODD_VERSIONS)
    const url = this.pick([`/v2/models/${name}`, `/v2/models/${name}/ready`, `/v2/models/${name}/versions/${version}`, `/v2/models/${name}/versions/${version}/ready`, `/v1/models/${name}`])
    return { method: 'GET', url, headers: {}, label: `get ${url.slice(0, 80)}`, mustRefuse: false, errorField: 'error' }
  }

  private wrongContentType(probe: Probe): Probe {
    const type = this.pick(WRONG_CONTENT_TYPES)
    return { ...probe, headers: type === '' ? {} : { 'content-type': type }, label: `${probe.label} as ${type || 'no type'}` }
  }

  private breakJson(text: string): string {
    const at = this.int(text.length)
    const replacement = this.pick([...'{}[],:"'].filter((c) => c !== text[at]))
    return text.slice(0, at) + replacement + text.slice(at + 1)
  }

  private without(tensor: Record<string, unknown>, field: string): Record<string, unknown> {
    const { [field]: _dropped, ...rest } = tensor
    return { inputs: [rest] }
  }

  private badShape(target: V2Target, count: number): unknown {
    const rows = count / Math.max(1, target.rowShape[0] ?? 1)
    return this.pick<unknown>([
      [-1, ...target.rowShape], [1e9, 1e9], [1e9, ...target.rowShape], [1.5, ...target.rowShape], [String(rows), ...target.rowShape],
      [], [null, ...target.rowShape], [rows + 1, ...target.rowShape], [rows, ...target.rowShape, 1], [2 ** 53, ...target.rowShape],
      [1e300, ...target.rowShape], [rows, 5], [0, ...target.rowShape], [-0.5], [{}], 'x', null,
    ])
  }

  /** One element of the data replaced by something odd; NaN-like values are fine for floats. */
  private badElement(tensor: Record<string, unknown>, numeric: boolean): [string, unknown, boolean] {
    const data = [...(tensor.data as unknown[])]
    const [label, element, accepted] = this.element(numeric)
    data[this.int(data.length)] = element
    return [`element ${label}`, { inputs: [{ ...tensor, data }] }, accepted]
  }

  private element(numeric: boolean): [string, unknown, boolean] {
    const refused: unknown[] = numeric
      ? ['abc', '', {}, true, false, { a: 1 }, [[1, 2]], 'NaNx', '0x10', [1, [2, 3]]]
      : [1, 2.5, true, {}, [['a', 'b']]]
    const accepted: unknown[] = numeric ? ['NaN', 'Infinity', '-inf', null, '1e400', 1e308, ' 3 ', [7]] : [null, '', 'ü'.repeat(50)]
    const ok = this.chance(0.3)
    const element = this.pick(ok ? accepted : refused)
    return [JSON.stringify(element) ?? String(element), element, ok]
  }

  private deepBody(target: V2Target, bodyLimit: number): string {
    const head = JSON.stringify({ inputs: [{ name: target.input, datatype: target.datatype, shape: [1, ...target.rowShape], data: 0 }] })
    return head.replace('"data":0', `"data":${this.deepArray(bodyLimit - head.length - 8)}`)
  }

  /** Arrays nested as deep as `budget` characters allow (or past it, to hit the limit too). */
  private deepArray(budget: number): string {
    const depth = Math.max(1, Math.floor((budget * (0.5 + this.random() * 0.7)) / 2))
    return '['.repeat(depth) + '1' + ']'.repeat(depth)
  }
}
