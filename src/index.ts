/** Plinth's programmatic API. */
export { createServices, type Services } from './app/services.js'
export { createApp } from './http/create-app.js'
export { startServer } from './http/start-server.js'
export { resolveConfig, type PlinthConfig } from './config/index.js'
export { AppError, type ErrorCode } from './shared/errors.js'
export * from './client/index.js'
