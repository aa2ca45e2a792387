import { describeDeploymentStore } from '../contract/deployment-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) describeDeploymentStore(backend)
