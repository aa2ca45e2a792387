import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { AppError } from '../shared/errors.js'
import type { Clock } from '../shared/clock.js'
import { SYSTEM_CLOCK } from '../shared/clock.js'
import { ROLES, type ApiToken, type Principal, type Role } from './auth-entities.js'
import type { TokenStore } from './token-store.js'

const TOKEN_PREFIX = 'plt'
const CACHE_TTL_MS = 30_000
const CACHE_MAX_ENTRIES = 10_000

/**
 * API tokens: `plt_<id>_<secret>`. Secrets are 32 random bytes, so a single SHA-256 is enough
 * to store them (a slow password hash buys nothing against 256 bits of entropy); verified
 * tokens are cached for 30 s, so auth costs a map lookup per request instead of the 50–100 ms
 * KDF that made MLflow's basic-auth app 40–90× slower (mlflow#9684). A revocation is seen at
 * once on this replica and within the cache lifetime on others.
 */
export class AuthService {
  readonly #store: TokenStore
  readonly #clock: Clock
  readonly #cache = new Map<string, { principal: Principal; expiresAt: number }>()

  constructor(store: TokenStore, clock: Clock = SYSTEM_CLOCK) {
    this.#store = store
    this.#clock = clock
  }

  /** Creates a token; the secret is returned once and never stored. */
  async createToken(input: { name?: string; role?: string }): Promise<{ token: ApiToken; secret: string }> {
    const name = (input.name ?? '').trim()
    if (!name || name.length > 200) {
      throw new AppError('INVALID_PARAMETER_VALUE', 'A token needs a name of 1 to 200 characters (who or what uses it).')
    }
    const role = input.role as Role
    if (!ROLES.includes(role)) {
      throw new AppError('INVALID_PARAMETER_VALUE', `Invalid role '${String(input.role)}': use one of ${ROLES.join(', ')}.`)
    }
    const tokenId = randomBytes(8).toString('hex')
    const secretPart = randomBytes(32).toString('base64url')
    const token: ApiToken = { tokenId, name, role, createdAt: this.#clock.now() }
    await this.#store.create(token, hashSecret(secretPart))
    return { token, secret: `${TOKEN_PREFIX}_${tokenId}_${secretPart}` }
  }

  listTokens(): Promise<ApiToken[]> {
    return this.#store.list()
  }

  async revokeToken(tokenId: string): Promise<void> {
    const revoked = await this.#store.revoke(tokenId, this.#clock.now())
    if (!revoked) throw new AppError('RESOURCE_DOES_NOT_EXIST', `No active token with id ${tokenId}. List tokens with: plinth tokens list`)
    for (const [secret, entry] of this.#cache) {
      if (entry.principal.tokenId === tokenId) this.#cache.delete(secret)
    }
  }

  /** The principal behind a token string; UNAUTHENTICATED if it is unknown, malformed or revoked. */
  async verify(secret: string): Promise<Principal> {
    const now = this.#clock.now()
    const cached = this.#cache.get(secret)
    if (cached && cached.expiresAt > now) return cached.principal
    const principal = await this.#verifyUncached(secret)
    if (this.#cache.size >= CACHE_MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!)
    this.#cache.set(secret, { principal, expiresAt: now + CACHE_TTL_MS })
    return principal
  }

  async #verifyUncached(secret: string): Promise<Principal> {
    const match = /^plt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(secret)
    const found = match ? await this.#store.find(match[1]!) : undefined
    if (!match || !found || found.token.revokedAt !== undefined || !sameHash(hashSecret(match[2]!), found.secretHash)) {
      throw new AppError('UNAUTHENTICATED', 'Invalid or revoked API token. Create one with: plinth tokens create --name NAME --role reader|editor|admin')
    }
    return { tokenId: found.token.tokenId, name: found.token.name, role: found.token.role }
  }
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
