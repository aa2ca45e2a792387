import { describeRegistryStore } from '../contract/registry-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) describeRegistryStore(backend)
