import type { Kysely, Selectable } from 'kysely'
import type { FeedbackLabel, FeedbackQuery, FeedbackStore, PredictionFeedback } from '../../monitoring/feedback-store.js'
import { decodeOffsetToken, pageFromRows, type Page } from '../../shared/page.js'
import type { Database, PredictionFeedbackTable } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { translated } from './translate-error.js'

const COLUMNS = 7
/** Ids per `IN (…)` list: well under every dialect's bound-parameter limit. */
const ID_CHUNK = 1000

function toFeedback(row: Selectable<PredictionFeedbackTable>): PredictionFeedback {
  const feedback: PredictionFeedback = {
    predictionId: row.prediction_id,
    label: JSON.parse(row.label) as FeedbackLabel,
    predictionTime: Number(row.prediction_time),
    model: row.model,
    version: row.version,
    receivedAt: Number(row.received_at),
  }
  if (row.deployment !== null) feedback.deployment = row.deployment
  return feedback
}

function toRow(f: PredictionFeedback): PredictionFeedbackTable {
  return {
    prediction_id: f.predictionId,
    label: JSON.stringify(f.label),
    prediction_time: f.predictionTime,
    model: f.model,
    version: f.version,
    deployment: f.deployment ?? null,
    received_at: f.receivedAt,
  }
}

/** The last feedback per id, in first-seen order: PostgreSQL refuses one upsert touching a row twice. */
function lastPerId(feedback: readonly PredictionFeedback[]): PredictionFeedback[] {
  const byId = new Map<string, PredictionFeedback>()
  for (const f of feedback) byId.set(f.predictionId, f)
  return [...byId.values()]
}

export class SqlFeedbackStore implements FeedbackStore {
  readonly #db: Kysely<Database>
  readonly #rowsPerInsert: number

  constructor(database: SqlDatabase) {
    this.#db = database.db
    this.#rowsPerInsert = Math.min(1000, Math.floor(database.features.maxBindParameters / COLUMNS))
  }

  upsertBatch(feedback: readonly PredictionFeedback[]): Promise<void> {
    const rows = lastPerId(feedback).map(toRow)
    if (rows.length === 0) return Promise.resolve()
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        for (let at = 0; at < rows.length; at += this.#rowsPerInsert) {
          await trx
            .insertInto('prediction_feedback')
            .values(rows.slice(at, at + this.#rowsPerInsert))
            .onConflict((oc) =>
              oc.column('prediction_id').doUpdateSet((eb) => ({
                label: eb.ref('excluded.label'),
                prediction_time: eb.ref('excluded.prediction_time'),
                model: eb.ref('excluded.model'),
                version: eb.ref('excluded.version'),
                deployment: eb.ref('excluded.deployment'),
                received_at: eb.ref('excluded.received_at'),
              })),
            )
            .execute()
        }
      }),
    )
  }

  getMany(predictionIds: readonly string[]): Promise<PredictionFeedback[]> {
    const ids = [...new Set(predictionIds)]
    return translated(async () => {
      const found: PredictionFeedback[] = []
      for (let at = 0; at < ids.length; at += ID_CHUNK) {
        const rows = await this.#db.selectFrom('prediction_feedback').selectAll().where('prediction_id', 'in', ids.slice(at, at + ID_CHUNK)).execute()
        for (const row of rows) found.push(toFeedback(row))
      }
      return found
    })
  }

  list(query: FeedbackQuery): Promise<Page<PredictionFeedback>> {
    return translated(async () => {
      const offset = decodeOffsetToken(query.pageToken)
      let q = this.#db.selectFrom('prediction_feedback').selectAll()
      if (query.model !== undefined) q = q.where('model', '=', query.model)
      if (query.version !== undefined) q = q.where('version', '=', query.version)
      if (query.deployment !== undefined) q = q.where('deployment', '=', query.deployment)
      if (query.startTime !== undefined) q = q.where('prediction_time', '>=', query.startTime)
      if (query.endTime !== undefined) q = q.where('prediction_time', '<', query.endTime)
      const rows = await q.orderBy('prediction_time').orderBy('prediction_id').limit(query.maxResults + 1).offset(offset).execute()
      return pageFromRows(rows.map(toFeedback), query.maxResults, offset)
    })
  }

  deleteOlderThan(before: number): Promise<number> {
    return translated(async () => {
      const result = await this.#db.deleteFrom('prediction_feedback').where('prediction_time', '<', before).executeTakeFirst()
      return Number(result.numDeletedRows)
    })
  }
}
