/**
 * What `detectDriftInParallel` hands its threads: every shareable column of a job at once (views
 * over SharedArrayBuffers, so nothing is copied) and one shared counter. Each thread takes the
 * next column from the counter until none are left, so no thread waits for another between
 * columns and a worker answers once per job.
 */
import { columnDrift, type ColumnDrift, type DetectDriftOptions } from './detect-drift.js'

export interface SharedColumn {
  readonly index: number
  readonly name: string
  readonly ref: { readonly values: Float64Array; readonly integer?: boolean }
  readonly cur: { readonly values: Float64Array; readonly integer?: boolean }
}

export interface DriftJob {
  /** Next position in `columns` to take, advanced with Atomics by every thread of the job. */
  readonly next: Int32Array
  readonly columns: readonly SharedColumn[]
  readonly options: DetectDriftOptions
}

export type DriftJobAnswer = { readonly results: [number, ColumnDrift][] } | { readonly error: string }

/** Runs columns of `job` until its counter passes the end, adding `[frame index, result]` pairs. */
export function takeColumns(job: DriftJob, results: [number, ColumnDrift][] = []): [number, ColumnDrift][] {
  for (let k = Atomics.add(job.next, 0, 1); k < job.columns.length; k = Atomics.add(job.next, 0, 1)) {
    const { index, name, ref, cur } = job.columns[k]!
    results.push([index, columnDrift(name, { kind: 'numerical', ...ref }, { kind: 'numerical', ...cur }, job.options)])
  }
  return results
}
