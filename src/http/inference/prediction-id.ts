import type { FastifyReply, FastifyRequest } from 'fastify'
import { newPredictionId } from '../../monitoring/prediction-ids.js'
import { AppError } from '../../shared/errors.js'

/** Ids go into logs, headers and feedback joins: visible ASCII, no spaces, bounded. */
const VALID_ID = /^[\x21-\x7e]{1,64}$/

/**
 * The id a prediction is logged under: the caller's (a V2 body `id`, else an `X-Prediction-Id`
 * header) or a new time-ordered UUID. It is set on the reply before inference, so the caller gets it on
 * failures too, and feedback can name it later.
 */
export function predictionIdFor(request: FastifyRequest, reply: FastifyReply, bodyId?: unknown): string {
  const header = request.headers['x-prediction-id']
  const given = typeof bodyId === 'string' ? bodyId : Array.isArray(header) ? header[0] : header
  let id: string
  if (given === undefined) id = newPredictionId()
  else if (VALID_ID.test(given)) id = given
  else {
    const where = typeof bodyId === 'string' ? 'The request "id"' : 'The X-Prediction-Id header'
    throw new AppError('INVALID_PARAMETER_VALUE', `${where} must be 1 to 64 visible ASCII characters without spaces (it names the prediction for feedback); got ${JSON.stringify(given.slice(0, 80))}${given.length > 80 ? '…' : ''}.`)
  }
  reply.header('x-prediction-id', id)
  return id
}
