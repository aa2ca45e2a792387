import assert from 'node:assert/strict'
import { call, type TestApp } from '../../testing/test-services.js'

/** MLflow serves its tracking API under both prefixes; the route tests run on each. */
export const PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow'] as const

let unique = 0
export function uniqueName(label: string): string {
  unique += 1
  return `${label}-${process.pid}-${unique}`
}

/** Calls on one prefix of a test app; setup helpers insist on 200 so a failed step names itself. */
export function mlflowCaller(prefix: string, app: () => TestApp) {
  const url = (path: string) => `${prefix}${path}`
  const get = (path: string) => call(app().app, 'GET', url(path))
  const post = (path: string, body: unknown) => call(app().app, 'POST', url(path), body)
  async function ok(path: string, body: unknown): Promise<any> {
    const response = await post(path, body)
    assert.equal(response.status, 200, `${path} answered ${response.status}: ${JSON.stringify(response.body)}`)
    return response.body
  }
  async function okGet(path: string): Promise<any> {
    const response = await get(path)
    assert.equal(response.status, 200, `${path} answered ${response.status}: ${JSON.stringify(response.body)}`)
    return response.body
  }
  async function newExperiment(label = 'exp', extra: Record<string, unknown> = {}): Promise<string> {
    return (await ok('/experiments/create', { name: uniqueName(label), ...extra })).experiment_id as string
  }
  async function newRun(experimentId: string, extra: Record<string, unknown> = {}): Promise<string> {
    return (await ok('/runs/create', { experiment_id: experimentId, ...extra })).run.info.run_id as string
  }
  async function getRun(runId: string): Promise<any> {
    return (await okGet(`/runs/get?run_id=${runId}`)).run
  }
  return { url, get, post, ok, okGet, newExperiment, newRun, getRun }
}
