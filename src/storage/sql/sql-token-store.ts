import type { Kysely, Selectable } from 'kysely'
import type { ApiToken, Role } from '../../auth/auth-entities.js'
import type { TokenStore } from '../../auth/token-store.js'
import type { ApiTokenTable, Database } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { translated } from './translate-error.js'

function toToken(row: Selectable<ApiTokenTable>): ApiToken {
  const token: ApiToken = { tokenId: row.token_id, name: row.name, role: row.role as Role, createdAt: Number(row.created_at) }
  if (row.revoked_at !== null) token.revokedAt = Number(row.revoked_at)
  return token
}

export class SqlTokenStore implements TokenStore {
  readonly #db: Kysely<Database>

  constructor(database: SqlDatabase) {
    this.#db = database.db
  }

  create(token: ApiToken, secretHash: string): Promise<void> {
    return translated(async () => {
      await this.#db
        .insertInto('api_tokens')
        .values({ token_id: token.tokenId, name: token.name, role: token.role, secret_hash: secretHash, created_at: token.createdAt, revoked_at: null })
        .execute()
    })
  }

  find(tokenId: string) {
    return translated(async () => {
      const row = await this.#db.selectFrom('api_tokens').selectAll().where('token_id', '=', tokenId).executeTakeFirst()
      return row && { token: toToken(row), secretHash: row.secret_hash }
    })
  }

  list(): Promise<ApiToken[]> {
    return translated(async () => {
      const rows = await this.#db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute()
      return rows.map(toToken)
    })
  }

  revoke(tokenId: string, now: number): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('token_id', '=', tokenId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    })
  }
}
