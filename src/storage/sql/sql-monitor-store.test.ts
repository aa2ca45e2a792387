import { describeMonitorStore } from '../contract/monitor-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) describeMonitorStore(backend)
