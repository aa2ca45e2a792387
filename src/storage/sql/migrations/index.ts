import type { Kysely, Migration } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'
import * as m0001 from './0001-tracking.js'
import * as m0002 from './0002-api-tokens.js'
import * as m0003 from './0003-registry.js'
import * as m0004 from './0004-deployments.js'
import * as m0005 from './0005-prediction-logs.js'
import * as m0006 from './0006-prediction-feedback.js'
import * as m0007 from './0007-monitors.js'
import * as m0008 from './0008-pipelines.js'
import * as m0010 from './0010-pipeline-triggers.js'
import * as m0011 from './0011-metric-blocks.js'
import * as m0012 from './0012-prediction-log-segments.js'
import * as m0013 from './0013-audit-log.js'

type MigrationModule = { up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> }

/**
 * The schema's history, oldest first. Append only: a released migration is never edited,
 * because databases in the field have already run it.
 */
const MIGRATIONS: ReadonlyArray<[string, MigrationModule]> = [
  ['0001-tracking', m0001],
  ['0002-api-tokens', m0002],
  ['0003-registry', m0003],
  ['0004-deployments', m0004],
  ['0005-prediction-logs', m0005],
  ['0006-prediction-feedback', m0006],
  ['0007-monitors', m0007],
  ['0008-pipelines', m0008],
  ['0010-pipeline-triggers', m0010],
  ['0011-metric-blocks', m0011],
  ['0012-prediction-log-segments', m0012],
  ['0013-audit-log', m0013],
]

export function migrationsFor(features: DialectFeatures): Record<string, Migration> {
  return Object.fromEntries(
    MIGRATIONS.map(([name, mod]) => [name, { up: (db: Kysely<unknown>) => mod.up(db, features) }]),
  )
}
