/**
 * A worker thread of `detectDriftInParallel`: runs one numeric column's test at a time and hands
 * the column's buffers back with the result, so nothing is copied either way.
 */
import { parentPort } from 'node:worker_threads'
import { columnDrift, type ColumnDrift, type DetectDriftOptions } from './detect-drift.js'

export interface ColumnTask {
  index: number
  name: string
  ref: { values: Float64Array; integer?: boolean }
  cur: { values: Float64Array; integer?: boolean }
  options: DetectDriftOptions
}

export interface ColumnAnswer {
  index: number
  result?: ColumnDrift
  error?: string
  ref: Float64Array
  cur: Float64Array
}

const port = parentPort!
port.on('message', (task: ColumnTask | 'close') => {
  if (task === 'close') return port.close()
  const answer: ColumnAnswer = { index: task.index, ref: task.ref.values, cur: task.cur.values }
  try {
    answer.result = columnDrift(task.name, { kind: 'numerical', ...task.ref }, { kind: 'numerical', ...task.cur }, task.options)
  } catch (error) {
    answer.error = (error as Error).message
  }
  port.postMessage(answer, [answer.ref.buffer as ArrayBuffer, answer.cur.buffer as ArrayBuffer])
})
