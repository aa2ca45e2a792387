import type { Command } from 'commander'
import { action, withServices, withStore } from './cli-context.js'
import { printObject, printRows } from './output.js'

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('manage API tokens for servers started with --auth')

  withStore(tokens.command('create'))
    .description('create a token; its secret is shown once')
    .requiredOption('--name <name>', 'who or what will use it')
    .requiredOption('--role <role>', 'reader, editor or admin')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { backendStoreUri?: string; name: string; role: string; json?: boolean }) => {
        await withServices(flags, async ({ auth }) => {
          const { token, secret } = await auth.createToken({ name: flags.name, role: flags.role })
          if (flags.json) return printObject({ ...token, secret }, true)
          process.stdout.write(`Created ${token.role} token '${token.name}' (id ${token.tokenId}).\n`)
          process.stdout.write(`Secret (shown once; store it now):\n${secret}\n`)
          process.stdout.write('Use it as: Authorization: Bearer <secret>, or MLFLOW_TRACKING_TOKEN=<secret>\n')
        })
      }),
    )

  withStore(tokens.command('list'))
    .description('list tokens (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { backendStoreUri?: string; json?: boolean }) => {
        await withServices(flags, async ({ auth }) => {
          const list = await auth.listTokens()
          if (flags.json) return printObject(list, true)
          printRows(list.map((t) => ({ id: t.tokenId, name: t.name, role: t.role, created: t.createdAt, revoked: t.revokedAt })), ['id', 'name', 'role', 'created', 'revoked'], false)
        })
      }),
    )

  withStore(tokens.command('revoke'))
    .description('revoke a token at once')
    .argument('<id>', 'token id (from tokens list)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string, flags: { backendStoreUri?: string; json?: boolean }) => {
        await withServices(flags, async ({ auth }) => {
          await auth.revokeToken(id)
          if (flags.json) printObject({ token_id: id, revoked: true }, true)
          else process.stdout.write(`Revoked token ${id}\n`)
        })
      }),
    )
}
