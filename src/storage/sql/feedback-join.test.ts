import { describeFeedbackJoin } from '../contract/feedback-join.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'
import { MemoryPredictionLogStore } from '../../testing/memory-prediction-log-store.js'
import { SqlPredictionLogStore } from './sql-prediction-log-store.js'

for (const backend of TEST_BACKENDS) {
  describeFeedbackJoin(backend, 'SqlPredictionLogStore', (db) => new SqlPredictionLogStore(db))
  // The in-memory store is what unit tests of feedback and performance use; it must join the same way.
  describeFeedbackJoin(backend, 'an in-memory log store', () => new MemoryPredictionLogStore())
}
