import type { Kysely, Selectable } from 'kysely'
import type { Deployment, DeploymentRevision, DeploymentSpec } from '../../deployments/deployment-entities.js'
import type { DeploymentStore } from '../../deployments/deployment-store.js'
import { AppError } from '../../shared/errors.js'
import type { Database, DeploymentTable } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { translated } from './translate-error.js'

function toDeployment(row: Selectable<DeploymentTable>): Deployment {
  return {
    name: row.name,
    spec: JSON.parse(row.spec) as DeploymentSpec,
    revision: Number(row.revision),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
  }
}

export class SqlDeploymentStore implements DeploymentStore {
  readonly #db: Kysely<Database>

  constructor(database: SqlDatabase) {
    this.#db = database.db
  }

  create(name: string, spec: DeploymentSpec, at: number, by: string): Promise<Deployment> {
    const row = { name, spec: JSON.stringify(spec), revision: 1, created_at: at, updated_at: at, updated_by: by }
    return translated(
      () =>
        this.#db.transaction().execute(async (trx) => {
          await trx.insertInto('deployments').values(row).execute()
          await trx.insertInto('deployment_revisions').values({ name, revision: 1, spec: row.spec, created_at: at, created_by: by, reason: 'create' }).execute()
          return toDeployment(row)
        }),
      () => `Deployment '${name}' already exists; change it with: plinth deployments update ${name}`,
    )
  }

  get(name: string): Promise<Deployment | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('deployments').selectAll().where('name', '=', name).executeTakeFirst()
      return row && toDeployment(row)
    })
  }

  list(): Promise<Deployment[]> {
    return translated(async () => (await this.#db.selectFrom('deployments').selectAll().orderBy('name').execute()).map(toDeployment))
  }

  update(name: string, spec: DeploymentSpec, expectedRevision: number, at: number, by: string, reason: string): Promise<Deployment> {
    const text = JSON.stringify(spec)
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('deployments')
          .set({ spec: text, revision: expectedRevision + 1, updated_at: at, updated_by: by })
          .where('name', '=', name)
          .where('revision', '=', expectedRevision)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) {
          throw new AppError('INVALID_STATE', `Deployment '${name}' changed while this update was made; re-read it and retry.`)
        }
        await trx.insertInto('deployment_revisions').values({ name, revision: expectedRevision + 1, spec: text, created_at: at, created_by: by, reason }).execute()
        const row = await trx.selectFrom('deployments').selectAll().where('name', '=', name).executeTakeFirstOrThrow()
        return toDeployment(row)
      }),
    )
  }

  history(name: string): Promise<DeploymentRevision[]> {
    return translated(async () => {
      const rows = await this.#db.selectFrom('deployment_revisions').selectAll().where('name', '=', name).orderBy('revision', 'desc').execute()
      return rows.map((r) => ({ name: r.name, revision: Number(r.revision), spec: JSON.parse(r.spec) as DeploymentSpec, createdAt: Number(r.created_at), createdBy: r.created_by, reason: r.reason }))
    })
  }

  delete(name: string): Promise<boolean> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('deployment_revisions').where('name', '=', name).execute()
        const result = await trx.deleteFrom('deployments').where('name', '=', name).executeTakeFirst()
        return Number(result.numDeletedRows) > 0
      }),
    )
  }

  changeMarker(): Promise<string> {
    return translated(async () => {
      const row = await this.#db
        .selectFrom('deployments')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('updated_at').as('latest'), eb.fn.sum<number>('revision').as('revisions')])
        .executeTakeFirst()
      return `${row?.count ?? 0}:${row?.latest ?? 0}:${row?.revisions ?? 0}`
    })
  }
}
