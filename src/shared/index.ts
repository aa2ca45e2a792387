export * from './errors.js'
export * from './page.js'
export * from './ids.js'
export * from './clock.js'
