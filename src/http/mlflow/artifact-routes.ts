import type { Static } from '@sinclair/typebox'
import { Type as T } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Readable } from 'node:stream'
import type { ArtifactFileInfo, ArtifactService } from '../../artifacts/index.js'
import { Schemas as S } from './tracking-schemas.js'
import { limitUpload } from '../security/upload-limit.js'

const ListQuery = T.Object({ path: T.Optional(T.String()) })
const FilesResponse = T.Object({
  files: T.Optional(T.Array(T.Object({ path: T.String(), is_dir: T.Boolean(), file_size: T.Optional(T.Integer()) }))),
})
const RunFileQuery = T.Object({ run_id: T.Optional(T.String()), run_uuid: T.Optional(T.String()), path: T.String() })

function filesToWire(files: ArtifactFileInfo[]) {
  if (files.length === 0) return undefined
  return files.map((f) => ({ path: f.path, is_dir: f.isDir, file_size: f.isDir ? undefined : f.fileSize }))
}

function sendFile(reply: FastifyReply, file: { body: Readable; size?: number }, path: string) {
  reply.type('application/octet-stream')
  reply.header('content-disposition', `attachment; filename="${encodeURIComponent(path.split('/').pop() ?? 'artifact')}"`)
  if (file.size !== undefined) reply.header('content-length', file.size)
  return reply.send(file.body)
}

/**
 * MLflow's proxied artifact service (`/api/2.0/mlflow-artifacts/artifacts/<path>`): bodies
 * stream straight to and from the store, so a 1 GB upload never sits in memory.
 */
export function registerProxiedArtifactRoutes(app: FastifyInstance, artifacts: ArtifactService, uploadLimit = 0): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  app.get('/artifacts', { schema: { querystring: ListQuery, response: { 200: FilesResponse } } }, async (request) => {
    const { path } = request.query as Static<typeof ListQuery>
    return { files: filesToWire(await artifacts.list(path)) }
  })

  app.put('/artifacts/*', async (request) => {
    const path = (request.params as { '*': string })['*']
    const length = Number(request.headers['content-length'])
    const declared = Number.isFinite(length) ? length : undefined
    const body = limitUpload((request.body as Readable | undefined) ?? request.raw, declared, uploadLimit)
    await artifacts.upload(path, body, declared)
    return {}
  })

  app.get('/artifacts/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*']
    return sendFile(reply, await artifacts.download(path), path)
  })

  app.delete('/artifacts/*', async (request) => {
    await artifacts.delete((request.params as { '*': string })['*'])
    return {}
  })
}

/** `/mlflow/artifacts/list` and the UI's `/get-artifact`, addressed by run. */
export function registerRunArtifactRoutes(app: FastifyInstance, artifacts: ArtifactService): void {
  app.get('/artifacts/list', { schema: { querystring: S.listArtifacts.querystring, response: { 200: S.listArtifacts.response } } }, async (request) => {
    const query = request.query as Static<typeof S.listArtifacts.querystring>
    const { rootUri, files } = await artifacts.listRun(query.run_id || query.run_uuid, query.path)
    return { root_uri: rootUri, files: filesToWire(files) }
  })
}

export function registerGetArtifactRoute(app: FastifyInstance, artifacts: ArtifactService): void {
  app.get('/get-artifact', { schema: { querystring: RunFileQuery } }, async (request, reply) => {
    const query = request.query as Static<typeof RunFileQuery>
    return sendFile(reply, await artifacts.downloadRun(query.run_id || query.run_uuid, query.path), query.path)
  })
}
