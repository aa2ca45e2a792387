import type { Command } from 'commander'
import { auditEventToWire } from '../http/audit-routes.js'
import { invalidParameter } from '../shared/errors.js'
import { action, withServices, withStore } from './cli-context.js'
import { printObject, printRows } from './output.js'

interface ListFlags {
  backendStoreUri?: string
  actor?: string
  since?: string
  until?: string
  maxResults: string
  pageToken?: string
  json?: boolean
}

/** `--since 2026-11-01T00:00Z` or epoch milliseconds. */
function instant(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isFinite(ms)) throw invalidParameter(`${flag} takes an ISO date-time (2026-11-01T00:00:00Z) or epoch milliseconds; got '${value}'.`)
  return ms
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the audit log: who changed what, and when')
  withStore(audit.command('list'))
    .description('list audit events, newest first')
    .option('--actor <name>', "only this token's events ('anonymous' on a server without --auth)")
    .option('--since <time>', 'from this ISO time or epoch ms (inclusive)')
    .option('--until <time>', 'before this ISO time or epoch ms')
    .option('--max-results <n>', 'events per page (1..1000)', '50')
    .option('--page-token <token>', 'the next page, from a previous --json listing')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: ListFlags) => {
        await withServices(flags, async ({ audit: service }) => {
          const since = instant(flags.since, '--since')
          const until = instant(flags.until, '--until')
          const page = await service.list({
            maxResults: Number(flags.maxResults),
            ...(flags.actor ? { actor: flags.actor } : {}),
            ...(since !== undefined ? { since } : {}),
            ...(until !== undefined ? { until } : {}),
            ...(flags.pageToken ? { pageToken: flags.pageToken } : {}),
          })
          if (flags.json) return printObject({ events: page.items.map(auditEventToWire), next_page_token: page.nextPageToken }, true)
          const rows = page.items.map((e) => ({ time: new Date(e.time).toISOString(), actor: e.actor, method: e.method, route: e.route, ids: Object.entries(e.resourceIds).map(([k, v]) => `${k}=${v}`).join(' '), status: e.status, from: e.remoteAddress }))
          printRows(rows, ['time', 'actor', 'method', 'route', 'ids', 'status', 'from'], false)
          if (page.nextPageToken) process.stdout.write(`More: plinth audit list --page-token ${page.nextPageToken}\n`)
        })
      }),
    )
}
