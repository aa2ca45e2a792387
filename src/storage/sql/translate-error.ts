import { AppError, isAppError } from '../../shared/errors.js'

const UNIQUE_VIOLATIONS = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505'])
const UNAVAILABLE = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown: PostgreSQL restarting
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08006',
  '08001',
  '08003',
])
// node-postgres reports a lost or unobtainable connection by message only, without a code.
const LOST_CONNECTION = /^(Connection terminated|Client was closed and is not queryable|timeout exceeded when trying to connect|Client has encountered a connection error)/

// PostgreSQL cannot hold U+0000 (or a character its encoding lacks) in text; the value is bad input.
const UNSTORABLE_TEXT = new Set(['22021', '22P05'])

/**
 * The one place driver errors become AppErrors (house rule 16). `conflict` is the message for a
 * unique violation, which only the caller can phrase in the caller's terms.
 */
export function translateError(error: unknown, conflict?: () => string): AppError {
  if (isAppError(error)) return error
  const code = (error as { code?: unknown } | null)?.code
  if (isUniqueViolation(error) && conflict) {
    return new AppError('RESOURCE_ALREADY_EXISTS', conflict(), { cause: error })
  }
  if ((typeof code === 'string' && (UNAVAILABLE.has(code) || isSqliteBusy(code))) || isLostConnection(error)) {
    return new AppError(
      'TEMPORARILY_UNAVAILABLE',
      'The metadata database is busy or unreachable; retry the request.',
      { cause: error },
    )
  }
  if (typeof code === 'string' && UNSTORABLE_TEXT.has(code)) {
    return new AppError('INVALID_PARAMETER_VALUE', 'A value holds a character the metadata database cannot store (such as U+0000); remove it and retry.', { cause: error })
  }
  return new AppError('INTERNAL_ERROR', 'Unexpected database error.', { cause: error })
}

function isLostConnection(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' && LOST_CONNECTION.test(message)
}

/** Whether the driver refused a row for a duplicate primary key or unique constraint. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && UNIQUE_VIOLATIONS.has(code)
}

/** better-sqlite3 reports extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE, …). */
function isSqliteBusy(code: string): boolean {
  return code.startsWith('SQLITE_BUSY_') || code.startsWith('SQLITE_LOCKED_')
}

/** Runs a store operation, translating whatever the driver throws. */
export async function translated<T>(run: () => Promise<T>, conflict?: () => string): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw translateError(error, conflict)
  }
}
