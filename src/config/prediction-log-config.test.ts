import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AppError } from '../shared/errors.js'
import { resolveConfig } from './config.js'

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    return `${(error as AppError).code}: ${(error as AppError).message}`
  }
  return 'accepted'
}

describe('prediction logging configuration', () => {
  it('should default to logging everything, 10,000 buffered records, 30 days and no NATS', () => {
    const c = resolveConfig({}, {})
    assert.deepEqual(
      [c.predictionLogging, c.predictionLogSampleRate, c.predictionLogBufferSize, c.predictionLogRetentionDays, c.predictionLogNatsUrl, c.predictionLogNatsSubject],
      [true, 1, 10_000, 30, '', 'plinth.predictions'],
    )
  })

  it('should read each flag from its PLINTH_* variable, flags winning', () => {
    const env = {
      PLINTH_PREDICTION_LOGGING: 'false',
      PLINTH_PREDICTION_LOG_SAMPLE_RATE: '0.25',
      PLINTH_PREDICTION_LOG_BUFFER_SIZE: '500',
      PLINTH_PREDICTION_LOG_RETENTION_DAYS: '0',
      PLINTH_PREDICTION_LOG_NATS_URL: 'nats://127.0.0.1:4222',
      PLINTH_PREDICTION_LOG_NATS_SUBJECT: 'ml.preds',
    }
    const c = resolveConfig({ predictionLogSampleRate: '0.5' }, env)
    assert.deepEqual(
      [c.predictionLogging, c.predictionLogSampleRate, c.predictionLogBufferSize, c.predictionLogRetentionDays, c.predictionLogNatsUrl, c.predictionLogNatsSubject],
      [false, 0.5, 500, 0, 'nats://127.0.0.1:4222', 'ml.preds'],
    )
  })

  it('should refuse bad values naming the flag and its variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ predictionLogSampleRate: '1.5' }, /--prediction-log-sample-rate must be a number from 0 to 1.*PLINTH_PREDICTION_LOG_SAMPLE_RATE/],
      [{ predictionLogSampleRate: 'half' }, /--prediction-log-sample-rate/],
      [{ predictionLogSampleRate: ' ' }, /--prediction-log-sample-rate/],
      [{ predictionLogBufferSize: '0' }, /--prediction-log-buffer-size must be a whole number from 1/],
      [{ predictionLogRetentionDays: '-1' }, /--prediction-log-retention-days must be a whole number from 0/],
      [{ predictionLogging: 'maybe' }, /--prediction-logging takes true or false/],
      [{ predictionLogNatsUrl: 'http://x:4222' }, /--prediction-log-nats-url must be a NATS server URL/],
      [{ predictionLogNatsSubject: 'plinth.*' }, /--prediction-log-nats-subject must be a NATS subject/],
      [{ predictionLogNatsSubject: 'a..b' }, /--prediction-log-nats-subject/],
    ]
    for (const [flags, message] of cases) assert.match(refusal(() => resolveConfig(flags, {})), new RegExp(`INVALID_PARAMETER_VALUE: ${message.source}`))
  })
})
