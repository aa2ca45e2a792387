import { isAbsolute, resolve } from 'node:path'
import { AppError } from '../shared/errors.js'
import type { SqlDatabase } from './sql/sql-database.js'
import { openSqliteDatabase } from './sqlite/sqlite-database.js'
import { openPostgresDatabase } from './postgres/postgres-database.js'

type Opener = (uri: string) => Promise<SqlDatabase>

/**
 * `sqlite:///relative.db`, `sqlite:////absolute.db` and `sqlite:///:memory:` as in MLflow
 * (three slashes, then the path), or a PostgreSQL URL.
 */
const OPENERS: Record<string, Opener> = {
  sqlite: async (uri) => openSqliteDatabase(sqlitePath(uri)),
  postgresql: (uri) => openPostgresDatabase(uri),
  postgres: (uri) => openPostgresDatabase(uri),
}

export function sqlitePath(uri: string): string {
  const path = uri.replace(/^sqlite:\/\/\//, '')
  if (path === uri || path === '') {
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Invalid SQLite URI '${uri}': use sqlite:///relative/path.db or sqlite:////absolute/path.db`,
    )
  }
  if (path === ':memory:') return path
  return isAbsolute(path) ? path : resolve(path)
}

export function storeScheme(uri: string): string {
  return uri.split(':', 1)[0]!.toLowerCase()
}

/** Opens the metadata database named by a backend store URI. */
export async function openDatabase(uri: string): Promise<SqlDatabase> {
  const opener = OPENERS[storeScheme(uri)]
  if (!opener) {
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Unsupported backend store URI '${uri}': use sqlite:///path.db or postgresql://user@host:port/db`,
    )
  }
  return opener(uri)
}
