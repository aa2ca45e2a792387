import { availableParallelism } from 'node:os'
import { assembleReport, columnDrift, validateFrames, type ColumnDrift, type DetectDriftOptions, type DriftFrame, type DriftReport, type RawColumn } from './detect-drift.js'
import { takeColumns, type DriftJob, type SharedColumn } from './drift-job.js'
import { DriftThreads } from './drift-threads.js'

/** Below this many numeric cells a thread's start-up (tens of milliseconds) costs more than it saves. */
const MIN_PARALLEL_CELLS = 2_000_000

type Numerical = Extract<RawColumn, { kind: 'numerical' }>

function isShared(column: RawColumn): column is Numerical {
  return column.kind === 'numerical' && column.values.buffer instanceof SharedArrayBuffer
}

/** Columns whose both sides live in SharedArrayBuffers (as `readCsvColumns` reads them), largest first. */
function sharedColumns(reference: DriftFrame, current: DriftFrame): SharedColumn[] {
  const columns: SharedColumn[] = []
  let index = 0
  for (const [name, ref] of reference) {
    const cur = current.get(name)!
    if (isShared(ref) && isShared(cur)) columns.push({ index, name, ref: side(ref), cur: side(cur) })
    index++
  }
  // Largest first, so no thread is left alone with a big column at the end.
  return columns.sort((a, b) => b.ref.values.length + b.cur.values.length - (a.ref.values.length + a.cur.values.length))
}

const side = (column: Numerical): SharedColumn['ref'] => (column.integer === undefined ? { values: column.values } : { values: column.values, integer: column.integer })

/**
 * `detectDrift` with the numeric columns held in SharedArrayBuffers spread over worker threads,
 * while this thread takes the other columns and then helps: the same report, column for column.
 * Pass a `DriftThreads` started earlier (it is left open) or a thread count (a pool is started and
 * closed here, for frames big enough to pay for it). Nothing is copied or moved.
 */
export async function detectDriftInParallel(reference: DriftFrame, current: DriftFrame, options: DetectDriftOptions = {}, threads: number | DriftThreads = availableParallelism()): Promise<DriftReport> {
  validateFrames(reference, current)
  const names = [...reference.keys()]
  const serial = (): DriftReport => assembleReport(reference, current, names.map((name) => columnDrift(name, reference.get(name)!, current.get(name)!, options)), options)
  const columns = sharedColumns(reference, current)
  const cells = columns.reduce((n, c) => n + c.ref.values.length + c.cur.values.length, 0)
  if (columns.length < 2) return serial()
  if (typeof threads === 'number' && (threads < 2 || cells < MIN_PARALLEL_CELLS)) return serial()
  const pool = typeof threads === 'number' ? new DriftThreads(Math.min(threads - 1, columns.length - 1)) : threads
  try {
    if (pool.size === 0) return serial()
    return assembleReport(reference, current, await runJob(pool, { next: new Int32Array(new SharedArrayBuffer(4)), columns, options }, reference, current, names), options)
  } finally {
    if (pool !== threads) await pool.close()
  }
}

async function runJob(pool: DriftThreads, job: DriftJob, reference: DriftFrame, current: DriftFrame, names: string[]): Promise<ColumnDrift[]> {
  const results = new Array<ColumnDrift>(names.length)
  const remote = pool.run(job)
  try {
    const shared = new Set(job.columns.map((c) => c.index))
    // This thread takes what the workers cannot see, then helps with the shared columns.
    names.forEach((name, i) => {
      if (!shared.has(i)) results[i] = columnDrift(name, reference.get(name)!, current.get(name)!, job.options)
    })
    for (const [i, result] of takeColumns(job)) results[i] = result
  } catch (error) {
    // The workers' answer no longer matters; it must not surface as an unhandled rejection.
    remote.catch(() => undefined)
    throw error
  }
  for (const answer of await remote) for (const [i, result] of answer) results[i] = result
  return results
}
