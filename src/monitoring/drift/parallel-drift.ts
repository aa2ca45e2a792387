import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { spawnModuleWorker } from '../../shared/module-worker.js'
import { assembleReport, columnDrift, validateFrames, type ColumnDrift, type DetectDriftOptions, type DriftFrame, type DriftReport, type RawColumn } from './detect-drift.js'
import type { ColumnAnswer, ColumnTask } from './drift-worker.js'

/** Below this many numeric cells a thread's start-up (tens of milliseconds) costs more than it saves. */
const MIN_PARALLEL_CELLS = 2_000_000

type Numerical = Extract<RawColumn, { kind: 'numerical' }>

/**
 * `detectDrift` with numeric columns spread over worker threads (one per core beyond this one),
 * while this thread takes the rest: the same report, column for column. Each column's buffers
 * move to its worker and back without a copy, so the frames are whole again when this returns
 * (the HTML report reads them afterwards). Small frames, one core, or columns held in buffers
 * that cannot move stay on this thread.
 */
export async function detectDriftInParallel(reference: DriftFrame, current: DriftFrame, options: DetectDriftOptions = {}, threads = availableParallelism()): Promise<DriftReport> {
  validateFrames(reference, current)
  const names = [...reference.keys()]
  const movable = names.filter((name) => isMovable(reference.get(name)!) && isMovable(current.get(name)!))
  const cells = movable.reduce((n, name) => n + (reference.get(name) as Numerical).values.length + (current.get(name) as Numerical).values.length, 0)
  // Columns are handed back by replacing them in the frames, which therefore must be Maps.
  const replaceable = reference instanceof Map && current instanceof Map
  const workers = replaceable ? Math.min(threads - 1, movable.length - 1) : 0
  if (workers < 1 || cells < MIN_PARALLEL_CELLS) return assembleReport(reference, current, names.map((name) => columnDrift(name, reference.get(name)!, current.get(name)!, options)), options)

  const results = new Array<ColumnDrift>(names.length)
  // Largest columns first, so no thread is left with a big one at the end.
  const queue = movable.map((name) => names.indexOf(name)).sort((a, b) => size(reference, current, names[b]!) - size(reference, current, names[a]!))
  const local = names.map((_, i) => i).filter((i) => !movable.includes(names[i]!))
  const pool = Array.from({ length: workers }, () => spawnModuleWorker(import.meta.url, 'drift-worker', undefined))
  try {
    const remote = Promise.all(pool.map((worker) => drain(worker, queue, names, reference, current, options, results)))
    // This thread takes what cannot move, then helps with the queue.
    for (const i of local) results[i] = columnDrift(names[i]!, reference.get(names[i]!)!, current.get(names[i]!)!, options)
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      results[i] = columnDrift(names[i]!, reference.get(names[i]!)!, current.get(names[i]!)!, options)
      // Let the workers' answers in between columns, so their next column is not held up.
      await new Promise((resolve) => setImmediate(resolve))
    }
    await remote
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()))
  }
  return assembleReport(reference, current, results, options)
}

function isMovable(column: RawColumn): column is Numerical {
  const buffer = column.kind === 'numerical' ? column.values.buffer : undefined
  // A view over part of a buffer would move its neighbours too; a shared buffer cannot move.
  return buffer instanceof ArrayBuffer && column.kind === 'numerical' && column.values.byteOffset === 0 && column.values.byteLength === buffer.byteLength
}

function size(reference: DriftFrame, current: DriftFrame, name: string): number {
  return (reference.get(name) as Numerical).values.length + (current.get(name) as Numerical).values.length
}

/** Feeds one worker columns from the shared queue until it is empty; puts each column's buffers back. */
async function drain(worker: Worker, queue: number[], names: string[], reference: DriftFrame, current: DriftFrame, options: DetectDriftOptions, results: ColumnDrift[]): Promise<void> {
  for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
    const name = names[i]!
    const ref = reference.get(name) as Numerical
    const cur = current.get(name) as Numerical
    const task: ColumnTask = { index: i, name, ref: { values: ref.values, ...(ref.integer !== undefined ? { integer: ref.integer } : {}) }, cur: { values: cur.values, ...(cur.integer !== undefined ? { integer: cur.integer } : {}) }, options }
    const answer = await new Promise<ColumnAnswer>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.postMessage(task, [ref.values.buffer as ArrayBuffer, cur.values.buffer as ArrayBuffer])
    })
    worker.removeAllListeners('error')
    // The frames' columns are read-only views; give them their (moved, now returned) buffers back.
    ;(reference as Map<string, RawColumn>).set(name, { ...ref, values: answer.ref })
    ;(current as Map<string, RawColumn>).set(name, { ...cur, values: answer.cur })
    if (answer.error !== undefined) throw new Error(answer.error)
    results[i] = answer.result!
  }
}
