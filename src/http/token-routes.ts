import { Type as T, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { ApiToken, AuthService } from '../auth/index.js'

const TokenSchema = T.Object({
  token_id: T.String(),
  name: T.String(),
  role: T.String(),
  created_at: T.Integer(),
  revoked_at: T.Optional(T.Integer()),
})
const CreateBody = T.Object({ name: T.String(), role: T.String() })

function toWire(t: ApiToken) {
  return { token_id: t.tokenId, name: t.name, role: t.role, created_at: t.createdAt, revoked_at: t.revokedAt }
}

/** Token management (`/api/plinth/v1/tokens`), for admins only. */
export function registerTokenRoutes(app: FastifyInstance, auth: AuthService): void {
  const config = { access: 'admin' as const }
  app.post('/tokens', { config, schema: { body: CreateBody, response: { 200: T.Object({ token: TokenSchema, secret: T.String() }) } } }, async (request) => {
    const body = request.body as Static<typeof CreateBody>
    const { token, secret } = await auth.createToken(body)
    return { token: toWire(token), secret }
  })
  app.get('/tokens', { config, schema: { response: { 200: T.Object({ tokens: T.Array(TokenSchema) }) } } }, async () => {
    return { tokens: (await auth.listTokens()).map(toWire) }
  })
  app.delete('/tokens/:tokenId', { config, schema: { params: T.Object({ tokenId: T.String() }) } }, async (request) => {
    await auth.revokeToken((request.params as { tokenId: string }).tokenId)
    return {}
  })
}
