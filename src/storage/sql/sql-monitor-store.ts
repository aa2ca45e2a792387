import type { Kysely, Transaction } from 'kysely'
import type { Alert, AlertEvent, Delivery, Monitor, MonitorRun, MonitorSpec } from '../../monitoring/monitors/monitor-entities.js'
import type { AlertQuery, DeliveryUpdate, MonitorStore, RunCompletion } from '../../monitoring/monitors/monitor-store.js'
import { notFound } from '../../shared/errors.js'
import type { Database } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { alertRow, eventRow, targetColumns, toAlert, toDelivery, toEvent, toMonitor, toRun } from './sql-monitor-rows.js'
import { translated } from './translate-error.js'

type Db = Kysely<Database> | Transaction<Database>

export class SqlMonitorStore implements MonitorStore {
  readonly #db: Kysely<Database>

  constructor(database: SqlDatabase) {
    this.#db = database.db
  }

  create(monitor: Monitor): Promise<Monitor> {
    const { spec } = monitor
    return translated(
      async () => {
        await this.#db
          .insertInto('monitors')
          .values({
            id: monitor.id,
            name: spec.name,
            ...targetColumns(spec),
            spec: JSON.stringify(spec),
            enabled: spec.enabled ? 1 : 0,
            next_run_at: monitor.nextRunAt,
            lease_owner: null,
            lease_until: null,
            created_at: monitor.createdAt,
            updated_at: monitor.updatedAt,
          })
          .execute()
        return monitor
      },
      () => `Monitor '${spec.name}' already exists; pick another name or delete it first (plinth monitors delete).`,
    )
  }

