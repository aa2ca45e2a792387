import { describeFeedbackJoin } from '../contract/feedback-join.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'
import { MemoryPredictionLogStore } from '../../testing/memory-prediction-log-store.js'

// The SQL prediction log store joins this list when it lands: describeFeedbackJoin(backend, 'SqlPredictionLogStore', (db) => new SqlPredictionLogStore(db)).
for (const backend of TEST_BACKENDS) describeFeedbackJoin(backend, 'an in-memory log store', () => new MemoryPredictionLogStore())
