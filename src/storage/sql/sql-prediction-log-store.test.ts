import { describePredictionLogStore } from '../contract/prediction-log-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) describePredictionLogStore(backend)
