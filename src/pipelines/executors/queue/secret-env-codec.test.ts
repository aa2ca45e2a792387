import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isAppError } from '../../../shared/errors.js'
import { openSecrets, sealSecrets, SecretEnvCodec } from './secret-env-codec.js'
import { shellTask } from './sh-runner.test-helper.js'

describe('secret env sealing for the queue', () => {
  const task = { ...shellTask('a1', 'true', { TOKEN: 's3cr3t-value', REGION: 'eu' }), secretEnv: ['TOKEN'] }
  const codec = new SecretEnvCodec('a-long-shared-queue-key')

  it('should seal only the secret values and open them again with the same key', () => {
    const sealed = sealSecrets(task, codec)
    assert.equal(sealed.env.REGION, 'eu')
    assert.ok(!JSON.stringify(sealed).includes('s3cr3t-value'))
    assert.deepEqual(openSecrets(sealed, new SecretEnvCodec('a-long-shared-queue-key')).env, task.env)
  })

  it('should refuse to enqueue secrets without a key, and leave a task without secrets alone', () => {
    assert.throws(() => sealSecrets(task, undefined), (e) => isAppError(e) && e.code === 'INVALID_STATE' && e.message.includes('PLINTH_QUEUE_SECRET_KEY'))
    const plain = shellTask('a2', 'true', { REGION: 'eu' })
    assert.equal(sealSecrets(plain, undefined), plain)
  })

  it('should say the keys differ when a worker has another key, or none', () => {
    const sealed = sealSecrets(task, codec)
    assert.throws(() => openSecrets(sealed, new SecretEnvCodec('another-long-queue-key')), /not the server's/)
    assert.throws(() => openSecrets(sealed, undefined), /has no PLINTH_QUEUE_SECRET_KEY/)
  })

  it('should refuse a key too short to be one', () => {
    assert.throws(() => new SecretEnvCodec('short'), (e) => isAppError(e) && e.code === 'INVALID_PARAMETER_VALUE')
  })
})
