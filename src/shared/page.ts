import { AppError } from './errors.js'

/** One page of a listing; `nextPageToken` is absent on the last page. */
export interface Page<T> {
  items: T[]
  nextPageToken?: string
}

/**
 * Page tokens are opaque to clients. Like MLflow's SQL store they carry an offset, encoded as
 * base64 JSON, so a token from one server replica works on another.
 */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64')
}

export function decodeOffsetToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
  } catch {
    parsed = undefined
  }
  const offset = (parsed as { offset?: unknown } | undefined)?.offset
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Invalid page token, could not base64-decode or parse it: '${token}'. Pass the next_page_token of a previous response unchanged.`,
    )
  }
  return offset
}

/** Builds a page from `limit + 1` fetched rows: the extra row only proves that more exist. */
export function pageFromRows<T>(rows: T[], limit: number, offset: number): Page<T> {
  if (rows.length <= limit) return { items: rows }
  return { items: rows.slice(0, limit), nextPageToken: encodeOffsetToken(offset + limit) }
}
