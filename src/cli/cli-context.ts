import type { Command } from 'commander'
import { userInfo } from 'node:os'
import { createServices, type ServiceOptions, type Services } from '../app/services.js'
import { resolveConfig } from '../config/index.js'
import { AppError, isAppError } from '../shared/errors.js'
import { EXIT_CODES } from './exit-codes.js'

/** Adds the flag that names the metadata database (`PLINTH_BACKEND_STORE_URI` otherwise). */
export function withStore(command: Command): Command {
  return command.option('--backend-store-uri <uri>', 'metadata database (env PLINTH_BACKEND_STORE_URI)')
}

/** Opens services for one CLI command, runs it, and always closes them. */
export async function withServices<T>(
  flags: { backendStoreUri?: string },
  run: (services: Services) => Promise<T>,
  options: ServiceOptions = { withoutArtifacts: true, migrateEmpty: false },
): Promise<T> {
  const services = await createServices(resolveConfig({ backendStoreUri: flags.backendStoreUri }), options)
  try {
    return await run(services)
  } finally {
    await services.close()
  }
}

/** Wraps a command's action: one clear line on error, never a stack trace, an exit code per error code. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args)
    } catch (error) {
      reportAndExit(error)
    }
  }
}

export function reportAndExit(error: unknown): never {
  if (isAppError(error)) {
    process.stderr.write(`error: ${error.message}\n`)
    process.exit(EXIT_CODES[error.code])
  }
  const code = (error as { code?: string }).code
  if (code === 'EADDRINUSE') {
    process.stderr.write(`error: ${(error as Error).message}. Another process uses that port: stop it or pass --port.\n`)
    process.exit(1)
  }
  process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`)
  process.exit(1)
}

export function parseTags(pairs: string[] | undefined): Array<{ key: string; value: string }> {
  return (pairs ?? []).map((pair) => {
    const at = pair.indexOf('=')
    if (at <= 0) throw new AppError('INVALID_PARAMETER_VALUE', `Invalid tag '${pair}': write it as key=value.`)
    return { key: pair.slice(0, at), value: pair.slice(at + 1) }
  })
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** Changes made from the CLI are recorded under the operating-system user. */
export function localUser(): string {
  try {
    return userInfo().username || 'unknown'
  } catch {
    return 'unknown'
  }
}
