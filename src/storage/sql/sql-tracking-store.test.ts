import { describeMetricDownsample } from '../contract/metric-downsample.contract.js'
import { describeTrackingStore } from '../contract/tracking-store.contract.js'
import { TEST_BACKENDS } from '../contract/test-databases.js'

for (const backend of TEST_BACKENDS) {
  describeTrackingStore(backend)
  describeMetricDownsample(backend)
}
