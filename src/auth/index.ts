export * from './auth-entities.js'
export * from './auth-service.js'
export type { TokenStore } from './token-store.js'
