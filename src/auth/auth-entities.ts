/** Roles, weakest first: readers read, editors also write, admins also manage tokens. */
export const ROLES = ['reader', 'editor', 'admin'] as const
export type Role = (typeof ROLES)[number]

export type Access = 'read' | 'write' | 'admin'

export interface ApiToken {
  tokenId: string
  name: string
  role: Role
  createdAt: number
  revokedAt?: number
}

/** Who made a request, once their credentials are verified. */
export interface Principal {
  tokenId: string
  name: string
  role: Role
}

export function roleAllows(role: Role, access: Access): boolean {
  const rank = { reader: 0, editor: 1, admin: 2 } as const
  const needed = { read: 0, write: 1, admin: 2 } as const
  return rank[role] >= needed[access]
}
