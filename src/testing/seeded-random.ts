// Tests import the generator from here; the demo needs it in the build, so it lives in shared/.
export { seededRandom } from '../shared/seeded-random.js'
