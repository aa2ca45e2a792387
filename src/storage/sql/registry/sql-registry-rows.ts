import type { Kysely, Selectable } from 'kysely'
import type { OnnxSignature } from '../../../registry/onnx-signature.js'
import { MODEL_STAGES, type ModelStage, type ModelVersion, type ModelVersionStatus, type RegisteredModel } from '../../../registry/registry-entities.js'
import type { KeyValue } from '../../../tracking/tracking-entities.js'
import type { Database, ModelVersionTable, RegisteredModelTable } from '../schema.js'

type VersionRow = Selectable<ModelVersionTable>
type ModelRow = Selectable<RegisteredModelTable>

// Rows are hydrated in chunks so that no statement carries more bound parameters than SQLite
// and PostgreSQL allow, however large the page.
const CHUNK = 400

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

const versionKey = (name: string, version: number) => `${name}\u0000${version}`

export function toModelVersion(row: VersionRow, tags: KeyValue[], aliases: string[]): ModelVersion {
  const version: ModelVersion = {
    name: row.name,
    version: Number(row.version),
    creationTimestamp: Number(row.creation_time),
    lastUpdatedTimestamp: Number(row.last_updated_time),
    currentStage: row.current_stage as ModelStage,
    source: row.source,
    status: row.status as ModelVersionStatus,
    tags,
    aliases,
    downloadUri: row.download_uri,
    pinned: {
      sha256: row.sha256,
      sizeBytes: Number(row.size_bytes),
      storageUri: row.storage_uri,
      signature: JSON.parse(row.signature) as OnnxSignature,
    },
  }
  if (row.user_id !== null) version.userId = row.user_id
  if (row.description !== null) version.description = row.description
  if (row.run_id !== null) version.runId = row.run_id
  if (row.run_link !== null) version.runLink = row.run_link
  if (row.status_message !== null) version.statusMessage = row.status_message
  return version
}

/** Versions with their tags and aliases, in the order of `rows`. */
export async function hydrateVersions(db: Kysely<Database>, rows: VersionRow[]): Promise<ModelVersion[]> {
  const tags = new Map<string, KeyValue[]>()
  const aliases = new Map<string, string[]>()
  for (const chunk of chunks(rows)) {
    const names = [...new Set(chunk.map((r) => r.name))]
    const versions = [...new Set(chunk.map((r) => Number(r.version)))]
    // (name IN …) AND (version IN …) may match a few extra rows; the keyed maps drop them.
    const [tagRows, aliasRows] = await Promise.all([
      db.selectFrom('model_version_tags').selectAll().where('name', 'in', names).where('version', 'in', versions).orderBy('key').execute(),
      db.selectFrom('registered_model_aliases').selectAll().where('name', 'in', names).where('version', 'in', versions).orderBy('alias').execute(),
    ])
    for (const t of tagRows) push(tags, versionKey(t.name, Number(t.version)), { key: t.key, value: t.value })
    for (const a of aliasRows) push(aliases, versionKey(a.name, Number(a.version)), a.alias)
  }
  return rows.map((row) => {
    const key = versionKey(row.name, Number(row.version))
    return toModelVersion(row, tags.get(key) ?? [], aliases.get(key) ?? [])
  })
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

const STAGE_ORDER = new Map<string, number>(MODEL_STAGES.map((s, i) => [s, i]))

/** Sorts versions None, Staging, Production, Archived (one per stage in latest-version lists). */
export function byStage(a: ModelVersion, b: ModelVersion): number {
  return (STAGE_ORDER.get(a.currentStage) ?? 9) - (STAGE_ORDER.get(b.currentStage) ?? 9)
}

/** The newest version of each model in each stage (limited to `stages` when given). */
export async function latestVersionRows(db: Kysely<Database>, names: string[], stages?: readonly ModelStage[]): Promise<VersionRow[]> {
  const rows: VersionRow[] = []
  for (const chunk of chunks(names)) {
    let latest = db
      .selectFrom('model_versions')
      .select(['name', 'current_stage', (eb) => eb.fn.max('version').as('version')])
      .where('name', 'in', chunk)
      .groupBy(['name', 'current_stage'])
    if (stages) latest = latest.where('current_stage', 'in', [...stages])
    const found = await db
      .selectFrom('model_versions as mv')
      .innerJoin(latest.as('l'), (join) => join.onRef('l.name', '=', 'mv.name').onRef('l.version', '=', 'mv.version'))
      .selectAll('mv')
      .execute()
    rows.push(...found)
  }
  return rows
}

/** Registered models with tags, aliases and latest versions, in the order of `rows`. */
export async function hydrateModels(db: Kysely<Database>, rows: ModelRow[]): Promise<RegisteredModel[]> {
  const names = rows.map((r) => r.name)
  const tags = new Map<string, KeyValue[]>()
  const aliases = new Map<string, Array<{ alias: string; version: number }>>()
  for (const chunk of chunks(names)) {
    const [tagRows, aliasRows] = await Promise.all([
      db.selectFrom('registered_model_tags').selectAll().where('name', 'in', chunk).orderBy('key').execute(),
      db.selectFrom('registered_model_aliases').selectAll().where('name', 'in', chunk).orderBy('alias').execute(),
    ])
    for (const t of tagRows) push(tags, t.name, { key: t.key, value: t.value })
    for (const a of aliasRows) push(aliases, a.name, { alias: a.alias, version: Number(a.version) })
  }
  const latest = new Map<string, ModelVersion[]>()
  for (const v of await hydrateVersions(db, await latestVersionRows(db, names))) push(latest, v.name, v)
  return rows.map((row) => {
    const model: RegisteredModel = {
      name: row.name,
      creationTimestamp: Number(row.creation_time),
      lastUpdatedTimestamp: Number(row.last_updated_time),
      latestVersions: (latest.get(row.name) ?? []).sort(byStage),
      tags: tags.get(row.name) ?? [],
      aliases: aliases.get(row.name) ?? [],
    }
    if (row.description !== null) model.description = row.description
    return model
  })
}