  get(id: string): Promise<Monitor | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toMonitor(row)
    })
  }

  getByName(name: string): Promise<Monitor | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('monitors').selectAll().where('name', '=', name).executeTakeFirst()
      return row && toMonitor(row)
    })
  }

  list(deployment?: string): Promise<Monitor[]> {
    return translated(async () => {
      let query = this.#db.selectFrom('monitors').selectAll().orderBy('name')
      if (deployment !== undefined) query = query.where('deployment', '=', deployment)
      return (await query.execute()).map(toMonitor)
    })
  }

  update(id: string, spec: MonitorSpec, nextRunAt: number, at: number): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db
        .updateTable('monitors')
        .set({ name: spec.name, ...targetColumns(spec), spec: JSON.stringify(spec), enabled: spec.enabled ? 1 : 0, next_run_at: nextRunAt, updated_at: at })
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    })
  }

  delete(id: string): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('monitor_runs').where('monitor_id', '=', id).execute()
        await trx.deleteFrom('alerts').where('monitor_id', '=', id).execute()
        await trx.deleteFrom('alert_deliveries').where('monitor_id', '=', id).where('status', '=', 'pending').execute()
        const result = await trx.deleteFrom('monitors').where('id', '=', id).executeTakeFirst()
        return Number(result.numDeletedRows) > 0
      }),
    )
  }

  claimDue(now: number, owner: string, leaseUntil: number, limit: number): Promise<Monitor[]> {
    return translated(async () => {
      const candidates = await this.#db
        .selectFrom('monitors')
        .select('id')
        .where('enabled', '=', 1)
        .where('next_run_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('next_run_at')
        .limit(limit)
        .execute()
      const claimed: Monitor[] = []
      for (const { id } of candidates) {
        // The schedule is checked again in the UPDATE: another worker may have run it meanwhile.
        const monitor = await this.#take(id, now, owner, leaseUntil, true)
        if (monitor) claimed.push(monitor)
      }
      return claimed
    })
  }

  claim(id: string, now: number, owner: string, leaseUntil: number): Promise<Monitor | undefined> {
    return translated(async () => {
      const taken = await this.#take(id, now, owner, leaseUntil, false)
      if (taken) return taken
      if (!(await this.get(id))) throw notFound(`Monitor '${id}' does not exist.`)
      return undefined
    })
  }

  /** The conditional UPDATE that makes a claim exclusive: only one writer sees one row changed. */
  async #take(id: string, now: number, owner: string, leaseUntil: number, dueOnly: boolean): Promise<Monitor | undefined> {
    let update = this.#db
      .updateTable('monitors')
      .set({ lease_owner: owner, lease_until: leaseUntil })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    if (dueOnly) update = update.where('enabled', '=', 1).where('next_run_at', '<=', now)
    const result = await update.executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) return undefined
    return this.get(id)
  }

  completeRun(completion: RunCompletion): Promise<AlertEvent[]> {
    const { run } = completion
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        await trx
          .insertInto('monitor_runs')
          .values({ id: run.id, monitor_id: run.monitorId, time: run.time, outcome: run.outcome, error: run.error ?? null, results: run.results ? JSON.stringify(run.results) : null })
          .execute()
        const events: AlertEvent[] = []
        for (const write of completion.alerts) {
          const event = await this.#writeAlert(trx, write.alert, write.event)
          if (event) events.push(event)
        }
        for (const d of completion.deliveries) {
          await trx
            .insertInto('alert_deliveries')
            .values({
              id: d.id,
              monitor_id: run.monitorId,
              alert_id: d.alertId,
              target: JSON.stringify(d.target),
              payload: JSON.stringify(d.payload),
              status: 'pending',
              attempts: 0,
              next_attempt_at: run.time,
              last_error: null,
              lease_owner: null,
              lease_until: null,
              created_at: run.time,
              updated_at: run.time,
            })
            .execute()
        }
        await trx
          .updateTable('monitors')
          .set({ next_run_at: completion.nextRunAt, lease_owner: null, lease_until: null })
          .where('id', '=', run.monitorId)
          .where('lease_owner', '=', completion.owner)
          .execute()
        return events
      }),
    )
  }

  async #writeAlert(trx: Db, alert: Alert, event: Omit<AlertEvent, 'seq'> | undefined): Promise<AlertEvent | undefined> {
    const row = alertRow(alert)
    const { id: _id, monitor_id: _m, condition_key: _c, ...changes } = row
    await trx
      .insertInto('alerts')
      .values(row)
      .onConflict((oc) => oc.columns(['monitor_id', 'condition_key']).doUpdateSet(changes))
      .execute()
    if (!event) return undefined
    // The counter row is locked until commit, so sequence numbers are handed out in commit order:
    // a consumer that read up to N never misses an N-1 committed later (a serial column could).
    const next = await trx
      .updateTable('monitor_sequences')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('name', '=', 'alert_events')
      .returning('value')
      .executeTakeFirstOrThrow()
    const seq = Number(next.value)
    await trx.insertInto('alert_events').values(eventRow(seq, event)).execute()
    return { ...event, seq }
  }

  listRuns(monitorId: string, options: { start?: number; end?: number; limit: number }): Promise<MonitorRun[]> {
    return translated(async () => {
      let query = this.#db.selectFrom('monitor_runs').selectAll().where('monitor_id', '=', monitorId)
      if (options.start !== undefined) query = query.where('time', '>=', options.start)
      if (options.end !== undefined) query = query.where('time', '<', options.end)
      return (await query.orderBy('time', 'desc').orderBy('id', 'desc').limit(options.limit).execute()).map(toRun)
    })
  }

  latestRuns(): Promise<MonitorRun[]> {
    return translated(async () => {
      const rows = await this.#db
        .selectFrom('monitor_runs as r')
        .selectAll('r')
        .where('r.time', '=', (eb) => eb.selectFrom('monitor_runs as l').select((e) => e.fn.max('l.time').as('t')).whereRef('l.monitor_id', '=', 'r.monitor_id'))
        .execute()
      const newest = new Map<string, MonitorRun>()
      for (const run of rows.map(toRun)) if (!newest.has(run.monitorId) || newest.get(run.monitorId)!.id < run.id) newest.set(run.monitorId, run)
      return [...newest.values()]
    })
  }

  alertsOf(monitorId: string): Promise<Alert[]> {
    return translated(async () =>
      (await this.#db.selectFrom('alerts').selectAll().where('monitor_id', '=', monitorId).orderBy('condition_key').execute()).map(toAlert),
    )
  }

  getAlert(id: string): Promise<Alert | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toAlert(row)
    })
  }

  listAlerts(query: AlertQuery): Promise<Alert[]> {
    return translated(async () => {
      let q = this.#db.selectFrom('alerts').selectAll()
      if (query.state !== undefined) q = q.where('state', '=', query.state)
      if (query.monitorId !== undefined) q = q.where('monitor_id', '=', query.monitorId)
      if (query.deployment !== undefined) q = q.where('deployment', '=', query.deployment)
      return (await q.orderBy('updated_at', 'desc').orderBy('id').limit(query.maxResults).execute()).map(toAlert)
    })
  }

  listEvents(after: number, limit: number, filter: { monitorId?: string; deployment?: string; since?: number } = {}): Promise<AlertEvent[]> {
    return translated(async () => {
      let q = this.#db.selectFrom('alert_events').selectAll().where('seq', '>', after)
      if (filter.monitorId !== undefined) q = q.where('monitor_id', '=', filter.monitorId)
      if (filter.deployment !== undefined) q = q.where('deployment', '=', filter.deployment)
      if (filter.since !== undefined) q = q.where('time', '>=', filter.since)
      return (await q.orderBy('seq').limit(limit).execute()).map(toEvent)
    })
  }

  claimDeliveries(now: number, owner: string, leaseUntil: number, limit: number): Promise<Delivery[]> {
    return translated(async () => {
      const candidates = await this.#db
        .selectFrom('alert_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .limit(limit)
        .execute()
      const claimed: Delivery[] = []
      for (const { id } of candidates) {
        const result = await this.#db
          .updateTable('alert_deliveries')
          .set({ lease_owner: owner, lease_until: leaseUntil })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) !== 1) continue
        const row = await this.#db.selectFrom('alert_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
        claimed.push(toDelivery(row))
      }
      return claimed
    })
  }

  updateDelivery(id: string, update: DeliveryUpdate, at: number): Promise<void> {
    return translated(async () => {
      await this.#db
        .updateTable('alert_deliveries')
        .set({ status: update.status, attempts: update.attempts, next_attempt_at: update.nextAttemptAt, last_error: update.lastError ?? null, lease_owner: null, lease_until: null, updated_at: at })
        .where('id', '=', id)
        .execute()
    })
  }

  deleteFinishedDeliveries(before: number): Promise<number> {
    return translated(async () => {
      const result = await this.#db.deleteFrom('alert_deliveries').where('status', 'in', ['delivered', 'failed']).where('updated_at', '<', before).executeTakeFirst()
      return Number(result.numDeletedRows)
    })
  }

  deleteRunsBefore(before: number): Promise<number> {
    return translated(async () => {
      const result = await this.#db
        .deleteFrom('monitor_runs')
        .where('time', '<', before)
        .where('id', 'not in', (eb) =>
          eb
            .selectFrom('monitor_runs as r')
            .select('r.id')
            .where('r.time', '=', (sub) => sub.selectFrom('monitor_runs as l').select((e) => e.fn.max('l.time').as('t')).whereRef('l.monitor_id', '=', 'r.monitor_id')),
        )
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    })
  }

  listDeliveries(monitorId: string, limit: number): Promise<Delivery[]> {
    return translated(async () =>
      (await this.#db.selectFrom('alert_deliveries').selectAll().where('monitor_id', '=', monitorId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute()).map(toDelivery),
    )
  }
}

