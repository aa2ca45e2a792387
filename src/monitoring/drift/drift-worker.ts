/** A worker thread of `DriftThreads`: runs its share of each job's columns, answers once per job. */
import { parentPort } from 'node:worker_threads'
import { takeColumns, type DriftJob, type DriftJobAnswer } from './drift-job.js'

const port = parentPort!
port.on('message', (job: DriftJob) => {
  let answer: DriftJobAnswer
  try {
    answer = { results: takeColumns(job) }
  } catch (error) {
    answer = { error: (error as Error).message }
  }
  port.postMessage(answer)
})
