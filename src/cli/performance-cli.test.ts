import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openSqliteDatabase } from '../storage/sqlite/sqlite-database.js'
import { migrateToLatest } from '../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import { SqlFeedbackStore } from '../storage/sql/sql-feedback-store.js'
import { FeedbackService } from '../monitoring/feedback-service.js'
import { PerformanceService } from '../monitoring/performance/performance-service.js'
import type { PredictionLog } from '../monitoring/prediction-log-store.js'
import type { AppError } from '../shared/errors.js'
import { MemoryPredictionLogStore } from '../testing/memory-prediction-log-store.js'
import { sendFeedbackFile } from './feedback-command.js'
import { csvLabel, readFeedbackFile } from './feedback-file.js'
import { queryFromFlags, renderPerformance } from './performance-command.js'
import { sparkline } from './sparkline.js'

const T0 = Date.UTC(2026, 6, 1)
const DAY = 86_400_000

describe('plinth feedback and plinth performance', () => {
  let dir: string
  let database: SqlDatabase
  let feedback: FeedbackService
  let performance: PerformanceService
  const logs = new MemoryPredictionLogStore()

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-feedback-'))
    database = openSqliteDatabase(':memory:')
    await migrateToLatest(database)
    const store = new SqlFeedbackStore(database)
    feedback = new FeedbackService({ logs, feedback: store })
    performance = new PerformanceService({ logs, feedback: store })
    const batch: PredictionLog[] = []
    for (let i = 0; i < 25_000; i++) {
      const p = (i % 100) / 100
      batch.push({ predictionId: `id-${i}`, model: 'churn', version: '1', time: T0 + (i % 3) * DAY + i, rows: 1, inputs: {}, outputs: { label: [p >= 0.5 ? 1 : 0], 'probabilities[0]': [1 - p], 'probabilities[1]': [p] }, latencyMs: 1 })
    }
    batch.push({ predictionId: 'rows3', model: 'churn', version: '1', time: T0, rows: 3, inputs: {}, outputs: { label: [1, 0, 1], 'probabilities[0]': [0.1, 0.9, 0.4], 'probabilities[1]': [0.9, 0.1, 0.6] }, latencyMs: 1 })
    await logs.appendBatch(batch)
  })
  after(async () => {
    await database.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('should read CSV labels as numbers, booleans, strings and JSON arrays', () => {
    assert.deepEqual(['1', ' 2.5 ', 'true', 'spam', '[1,null,0]'].map((c) => csvLabel(c, 1)), [1, 2.5, true, 'spam', [1, null, 0]])
    assert.throws(() => csvLabel('[1,', 7), (e: AppError) => /Line 7/.test(e.message))
  })

  it('should stream a CSV file in batches of 10,000 and total the answers, with progress in bytes', async () => {
    const path = join(dir, 'labels.csv')
    const lines = ['prediction_id,label', ...Array.from({ length: 25_000 }, (_, i) => `id-${i},${(i * 7) % 100 < 50 ? 0 : 1}`), 'rows3,"[1,1,0]"', 'nobody,1']
    writeFileSync(path, `${lines.join('\n')}\n`)
    let bytes = 0
    const totals = await sendFeedbackFile(feedback, path, (b) => (bytes = b))
    assert.deepEqual(totals, { sent: 25_002, accepted: 25_001, unknownCount: 1, unknownIds: ['nobody'] })
    assert.equal(bytes, statSync(path).size)
  })

  it('should read JSON lines, and name the file line of a bad label', async () => {
    const good = join(dir, 'labels.jsonl')
    writeFileSync(good, '{"prediction_id": "id-1", "label": 1}\n\n{"prediction_id": "id-2", "label": 0}\n')
    assert.deepEqual((await sendFeedbackFile(feedback, good)).accepted, 2)
    const bad = join(dir, 'bad.jsonl')
    writeFileSync(bad, '{"prediction_id": "id-1", "label": 1}\n{"prediction_id": "rows3", "label": 1}\n')
    await assert.rejects(sendFeedbackFile(feedback, bad), (e: AppError) => e.code === 'INVALID_PARAMETER_VALUE' && /^Line 2: 'label' for prediction 'rows3'/.test(e.message))
    const notJson = join(dir, 'broken.jsonl')
    writeFileSync(notJson, '{"prediction_id": \n')
    await assert.rejects(sendFeedbackFile(feedback, notJson), (e: AppError) => /Line 1: not JSON/.test(e.message))
  })

  it('should read a CSV with a byte-order mark, and refuse one without the two columns, an empty file and a missing file', async () => {
    const bom = join(dir, 'bom.csv')
    writeFileSync(bom, '\uFEFFprediction_id,label\nid-3,1\n')
    assert.equal((await sendFeedbackFile(feedback, bom)).accepted, 1)
    const path = join(dir, 'wrong.csv')
    writeFileSync(path, 'id,truth\na,1\n')
    await assert.rejects(sendFeedbackFile(feedback, path), (e: AppError) => /prediction_id and label; it has: id, truth/.test(e.message))
    const empty = join(dir, 'empty.csv')
    writeFileSync(empty, 'prediction_id,label\n')
    await assert.rejects(sendFeedbackFile(feedback, empty), (e: AppError) => /No labels/.test(e.message))
    await assert.rejects(async () => { for await (const _ of readFeedbackFile(join(dir, 'nope.csv'))) void _ }, (e: AppError) => e.code === 'RESOURCE_DOES_NOT_EXIST')
  })

  it('should print a table per window with a sparkline per metric', async () => {
    const report = await performance.performance(queryFromFlags({ model: 'churn', window: 'day', start: new Date(T0).toISOString(), end: String(T0 + 3 * DAY) }))
    const text = renderPerformance(report)
    const [header, ...rest] = text.split('\n')
    assert.match(header!, /^WINDOW\s+PREDICTIONS\s+LABELED\s+ACCURACY\s+PRECISION\s+RECALL\s+F1\s+ROC_AUC\s+LOG_LOSS\s+EST_ACCURACY\s+EST_F1\s+EST_ROC_AUC$/)
    assert.match(rest[0]!, /^2026-07-01 00:00\s+8337\s+8337\s+0\.\d{4}/)
    assert.ok(rest.some((l) => /^accuracy\s+[▁-█]{3}\s+0\.\d{4} → 0\.\d{4}$/.test(l)), text)
  })

  it('should refuse flags without a target or with an unknown task', () => {
    assert.throws(() => queryFromFlags({}), (e: AppError) => /--deployment D or --model M/.test(e.message))
    assert.throws(() => queryFromFlags({ model: 'm', task: 'ranking' }), (e: AppError) => /--task 'ranking'/.test(e.message))
    assert.deepEqual(queryFromFlags({ model: 'm', window: '6h', probabilityColumns: 'p0, p1' }), { windowMs: 6 * 3_600_000, model: 'm', probabilityColumns: ['p0', 'p1'] })
  })

  it('should draw sparklines low to high, gaps as spaces', () => {
    assert.equal(sparkline([0, 0.5, 1, undefined, 1]), '▁▅█ █')
    assert.equal(sparkline([2, 2]), '▄▄')
    assert.equal(sparkline([]), '')
  })
})
