import { Type as T, type Static } from '@sinclair/typebox'
import type { LoggedColumns, PredictionLog } from '../monitoring/prediction-log-store.js'

/**
 * Wire shapes of `/api/plinth/v1/prediction-logs`. Column values are checked by the service
 * (numbers, strings, booleans or null): a schema union would let Ajv's type coercion turn a
 * null into 0 while it tries the alternatives.
 */
const Columns = T.Record(T.String(), T.Array(T.Unsafe<number | string | boolean | null>({})))
const Strict = { additionalProperties: false }

const LogIn = T.Object(
  {
    prediction_id: T.String(),
    model: T.String(),
    version: T.String(),
    deployment: T.Optional(T.String()),
    time: T.Integer(),
    rows: T.Optional(T.Integer()),
    inputs: Columns,
    outputs: T.Optional(Columns),
    latency_ms: T.Optional(T.Number()),
    error: T.Optional(T.String()),
  },
  Strict,
)

const LogOut = T.Object({
  prediction_id: T.String(),
  model: T.String(),
  version: T.String(),
  deployment: T.Optional(T.String()),
  time: T.Integer(),
  rows: T.Integer(),
  inputs: T.Record(T.String(), T.Array(T.Unknown())),
  outputs: T.Record(T.String(), T.Array(T.Unknown())),
  latency_ms: T.Number(),
  error: T.Optional(T.String()),
})

export const PredictionLogSchemas = {
  ingest: {
    body: T.Object({ predictions: T.Array(LogIn) }, Strict),
    response: { 200: T.Object({ accepted: T.Integer() }) },
  },
  list: {
    querystring: T.Object(
      {
        model: T.Optional(T.String()),
        version: T.Optional(T.String()),
        deployment: T.Optional(T.String()),
        start_time: T.Optional(T.Integer()),
        end_time: T.Optional(T.Integer()),
        max_results: T.Optional(T.Integer()),
        page_token: T.Optional(T.String()),
      },
      Strict,
    ),
    response: { 200: T.Object({ predictions: T.Array(LogOut), next_page_token: T.Optional(T.String()) }) },
  },
} as const

export type LogInWire = Static<typeof LogIn>

/** `rows` may be left out: then it is the length of the first input column. */
export function logFromWire(wire: LogInWire): PredictionLog {
  const outputs: LoggedColumns = wire.outputs ?? {}
  const first = Object.values(wire.inputs)[0] ?? Object.values(outputs)[0]
  const log: PredictionLog = {
    predictionId: wire.prediction_id,
    model: wire.model,
    version: wire.version,
    time: wire.time,
    rows: wire.rows ?? first?.length ?? 0,
    inputs: wire.inputs,
    outputs,
    latencyMs: wire.latency_ms ?? 0,
  }
  if (wire.deployment !== undefined) log.deployment = wire.deployment
  if (wire.error !== undefined) log.error = wire.error
  return log
}
