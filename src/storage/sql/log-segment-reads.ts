import type { Selectable } from 'kysely'
import type { PredictionLog } from '../../monitoring/prediction-log-store.js'
import { AppError } from '../../shared/errors.js'
import { SegmentReader } from './log-segment-codec.js'
import type { PredictionLogSegmentTable } from './schema.js'

export type SegmentRow = Selectable<PredictionLogSegmentTable>

/** A segment row opened for reading, with the positions that still hold records. */
export class OpenSegment {
  readonly reader: SegmentReader
  readonly ids: string[]
  readonly #skipped: Set<number> | undefined

  constructor(row: SegmentRow) {
    this.ids = JSON.parse(row.ids) as string[]
    this.reader = new SegmentReader(row.body, { model: row.model, version: row.version, deployment: row.deployment, ids: this.ids })
    this.#skipped = row.skip === null ? undefined : new Set(JSON.parse(row.skip) as number[])
  }

  /** Positions of the records, in order. */
  *positions(): Generator<number> {
    for (let p = 0; p < this.ids.length; p++) if (!this.#skipped?.has(p)) yield p
  }
}

/** Where the next page starts: after this record in (time, id) order. */
export interface PageCursor {
  time: number
  id: string
}

/**
 * Page tokens name the last record returned rather than an offset, so a page costs the same
 * however deep into a window it is: reading the n-th page by offset would decode every earlier
 * page's segments again.
 */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ after: [cursor.time, cursor.id] })).toString('base64')
}

export function decodeCursor(token: string | undefined): PageCursor | undefined {
  if (token === undefined || token === '') return undefined
  let after: unknown
  try {
    after = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown }).after
  } catch {
    after = undefined
  }
  if (!Array.isArray(after) || typeof after[0] !== 'number' || typeof after[1] !== 'string') {
    throw new AppError('INVALID_PARAMETER_VALUE', `Invalid page token, could not base64-decode or parse it: '${token}'. Pass the next_page_token of a previous response unchanged.`)
  }
  return { time: after[0], id: after[1] }
}

/** A record found while a page fills: enough to order it, decoded only if it makes the page. */
interface Candidate {
  time: number
  id: string
  segment: OpenSegment
  position: number
}

function compare(a: Candidate, b: Candidate): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** Which records of a window a listing keeps: time bounds, and after the page cursor. */
export interface RecordFilter {
  startTime?: number
  endTime?: number
  cursor?: PageCursor
}

/**
 * The first `limit` records, in (time, id) order, of segments fed in order of their start.
 * Only the best `limit + 1` are kept, the extra one proving that more exist; only the page's
 * records are turned into logs.
 */
export class PageCollector {
  readonly #limit: number
  readonly #filter: RecordFilter
  #best: Candidate[] = []

  constructor(limit: number, filter: RecordFilter) {
    this.#limit = limit
    this.#filter = filter
  }

  add(segment: OpenSegment): void {
    const { startTime, endTime, cursor } = this.#filter
    for (const position of segment.positions()) {
      const time = segment.reader.time(position)
      const id = segment.ids[position]!
      if ((startTime !== undefined && time < startTime) || (endTime !== undefined && time >= endTime)) continue
      if (cursor && (time < cursor.time || (time === cursor.time && id <= cursor.id))) continue
      this.#best.push({ time, id, segment, position })
    }
    if (this.#best.length > 2 * (this.#limit + 1)) this.#trim()
  }

  /** Whether no segment starting at `nextStart` or later can change the page. */
  settledBefore(nextStart: number): boolean {
    this.#trim()
    return this.#best.length > this.#limit && this.#best[this.#limit]!.time < nextStart
  }

  page(): { items: PredictionLog[]; nextPageToken?: string } {
    this.#trim()
    const items = this.#best.slice(0, this.#limit).map((c) => c.segment.reader.log(c.position))
    if (this.#best.length <= this.#limit) return { items }
    const last = items[items.length - 1]!
    return { items, nextPageToken: encodeCursor({ time: last.time, id: last.predictionId }) }
  }

  #trim(): void {
    this.#best.sort(compare)
    if (this.#best.length > this.#limit + 1) this.#best.length = this.#limit + 1
  }
}
