import type { FastifyInstance } from 'fastify'
import type { MonitorService } from '../monitoring/monitors/monitor-service.js'
import { deploymentMonitoring } from '../monitoring/monitors/monitoring-dashboard.js'
import type { DeploymentService } from '../deployments/index.js'
import { AppError } from '../shared/errors.js'
import { alertToWire, dashboardToWire, eventToWire, MonitorSchemas as S, monitorToWire, runToWire } from './monitor-schemas.js'

type Id = { id: string }

/**
 * Monitors (`/api/plinth/v1/monitors`), alerts (`/alerts`) and a deployment's monitoring data
 * (`/deployments/{name}/monitoring`). A monitor is addressed by id or name. Running a monitor that
 * is already running elsewhere is 409 INVALID_STATE.
 */
export function registerMonitorRoutes(app: FastifyInstance, monitors: MonitorService, deployments?: DeploymentService): void {
  const config = { errorStatus: { INVALID_STATE: 409, RESOURCE_ALREADY_EXISTS: 409 } }

  app.post('/monitors', { config, schema: S.create }, async (request) => ({ monitor: monitorToWire(await monitors.create(request.body)) }))

  app.get('/monitors', { schema: S.list }, async (request) => {
    const { deployment } = request.query as { deployment?: string }
    return { monitors: (await monitors.list(deployment)).map(monitorToWire) }
  })

  app.get('/monitors/:id', { schema: S.get }, async (request) => {
    const monitor = await monitors.get((request.params as Id).id)
    const [alerts, runs] = await Promise.all([monitors.store.alertsOf(monitor.id), monitors.store.listRuns(monitor.id, { limit: 10 })])
    return { monitor: monitorToWire(monitor), alerts: alerts.map(alertToWire), runs: runs.map(runToWire) }
  })

  app.put('/monitors/:id', { config, schema: S.update }, async (request) => ({ monitor: monitorToWire(await monitors.update((request.params as Id).id, request.body)) }))

  app.delete('/monitors/:id', { schema: S.remove }, async (request) => {
    await monitors.delete((request.params as Id).id)
    return {}
  })

  app.post('/monitors/:id/run', { config, schema: S.run }, async (request) => ({ run: runToWire(await monitors.runNow((request.params as Id).id)) }))

  app.get('/monitors/:id/runs', { schema: S.runs }, async (request) => {
    const q = request.query as { start_time?: number; end_time?: number; max_results?: number }
    return { runs: (await monitors.runs((request.params as Id).id, { start: q.start_time, end: q.end_time, limit: q.max_results })).map(runToWire) }
  })

  app.get('/alerts', { schema: S.alerts }, async (request) => {
    const q = request.query as { state?: string; monitor?: string; deployment?: string; max_results?: number }
    return { alerts: (await monitors.alerts({ state: q.state, monitor: q.monitor, deployment: q.deployment, maxResults: q.max_results })).map(alertToWire) }
  })

  app.get('/alerts/events', { schema: S.events }, async (request) => {
    const q = request.query as { after?: number; max_results?: number }
    const after = q.after ?? 0
    const events = await monitors.eventsAfter(after, q.max_results)
    return { events: events.map(eventToWire), next_after: events.at(-1)?.seq ?? after }
  })

  app.get('/alerts/:id', { schema: S.alert }, async (request) => ({ alert: alertToWire(await monitors.alert((request.params as Id).id)) }))

  app.get('/deployments/:name/monitoring', { schema: S.dashboard }, async (request) => {
    const q = request.query as { start_time?: number; end_time?: number }
    const { name } = request.params as { name: string }
    await assertWatched(name, monitors, deployments)
    const data = await deploymentMonitoring(monitors, name, { start: q.start_time, end: q.end_time }, Date.now(), monitors.performanceHistory)
    return dashboardToWire(data)
  })
}

/**
 * A misspelt deployment name would otherwise get an empty page that looks like "all quiet". A
 * name is known when a deployment has it or a monitor watches it (monitors may name a deployment
 * that is created later, or one served by another process).
 */
async function assertWatched(name: string, monitors: MonitorService, deployments: DeploymentService | undefined): Promise<void> {
  if (!deployments || (await monitors.list(name)).length > 0) return
  const known = await deployments.list()
  if (known.some((d) => d.name === name)) return
  const names = known.map((d) => d.name).slice(0, 10).join(', ')
  throw new AppError('RESOURCE_DOES_NOT_EXIST', `No deployment named '${name}' and no monitor watches it. ${names ? `Deployments: ${names}.` : 'There are no deployments yet.'} List them with \`plinth deployments list\`.`)
}
