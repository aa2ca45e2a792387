import { describeAuditStore } from '../contract/audit-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) describeAuditStore(backend)
