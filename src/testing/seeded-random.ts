/** Tests draw their data from the same generator production shuffles with. */
export { seededRandom } from '../shared/seeded-random.js'
