import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { AppError } from '../../../shared/errors.js'
import type { StepTask } from '../../step-executor.js'

/**
 * A task's secret env values must not sit in Redis in clear (jobs are kept there for days, and
 * Redis persists them to disk). The server seals them with AES-256-GCM under a key it shares with
 * its workers (`PLINTH_QUEUE_SECRET_KEY`); a worker opens them just before running the attempt.
 */

const SEALED = 'plinth-sealed:v1:'
export const SECRET_KEY_ENV = 'PLINTH_QUEUE_SECRET_KEY'

export class SecretEnvCodec {
  readonly #key: Buffer

  constructor(secret: string) {
    if (secret.length < 16) throw new AppError('INVALID_PARAMETER_VALUE', `${SECRET_KEY_ENV} must be at least 16 characters (e.g. the output of openssl rand -base64 32).`)
    this.#key = createHash('sha256').update(secret).digest()
  }

  seal(value: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
    return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed.slice(SEALED.length), 'base64')
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(12, 28))
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
    } catch (cause) {
      throw new AppError('INVALID_STATE', `This worker's ${SECRET_KEY_ENV} is not the server's: the step's secrets cannot be read. Give both the same key.`, { cause })
    }
  }
}

/** The task as it goes into Redis: secret values sealed, or refused when there is no key to seal them with. */
export function sealSecrets(task: StepTask, codec: SecretEnvCodec | undefined): StepTask {
  const secrets = task.secretEnv.filter((name) => task.env[name] !== undefined)
  if (secrets.length === 0) return task
  if (!codec) {
    throw new AppError('INVALID_STATE', `Step ${task.step} has secrets (${secrets.join(', ')}) and the queue executor has no ${SECRET_KEY_ENV} to seal them with: set the same key on the server and on every plinth worker.`)
  }
  const env = { ...task.env }
  for (const name of secrets) env[name] = codec.seal(env[name]!)
  return { ...task, env }
}

/** The task as the runner needs it: secret values opened again. */
export function openSecrets(task: StepTask, codec: SecretEnvCodec | undefined): StepTask {
  const sealed = task.secretEnv.filter((name) => task.env[name]?.startsWith(SEALED))
  if (sealed.length === 0) return task
  if (!codec) throw new AppError('INVALID_STATE', `Step ${task.step} has sealed secrets and this worker has no ${SECRET_KEY_ENV}: give it the server's key.`)
  const env = { ...task.env }
  for (const name of sealed) env[name] = codec.open(env[name]!)
  return { ...task, env }
}

export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): SecretEnvCodec | undefined {
  const secret = env[SECRET_KEY_ENV]
  return secret ? new SecretEnvCodec(secret) : undefined
}
