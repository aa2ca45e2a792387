import { describeTriggerStateStore } from '../contract/trigger-state-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) describeTriggerStateStore(backend)
