import type { FastifyInstance } from 'fastify'
import { AppError } from '../../shared/errors.js'

/**
 * Inference bodies are JSON whatever their declared type (clients of V2 servers often send none),
 * parsed with plain JSON.parse: the codecs read only the fields they know, so prototype keys are
 * inert here, and the tensor data is checked against the model's signature by the codec, not by
 * a schema, which would walk every element twice.
 */
export function installInferenceJsonBody(app: FastifyInstance, bodyLimit: number, contentTypes: string | string[] = '*'): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(contentTypes, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
}

export function parseJson(text: string): unknown {
  if (text.length === 0) throw new AppError('BAD_REQUEST', 'The request body is empty; send a JSON object.')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new AppError('BAD_REQUEST', `Malformed JSON in the request body: ${(error as Error).message}.`)
  }
}
