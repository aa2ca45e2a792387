import type { ApiToken } from './auth-entities.js'

/** Persistence of API tokens. Only a hash of each secret is ever stored. */
export interface TokenStore {
  /** Inserts a token with the hash of its secret. */
  create(token: ApiToken, secretHash: string): Promise<void>
  /** The token and its secret hash, revoked or not; undefined if unknown. */
  find(tokenId: string): Promise<{ token: ApiToken; secretHash: string } | undefined>
  /** Every token, newest first. */
  list(): Promise<ApiToken[]>
  /** Marks a token revoked; false if it does not exist or was already revoked. */
  revoke(tokenId: string, now: number): Promise<boolean>
}
