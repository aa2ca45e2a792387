import { describePipelineStore } from '../contract/pipeline-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) describePipelineStore(backend)
