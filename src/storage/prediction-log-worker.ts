/**
 * The worker thread of ThreadedPredictionLogWriter: its own database connection, and the
 * packing of served predictions into stored segments, off the serving thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { unpackPredictions, type PackedPredictions } from '../monitoring/packed-predictions.js'
import { toLog } from '../monitoring/prediction-log-writer.js'
import { predictionLogToWire } from '../monitoring/prediction-log-wire.js'
import { openDatabase } from './open-database.js'
import { SqlPredictionLogStore } from './sql/sql-prediction-log-store.js'

export interface WriteRequest {
  seq: number
  batch: PackedPredictions
  /** Send the stored logs back as wire JSON (for the NATS stream). */
  encode: boolean
}

export type WriteReply = { seq: number; ok: true; encoded?: Array<{ id: string; json: string }> } | { seq: number; ok: false; message: string }

const { uri } = workerData as { uri: string }
const port = parentPort!
const opened = openDatabase(uri)

port.on('message', (message: WriteRequest | 'close') => {
  if (message === 'close') {
    void opened.then((database) => database.close()).finally(() => port.close())
    return
  }
  void write(message).then((reply) => port.postMessage(reply))
})

async function write(request: WriteRequest): Promise<WriteReply> {
  try {
    const store = await storeOf()
    if (!request.encode) {
      await store.appendPacked(request.batch)
      return { seq: request.seq, ok: true }
    }
    // Publishing needs each record's JSON anyway: made once from the objects the store is given.
    const logs = unpackPredictions(request.batch).map(toLog)
    await store.appendBatch(logs)
    return { seq: request.seq, ok: true, encoded: logs.map((log) => ({ id: log.predictionId, json: JSON.stringify(predictionLogToWire(log)) })) }
  } catch (error) {
    return { seq: request.seq, ok: false, message: (error as Error).message }
  }
}

let store: SqlPredictionLogStore | undefined
async function storeOf(): Promise<SqlPredictionLogStore> {
  store ??= new SqlPredictionLogStore(await opened)
  return store
}
